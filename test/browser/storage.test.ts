// The browser stores in real Chromium: IdbStore, OpfsStore on the page (createWritable/getFile)
// and OpfsStore in a dedicated worker (FileSystemSyncAccessHandle), each through the shared
// conformance suite, plus what only a browser can show: crashed writers, quota, pond listing.
import { describe, it, expect, afterAll } from 'vitest';
import { cdp } from 'vitest/browser';
import { wrap, releaseProxy, type Remote } from 'comlink';
import { OpfsStore, listOpfsPonds, deleteOpfsPond } from '../../src/core/storage/opfs.ts';
import { IdbStore, listIdbPonds, deleteIdbPond, IDB_CHUNK } from '../../src/core/storage/idb.ts';
import { FaultInjectingStore } from '../shared/fault-injecting-store.ts';
import type { ObjectStore } from '../../src/core/storage/object-store.ts';
import { isPondError } from '../../src/core/errors.ts';
import { installErrorTransfer } from '../../workers/error-transfer.ts';
import { testObjectStore, patternBytes, patternStream, rejection, expectBytes, drain } from '../shared/object-store-suite.ts';
import { RemoteOpfsStore } from './remote-store.ts';
import type { OpfsWorkerApi } from './opfs-store.worker.ts';

installErrorTransfer();

const MiB = 1024 * 1024;
const run = Date.now().toString(36);
let seq = 0;
const opfsPonds = new Set<string>();
const idbPonds = new Set<string>();
const opfsName = (): string => {
  const name = `test-${run}-${seq++}`;
  opfsPonds.add(name);
  return name;
};
const idbName = (): string => {
  const name = `test-${run}-${seq++}`;
  idbPonds.add(name);
  return name;
};

const workers: Worker[] = [];
function startWorker(): { worker: Worker; api: Remote<OpfsWorkerApi> } {
  const worker = new Worker(new URL('./opfs-store.worker.ts', import.meta.url), { type: 'module' });
  workers.push(worker);
  return { worker, api: wrap<OpfsWorkerApi>(worker) };
}
const { api: opfsWorker } = startWorker();

afterAll(async () => {
  opfsWorker[releaseProxy]();
  for (const w of workers) w.terminate();
  for (const name of opfsPonds) await deleteOpfsPond(name).catch(() => undefined);
  for (const name of idbPonds) await deleteIdbPond(name).catch(() => undefined);
});

/** Run `body` with this origin's quota overridden to a single byte (Chromium DevTools protocol), so every write hits a real QuotaExceededError. */
async function withFullStorage(body: () => Promise<void>): Promise<void> {
  const session = cdp();
  await session.send('Storage.overrideQuotaForOrigin', { origin: location.origin, quotaSize: 1 });
  try {
    await body();
  } finally {
    await session.send('Storage.overrideQuotaForOrigin', { origin: location.origin });
  }
}

/** Write a scratch object until storage refuses it: IndexedDB may run on a cached quota for up to 30 s. */
async function untilFull(store: ObjectStore): Promise<void> {
  const deadline = Date.now() + 45_000;
  for (;;) {
    try {
      await store.write('probe', patternBytes(1000));
    } catch (e) {
      if (isPondError(e, 'EQUOTA')) return;
      throw e;
    }
    if (Date.now() > deadline) throw new Error('storage never reported being full');
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Run `fn` on a pond's IndexedDB object store directly, behind IdbStore's back. */
async function rawIdb<T>(name: string, mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open(`duckpond:${name}`);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  try {
    const tx = db.transaction('objects', mode);
    const req = fn(tx.objectStore('objects'));
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onabort = () => reject(tx.error);
    });
    return req.result;
  } finally {
    db.close();
  }
}

/** Chunk records (array keys) in a pond's IndexedDB. */
const chunkRecords = (name: string): Promise<number> => rawIdb(name, 'readonly', (s) => s.count(IDBKeyRange.lowerBound([])));

// First in the file: Chromium's IndexedDB trusts the quota it last fetched for up to 30 s, so this
// runs before the suites below fill that cache (and polls until the override is seen anyway).
describe('full storage', () => {
  const cases: [string, () => Promise<ObjectStore>, boolean][] = [
    // Seeding IndexedDB right before the override would refresh its 30 s quota cache; so no seed there.
    ['IdbStore', async () => new IdbStore(idbName()), false],
    ['OpfsStore (page)', async () => new OpfsStore(opfsName()), true],
    ['OpfsStore (worker)', async () => RemoteOpfsStore.open(opfsWorker, opfsName()), true],
  ];
  it.each(cases)('%s maps QuotaExceededError to EQUOTA naming the key, and writes nothing', { timeout: 90_000 }, async (_, make, seed) => {
    const store = await make();
    if (seed) await store.write('k', patternBytes(1000, 1));
    await withFullStorage(async () => {
      await untilFull(store);
      const big = patternBytes(3 * MiB, 2);
      for (const attempt of [
        () => store.write('k', big),
        () => store.write('k', patternBytes(100, 2)),
        () => store.writeStream('k', patternStream(3 * MiB, 2)),
        () => store.putIfAbsent('new', big),
        () => store.putIfAbsent('new', patternBytes(100, 2)),
      ]) {
        const e = await rejection(attempt());
        expect(isPondError(e, 'EQUOTA'), String(e)).toBe(true);
        expect(['k', 'new']).toContain((e as { data: { path: string } }).data.path);
      }
    });
    if (seed) expectBytes(await store.read('k'), patternBytes(1000, 1));
    expect((await store.list('')).filter((k) => k !== 'probe')).toEqual(seed ? ['k'] : []);
    await store.close();
  });

  it('FaultInjectingStore maps an injected quota fault over IdbStore to EQUOTA as well', async () => {
    const store = new FaultInjectingStore(new IdbStore(idbName()), { failAt: 1, mode: 'quota' });
    expect(isPondError(await rejection(store.write('k', patternBytes(3))), 'EQUOTA')).toBe(true);
    expect(await store.exists('k')).toBe(false);
    await store.close();
  });
});

testObjectStore('IdbStore', async () => new IdbStore(idbName()), {
  peer: async (s) => new IdbStore((s as IdbStore).name),
  hugeBytes: 64 * MiB,
  maxStreamChunk: IDB_CHUNK,
});

testObjectStore('OpfsStore on the page (createWritable, getFile)', async () => new OpfsStore(opfsName()), {
  peer: async (s) => new OpfsStore((s as OpfsStore).name),
  hugeBytes: 64 * MiB,
});

// The peer is a page-side OpfsStore on the same pond: locks and bytes are shared across contexts.
testObjectStore('OpfsStore in a dedicated worker (sync access handles)', async () => RemoteOpfsStore.open(opfsWorker, opfsName()), {
  peer: async (s) => new OpfsStore((s as RemoteOpfsStore).name),
  hugeBytes: 64 * MiB,
});

describe('OpfsStore access paths', () => {
  it('uses sync access handles in the dedicated worker and writable streams on the page', async () => {
    const name = opfsName();
    expect((await RemoteOpfsStore.open(opfsWorker, name)).access).toBe('sync-handle');
    expect(new OpfsStore(name).access).toBe('writable');
  });

  it('closes every sync handle it opens: after each operation the file can be opened exclusively', async () => {
    const name = opfsName();
    const store = await RemoteOpfsStore.open(opfsWorker, name);
    const free = () => opfsWorker.unlocked(name, 'a/k');
    await store.write('a/k', patternBytes(3 * MiB));
    expect(await free()).toBe(true);
    expectBytes(await store.read('a/k'), patternBytes(3 * MiB));
    expect(await free()).toBe(true);
    await store.readRange('a/k', MiB, 10);
    expect(await free()).toBe(true);
    await drain(store.readStream('a/k'));
    expect(await free()).toBe(true);
    const reader = store.readStream('a/k').getReader();
    await reader.read();
    expect(await free()).toBe(true); // mid-stream: the stream reads a File snapshot and holds no handle
    await reader.cancel();
    await store.writeStream('a/k', patternStream(2 * MiB, 1));
    expect(await free()).toBe(true);
    expect(await store.putIfAbsent('a/k', patternBytes(1))).toBe(false);
    expect(await free()).toBe(true);
    await store.close();
  });

  it('fails a stream whose file is replaced mid-read instead of mixing old and new bytes', async () => {
    const store = new OpfsStore(opfsName());
    await store.write('k', new Uint8Array(2 * MiB).fill(1));
    const reader = store.readStream('k').getReader();
    const first = await reader.read();
    expect(first.value!.every((b) => b === 1)).toBe(true);
    await store.write('k', new Uint8Array(2 * MiB).fill(2));
    const e = await rejection(
      (async () => {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          expect(value.every((b) => b === 1)).toBe(true);
        }
      })(),
    );
    expect(isPondError(e, 'ECONFLICT')).toBe(true);
  });
});

describe('crashed writers', () => {
  it('a worker that dies holding the OPFS lock frees it at once', async () => {
    const name = opfsName();
    const { worker, api } = startWorker();
    const { id } = await api.open(name);
    await api.lock(id);
    const page = new OpfsStore(name);
    expect(isPondError(await rejection(page.lock({ wait: false })), 'ECONFLICT')).toBe(true);
    worker.terminate();
    const t0 = performance.now();
    const release = await page.lock({ timeoutMs: 5000 });
    expect(performance.now() - t0).toBeLessThan(2000);
    await release();
  });

  it('a worker killed mid-writeStream leaves the old object, no visible temp, and no locked file', async () => {
    const name = opfsName();
    const page = new OpfsStore(name);
    await page.write('k', patternBytes(1000, 3));
    const { worker, api } = startWorker();
    const { id } = await api.open(name);
    await api.startEndlessWrite(id, 'k');
    worker.terminate();
    expectBytes(await page.read('k'), patternBytes(1000, 3));
    expect(await page.list('')).toEqual(['k']);
    await page.write('k', patternBytes(10, 4));
    expectBytes(await page.read('k'), patternBytes(10, 4));
    expect(await opfsWorker.unlocked(name, 'k')).toBe(true);
  });

  it('the IndexedDB lock is a Web Lock too: a dead worker cannot hold it (page-side holder released by close)', async () => {
    const name = idbName();
    const a = new IdbStore(name);
    const b = new IdbStore(name);
    await a.lock();
    expect(isPondError(await rejection(b.lock({ wait: false })), 'ECONFLICT')).toBe(true);
    await a.close();
    await (
      await b.lock({ wait: false })
    )();
    await b.close();
  });
});

describe('IdbStore chunk records', () => {
  it('keeps exactly the current generation of chunks through replace, failure and delete', async () => {
    const name = idbName();
    const store = new IdbStore(name);
    await store.write('big', patternBytes(3 * MiB + 1, 1));
    expect(await chunkRecords(name)).toBe(4);
    await store.writeStream('big', patternStream(2 * MiB + 5, 2));
    expect(await chunkRecords(name)).toBe(3);
    await store.write('big', patternBytes(10, 3)); // now inline
    expect(await chunkRecords(name)).toBe(0);
    const broken = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(patternBytes(3 * MiB, 4));
      },
      pull(c) {
        c.error(new Error('source broke off'));
      },
    });
    await rejection(store.writeStream('other', broken));
    expect(await chunkRecords(name)).toBe(0);
    await store.write('big', patternBytes(2 * MiB, 5));
    await store.delete('big');
    expect(await chunkRecords(name)).toBe(0);
    expect(await store.list('')).toEqual([]);
    await store.close();
  });
});

describe('leftovers of crashed writers', () => {
  const hoursAgo = (h: number) => (Date.now() - h * 3600_000).toString(36).padStart(9, '0');

  it('IdbStore sweeps chunk generations no manifest points to on its first lock, sparing young ones', async () => {
    const name = idbName();
    const store = new IdbStore(name);
    await store.write('live', patternBytes(2 * MiB + 1, 1));
    expect(await chunkRecords(name)).toBe(3);
    const orphans: [string, string, number][] = [
      ['live', `${hoursAgo(2)}-crashed`, 0],
      ['ghost', `${hoursAgo(3)}-crashed`, 0],
      ['ghost', `${hoursAgo(3)}-crashed`, 1],
    ];
    for (const key of orphans) await rawIdb(name, 'readwrite', (s) => s.put(patternBytes(10), key));
    await rawIdb(name, 'readwrite', (s) => s.put(patternBytes(10), ['ghost', `${hoursAgo(0)}-writing`, 0]));
    expect(await chunkRecords(name)).toBe(7);
    await (
      await store.lock()
    )();
    expect(await chunkRecords(name)).toBe(4); // the live object's 3 chunks and the young writer's one
    expectBytes(await store.read('live'), patternBytes(2 * MiB + 1, 1));
    await store.close();
  });

  it('OpfsStore sweeps temp files older than an hour on its first lock, sparing young ones', async () => {
    const name = opfsName();
    const store = new OpfsStore(name);
    await store.write('k', patternBytes(5));
    const pond = await (await (await navigator.storage.getDirectory()).getDirectoryHandle('duckpond')).getDirectoryHandle(name);
    const tmp = await (await pond.getDirectoryHandle('.duckpond')).getDirectoryHandle('tmp');
    const old = `${hoursAgo(2)}-crashed`;
    const young = `${hoursAgo(0)}-writing`;
    await tmp.getFileHandle(old, { create: true });
    await tmp.getFileHandle(young, { create: true });
    await (
      await store.lock()
    )();
    const left: string[] = [];
    for await (const n of tmp.keys()) left.push(n);
    expect(left).toEqual([young]);
    expect(await store.list('')).toEqual(['k']);
  });
});

describe('pond listing and deletion', () => {
  it('lists and deletes OPFS ponds, refusing while a writer holds one', async () => {
    const name = opfsName();
    const store = new OpfsStore(name);
    await store.write('x/y', patternBytes(5));
    expect(await listOpfsPonds()).toContain(name);
    const release = await store.lock();
    expect(isPondError(await rejection(deleteOpfsPond(name)), 'ECONFLICT')).toBe(true);
    await release();
    await deleteOpfsPond(name);
    expect(await listOpfsPonds()).not.toContain(name);
    await deleteOpfsPond(name); // absent is fine
    expect(await new OpfsStore(name).list('')).toEqual([]);
  });

  it('lists and deletes IndexedDB ponds, closing open stores on them', async () => {
    const name = idbName();
    const store = new IdbStore(name);
    await store.write('k', patternBytes(5));
    expect(await listIdbPonds()).toContain(name);
    await deleteIdbPond(name);
    expect(await listIdbPonds()).not.toContain(name);
    expect(isPondError(await rejection(store.read('k')), 'ECLOSED')).toBe(true);
  });

  it('refuses pond names that are not one directory name', () => {
    for (const bad of ['', 'a/b', '..', 'a\\b']) expect(() => new OpfsStore(bad)).toThrow(/EINVAL/);
  });
});
