/**
 * What the parts of PondService share: the pond catalog, the open pond (a PondSession, or none),
 * the factory registry, held result sets, running operations, origin records and the event
 * listeners. One instance per worker; each part gets it in its constructor.
 */
import { pondError, type Pond, type ObjectStore, type Tx } from '../../src/core/index.ts';
import type { PondEvent, PondInfo, PondListener } from '../api.ts';
import type { PondCatalog } from '../pond-catalog.ts';
import type { PondOrigins } from '../pond-origins.ts';
import { PondCore } from '../core-bindings.ts';
import { Operations } from '../operations.ts';
import { ResultSets } from '../result-sets.ts';
import { PondSession, type SessionSource } from '../pond-session.ts';

export class ServiceContext {
  /** The catalog, once storage is probed and interrupted resets are settled. */
  readonly catalog: Promise<PondCatalog>;
  readonly core = new PondCore();
  readonly results = new ResultSets();
  readonly ops = new Operations();
  #session: PondSession | null = null;
  #listeners = new Set<PondListener>();

  /** `catalog` is called at once, with this context (recovery may close or emit). */
  constructor(
    readonly origins: PondOrigins,
    catalog: (context: ServiceContext) => Promise<PondCatalog>,
  ) {
    this.catalog = catalog(this);
  }

  /** The open pond, if any. */
  get session(): PondSession | null {
    return this.#session;
  }

  /** The open pond; ECLOSED when none is. */
  open(): PondSession {
    if (!this.#session) throw pondError('ECLOSED', '/', 'no pond is open; create one or open one from the Storage panel');
    return this.#session;
  }

  /** The handle reads use (the time-travel view when one is open). */
  reader(): Pond {
    return this.open().reader;
  }

  /** Run a write on the open pond's latest version (see PondSession.commit). */
  commit(fn: (tx: Tx) => Promise<void> | void, message?: string): Promise<number> {
    return this.open().commit(fn, message);
  }

  /** Make `pond` the open pond (closing the previous one) and announce it. */
  async adopt(name: string, store: ObjectStore, pond: Pond, source: SessionSource = {}): Promise<PondInfo> {
    await this.closePond();
    this.#session = new PondSession(name, store, pond, this.core, (e) => this.emit(e), source);
    const info = this.#session.info();
    this.emit({ type: 'pond', info });
    return info;
  }

  /** Close the open pond, if any, and drop the result sets held for it. */
  async closePond(): Promise<void> {
    const session = this.#session;
    this.#session = null;
    this.results.clear();
    await session?.close();
    this.emit({ type: 'pond', info: null });
  }

  /** Close the open pond when it is local pond `name` (before that pond is renamed, removed or replaced). */
  async closeIfLocal(name: string): Promise<void> {
    if (this.#session?.name === name && !this.#session.source.url) await this.closePond();
  }

  /** Tell the UI about `event`. */
  emit(event: PondEvent): void {
    for (const listener of this.#listeners) {
      // A listener in a closed page rejects; forget it rather than fail the operation.
      Promise.resolve(listener(event)).catch(() => this.#listeners.delete(listener));
    }
  }

  /** Add a listener of pond events. */
  subscribe(listener: PondListener): void {
    this.#listeners.add(listener);
  }
}
