/**
 * Where a local pond was copied from: the URL of the published pond behind "Make a local copy",
 * so that the copy can later be reset to the published version. Kept in IndexedDB (idb-keyval),
 * beside the ponds rather than inside them: a pond's folder is a plain Delta table and an export
 * of it must not carry this browser's bookkeeping.
 *
 * The same store journals resets: a reset that has begun replacing a pond by its downloaded copy
 * is recorded under `.reset:<name>` (no pond name starts with a dot) until the swap is done, so
 * that the next start finishes a swap a closed tab interrupted (see PondService).
 */
import { createStore, del, entries, get, set, type UseStore } from 'idb-keyval';

export interface PondOrigins {
  get(name: string): Promise<string | null>;
  set(name: string, url: string): Promise<void>;
  delete(name: string): Promise<void>;
  /** Resets whose swap began and has not been recorded as done: pond name -> origin URL. */
  pendingResets(): Promise<Map<string, string>>;
  /** Record that pond `name` is being replaced by its complete downloaded copy of `url`. */
  beginReset(name: string, url: string): Promise<void>;
  /** The swap of pond `name` is done (or was rolled back). */
  endReset(name: string): Promise<void>;
}

/** The journal key of a reset of pond `name`. */
const RESET = '.reset:';

/** Origins in IndexedDB where the worker has it, else in memory (they then last as long as the worker). */
export function pondOrigins(): PondOrigins {
  if (typeof indexedDB === 'undefined') return memoryOrigins();
  let store: UseStore | null = null;
  const use = () => (store ??= createStore('duckpond-meta', 'origins'));
  return {
    async get(name) {
      const url = await get<unknown>(name, use());
      return typeof url === 'string' ? url : null;
    },
    set: (name, url) => set(name, url, use()),
    delete: (name) => del(name, use()),
    async pendingResets() {
      const pending = new Map<string, string>();
      for (const [key, url] of await entries<IDBValidKey, unknown>(use())) {
        if (typeof key === 'string' && key.startsWith(RESET) && typeof url === 'string') pending.set(key.slice(RESET.length), url);
      }
      return pending;
    },
    beginReset: (name, url) => set(RESET + name, url, use()),
    endReset: (name) => del(RESET + name, use()),
  };
}

function memoryOrigins(): PondOrigins {
  const map = new Map<string, string>();
  const resets = new Map<string, string>();
  return {
    async get(name) {
      return map.get(name) ?? null;
    },
    async set(name, url) {
      map.set(name, url);
    },
    async delete(name) {
      map.delete(name);
    },
    async pendingResets() {
      return new Map(resets);
    },
    async beginReset(name, url) {
      resets.set(name, url);
    },
    async endReset(name) {
      resets.delete(name);
    },
  };
}
