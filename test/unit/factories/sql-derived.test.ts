// sql-derived-table and sql-derived-series, as the Rust DuckPond has them: `patterns` (name -> URL
// pattern), the default query `SELECT * FROM <name>`, Rust URL schemes (table:///, series:///,
// csv:/// through the strict CSV reader), config errors, and a new input version reaching the
// result. Also the URL schemes in sql_query and combine patterns.
import { describe, it, expect } from 'vitest';
import * as arrow from 'apache-arrow';
import { openDynamic, parquet, floats, ints, enc } from '../dynamic/fixtures.ts';
import { parseConfigText } from '../../../src/core/dynamic/config.ts';
import { parsePatternUrl } from '../../../src/core/dynamic/url-pattern.ts';
import type { Pond } from '../../../src/core/index.ts';

const T0 = Date.UTC(2024, 0, 1);
const reading = (ts: number[], temperature: number[]) =>
  parquet({ timestamp: arrow.vectorFromArray(ts, new arrow.TimestampMillisecond('UTC')), temperature: floats(temperature) });

async function sensors(): Promise<Pond> {
  const { pond } = await openDynamic();
  await pond.transact(async (tx) => {
    await tx.mkdir('/sensors');
    await tx.mkdir('/raw');
    await tx.writeFile('/sensors/a', await reading([T0, T0 + 1000], [18, 25]), { type: 'file:series' });
    await tx.writeFile('/sensors/b', await reading([T0 + 2000], [30]), { type: 'file:series' });
    await tx.writeFile('/raw/data.parquet', await parquet({ id: ints([1, 2, 3]), value: floats([0.5, 1.5, 2.5]) }), { type: 'file:table' });
    await tx.writeFile('/raw/readings.csv', enc('site,temp\nnorth,21.5\nsouth,19\n'));
  });
  return pond;
}

const rows = (t: arrow.Table) => t.toArray().map((r) => ({ ...r.toJSON() }));

describe('sql-derived-table / sql-derived-series', () => {
  it("the Rust docs' examples: a table from table:///, a series filtered from series:///sensors/*", async () => {
    const pond = await sensors();
    await pond.transact(async (tx) => {
      await tx.mknod(
        '/doubled',
        'sql-derived-table',
        parseConfigText(`patterns:\n  source: "table:///raw/data.parquet"\nquery: "SELECT id, value * 2 as doubled FROM source"\n`, '/doubled'),
      );
      await tx.mknod(
        '/warm',
        'sql-derived-series',
        parseConfigText(`patterns:\n  source: "series:///sensors/*"\nquery: "SELECT * FROM source WHERE temperature > 20 ORDER BY timestamp"\n`, '/warm'),
      );
    });
    expect((await pond.stat('/doubled', { compute: false })).type).toBe('file:table');
    expect(rows(await pond.readTable('/doubled')).map((r) => [Number(r.id), r.doubled])).toEqual([
      [1, 1],
      [2, 3],
      [3, 5],
    ]);
    const warm = await pond.readTable('/warm');
    expect((await pond.stat('/warm')).type).toBe('file:series');
    // Both sensors' matches are one table `source`: 25 from a, 30 from b.
    expect(rows(warm).map((r) => r.temperature)).toEqual([25, 30]);
  });

  it('defaults to SELECT * FROM <the one pattern>; csv:/// reads a stored CSV through the strict reader', async () => {
    const pond = await sensors();
    await pond.transact(async (tx) => {
      await tx.mknod('/all', 'sql-derived-series', { patterns: { source: 'series:///sensors/a' } });
      await tx.mknod('/csv', 'sql-derived-table', { patterns: { readings: 'csv:///raw/readings.csv' } });
      await tx.mknod('/joined', 'sql-derived-table', {
        patterns: { r: 'csv:///raw/*.csv', d: 'table:///raw/data.parquet' },
        query: "SELECT r.site, d.value FROM r JOIN d ON d.id = (CASE WHEN r.site = 'north' THEN 1 ELSE 2 END) ORDER BY r.site",
      });
    });
    expect(rows(await pond.readTable('/all')).map((r) => r.temperature)).toEqual([18, 25]);
    const csv = await pond.readTable('/csv');
    expect(csv.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual(['site:Utf8', 'temp:Float64']);
    expect(rows(csv)).toEqual([
      { site: 'north', temp: 21.5 },
      { site: 'south', temp: 19 },
    ]);
    expect(rows(await pond.readTable('/joined'))).toEqual([
      { site: 'north', value: 0.5 },
      { site: 'south', value: 1.5 },
    ]);
  });

  it('a CSV with a rejected row, or a pattern that matches nothing, is an error naming it', async () => {
    const pond = await sensors();
    await pond.transact(async (tx) => {
      await tx.writeFile('/raw/broken.csv', enc('a,b\n1,2\n3,4,5\n'));
      await tx.mknod('/broken', 'sql-derived-table', { patterns: { s: 'csv:///raw/broken.csv' } });
      await tx.mknod('/none', 'sql-derived-table', { patterns: { s: 'table:///nowhere/*' } });
    });
    await expect(pond.readTable('/broken')).rejects.toThrow(/EFACTORY: .*CSV line 3: 3 fields where 2 are expected \(1 row rejected\)/);
    await expect(pond.readTable('/none')).rejects.toThrow(/^EFACTORY: \/none: no table or series matches the pattern "table:\/\/\/nowhere\/\*" of s/);
  });

  it('a new version of an input series changes the result on the next read', async () => {
    const pond = await sensors();
    await pond.transact((tx) =>
      tx.mknod('/n', 'sql-derived-table', { patterns: { s: 'series:///sensors/*' }, query: 'SELECT count(*) AS n, max(temperature) AS top FROM s' }),
    );
    expect(rows(await pond.readTable('/n')).map((r) => [Number(r.n), r.top])).toEqual([[3, 30]]);
    await pond.transact(async (tx) => tx.writeFile('/sensors/a', await reading([T0 + 5000], [41]), { type: 'file:series' }));
    expect(rows(await pond.readTable('/n')).map((r) => [Number(r.n), r.top])).toEqual([[4, 41]]);
  });

  it('config errors are ECONFIG naming the field', async () => {
    const { pond } = await openDynamic();
    const bad = async (factory: string, config: unknown) =>
      ((await pond.transact((tx) => tx.mknod('/x', factory, config)).catch((e: unknown) => e)) as Error).message;
    expect(await bad('sql-derived-table', { patterns: {} })).toMatch(
      /^ECONFIG: \/x: invalid sql-derived-table config: patterns: at least one pattern must be given/,
    );
    expect(await bad('sql-derived-series', { patterns: { a: '/a', b: '/b' } })).toMatch(
      /^ECONFIG: \/x: invalid sql-derived-series config: query: required with more than one pattern/,
    );
    expect(await bad('sql-derived-table', { patterns: { source: 'oteljson:///logs/m.json' } })).toMatch(/patterns\.source: unknown URL scheme "oteljson"/);
    expect(await bad('sql-derived-table', { patterns: { 'my table': '/a' } })).toMatch(/patterns\.my table: .*plain SQL identifier/);
    expect(await bad('sql-derived-table', { patterns: { s: '/a' }, query: '  ' })).toMatch(/query: the query cannot be empty/);
    expect(await bad('sql-derived-table', { patterns: { s: '/a' }, sql: 'SELECT 1' })).toMatch(/unknown field "sql"/);
  });
});

describe('Rust URL schemes in patterns', () => {
  it('parse: series, table, csv (absolute paths); unknown schemes and host paths are refused', () => {
    expect(parsePatternUrl('series:///sources/*')).toEqual({ ok: true, url: { scheme: 'series', path: '/sources/*' } });
    expect(parsePatternUrl('/plain/*.parquet')).toEqual({ ok: true, url: { scheme: undefined, path: '/plain/*.parquet' } });
    expect(parsePatternUrl('host:///etc/passwd')).toMatchObject({ ok: false, reason: /unknown URL scheme "host"/ });
    expect(parsePatternUrl('csv://relative.csv')).toMatchObject({ ok: false, reason: /needs an absolute path: csv:\/\/\/path/ });
  });

  it('sql_query tables and combine file_patterns take series:/// and table:///', async () => {
    const pond = await sensors();
    await pond.transact(async (tx) => {
      await tx.mknod('/q', 'sql_query', { query: 'SELECT count(*) AS n FROM s', tables: { s: 'series:///sensors/*' } });
      await tx.mknod('/c', 'combine', { file_patterns: ['series:///sensors/*'], output_type: 'file:series' });
    });
    expect(Number((await pond.readTable('/q')).get(0)?.n)).toBe(3);
    expect((await pond.readTable('/c')).numRows).toBe(3);
    expect(Number((await pond.query('SELECT count(*) AS n FROM t', { tables: { t: 'table:///raw/data.parquet' } })).get(0)?.n)).toBe(3);
    await expect(pond.query('SELECT 1 FROM t', { tables: { t: 'csv:///raw/readings.csv' } })).rejects.toThrow(
      /EINVAL: .*csv:\/\/\/ patterns are read by the sql-derived/,
    );
  });
});
