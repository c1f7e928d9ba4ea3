/// <reference lib="webworker" />
// Writing one 8 MiB body in the pond worker: OPFS through a sync access handle (the opfs store's
// fast path; dedicated workers only) against IndexedDB (the idb fallback store), plus OPFS's
// async createWritable, which the page could use too.
import { suite, MiB } from '../lib/index.ts';

const SIZE = 8 * MiB;
const DB = 'duckpond-bench-storage';

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = tx.onabort = () => reject(tx.error ?? new Error('transaction aborted'));
  });
}

suite('write 8 MiB: OPFS vs IndexedDB', { where: 'worker', iterations: 10, maxTimeMs: 8000 }, (s) => {
  const data = new Uint8Array(SIZE);
  for (let i = 0; i < SIZE; i += 997) data[i] = i & 0xff;
  const bytes = SIZE;
  let db: IDBDatabase | undefined;
  let dir: FileSystemDirectoryHandle | undefined;
  let sync: FileSystemSyncAccessHandle | undefined;
  let asyncFile: FileSystemFileHandle | undefined;

  s.setup(async () => {
    await request(indexedDB.deleteDatabase(DB));
    const open = indexedDB.open(DB, 1);
    open.onupgradeneeded = () => open.result.createObjectStore('blobs');
    db = await request(open);
    dir = await navigator.storage.getDirectory();
    const syncFile = await dir.getFileHandle('bench-sync.bin', { create: true });
    sync = await syncFile.createSyncAccessHandle();
    asyncFile = await dir.getFileHandle('bench-async.bin', { create: true });
  });
  s.teardown(async () => {
    sync?.close();
    db?.close();
    await dir?.removeEntry('bench-sync.bin').catch(() => {});
    await dir?.removeEntry('bench-async.bin').catch(() => {});
    await request(indexedDB.deleteDatabase(DB));
  });

  s.baseline(
    'IndexedDB put',
    async () => {
      const tx = db!.transaction('blobs', 'readwrite');
      tx.objectStore('blobs').put(data, 'body');
      await done(tx);
    },
    { bytes, memory: true },
  );
  s.bench(
    'OPFS sync handle write + flush',
    () => {
      sync!.truncate(0);
      sync!.write(data, { at: 0 });
      sync!.flush();
    },
    { bytes, memory: true, target: { maxRatio: 1 } },
  );
  s.bench(
    'OPFS createWritable',
    async () => {
      const w = await asyncFile!.createWritable();
      await w.write(data);
      await w.close();
    },
    { bytes },
  );
});
