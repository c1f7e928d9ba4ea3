// temporal-reduce of a 1 M-row series to five resolutions, against the same aggregation written
// straight in DuckDB-WASM (epoch buckets + GROUP BY) over the same Arrow data; and the memory the
// reduce takes while it runs.
import * as arrow from 'apache-arrow';
import { suite, startMemoryProbe, MiB } from '../lib/index.ts';
import { openPond, MemoryStore, defaultRegistry, DynamicResolver, type Pond } from '../../src/core/index.ts';
import { tableToParquet } from '../../src/core/arrow/parquet.ts';
import { getSqlEngine } from '../../src/core/sql/index.ts';

const ROWS = 1_000_000;
/** Nesting, as Rust requires; 1 s samples make 16,667 / 1,112 / 278 / 47 / 12 buckets. */
const RESOLUTIONS: Array<[string, number]> = [
  ['1m', 60],
  ['15m', 900],
  ['1h', 3600],
  ['6h', 21_600],
  ['1d', 86_400],
];
const REDUCE = {
  in_pattern: 'series:///sensors/*',
  out_pattern: '$0',
  time_column: 'timestamp',
  resolutions: RESOLUTIONS.map(([r]) => r),
  aggregations: [{ type: 'avg' }, { type: 'min' }, { type: 'max' }, { type: 'count', columns: ['*'] }],
};
const COLUMNS = ['temperature', 'pressure'];
/**
 * The same buckets and columns as the node, by hand: what a user would write in DuckDB. Epoch
 * arithmetic, because time_bucket on a TIMESTAMPTZ needs the icu extension, which is not loaded.
 */
const sqlFor = (seconds: number) =>
  `SELECT make_timestamp((epoch_us(timestamp) // ${seconds * 1e6}) * ${seconds * 1e6}) AS timestamp, ` +
  ['avg', 'min', 'max'].flatMap((agg) => COLUMNS.map((c) => `${agg}(${c}) AS "${c}.${agg}"`)).join(', ') +
  `, count(*) AS "timestamp.count" FROM source GROUP BY 1 ORDER BY 1`;

function series(): arrow.Table {
  const t0 = Date.UTC(2024, 0, 1);
  const ts = new BigInt64Array(ROWS);
  const temperature = new Float64Array(ROWS);
  const pressure = new Float64Array(ROWS);
  for (let i = 0; i < ROWS; i++) {
    ts[i] = BigInt(t0 + i * 1000);
    temperature[i] = 20 + 10 * Math.sin((2 * Math.PI * i) / 86_400);
    pressure[i] = 1013 + ((i * 7919) % 97) / 10;
  }
  return new arrow.Table({
    timestamp: arrow.makeVector(arrow.makeData({ type: new arrow.TimestampMillisecond('UTC'), length: ROWS, nullCount: 0, data: ts })),
    temperature: arrow.makeVector(temperature),
    pressure: arrow.makeVector(pressure),
  });
}

suite('temporal-reduce: 1 M rows to 5 resolutions vs DuckDB-WASM on the same Arrow', { iterations: 5, warmup: 1, maxTimeMs: 120_000 }, (s) => {
  let pond: Pond;
  let resolver: DynamicResolver;
  let input: arrow.Table;
  let outRows = 0;
  const readAll = async () => {
    let n = 0;
    for (const [r] of RESOLUTIONS) n += (await pond.readTable(`/reduced/station/res=${r}.series`)).numRows;
    return n;
  };
  s.setup(async () => {
    resolver = new DynamicResolver(defaultRegistry(), { inputBudgetBytes: 128 * MiB });
    pond = await openPond(new MemoryStore(), { services: resolver.services() });
    const bytes = await tableToParquet(series());
    await pond.transact(async (tx) => {
      await tx.mkdir('/sensors');
      await tx.writeFile('/sensors/station', bytes, { type: 'file:series' });
      await tx.mknod('/reduced', 'temporal-reduce', REDUCE);
    });
    input = await pond.readTable('/sensors/station');
    outRows = await readAll();
    await getSqlEngine().query('SELECT 1'); // DuckDB's cold start is not what this measures
  });
  s.baseline('DuckDB: 5 × GROUP BY epoch bucket on the Arrow table', async () => {
    for (const [, seconds] of RESOLUTIONS) await getSqlEngine().query(sqlFor(seconds), { tables: [{ name: 'source', tables: [input] }] });
  });
  s.bench(
    'temporal-reduce: read the 5 res=*.series (input decoded)',
    async (ctx) => {
      resolver.clearCache('results');
      await ctx.time(readAll);
    },
    { target: { maxRatio: 1.2 } },
  );
  s.bench('temporal-reduce: read the 5, input decoded from Parquet too', async (ctx) => {
    resolver.clearCache('all');
    await ctx.time(readAll);
  });
  s.metric('output rows (5 resolutions)', () => outRows, { unit: 'rows' });
  /** Peak memory over the baseline while the five outputs are computed, after dropping `which` cache. */
  const peakWhileReducing = async (which: 'results' | 'all') => {
    resolver.clearCache(which);
    const probe = await startMemoryProbe();
    const timer = setInterval(() => probe.sample(), 2);
    try {
      await readAll();
    } finally {
      clearInterval(timer);
    }
    return (await probe.stop()).peakDeltaBytes / MiB;
  };
  s.metric('peak Δ while reducing (5 resolutions, input decoded)', () => peakWhileReducing('results'), { unit: 'MiB' });
  s.metric('peak Δ while reducing, Parquet decode included', () => peakWhileReducing('all'), { unit: 'MiB' });
});
