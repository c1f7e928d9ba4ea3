/**
 * The pond the worker has open: its store, the latest (writable) handle, an optional time-travel
 * view for reads, and the tab channel. Writes go to the latest handle under the pond's lock and
 * are announced to other tabs; commits other tabs announce refresh the handle.
 */
import { isPondError, pondError, type Pond, type ObjectStore, type Tx } from '../src/core/index.ts';
import type { PondEvent, PondInfo, StoreKind } from './api.ts';
import { TabSync } from './tab-sync.ts';
import type { PondCore } from './core-bindings.ts';

/** A write waits this long for another tab's lock before failing with ECONFLICT. */
const LOCK_WAIT_MS = 120_000;

/** Where a session's pond comes from, beyond its store. */
export interface SessionSource {
  /** A published pond's base URL (read-only). */
  url?: string | null;
  /** A local copy's published origin. */
  origin?: string | null;
}

export class PondSession {
  #view: Pond | null = null;
  /** Null for a published pond: nobody commits to it, so there is nothing to hear from other tabs. */
  #sync: TabSync | null;

  constructor(
    readonly name: string,
    readonly store: ObjectStore,
    /** The latest version, the only handle that writes. */
    readonly pond: Pond,
    private readonly core: PondCore,
    private readonly emit: (event: PondEvent) => void,
    readonly source: SessionSource = {},
  ) {
    this.#sync = source.url ? null : new TabSync(name, (version) => void this.#onRemoteCommit(version));
  }

  /** The handle reads use: the time-travel view when one is open. */
  get reader(): Pond {
    return this.#view ?? this.pond;
  }

  info(): PondInfo {
    const reader = this.reader;
    return {
      name: this.name,
      kind: this.store.kind as StoreKind,
      version: reader.version,
      latest: this.pond.version,
      asOf: this.#view ? this.#view.version : null,
      readOnly: reader.readOnly || !this.store.writable,
      warnings: [...this.pond.warnings],
      url: this.source.url ?? null,
      origin: this.source.origin ?? null,
    };
  }

  /** View the pond at `asOf` (read-only), or the latest again (null). */
  async travel(asOf: number | null): Promise<PondInfo> {
    await this.#view?.close();
    this.#view = null;
    if (asOf !== null && asOf !== this.pond.version) this.#view = await this.core.open(this.store, { asOf });
    return this.info();
  }

  /** Run a write on the latest pond; while another tab holds the lock, tell the UI it waits. */
  async commit(fn: (tx: Tx) => Promise<void> | void, message?: string): Promise<number> {
    if (this.#view) throw pondError('EROFS', '/', `viewing version ${this.#view.version}, which is read-only; go back to the latest version to make changes`);
    if (!this.store.writable) throw pondError('EROFS', '/', 'a published pond opened by URL is read-only; make a local copy to change it');
    let version: number;
    try {
      version = await this.pond.transact(fn, { message, wait: false });
    } catch (e) {
      if (!isPondError(e, 'ECONFLICT')) throw e;
      this.emit({ type: 'lock', pond: this.name, state: 'waiting' });
      try {
        version = await this.pond.transact(fn, { message, wait: true, timeoutMs: LOCK_WAIT_MS });
      } finally {
        this.emit({ type: 'lock', pond: this.name, state: 'done' });
      }
    }
    this.#sync?.announce(version);
    this.emit({ type: 'commit', pond: this.name, version, origin: 'local' });
    return version;
  }

  async close(): Promise<void> {
    this.#sync?.close();
    await this.#view?.close();
    await this.pond.close();
    await this.store.close();
  }

  async #onRemoteCommit(version: number): Promise<void> {
    if (version <= this.pond.version) return;
    await this.pond.refresh();
    this.emit({ type: 'commit', pond: this.name, version: this.pond.version, origin: 'remote' });
  }
}
