/**
 * The app's state: which pond is open (following the URL), what is selected, the worker's events.
 * Components render it and call its methods; only state classes talk to the worker.
 */
import { proxy, type Remote } from 'comlink';
import type { PondApi, PondEvent, PondInfo, PondListing } from '../../../workers/api.ts';
import { Route, type Location, type View } from './route.svelte.ts';
import { loadShippedPonds, publishedUrl, type ShippedPond } from './shipped.ts';
import { Tasks } from './tasks.svelte.ts';
import { TreeState } from './tree.svelte.ts';
import { Notices } from './notices.svelte.ts';
import { SqlState, consoleId } from './sql.svelte.ts';
import { WarmUp } from './warm-up.ts';

/** The main areas of the window. */
export type Area = View;

/** localStorage key of the pond opened last, reopened when the URL names none. */
const LAST_POND = 'duckpond:last-pond';
/** localStorage key set once this browser has seen the app: the first visit opens the demo. */
const VISITED = 'duckpond:visited';
/** localStorage key set once persistent storage was asked for (the browser remembers the answer). */
const PERSIST_ASKED = 'duckpond:persist-asked';

export class AppState {
  readonly route = new Route();
  readonly tasks: Tasks;
  readonly notices = new Notices();
  readonly tree: TreeState;
  readonly sql: SqlState;
  /** Loads DuckDB in idle time once the first page is shown (see warm-up.ts). */
  readonly warmUp: WarmUp;

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
  /** The demo ponds this deployment ships (ponds/ponds.json); empty when it ships none. */
  shipped = $state.raw<ShippedPond[]>([]);
  /** The service worker has cached the app: it starts without the network. */
  offlineReady = $state(false);
  /** A new deployment waits; calling this reloads into it. */
  updateReady = $state.raw<(() => Promise<void>) | null>(null);
  /** navigator.storage.persisted(): null until known or where unsupported. */
  persisted = $state<boolean | null>(null);
  /** Whether the pond worker answered at start (the status bar), and how fast (its tooltip). */
  worker = $state.raw<{ ok: boolean; text: string; detail: string } | null>(null);
  /** Dialog requests from anywhere (toolbar, context actions, empty states). */
  dialog = $state.raw<{ kind: 'mkdir' | 'mknod' | 'import'; dir: string; files?: File[] } | null>(null);

  #following: Promise<void> = Promise.resolve();
  /** Whether the deployment's list of demo ponds could be read (a failed read must not use up the first visit). */
  #shippedKnown = false;

  constructor(readonly api: Remote<PondApi>) {
    this.tasks = new Tasks(api);
    this.tree = new TreeState(this);
    this.sql = new SqlState(this);
    this.warmUp = new WarmUp(api);
  }

  /** The area shown (from the URL, so that a link opens the same view). */
  get area(): Area {
    return this.route.current.view;
  }

  /** Switch areas; the SQL console's text travels in the URL only while it is shown. */
  set area(view: Area) {
    if (view !== 'sql') {
      this.route.go({ view, sql: null, bindings: null });
      return;
    }
    if (this.pond) this.sql.load(consoleId(this.pond));
    const bindings = this.sql.bindings.filter((b) => b.name || b.pattern).map((b) => ({ name: b.name, pattern: b.pattern }));
    this.route.go({ view, sql: this.sql.text || null, bindings: bindings.length ? bindings : null });
  }

  /** True when the open pond cannot be changed here: an older version, or a published pond. */
  get readOnly(): boolean {
    return this.travelling || this.published;
  }

  /** Why changes are off (a tooltip for every disabled action), or null when the pond can be changed. */
  get readOnlyReason(): string | null {
    if (this.published) return 'This pond is published read-only: make a local copy to change it';
    if (this.travelling) return `You are viewing version ${this.pond?.asOf}, which is read-only: go back to the latest version to change the pond`;
    return null;
  }

  /** True when the open pond is a published one, read over HTTP (read-only until copied). */
  get published(): boolean {
    return this.pond?.url != null;
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
      if (answer !== 'pong') throw new Error(`unexpected answer ${JSON.stringify(answer)}`);
      const ms = Math.round(performance.now() - started);
      this.worker = { ok: true, text: 'ready', detail: `The pond worker answered in ${ms} ms` };
    } catch (e) {
      const cause = e instanceof Error ? e.message : String(e);
      this.worker = { ok: false, text: 'pond worker failed', detail: `The pond worker did not start: ${cause}. Reload the page to try again.` };
      return;
    }
    await this.api.subscribe(proxy((event: PondEvent) => this.#onEvent(event)));
    void this.#checkPersisted();
    const shipped = await loadShippedPonds();
    this.shipped = shipped ?? [];
    this.#shippedKnown = shipped !== null;
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
    const firstVisit = localStorage.getItem(VISITED) === null;
    // The first visit is the one that could offer the demo: until the list of demos was read, the
    // next visit is still a first one.
    if (firstVisit && this.#shippedKnown) localStorage.setItem(VISITED, new Date().toISOString());
    if (loc.pond === null && loc.url === null) {
      const last = localStorage.getItem(LAST_POND);
      const pick = this.ponds.find((p) => p.name === last) ?? this.ponds[0];
      if (pick) this.route.go({ pond: pick.name, path: '/', at: null }, { replace: true });
      else if (firstVisit && this.shipped.length && loc.view === 'browse') this.#goShipped(this.shipped[0], { replace: true });
      else if (this.pond) await this.api.closePond();
      return;
    }
    let url: string | null;
    try {
      url = loc.url === null ? null : publishedUrl(loc.url);
    } catch {
      this.notices.error(new Error(`“${loc.url}” is not a URL`), 'Could not open the published pond');
      this.route.go({ pond: null, url: null, path: '/', at: null }, { replace: true });
      return;
    }
    const name = loc.pond ?? (url ? nameFromUrl(url) : '');
    const same = url === null ? this.pond?.url == null && this.pond?.name === name : this.pond?.url === url;
    try {
      if (!same) {
        this.opening = true;
        const options = loc.at === null ? {} : { asOf: loc.at };
        this.pond = url === null ? await this.api.openPond(name, options) : await this.api.openUrl(url, name, options);
        if (url === null) localStorage.setItem(LAST_POND, name);
        this.tree.reset();
      } else if ((this.pond!.asOf ?? null) !== loc.at) {
        this.pond = await this.api.travel(loc.at);
        this.tree.reset();
      }
    } catch (e) {
      this.notices.error(e, `Could not open pond “${url ?? name}”${loc.at !== null ? ` at version ${loc.at}` : ''}`);
      if (!same) this.route.go({ pond: null, url: null, path: '/', at: null }, { replace: true });
      else this.route.go({ at: null }, { replace: true });
    } finally {
      this.opening = false;
    }
  }

  #goShipped(pond: ShippedPond, options: { replace?: boolean } = {}): void {
    this.route.go({ pond: pond.name, url: pond.path, path: pond.start ?? '/', at: null, view: 'browse', sql: null, bindings: null }, options);
  }

  /** Select a path in the open pond (a new history entry). */
  select(path: string): void {
    this.route.go({ path });
  }

  /** Open a pond by name, at its latest version. */
  openPond(name: string): void {
    this.route.go({ pond: name, url: null, path: '/', at: null, view: 'browse', sql: null, bindings: null });
  }

  /** View the pond as it was at `version` (read-only), or the latest (null). */
  travel(version: number | null): void {
    const latest = this.pond?.latest;
    this.route.go({ at: version === latest ? null : version });
  }

  async refreshPonds(): Promise<void> {
    this.ponds = await this.api.listPonds();
  }

  /** Create a pond and open it (and ask, once, for persistent storage). */
  async createPond(name: string): Promise<void> {
    await this.#show(await this.api.createPond(name));
  }

  /** Open a demo pond this deployment ships (the first one unless named), read-only from the site. */
  openDemo(name?: string): void {
    const pond = this.shipped.find((p) => p.name === name) ?? this.shipped[0];
    if (pond) this.#goShipped(pond);
    else this.notices.info('This deployment ships no demo pond.');
  }

  /** Copy the open published pond into this browser as `name` and open the copy, which can be edited. */
  async copyToLocal(name: string): Promise<void> {
    const info = await this.tasks.run(`Copying ${this.pond?.name ?? 'the pond'} into this browser`, (t) =>
      this.api.copyToLocal(name, { opId: t.id }, t.onProgress),
    );
    await this.#show(info, this.path);
    this.notices.info(`“${info.name}” is now a pond of this browser: changes are saved here, and it can be reset to the published version from Storage.`);
  }

  /** Replace a local copy by the published pond it came from. */
  async resetPond(name: string): Promise<void> {
    const info = await this.tasks.run(`Resetting ${name}`, (t) => this.api.resetPond(name, { opId: t.id }, t.onProgress));
    await this.#show(info);
    this.notices.info(`“${name}” is back at the published version ${info.latest}.`);
  }

  async #show(info: PondInfo, path = '/'): Promise<void> {
    this.ponds = await this.api.listPonds();
    this.pond = info;
    this.tree.reset();
    localStorage.setItem(LAST_POND, info.name);
    this.route.go({ pond: info.name, url: null, path, at: null, view: 'browse', sql: null, bindings: null });
    await this.requestPersistence();
  }

  /**
   * Ask the browser once to keep this site's storage (it may evict it under pressure otherwise),
   * when there first is something of the user's to keep; the answer shows in the status bar.
   */
  async requestPersistence(options: { force?: boolean } = {}): Promise<boolean | null> {
    const storage = typeof navigator !== 'undefined' ? navigator.storage : undefined;
    if (!storage?.persist) return (this.persisted = null);
    if (!options.force && localStorage.getItem(PERSIST_ASKED) !== null) return this.#checkPersisted();
    localStorage.setItem(PERSIST_ASKED, new Date().toISOString());
    this.persisted = await storage.persist().catch(() => false);
    if (options.force || !this.persisted) {
      this.notices.info(
        this.persisted
          ? 'Storage is persistent: the browser will not evict your ponds to free space.'
          : 'The browser did not make storage persistent, so it may evict ponds when space runs low. Export ponds you care about (Storage → Export); browsers often grant persistence once the site is bookmarked or installed.',
      );
    }
    return this.persisted;
  }

  async #checkPersisted(): Promise<boolean | null> {
    const storage = typeof navigator !== 'undefined' ? navigator.storage : undefined;
    this.persisted = storage?.persisted ? await storage.persisted().catch(() => null) : null;
    return this.persisted;
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
        if (this.pond && this.pond.url === null && event.pond === this.pond.name) {
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

/** A display name for a published pond from its URL: the last folder ('…/ponds/demo/' -> 'demo'). */
function nameFromUrl(url: string): string {
  return decodeURIComponent(new URL(url).pathname.split('/').filter(Boolean).pop() ?? 'pond');
}
