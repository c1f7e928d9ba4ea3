/**
 * Where a local pond was copied from: the URL of the published pond behind "Make a local copy",
 * so that the copy can later be reset to the published version. Kept in IndexedDB (idb-keyval),
 * beside the ponds rather than inside them: a pond's folder is a plain Delta table and an export
 * of it must not carry this browser's bookkeeping.
 */
import { createStore, del, get, set, type UseStore } from 'idb-keyval';

export interface PondOrigins {
  get(name: string): Promise<string | null>;
  set(name: string, url: string): Promise<void>;
  delete(name: string): Promise<void>;
}

/** Origins in IndexedDB where the worker has it, else in memory (they then last as long as the worker). */
export function pondOrigins(): PondOrigins {
  if (typeof indexedDB === 'undefined') return memoryOrigins();
  let store: UseStore | null = null;
  const use = () => (store ??= createStore('duckpond-meta', 'origins'));
  return {
    async get(name) {
      return (await get<string>(name, use())) ?? null;
    },
    set: (name, url) => set(name, url, use()),
    delete: (name) => del(name, use()),
  };
}

function memoryOrigins(): PondOrigins {
  const map = new Map<string, string>();
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
  };
}
