/**
 * The app's state: which pond is open (following the URL), what is selected, the worker's events.
 * Components render it and call its methods; only state classes talk to the worker.
 */
import { proxy, type Remote } from 'comlink';
import type { PondApi, PondEvent, PondInfo, PondListing } from '../../../workers/api.ts';
import { Route, type Location } from './route.svelte.ts';
import { Tasks } from './tasks.svelte.ts';
import { TreeState } from './tree.svelte.ts';
import { Notices } from './notices.svelte.ts';
import { SqlState } from './sql.svelte.ts';

/** The main areas of the window. */
export type Area = 'browse' | 'sql' | 'history' | 'storage';

/** localStorage key of the pond opened last, reopened when the URL names none. */
const LAST_POND = 'duckpond:last-pond';

export class AppState {
  readonly route = new Route();
  readonly tasks: Tasks;
  readonly notices = new Notices();
  readonly tree: TreeState;
  readonly sql: SqlState;

  /** Ponds of this origin; null until the worker answered. */
  ponds = $state.raw<PondListing[] | null>(null);
  /** The open pond; null when none is. */
  pond = $state.raw<PondInfo | null>(null);
  /** True while the URL's pond is being opened. */
  opening = $state(false);
  /** Bumped on every commit (here or in another tab): views that show pond content reload. */
  revision = $state(0);
  /** A write is waiting for another tab's lock. */
  lockWaiting = $state(false);
  area = $state<Area>('browse');
  /** What the worker answered to ping, and how fast (shown in the status bar). */
  worker = $state.raw<{ ok: boolean; text: string } | null>(null);
  /** Dialog requests from anywhere (toolbar, context actions, empty states). */
  dialog = $state.raw<{ kind: 'mkdir' | 'mknod' | 'import'; dir: string; files?: File[] } | null>(null);

  #following: Promise<void> = Promise.resolve();

  constructor(readonly api: Remote<PondApi>) {
    this.tasks = new Tasks(api);
    this.tree = new TreeState(this);
    this.sql = new SqlState(this);
  }

  /** The selected path (from the URL). */
  get path(): string {
    return this.route.current.path;
  }

  /** True while viewing an older version (read-only). */
  get travelling(): boolean {
    return this.pond?.asOf != null;
  }

  /** Start: ping the worker, subscribe to its events, load the pond list. */
  async start(): Promise<void> {
    const started = performance.now();
    try {
      const answer = await this.api.ping();
      this.worker = { ok: true, text: `worker: ${answer} (${Math.round(performance.now() - started)} ms)` };
    } catch (e) {
      this.worker = { ok: false, text: `worker error: ${e instanceof Error ? e.message : String(e)}` };
      return;
    }
    await this.api.subscribe(proxy((event: PondEvent) => this.#onEvent(event)));
    try {
      this.ponds = await this.api.listPonds();
    } catch (e) {
      this.notices.error(e, 'Could not list the ponds of this browser');
      this.ponds = [];
    }
  }

  /** Make the worker show what the URL names (called whenever the location changes). */
  follow(loc: Location): Promise<void> {
    // One at a time: a second location waits for the first to be open, then wins.
    this.#following = this.#following.then(() => this.#follow(loc)).catch(() => {});
    return this.#following;
  }

  async #follow(loc: Location): Promise<void> {
    if (this.ponds === null) return;
    if (loc.pond === null) {
      const last = localStorage.getItem(LAST_POND);
      const pick = this.ponds.find((p) => p.name === last) ?? this.ponds[0];
      if (pick) this.route.go({ pond: pick.name, path: '/', at: null }, { replace: true });
      else if (this.pond) await this.api.closePond();
      return;
    }
    try {
      if (this.pond?.name !== loc.pond) {
        this.opening = true;
        this.pond = await this.api.openPond(loc.pond, loc.at === null ? {} : { asOf: loc.at });
        localStorage.setItem(LAST_POND, loc.pond);
        this.tree.reset();
      } else if ((this.pond.asOf ?? null) !== loc.at) {
        this.pond = await this.api.travel(loc.at);
        this.tree.reset();
      }
    } catch (e) {
      this.notices.error(e, `Could not open pond “${loc.pond}”${loc.at !== null ? ` at version ${loc.at}` : ''}`);
      if (this.pond?.name !== loc.pond) this.route.go({ pond: null, path: '/', at: null }, { replace: true });
      else this.route.go({ at: null }, { replace: true });
    } finally {
      this.opening = false;
    }
  }

  /** Select a path in the open pond (a new history entry). */
  select(path: string): void {
    this.route.go({ path });
  }

  /** Open a pond by name, at its latest version. */
  openPond(name: string): void {
    this.area = 'browse';
    this.route.go({ pond: name, path: '/', at: null });
  }

  /** View the pond as it was at `version` (read-only), or the latest (null). */
  travel(version: number | null): void {
    const latest = this.pond?.latest;
    this.route.go({ at: version === latest ? null : version });
  }

  async refreshPonds(): Promise<void> {
    this.ponds = await this.api.listPonds();
  }

  /** Create a pond and open it. */
  async createPond(name: string): Promise<void> {
    await this.#show(await this.api.createPond(name));
  }

  /** Build (or reopen) the demo pond and open it at its README. */
  async openDemo(): Promise<void> {
    await this.#show(await this.api.createDemoPond(), "/README.md");
  }

  async #show(info: PondInfo, path = '/'): Promise<void> {
    this.ponds = await this.api.listPonds();
    this.pond = info;
    this.tree.reset();
    localStorage.setItem(LAST_POND, info.name);
    this.area = 'browse';
    this.route.go({ pond: info.name, path, at: null });
  }

  /** Run a write; failures become a notice (and the returned promise resolves to undefined). */
  async write<T>(label: string, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (e) {
      this.notices.error(e, label);
      return undefined;
    }
  }

  #onEvent(event: PondEvent): void {
    switch (event.type) {
      case 'commit':
        if (this.pond && event.pond === this.pond.name) {
          const travelling = this.pond.asOf !== null;
          this.pond = { ...this.pond, latest: event.version, version: travelling ? this.pond.version : event.version };
          if (!travelling) {
            this.revision++;
            void this.tree.refresh();
          }
          if (event.origin === 'remote') this.notices.info(`Another tab changed this pond (now version ${event.version}).`);
        }
        break;
      case 'lock':
        this.lockWaiting = event.state === 'waiting';
        break;
      case 'pond':
        this.pond = event.info;
        break;
      case 'ponds':
        this.ponds = event.ponds;
        break;
    }
  }
}
