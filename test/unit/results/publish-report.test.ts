// Publishing ships the results that are stored, and says so: precompute reports what its result
// store holds once the writes are done (an evicted or too-big result is "not shipped", never
// counted), a publishing store has no total cap (computing in path order evicts nothing), and
// `pond publish` copies only the live results and names on stderr what does not ship.
import { describe, it, expect, afterAll } from 'vitest';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { z } from 'zod';
import {
  MemoryStore,
  ResultStore,
  defaultRegistry,
  defineFactory,
  openPond,
  parsePublishIndex,
  precomputeResults,
  publishResultOptions,
  type ObjectStore,
} from '../../../src/core/index.ts';
import { NodeFsStore } from '../../../src/core/storage/node-fs.ts';
import { publishTo } from '../../../src/cli/commands/publish.ts';
import type { Output } from '../../../src/cli/output.ts';

/** `blob`: `bytes` bytes of `fill`, a result of a chosen size. */
const blob = defineFactory({
  name: 'blob',
  description: 'test: a result of a given size',
  produces: 'file:data',
  schema: z.object({ bytes: z.number().int().min(0), fill: z.number().int() }).strict(),
  compute: (_ctx, config) => new Uint8Array(config.bytes).fill(config.fill),
});

const entryKeys = async (store: ObjectStore) => (await store.list('_results/')).filter((k) => /^_results\/[0-9a-f]{64}$/.test(k));

/** Eight 50 kB results (/b0../b7) and one of 300 kB (/big), in a fresh store opened over `results`. */
async function blobs(store: MemoryStore, results: ResultStore) {
  const pond = await openPond(store, { create: true, registry: defaultRegistry().register(blob), results });
  await pond.transact(async (tx) => {
    for (let i = 0; i < 8; i++) await tx.mknod(`/b${i}`, 'blob', { bytes: 50_000, fill: i });
    await tx.mknod('/big', 'blob', { bytes: 300_000, fill: 9 });
  });
  return pond;
}

describe('precompute reports what is stored', () => {
  it('a capped store: evicted and too-big results are listed as not shipped, the stored ones are exactly what the store holds', async () => {
    const store = new MemoryStore();
    // Room for four of the 50 kB entries; an entry may take a quarter of the cap (60 kB).
    const results = new ResultStore(store, { capBytes: 240_000 });
    const pond = await blobs(store, results);
    const report = await precomputeResults(pond, results);
    await pond.close();
    expect(report.files).toEqual(['/b0', '/b1', '/b2', '/b3', '/b4', '/b5', '/b6', '/b7', '/big']);
    expect(report.stored.map((r) => r.path)).toEqual(['/b4', '/b5', '/b6', '/b7']);
    expect(report.stored.map((r) => r.key).sort()).toEqual(await entryKeys(store));
    expect(Object.fromEntries(report.notShipped.map((n) => [n.path, n.reason]))).toEqual({
      '/b0': 'its stored result was removed before the publish',
      '/b1': 'its stored result was removed before the publish',
      '/b2': 'its stored result was removed before the publish',
      '/b3': 'its stored result was removed before the publish',
      '/big': 'its result (300000 bytes) is over the 60000 bytes a stored result may take',
    });
  });

  it('a publishing store has no total cap: every result up to its per-entry limit stays, the one over it is not shipped', async () => {
    const store = new MemoryStore();
    // 100 kB per entry: the old rule (an entry is a quarter of the cap) would cap the total at 400 kB, under the 8 x 50 kB stored.
    const results = new ResultStore(store, publishResultOptions(100_000));
    const pond = await blobs(store, results);
    const report = await precomputeResults(pond, results);
    await pond.close();
    expect(report.stored.map((r) => r.path)).toEqual(['/b0', '/b1', '/b2', '/b3', '/b4', '/b5', '/b6', '/b7']);
    expect(await entryKeys(store)).toHaveLength(8);
    expect(report.notShipped).toEqual([{ path: '/big', reason: 'its result (300000 bytes) is over the 100000 bytes a stored result may take' }]);
    expect(results.stats.evicted).toBe(0);
  });

  it('results already stored (restored, not recomputed) count as stored', async () => {
    const store = new MemoryStore();
    const first = new ResultStore(store, publishResultOptions(100_000));
    const pond = await blobs(store, first);
    await precomputeResults(pond, first);
    await pond.close();
    const again = new ResultStore(store, publishResultOptions(100_000));
    const reopened = await openPond(store, { registry: defaultRegistry().register(blob), results: again });
    const report = await precomputeResults(reopened, again);
    await reopened.close();
    expect(again.stats).toMatchObject({ hits: 8, written: 0 });
    expect(report.stored).toHaveLength(8);
  });
});

describe('pond publish', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  const sine = (interval: string, end: string) => ({
    start: '2024-01-01T00:00:00Z',
    end,
    interval,
    points: [{ name: 'v', components: [{ type: 'sine', amplitude: 1, period: '24h', offset: 0 }] }],
  });

  it('ships only the stored results of live nodes and says on stderr which do not ship', async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'duckpond-publish-report-'));
    dirs.push(tmp);
    const root = join(tmp, 'pond');
    const site = join(tmp, 'site');
    const pond = await openPond(new NodeFsStore(root), { create: true });
    await pond.transact(async (tx) => {
      // About 1 kB each, and about 38 kB (three days at one minute).
      await tx.mknod('/small-a', 'synthetic-timeseries', sine('1h', '2024-01-02T00:00:00Z'));
      await tx.mknod('/small-b', 'synthetic-timeseries', sine('2h', '2024-01-02T00:00:00Z'));
      await tx.mknod('/large', 'synthetic-timeseries', sine('1m', '2024-01-04T00:00:00Z'));
      await tx.mknod('/gone', 'synthetic-timeseries', sine('3h', '2024-01-02T00:00:00Z'));
    });
    // /gone's result is stored, then its node removed: an orphan entry that must not ship.
    await pond.readFile('/gone');
    await pond.flushResults();
    await pond.transact((tx) => tx.remove('/gone'));
    await pond.close();

    const stderr = new PassThrough();
    let err = '';
    stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    const out = { stdout: new PassThrough(), stderr, tty: true, color: false } as unknown as Output;
    const report = await publishTo(root, site, out, { maxEntryBytes: 10_000 });

    expect(report.stored.map((r) => r.path)).toEqual(['/small-a', '/small-b']);
    expect(report.notShipped).toEqual([
      { path: '/large', reason: expect.stringMatching(/^its result \(\d+ bytes\) is over the 10000 bytes a stored result may take$/) },
    ]);
    expect(err).toMatch(/pond: \/large: result not shipped, a visitor's app computes it on read \(its result \(\d+ bytes\) is over the 10000 bytes/);
    expect(err).toMatch(/with the results of 2 dynamic files\n$/);
    // The pond itself holds /gone's orphan entry (and its access record): neither ships.
    const source = new NodeFsStore(root);
    expect(await entryKeys(source)).toHaveLength(3);
    expect(await source.exists('_results/lru.json')).toBe(true);
    await source.close();
    const shipped = (await readdir(join(site, '_results'))).map((n) => `_results/${n}`).sort();
    expect(shipped).toEqual(report.stored.map((r) => r.key).sort());
    const index = parsePublishIndex(await readFile(join(site, 'duckpond-index.json'), 'utf8'), 'index');
    expect(index.files.filter((f) => f.key.startsWith('_results/')).map((f) => f.key)).toEqual(shipped);
  });
});
