// fsck and stored results: never a problem of the pond; damaged, orphan and stray objects under
// `_results/` are garbage that repair removes; a zip carrying results imports (its fsck passes).
import { describe, it, expect } from 'vitest';
import { mkdir, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeFsStore } from '../../../src/core/storage/node-fs.ts';
import {
  MemoryStore,
  ResultStore,
  fsck,
  openPond,
  precomputeResults,
  publishResultOptions,
  defaultRegistry,
  type ObjectStore,
} from '../../../src/core/index.ts';
import type { Operation } from '../../../workers/operations.ts';
import { restoreZip, zipStore } from '../../../workers/pond-zip.ts';
import { dec, enc, upperFactory } from '../dynamic/fixtures.ts';

const op = { check() {}, progress() {}, signal: new AbortController().signal } as unknown as Operation;
const registry = () => defaultRegistry().register(upperFactory());
const entries = async (store: ObjectStore) => (await store.list('_results/')).filter((k) => /^_results\/[0-9a-f]{64}$/.test(k));

async function pondWithResults(): Promise<MemoryStore> {
  const store = new MemoryStore();
  const results = new ResultStore(store, publishResultOptions());
  const pond = await openPond(store, { registry: registry(), results });
  await pond.transact(async (tx) => {
    await tx.writeFile('/a.txt', enc('a'));
    await tx.writeFile('/b.txt', enc('b'));
    await tx.mknod('/ua', 'upper', { source: '/a.txt' });
    await tx.mknod('/ub', 'upper', { source: '/b.txt' });
    await tx.mkdir('/dir');
    await tx.mknod('/view', 'directory', { pattern: '/*.txt' });
  });
  const report = await precomputeResults(pond, results);
  expect(report.files).toEqual(['/ua', '/ub']);
  expect(report.stored.map((r) => r.path)).toEqual(['/ua', '/ub']);
  expect(report.directories).toEqual(['/view']);
  await pond.close();
  return store;
}

describe('fsck and stored results', () => {
  it('counts good entries and reports no problem', async () => {
    const store = await pondWithResults();
    const report = await fsck(store);
    expect(report.problems).toEqual([]);
    expect(report.results).toMatchObject({ entries: 2, garbage: [] });
  });

  it('reports damaged, orphan and stray objects as garbage, not problems; repair removes them and keeps the rest', async () => {
    const store = await pondWithResults();
    const pond = await openPond(store, { registry: registry() });
    // /ua's node goes away: its entry is an orphan. /ub stays.
    await pond.transact((tx) => tx.remove('/ua'));
    await pond.close();
    await store.write('_results/tmp-123', enc('half a write'));
    const before = await fsck(store);
    expect(before.problems).toEqual([]);
    expect(before.results?.entries).toBe(1);
    expect(before.results?.garbage.map((g) => g.kind).sort()).toEqual(['orphan', 'stray']);
    const uaKey = before.results?.garbage.find((g) => g.kind === 'orphan')?.key;
    const [ubKey] = (await entries(store)).filter((k) => k !== uaKey);
    const damaged = (await store.read(ubKey)).slice(0, 40);

    await store.write(ubKey, damaged);
    const report = await fsck(store, { repair: true });
    expect(report.problems).toEqual([]);
    expect(report.results?.garbage.map((g) => [g.kind, g.removed]).sort()).toEqual([
      ['damaged', true],
      ['orphan', true],
      ['stray', true],
    ]);
    expect(await store.list('_results/')).toEqual([]);
    expect((await fsck(store)).results).toEqual({ entries: 0, bytes: 0, garbage: [] });
    // The pond reads as before: results are recomputed.
    const again = await openPond(store, { registry: registry() });
    expect(dec(await again.readFile('/ub'))).toBe('B');
  });

  it('a changed config makes the old entry an orphan', async () => {
    const store = await pondWithResults();
    const pond = await openPond(store, { registry: registry() });
    await pond.transact((tx) => tx.mknod('/ua', 'upper', { source: '/b.txt' }));
    await pond.close();
    const report = await fsck(store);
    expect(report.results?.garbage.map((g) => g.kind)).toEqual(['orphan']);
    expect(report.results?.garbage[0].message).toContain('/ua');
  });

  it('a zip of a pond with results round-trips and passes the import check', async () => {
    const store = await pondWithResults();
    const zip = await zipStore(store, op);
    const copy = new MemoryStore();
    await restoreZip(copy, zip, op);
    expect(await entries(copy)).toEqual(await entries(store));
    const report = await fsck(copy);
    expect(report.problems).toEqual([]);
    expect(report.results?.entries).toBe(2);
  });

  it('does not read an entry too big for any reader (an imported pond may hold anything): it is damaged garbage', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'duckpond-fsck-results-'));
    try {
      const store = new NodeFsStore(dir);
      const pond = await openPond(store, { registry: registry() });
      await pond.transact((tx) => tx.writeFile('/a.txt', enc('a')));
      await pond.close();
      const key = `_results/${'ab'.repeat(32)}`;
      const file = join(dir, ...key.split('/'));
      await mkdir(join(dir, '_results'), { recursive: true });
      await writeFile(file, '');
      await truncate(file, 600 * 1024 * 1024); // sparse: no disk used, but reading it would take 600 MiB
      const report = await fsck(store);
      expect(report.problems).toEqual([]);
      expect(report.results?.garbage).toEqual([{ key, kind: 'damaged', message: expect.stringContaining('over the') as string }]);
      await store.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
