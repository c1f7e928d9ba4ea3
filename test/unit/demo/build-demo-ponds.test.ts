// The demo pond the site ships, built the way the build builds it: real vega-datasets data, each
// factory, a README computed from the data, byte-identical on rebuild, skipped when current.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDemoPonds } from '../../../scripts/build-demo-ponds.ts';
import { openPond, parsePublishIndex, buildPublishIndex, type Pond } from '../../../src/core/index.ts';
import { NodeFsStore } from '../../../src/core/storage/node-fs.ts';

describe('build-time demo ponds', () => {
  let out: string;
  let pond: Pond;

  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'duckpond-demo-'));
    expect(await buildDemoPonds(out)).toBe('built');
    // As the site reads it: its stored results are read, never rewritten (the index must stay true).
    pond = await openPond(new NodeFsStore(join(out, 'demo')), { create: false, results: { write: false } });
  }, 120_000);

  afterAll(async () => {
    await pond?.close();
    await rm(out, { recursive: true, force: true });
  });

  it('lists the demo for the welcome screen', async () => {
    const listing = JSON.parse(await readFile(join(out, 'ponds.json'), 'utf8')) as { ponds: Record<string, unknown>[] };
    expect(listing.ponds).toEqual([expect.objectContaining({ name: 'demo', path: 'ponds/demo/', version: pond.version, start: '/README.md' })]);
    expect(String(listing.ponds[0].description).length).toBeGreaterThan(40);
  });

  it('holds tables, a series with a version per decade, and one dynamic node of each factory', async () => {
    const years = (await pond.readdir('/data/seattle')).map((e) => e.name);
    expect(years).toEqual(['2012.parquet', '2013.parquet', '2014.parquet', '2015.parquet']);
    const co2 = await pond.versions('/sensors/co2');
    expect(co2.length).toBeGreaterThanOrEqual(6);
    const factories = new Set<string>();
    for (const e of await pond.readdir('/views')) factories.add(e.factory);
    factories.add((await pond.stat('/README.md')).factory);
    expect([...factories].sort()).toEqual(['combine', 'directory', 'scribble', 'sql_query', 'template']);

    const yearly = await pond.readTable('/views/yearly-weather');
    expect(yearly.toArray().map((r) => Number(r.year))).toEqual([2012, 2013, 2014, 2015]);
    const readme = new TextDecoder().decode(await pond.readFile('/README.md'));
    expect(readme).toMatch(/^# The demo pond/);
    for (const row of yearly.toArray()) expect(readme).toContain(`| ${Number(row.year)} | ${Number(row.avg_high)} |`);
    expect((await pond.readdir('/views/by-year')).map((e) => e.name)).toEqual(['2012', '2013', '2014', '2015']);
  });

  it('ships the results of its dynamic nodes: reading every one computes nothing', async () => {
    const index = parsePublishIndex(await readFile(join(out, 'demo', 'duckpond-index.json'), 'utf8'), 'demo');
    const shipped = index.files.filter((f) => /^_results\/[0-9a-f]{64}$/.test(f.key));
    const fresh = await openPond(new NodeFsStore(join(out, 'demo')), { create: false, results: { write: false } });
    // Dynamic directories are listed by running their factory (a glob, no engine): only files count.
    const computes = () =>
      performance
        .getEntriesByName('duckpond:compute')
        .map((m) => (m as PerformanceMark).detail as { path: string; type: string })
        .filter((d) => d.type !== 'directory');
    const before = computes().length;
    const dynamicFiles: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      for (const e of await fresh.readdir(dir)) {
        const path = `${dir === '/' ? '' : dir}/${e.name}`;
        if (e.type === 'directory') await walk(path);
        else if (e.factory !== 'tlogfs') dynamicFiles.push(path);
      }
    };
    await walk('/');
    for (const path of ['/README.md', '/views/yearly-weather', '/views/monthly-prices', '/views/seattle-all', '/views/synthetic-sensor'])
      expect(dynamicFiles).toContain(path);
    expect(shipped).toHaveLength(dynamicFiles.length);
    for (const path of dynamicFiles) await fresh.readFile(path);
    expect(computes().slice(before)).toEqual([]);
    await fresh.close();
  });

  it('carries an index that matches every file, and rebuilds to the same bytes', async () => {
    const store = new NodeFsStore(join(out, 'demo'));
    const index = parsePublishIndex(await readFile(join(out, 'demo', 'duckpond-index.json'), 'utf8'), 'demo');
    const actual = await buildPublishIndex(store);
    expect(index.files).toEqual(actual.files);
    await store.close();

    expect(await buildDemoPonds(out)).toBe('current');
    const before = await readFile(join(out, 'demo', 'duckpond-index.json'), 'utf8');
    expect(await buildDemoPonds(out, { force: true })).toBe('built');
    expect(await readFile(join(out, 'demo', 'duckpond-index.json'), 'utf8')).toBe(before);
  }, 120_000);
});
