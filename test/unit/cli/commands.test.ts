/**
 * The `pond` commands beyond the basics, run as a subprocess on temporary ponds: time ranges on a
 * series (cat, describe), export to Hive-partitioned Parquet read back by native DuckDB, publish
 * (the folder HttpStore opens), apply, and a pond zip exported by the app opening in the CLI.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { unzipSync } from 'fflate';
import { DuckDBInstance } from '@duckdb/node-api';
import { FactoryRegistry, MemoryStore, openPond, parsePublishIndex, sha256Hex } from '../../../src/core/index.ts';
import { sqlQuery } from '../../../src/core/factories/index.ts';
import { HttpStore } from '../../../src/core/storage/http.ts';
import { zipStore } from '../../../workers/pond-zip.ts';
import type { Operation } from '../../../workers/operations.ts';
import { ensureBuilt, expectError, pondAt, seriesParquet } from './run-cli.ts';

let tmp: string;
const DAY = 86_400_000;
const JAN = Date.UTC(2024, 0, 1);
const MAR = Date.UTC(2024, 2, 1);

/** A pond with /s/temp.series of two versions: 6 rows every 10 days from Jan 1 and from Mar 1, 2024. */
async function seriesPond(name: string) {
  const p = pondAt(join(tmp, name), tmp);
  p.ok(['init', '--birthplace', 'test-host']);
  writeFileSync(join(tmp, 'v1.parquet'), await seriesParquet(JAN, 6, 10 * DAY));
  writeFileSync(join(tmp, 'v2.parquet'), await seriesParquet(MAR, 6, 10 * DAY));
  p.ok(['mkdir', '/s']);
  p.ok(['copy', `host+series://${join(tmp, 'v1.parquet')}`, '/s/temp.series']);
  p.ok(['copy', `host+series://${join(tmp, 'v2.parquet')}`, '/s/temp.series']);
  return p;
}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'pond-cli-cmd-'));
  ensureBuilt(tmp);
}, 120_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// Every step is a cold CLI process (a SQL one starts DuckDB-WASM): seconds each on a loaded machine.
describe('pond commands', { timeout: 120_000 }, () => {
  it('cat --time-start/--time-end keep a series time range (ms or ISO), also under --sql', async () => {
    const p = await seriesPond('range');
    const all = p.ok(['cat', '/s/temp.series', '--format=csv']).trim().split('\n');
    expect(all).toHaveLength(13);
    // Jan 21 .. Mar 11 inclusive: Jan 21, Jan 31, Feb 10, Feb 20 (v1) and Mar 1, Mar 11 (v2).
    const csv = p.ok(['cat', '/s/temp.series', '--format=csv', '--time-start', String(JAN + 20 * DAY), '--time-end', '2024-03-11T00:00:00Z']);
    expect(csv.trim().split('\n').slice(1)).toEqual([
      '2024-01-21T00:00:00.000Z,3',
      '2024-01-31T00:00:00.000Z,4.5',
      '2024-02-10T00:00:00.000Z,6',
      '2024-02-20T00:00:00.000Z,7.5',
      '2024-03-01T00:00:00.000Z,0',
      '2024-03-11T00:00:00.000Z,1.5',
    ]);
    expect(p.ok(['cat', '/s/temp.series', '--format=csv', '--time-start', '2024-03-01', '--sql', 'SELECT count(*) AS n FROM source'])).toBe('n\n6\n');
    // Piped raw: the rows in range as Parquet, not the stored bytes.
    const raw = p.run(['cat', '/s/temp.series', '--time-end', '2024-01-01']);
    expect(raw.stdout.subarray(0, 4).toString()).toBe('PAR1');
    writeFileSync(join(tmp, 'one.parquet'), raw.stdout);
    p.ok(['copy', `host+table://${join(tmp, 'one.parquet')}`, '/one.parquet']);
    expect(p.ok(['cat', '/one.parquet', '--format=csv'])).toBe('timestamp,value\n2024-01-01T00:00:00.000Z,0\n');
    expectError(p.run(['cat', '/s/temp.series', '--time-start', 'yesterday']), 'EUSAGE', 2);
    p.ok(['copy', `host://${join(tmp, 'v1.parquet')}`, '/bytes.bin']);
    expectError(p.run(['cat', '/bytes.bin', '--time-start', '0']), 'EINVAL');
  });

  it('describe shows type, schema, timestamp column and each series version with its time range', async () => {
    const p = await seriesPond('describe');
    const out = p.ok(['describe', '/s/temp.series']);
    expect(out).toContain('type: file:series');
    expect(out).toContain('versions: 2');
    expect(out).toMatch(/v1 .*time range: 2024-01-01 00:00:00 UTC to 2024-02-20 00:00:00 UTC\n/);
    expect(out).toMatch(/v2 .*time range: 2024-03-01 00:00:00 UTC to 2024-04-20 00:00:00 UTC\n/);
    expect(out).toMatch(/schema: 2 fields\n {4}timestamp: Timestamp<MILLISECOND, UTC>.*\n {4}value: Float64/);
    expect(out).toContain('timestamp column: timestamp');
    expect(out).toContain('rows: 12');
  });

  it('export writes Hive partitions (year=/month=) that native DuckDB reads back whole', async () => {
    const p = await seriesPond('export');
    const out = join(tmp, 'export-out');
    const r = p.run(['export', '--pattern', '/s/*.series', '--dir', out, '--temporal', 'year,month']);
    expect(r.code, r.err).toBe(0);
    // Quiet when piped: no progress on stderr.
    expect(r.err).toBe('');
    const files = (function walk(d: string): string[] {
      return readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [relative(out, join(d, e.name))]));
    })(out).sort();
    expect(files).toEqual([
      'temp/year=2024/month=1/data.parquet',
      'temp/year=2024/month=2/data.parquet',
      'temp/year=2024/month=3/data.parquet',
      'temp/year=2024/month=4/data.parquet',
    ]);
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    try {
      const rows = (
        await conn.runAndReadAll(
          `SELECT year, month, count(*)::INT AS n, sum(value) AS total, min(epoch_ms(timestamp)) AS first
           FROM read_parquet('${out}/temp/**/*.parquet', hive_partitioning = true) GROUP BY ALL ORDER BY year, month`,
        )
      ).getRowObjectsJS();
      expect(rows.map((x) => [Number(x.year), Number(x.month), x.n])).toEqual([
        [2024, 1, 4],
        [2024, 2, 2],
        [2024, 3, 4],
        [2024, 4, 2],
      ]);
      expect(rows.reduce((s, x) => s + Number(x.total), 0)).toBe(2 * (0 + 1.5 + 3 + 4.5 + 6 + 7.5));
      expect(Number(rows[0].first)).toBe(JAN);
    } finally {
      conn.closeSync();
      db.closeSync();
    }
    // The pattern's capture (the '*') named the output above; without one, the path less its extension does.
    // A time range: partitions outside it are not written.
    const ranged = join(tmp, 'export-ranged');
    p.ok(['export', '-p', '/s/temp.series', '--dir', ranged, '--temporal', 'year,month,day', '--start-time', '2024-04-01']);
    expect(readdirSync(join(ranged, 's/temp/year=2024'))).toEqual(['month=4']);
    expect(readdirSync(join(ranged, 's/temp/year=2024/month=4')).sort()).toEqual(['day=10', 'day=20']);
    // Without --temporal a table is one file.
    const whole = join(tmp, 'export-whole');
    p.ok(['export', '-p', '/s/temp.series', '--dir', whole]);
    expect(readdirSync(join(whole, 's/temp'))).toEqual(['data.parquet']);
    expectError(p.run(['export', '-p', '/s/*.series', '--dir', ranged, '--temporal', 'month,year']), 'EUSAGE', 2);
    expectError(p.run(['export', '-p', '/s', '--dir', ranged]), 'EISDIR');
  });

  it('publish writes the objects, the computed results and duckpond-index.json that HttpStore opens; prints the ?pond= link', async () => {
    const p = await seriesPond('publish');
    writeFileSync(join(tmp, 'total.yaml'), 'query: SELECT count(*) AS n, sum(value) AS total FROM t\ntables:\n  t: /s/temp.series\n');
    p.ok(['mknod', 'sql_query', '/s/total', '--config-path', join(tmp, 'total.yaml')]);
    const site = join(tmp, 'site/ponds/field notes');
    const r = p.run(['publish', site]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toBe('?pond=field+notes/\n');
    expect(p.ok(['publish', site, '--url', 'https://data.example.org/p/', '--app', 'https://example.org/duckpond/'])).toBe(
      'https://example.org/duckpond/?pond=https://data.example.org/p/\n',
    );
    const index = parsePublishIndex(readFileSync(join(site, 'duckpond-index.json'), 'utf8'), 'index');
    expect(index.files.some((f) => f.key === '_delta_log/00000000000000000000.json')).toBe(true);
    for (const f of index.files) {
      const bytes = readFileSync(join(site, f.key));
      expect(bytes.length).toBe(f.size);
      expect(await sha256Hex(new Uint8Array(bytes))).toBe(f.sha256);
    }
    expect(existsSync(join(site, '.duckpond'))).toBe(false);
    // The app's HttpStore reads the folder as a static host serves it.
    const fetchFile = (async (input: string | URL | Request) => {
      const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
      const path = join(site, decodeURIComponent(url.pathname.replace(/^\/p\//, '')));
      return existsSync(path) ? new Response(readFileSync(path)) : new Response('not found', { status: 404 });
    }) as typeof fetch;
    // The dynamic node's result ships: the visitor's pond reads it without running the factory.
    expect(index.files.some((f) => f.key.startsWith('_results/'))).toBe(true);
    let computes = 0;
    const counting = new FactoryRegistry().register({
      ...sqlQuery,
      compute: (ctx, config) => {
        computes++;
        return sqlQuery.compute(ctx, config);
      },
    });
    const published = await openPond(await HttpStore.open('http://host.test/p/', { fetch: fetchFile }), { create: false, registry: counting });
    try {
      expect((await published.readTable('/s/temp.series')).numRows).toBe(12);
      const total = (await published.readTable('/s/total')).get(0)!.toJSON();
      expect(Number(total.n)).toBe(12);
      expect(computes).toBe(0);
    } finally {
      await published.close();
    }
    // A second publish after a change brings the folder up to date; a foreign non-empty folder is refused.
    p.ok(['mkdir', '/later']);
    p.ok(['publish', site]);
    const again = parsePublishIndex(readFileSync(join(site, 'duckpond-index.json'), 'utf8'), 'index');
    expect(again.files.length).toBeGreaterThan(index.files.length);
    mkdirSync(join(tmp, 'foreign'));
    writeFileSync(join(tmp, 'foreign/index.html'), '<p>mine</p>');
    expectError(p.run(['publish', join(tmp, 'foreign')]), 'EEXIST');
    expect(readdirSync(join(tmp, 'foreign'))).toEqual(['index.html']);
  });

  it('a pond zip exported by the app, unzipped into a directory, opens in the CLI', async () => {
    const store = new MemoryStore();
    const app = await openPond(store, { create: true });
    await app.transact(async (tx) => {
      await tx.mkdir('/notes');
      await tx.writeFile('/notes/hello.txt', new TextEncoder().encode('hello from the app\n'));
      await tx.writeFile('/notes/readings.parquet', await seriesParquet(JAN, 3, DAY), { type: 'file:table' });
    });
    await app.close();
    const op = { check() {}, progress() {}, signal: new AbortController().signal } as unknown as Operation;
    const dir = join(tmp, 'unzipped');
    for (const [name, bytes] of Object.entries(unzipSync(await zipStore(store, op)))) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), bytes);
    }
    const p = pondAt(dir, tmp);
    expect(p.ok(['list'])).toBe('/notes/\n/notes/hello.txt\n/notes/readings.parquet\n');
    expect(p.ok(['cat', '/notes/hello.txt'])).toBe('hello from the app\n');
    expect(p.ok(['cat', '/notes/readings.parquet', '--format=csv', '--sql', 'SELECT sum(value) AS s FROM source'])).toBe('s\n4.5\n');
    expect(p.run(['fsck']).code).toBe(0);
  });
});
