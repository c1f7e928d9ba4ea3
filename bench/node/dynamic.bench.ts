// Dynamic files: what a factory-computed node costs a reader compared with the same bytes stored,
// and what the factories add over doing their work by hand.
import * as arrow from 'apache-arrow';
import { suite, startMemoryProbe, MiB } from '../lib/index.ts';
import { openPond, MemoryStore, defaultRegistry, DynamicResolver, type Pond } from '../../src/core/index.ts';
import { tableToParquet } from '../../src/core/arrow/parquet.ts';
import { getSqlEngine } from '../../src/core/sql/index.ts';

async function openWithResolver(): Promise<{ pond: Pond; resolver: DynamicResolver }> {
  const resolver = new DynamicResolver(defaultRegistry());
  const pond = await openPond(new MemoryStore(), { services: resolver.services() });
  return { pond, resolver };
}

const SCRIBBLE = { schema: { t: 'timestamp', site: 'string', v: 'float', n: 'integer' }, row_count: 50_000, seed: 1 };

// (a) A cached dynamic read must cost what a stored read of the same bytes costs.
suite('dynamic: cached read vs stored file, same bytes', { iterations: 30, warmup: 3 }, (s) => {
  let pond: Pond;
  let size = 0;
  s.setup(async () => {
    ({ pond } = await openWithResolver());
    await pond.transact((tx) => tx.mknod('/dyn.parquet', 'scribble', SCRIBBLE));
    const bytes = await pond.readFile('/dyn.parquet');
    size = bytes.length;
    await pond.transact((tx) => tx.writeFile('/static.parquet', bytes, { type: 'file:table' }));
    await pond.readFile('/static.parquet');
  });
  s.baseline('static readFile', () => pond.readFile('/static.parquet'), { batch: 20 });
  s.bench('dynamic readFile (cached)', () => pond.readFile('/dyn.parquet'), { batch: 20, target: { maxRatio: 1.05 } });
  s.metric('file size', () => size / 1024, { unit: 'KiB' });
});

// (b) sql_query's first read (cold result cache) against the same query handed the same Arrow data.
function sqlSuite(name: string, cold: boolean): void {
  suite(name, { iterations: 20, warmup: 3 }, (s) => {
    const SQL = 'SELECT site, count(*) AS n, avg(v) AS v, max(n) AS top FROM readings GROUP BY site ORDER BY site';
    let pond: Pond;
    let resolver: DynamicResolver;
    let input: arrow.Table;
    s.setup(async () => {
      ({ pond, resolver } = await openWithResolver());
      const schema = [
        { name: 't', type: 'timestamp' },
        { name: 'site', type: 'string', values: ['north', 'south', 'east', 'west'] },
        { name: 'v', type: 'float' },
        { name: 'n', type: 'integer' },
      ];
      await pond.transact((tx) => tx.mknod('/gen', 'scribble', { ...SCRIBBLE, schema }));
      input = await pond.readTable('/gen');
      await pond.transact(async (tx) => {
        await tx.writeFile('/readings.parquet', await tableToParquet(input), { type: 'file:table' });
        await tx.mknod('/summary', 'sql_query', { query: SQL, tables: { readings: '/readings.parquet' } });
      });
      await pond.readTable('/summary'); // DuckDB's cold start is not what this measures
    });
    s.baseline('engine.query on the Arrow table', () => getSqlEngine().query(SQL, { tables: [{ name: 'readings', tables: [input] }] }));
    if (!cold) {
      // The node's own machinery (glob, recording, caching) over what the baseline does, with the
      // input already decoded as the baseline's is (the SQL engine keeps it registered).
      s.bench(
        'sql_query node, first read',
        async (ctx) => {
          resolver.clearCache('results');
          await ctx.time(() => pond.readTable('/summary'));
        },
        { target: { maxRatio: 1.15 } },
      );
    } else {
      // Also decoding the input from the pond's Parquet (its own suite: its garbage would skew the other).
      s.bench('sql_query node, first read, cold input', async (ctx) => {
        resolver.clearCache('all');
        await getSqlEngine().dropInputs(); // the engine keeps inputs registered between queries
        await ctx.time(() => pond.readTable('/summary'));
      });
    }
  });
}
sqlSuite('dynamic: sql_query first read vs DuckDB on the same Arrow', false);
sqlSuite('dynamic: sql_query first read with Parquet decode vs DuckDB on Arrow', true);

// (c) combine over 200 inputs: the union streams batch by batch (no SQL UNION ALL of 200 tables).
suite('dynamic: combine over 200 inputs', { iterations: 5, warmup: 1, maxTimeMs: 60_000 }, (s) => {
  const FILES = 200;
  const ROWS = 2_000;
  let pond: Pond;
  let resolver: DynamicResolver;
  let rows = 0;
  s.setup(async () => {
    ({ pond, resolver } = await openWithResolver());
    const tables: Uint8Array[] = [];
    for (let i = 0; i < FILES; i++) {
      const t = new arrow.Table({
        t: arrow.vectorFromArray(
          Array.from({ length: ROWS }, (_, r) => 1_700_000_000_000 + (i * ROWS + r) * 1000),
          new arrow.TimestampMicrosecond('UTC'),
        ),
        v: arrow.vectorFromArray(
          Array.from({ length: ROWS }, (_, r) => (i * 31 + r) % 97),
          new arrow.Float64(),
        ),
      });
      tables.push(await tableToParquet(t));
    }
    await pond.transact(async (tx) => {
      await tx.mkdir('/inputs');
      for (let i = 0; i < FILES; i++) await tx.writeFile(`/inputs/part-${String(i).padStart(3, '0')}.parquet`, tables[i], { type: 'file:table' });
      await tx.mknod('/all', 'combine', { file_patterns: ['/inputs/*.parquet'], output_type: 'file:series' });
    });
  });
  s.baseline('read the 200 tables one by one', async () => {
    for (let i = 0; i < FILES; i++) await pond.readTable(`/inputs/part-${String(i).padStart(3, '0')}.parquet`);
  });
  s.bench('combine: first read (readTable)', async (ctx) => {
    resolver.clearCache();
    rows = (await ctx.time(() => pond.readTable('/all'))).numRows;
  });
  s.metric('rows combined', () => rows, { unit: 'rows' });
  // Memory is a separate figure: sampling it during the timed case would slow that case down.
  s.metric(
    'peak Δ of one combine read',
    async () => {
      resolver.clearCache();
      const probe = await startMemoryProbe();
      const timer = setInterval(() => probe.sample(), 2);
      await pond.readTable('/all');
      clearInterval(timer);
      return (await probe.stop()).peakDeltaBytes / MiB;
    },
    { unit: 'MiB' },
  );
});
