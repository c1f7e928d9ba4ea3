// Stored results in the browser's stores: a pond in OPFS or IndexedDB reopened (a reload) reads
// its dynamic results from `_results/` instead of computing; a changed input recomputes; a damaged
// entry is recomputed and replaced.
import { describe, it, expect, afterAll } from 'vitest';
import * as arrow from 'apache-arrow';
import { OpfsStore, deleteOpfsPond } from '../../src/core/storage/opfs.ts';
import { IdbStore, deleteIdbPond } from '../../src/core/storage/idb.ts';
import { openPond, tableToParquet, type ObjectStore } from '../../src/core/index.ts';
import { wrap, releaseProxy } from 'comlink';
import { unzipSync } from 'fflate';
import type { PondApi } from '../../workers/api.ts';
import { installErrorTransfer } from '../../workers/error-transfer.ts';

const RUN = `results-${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
const made: Array<() => Promise<void>> = [];

/** Factory runs for files in this realm so far (the resolver's `duckpond:compute` marks). */
const computes = () =>
  performance.getEntriesByName('duckpond:compute').filter((m) => ((m as PerformanceMark).detail as { type: string }).type !== 'directory').length;

const table = (xs: number[]) => tableToParquet(new arrow.Table({ x: arrow.vectorFromArray(xs, new arrow.Float64()) }));

afterAll(async () => {
  for (const drop of made) await drop().catch(() => {});
});

describe.each([
  [
    'OPFS',
    (name: string): ObjectStore => {
      made.push(() => deleteOpfsPond(name));
      return new OpfsStore(name);
    },
  ],
  [
    'IndexedDB',
    (name: string): ObjectStore => {
      made.push(() => deleteIdbPond(name));
      return new IdbStore(name);
    },
  ],
])('stored results in %s', (_kind, makeStore) => {
  it('a reopen reads them; a changed input and a damaged entry recompute', async () => {
    const name = `${RUN}-${_kind}`;
    const first = await openPond(makeStore(name), { create: true });
    await first.transact(async (tx) => {
      await tx.mkdir('/t');
      await tx.writeFile('/t/a.parquet', await table([1, 2]), { type: 'file:table' });
      await tx.writeFile('/t/b.parquet', await table([3]), { type: 'file:table' });
      await tx.mknod('/all', 'combine', { file_patterns: ['/t/*.parquet'], output_type: 'file:table' });
    });
    let before = computes();
    expect((await first.readTable('/all')).numRows).toBe(3);
    expect(computes() - before).toBe(1);
    await first.close();

    const store = makeStore(name);
    const reopened = await openPond(store);
    before = computes();
    expect((await reopened.readTable('/all')).numRows).toBe(3);
    expect(computes() - before).toBe(0);
    await reopened.transact(async (tx) => tx.writeFile('/t/b.parquet', await table([3, 4, 5])));
    await reopened.close();

    const changed = await openPond(makeStore(name));
    before = computes();
    expect((await changed.readTable('/all')).numRows).toBe(5);
    expect(computes() - before).toBe(1);
    await changed.close();

    const raw = makeStore(name);
    const [key] = (await raw.list('_results/')).filter((k) => /[0-9a-f]{64}$/.test(k));
    const good = await raw.read(key);
    const bad = good.slice();
    bad[100] ^= 1;
    await raw.write(key, bad);
    await raw.close();
    const damaged = await openPond(makeStore(name));
    before = computes();
    expect((await damaged.readTable('/all')).numRows).toBe(5);
    expect(computes() - before).toBe(1);
    await damaged.close();
    const check = makeStore(name);
    expect(await check.read(key)).toEqual(good);
    await check.close();
  });
});

describe('the pond worker', () => {
  it('exports a pond with its dynamic results computed, and the zip imports (its fsck accepts them)', async () => {
    installErrorTransfer();
    const worker = new Worker(new URL('../../workers/pond.worker.ts', import.meta.url), { type: 'module' });
    const api = wrap<PondApi>(worker);
    const name = `${RUN}-export`;
    try {
      await api.createPond(name);
      await api.mkdir('/t', { parents: true });
      await api.writeFile('/t/a.parquet', await table([1, 2]), { type: 'file:table' });
      await api.mknod('/all', 'combine', 'file_patterns: [/t/*.parquet]\noutput_type: file:table');
      // Never read before the export: the export computes it.
      const files = unzipSync(await api.exportPond());
      const results = Object.keys(files).filter((k) => /^_results\/[0-9a-f]{64}$/.test(k));
      expect(results).toHaveLength(1);
      const index = JSON.parse(new TextDecoder().decode(files['duckpond-index.json'])) as { files: Array<{ key: string }> };
      expect(index.files.map((f) => f.key)).toContain(results[0]);
      const copy = await api.importPond(`${name}-copy`, await api.exportPond());
      expect(copy.name).toBe(`${name}-copy`);
      expect((await api.readdir('/')).map((e) => e.name)).toEqual(['all', 't']);
    } finally {
      for (const p of await api.listPonds()) if (p.name.startsWith(name)) await api.deletePond(p.name).catch(() => {});
      api[releaseProxy]();
      worker.terminate();
    }
  });
});
