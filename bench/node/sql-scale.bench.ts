// SQL over pond tables at scale, and what keeping inputs registered in DuckDB saves:
// - a warm GROUP BY over vega-datasets' 3 M-row flights (13 MB of Parquet) through pond.query,
//   against native DuckDB (@duckdb/node-api, one thread) reading the same Parquet file;
// - a repeated pond.query over unchanged inputs, against the same query handed the same Arrow data.
// The first read of a sql_query node (with and without decoding Parquet) is in dynamic.bench.ts.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import * as arrow from 'apache-arrow';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { suite, MiB } from '../lib/index.ts';
import { openPond, MemoryStore, defaultRegistry, DynamicResolver, type Pond } from '../../src/core/index.ts';
import { tableToParquet } from '../../src/core/arrow/parquet.ts';
import { getSqlEngine } from '../../src/core/sql/index.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const FLIGHTS = resolve(ROOT, 'node_modules/vega-datasets/data/flights-3m.parquet');

async function openWithResolver(): Promise<Pond> {
  const resolver = new DynamicResolver(defaultRegistry());
  return openPond(new MemoryStore(), { services: resolver.services() });
}

/** Rows as JSON-able arrays (bigints as numbers, floats rounded: the engines sum in different orders). */
function canonical(rows: unknown[][]): string {
  return JSON.stringify(rows, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? Number(v.toPrecision(9)) : v));
}

const FLIGHTS_SQL = 'SELECT origin, count(*) AS flights, avg(delay) AS delay FROM flights GROUP BY origin ORDER BY origin';

suite('sql scale: GROUP BY over 3 M flights, pond.query vs native DuckDB', { iterations: 10, warmup: 2, maxTimeMs: 120_000 }, (s) => {
  let native: { db: DuckDBInstance; conn: DuckDBConnection } | undefined;
  let pond: Pond;
  s.setup(async () => {
    const db = await DuckDBInstance.create(':memory:', { threads: '1' });
    native = { db, conn: await db.connect() };
    pond = await openWithResolver();
    const bytes = new Uint8Array(await readFile(FLIGHTS));
    await pond.transact((tx) => tx.writeFile('/flights.parquet', bytes, { type: 'file:table' }));
    const expected = canonical((await native.conn.runAndReadAll(FLIGHTS_SQL.replace('FROM flights', `FROM read_parquet('${FLIGHTS}')`))).getRowsJS());
    const got = await pond.query(FLIGHTS_SQL, { tables: { flights: '/flights.parquet' } });
    const rows = got.toArray().map((r: { origin: string; flights: bigint | number; delay: number }) => [r.origin, r.flights, r.delay]);
    if (canonical(rows) !== expected) throw new Error(`pond.query differs from native DuckDB: ${canonical(rows).slice(0, 200)} vs ${expected.slice(0, 200)}`);
  });
  s.teardown(() => {
    native?.conn.closeSync();
    native?.db.closeSync();
  });
  s.baseline('native DuckDB, 1 thread, on the Parquet file', async () => {
    const rows = (await native!.conn.runAndReadAll(FLIGHTS_SQL.replace('FROM flights', `FROM read_parquet('${FLIGHTS}')`))).getRowsJS();
    if (rows.length < 100) throw new Error(`native: ${rows.length} groups`);
  });
  s.bench(
    'pond.query, warm (input registered)',
    async () => {
      const t = await pond.query(FLIGHTS_SQL, { tables: { flights: '/flights.parquet' } });
      if (t.numRows < 100) throw new Error(`pond.query: ${t.numRows} groups`);
    },
    { target: { maxRatio: 3 } },
  );
  s.bench('pond.query, first (decode 2 of 5 columns, register)', async (ctx) => {
    await getSqlEngine().dropInputs();
    await ctx.time(() => pond.query(FLIGHTS_SQL, { tables: { flights: '/flights.parquet' } }));
  });
  s.metric('registered input size', () => getSqlEngine().inputStats().bytes / MiB, { unit: 'MiB' });
});

const READINGS_SQL = 'SELECT site, count(*) AS n, avg(v) AS v, max(n) AS top FROM readings GROUP BY site ORDER BY site';

suite('sql scale: repeated pond.query over unchanged inputs vs DuckDB on the same Arrow', { iterations: 30, warmup: 3 }, (s) => {
  let pond: Pond;
  let input: arrow.Table;
  s.setup(async () => {
    pond = await openWithResolver();
    const schema = [
      { name: 't', type: 'timestamp' },
      { name: 'site', type: 'string', values: ['north', 'south', 'east', 'west'] },
      { name: 'v', type: 'float' },
      { name: 'n', type: 'integer' },
    ];
    await pond.transact((tx) => tx.mknod('/gen', 'scribble', { schema, row_count: 50_000, seed: 1 }));
    input = await pond.readTable('/gen');
    const bytes = await tableToParquet(input);
    await pond.transact((tx) => tx.writeFile('/readings.parquet', bytes, { type: 'file:table' }));
    await pond.query(READINGS_SQL, { tables: { readings: '/readings.parquet' } });
  });
  s.baseline('engine.query on the Arrow table', () => getSqlEngine().query(READINGS_SQL, { tables: [{ name: 'readings', tables: [input] }] }));
  s.bench('pond.query, repeated (input registered)', () => pond.query(READINGS_SQL, { tables: { readings: '/readings.parquet' } }), {
    target: { maxRatio: 1.05 },
  });
  s.bench(
    'pond.query, first (decode from Parquet, register)',
    async (ctx) => {
      await getSqlEngine().dropInputs();
      await ctx.time(() => pond.query(READINGS_SQL, { tables: { readings: '/readings.parquet' } }));
    },
    { target: { maxRatio: 1.3 } },
  );
});
