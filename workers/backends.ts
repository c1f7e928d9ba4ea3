/**
 * Storage backends for the pond catalog: OPFS where the worker can use it, else IndexedDB, else
 * memory (ponds then last as long as the worker; the UI says so).
 */
import { MemoryStore, type ObjectStore } from '../src/core/index.ts';
import { OpfsStore, hasSyncAccessHandles, listOpfsPonds, deleteOpfsPond } from '../src/core/storage/opfs.ts';
import { IdbStore, listIdbPonds, deleteIdbPond } from '../src/core/storage/idb.ts';
import type { StoreBackend } from './pond-catalog.ts';
import { ensureLayout, idbLayoutMarker, opfsLayoutMarker } from './storage-layout.ts';

/** Ponds in memory: the fallback, and what tests use. */
export function memoryBackend(): StoreBackend {
  const stores = new Map<string, MemoryStore>();
  return {
    kind: 'memory',
    async names() {
      return [...stores.keys()].sort();
    },
    store(name) {
      let store = stores.get(name);
      if (!store) stores.set(name, (store = new MemoryStore()));
      return keepOpen(store);
    },
    async remove(name) {
      stores.delete(name);
    },
  };
}

/** Ponds in the Origin Private File System (fast sync access handles in this worker). */
export function opfsBackend(): StoreBackend {
  return { kind: 'opfs', names: listOpfsPonds, store: (name) => new OpfsStore(name), remove: deleteOpfsPond };
}

/** Ponds in IndexedDB, one database per pond. */
export function idbBackend(): StoreBackend {
  return { kind: 'idb', names: listIdbPonds, store: (name) => new IdbStore(name), remove: deleteIdbPond };
}

/**
 * The best backend this worker has: OPFS, else IndexedDB, else memory; its storage layout brought
 * up to this build's (workers/storage-layout.ts) before any pond is touched.
 */
export async function detectBackend(): Promise<StoreBackend> {
  if (await opfsWorks()) {
    const backend = opfsBackend();
    await ensureLayout(backend, opfsLayoutMarker());
    return backend;
  }
  if (await idbWorks()) {
    const backend = idbBackend();
    await ensureLayout(backend, idbLayoutMarker());
    return backend;
  }
  return memoryBackend();
}

/** OPFS exists in more places than it works (e.g. private windows of some browsers throw on use). */
async function opfsWorks(): Promise<boolean> {
  if (!hasSyncAccessHandles() || typeof navigator === 'undefined' || !navigator.storage?.getDirectory) return false;
  try {
    await navigator.storage.getDirectory();
    return true;
  } catch {
    return false;
  }
}

async function idbWorks(): Promise<boolean> {
  if (typeof indexedDB === 'undefined' || typeof indexedDB.databases !== 'function') return false;
  try {
    await indexedDB.databases();
    return true;
  } catch {
    return false;
  }
}

/** The store with a `close()` that does nothing: a memory pond's data lives in the store object,
 * so closing the pond (to open another) must not destroy it. */
function keepOpen(store: ObjectStore): ObjectStore {
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'close') return async () => {};
      const value: unknown = Reflect.get(target, prop, target);
      // Bound to the real store: its methods use #private fields that a Proxy receiver lacks.
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
