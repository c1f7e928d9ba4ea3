// temporal-reduce against the Rust DuckPond: scenario 103 of its testsuite through the core API
// (synthetic-timeseries source, then the reduce, the figures the script prints), Rust's bucketing
// (epoch-aligned, Timestamp(ns), time order), columns and types, config errors, and a new version
// of an input changing the reduced output. Expected values come from the source's formula, not
// from the reduce: 20 + 10·sin(2πt/24h) sampled each minute.
import { describe, it, expect } from 'vitest';
import * as arrow from 'apache-arrow';
import { openDynamic, parquet, floats } from '../dynamic/fixtures.ts';
import { parseConfigText } from '../../../src/core/dynamic/config.ts';
import { parquetToTable, tableToParquet } from '../../../src/core/arrow/parquet.ts';
import { matchColumnPattern, reduceOutputDir, reduceTables, substitute, type TemporalReduceConfig } from '../../../src/core/factories/temporal-reduce.ts';
import type { Pond } from '../../../src/core/index.ts';

/** testsuite/tests/103-temporal-reduce-synthetic.sh: the source config verbatim. */
const SOURCE_103 = `start: "2024-06-15T00:00:00Z"
end:   "2024-06-16T00:00:00Z"
interval: "1m"
points:
  - name: "temperature"
    components:
      - type: sine
        amplitude: 10.0
        period: "24h"
        offset: 20.0
  - name: "pressure"
    components:
      - type: line
        slope: 0.0
        offset: 1013.0
`;

/** The reduce config of scenario 103, verbatim. */
const REDUCE_103 = `in_pattern: "series:///sources/*"
out_pattern: "$0"
time_column: "timestamp"
resolutions: ["1h"]
aggregations:
  - type: "avg"
    columns: ["temperature", "pressure"]
  - type: "min"
    columns: ["temperature"]
  - type: "max"
    columns: ["temperature"]
`;

const T0 = Date.UTC(2024, 5, 15);
const H = 3_600_000;
/** The source's temperature at minute m (Rust's formula, as synthetic-timeseries computes it). */
const temperature = (m: number) => 20 + 10 * Math.sin((2 * Math.PI * (m * 60)) / 86_400);
/** Minutes 0..1440 (inclusive end: 1441 rows). */
const MINUTES = Array.from({ length: 1441 }, (_, m) => m);

async function scenario103(): Promise<Pond> {
  const { pond } = await openDynamic();
  await pond.transact(async (tx) => {
    await tx.mkdir('/sources');
    await tx.mknod('/sources/weather', 'synthetic-timeseries', parseConfigText(SOURCE_103, '/sources/weather'));
    await tx.mknod('/reduce', 'temporal-reduce', parseConfigText(REDUCE_103, '/reduce'));
  });
  return pond;
}

const col = (t: arrow.Table, name: string): unknown[] => {
  const v = t.getChild(name);
  if (!v) throw new Error(`no column ${name} in ${t.schema.fields.map((f) => f.name).join(', ')}`);
  return v.toArray() instanceof BigInt64Array ? Array.from(v.toArray() as BigInt64Array) : [...v];
};
const nums = (t: arrow.Table, name: string): number[] => col(t, name).map(Number);
const closeTo = (a: number, e: number) => expect(Math.abs(a - e), `${a} vs ${e}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(e)));

describe('temporal-reduce: Rust scenario 103 (24 h of minute data to 1 h)', () => {
  it('lists /reduce/weather/res=1h.series, as `pond list` does in Rust', async () => {
    const pond = await scenario103();
    expect(await pond.readdir('/reduce')).toEqual([{ name: 'weather', type: 'directory', factory: 'temporal-reduce' }]);
    expect((await pond.readdir('/reduce/weather')).map((e) => [e.name, e.type])).toEqual([['res=1h.series', 'file:series']]);
    expect(await pond.glob('/reduce/**/*.series')).toMatchObject([{ path: '/reduce/weather/res=1h.series' }]);
    // `pond describe` / `cat`: the bytes are Parquet that decodes to the same rows.
    const stat = await pond.stat('/reduce/weather/res=1h.series');
    expect([stat.type, stat.size! > 0]).toEqual(['file:series', true]);
    expect((await parquetToTable(await pond.readFile('/reduce/weather/res=1h.series'), '/x')).numRows).toBe(25);
  });

  it('gives one row per epoch-aligned hour, the figures the script checks', async () => {
    const pond = await scenario103();
    const source = await pond.readTable('/sources/weather');
    expect(source.numRows).toBe(1441);
    const t = await pond.readTable('/reduce/weather/res=1h.series');
    // Columns `<col>.<agg>` in aggregation then column order, the time column first, as Rust's SELECT has them.
    expect(t.schema.fields.map((f) => f.name)).toEqual(['timestamp', 'temperature.avg', 'pressure.avg', 'temperature.min', 'temperature.max']);
    // Rust: CAST(date_bin(…) AS TIMESTAMP), DataFusion's TIMESTAMP = Timestamp(ns) without a zone; aggregates Float64.
    expect(String(t.schema.fields[0].type)).toBe('Timestamp<NANOSECOND>');
    expect(t.schema.fields.slice(1).map((f) => String(f.type))).toEqual(['Float64', 'Float64', 'Float64', 'Float64']);
    // 24 whole hours plus the inclusive end sample (2024-06-16T00:00) in a bucket of its own: date_bin
    // gives 25 rows (the script's comment says "expect 24", but its query prints what date_bin makes).
    expect(t.numRows).toBe(25);
    const times = col(t, 'timestamp') as bigint[];
    expect(times.map((ns) => Number(ns / 1_000_000n))).toEqual(Array.from({ length: 25 }, (_, h) => T0 + h * H));
    const avg = nums(t, 'temperature.avg');
    const min = nums(t, 'temperature.min');
    const max = nums(t, 'temperature.max');
    for (let h = 0; h < 25; h++) {
      const minutes = MINUTES.filter((m) => Math.floor(m / 60) === h);
      const values = minutes.map(temperature);
      expect(minutes.length).toBe(h < 24 ? 60 : 1);
      closeTo(avg[h], values.reduce((a, b) => a + b, 0) / values.length);
      closeTo(min[h], Math.min(...values));
      closeTo(max[h], Math.max(...values));
      // "temperature.min should always <= temperature.avg <= temperature.max"
      expect(min[h] <= avg[h] && avg[h] <= max[h]).toBe(true);
    }
    // "pressure.avg should always be 1013.0 (constant input)"
    expect(nums(t, 'pressure.avg').every((p) => Math.abs(p - 1013) < 0.001)).toBe(true);
    // "global min/max of hourly temperature aggregates": the sine's extremes, at 18:00 and 06:00.
    expect(Math.round(Math.min(...min) * 100) / 100).toBe(10);
    expect(Math.round(Math.max(...max) * 100) / 100).toBe(30);
    // "midnight bucket (hour 0) should be near offset=20": the first hour's mean of a rising sine.
    expect(Math.abs(avg[0] - 20)).toBeLessThan(1.4);
    expect(avg[0]).toBeGreaterThan(20);
  });

  it("answers the script's own SQL the same way (DuckDB over the reduced series)", async () => {
    const pond = await scenario103();
    const q = (sql: string) => pond.query(sql, { tables: { source: '/reduce/weather/res=1h.series' } });
    const span = await q('SELECT COUNT(*) AS cnt, epoch_ms(MIN(timestamp)) AS t_min, epoch_ms(MAX(timestamp)) AS t_max FROM source');
    expect([Number(span.get(0)?.cnt), Number(span.get(0)?.t_min), Number(span.get(0)?.t_max)]).toEqual([25, T0, T0 + 24 * H]);
    const checks = await q(`SELECT
        COUNT(CASE WHEN ABS("pressure.avg" - 1013.0) < 0.001 THEN 1 END) AS correct_hours,
        COUNT(CASE WHEN "temperature.min" <= "temperature.avg" AND "temperature.avg" <= "temperature.max" THEN 1 END) AS ordering_correct,
        ROUND(MIN("temperature.min"), 2) AS global_min, ROUND(MAX("temperature.max"), 2) AS global_max
      FROM source`);
    const row = checks.get(0)!;
    expect([Number(row.correct_hours), Number(row.ordering_correct), row.global_min, row.global_max]).toEqual([25, 25, 10, 30]);
  });
});

describe('temporal-reduce: buckets and aggregations', () => {
  async function reduce(aggregations: unknown[], resolutions: string[] = ['1h', '6h', '1d']): Promise<Pond> {
    const pond = await scenario103();
    await pond.transact((tx) => tx.mknod('/r', 'temporal-reduce', { in_pattern: 'series:///sources/*', out_pattern: 'site-$0', resolutions, aggregations }));
    return pond;
  }

  it('one series per resolution, named as written; coarser buckets aligned to the epoch', async () => {
    const pond = await reduce([{ type: 'count', columns: ['*'] }, { type: 'sum' }], ['1h', '6h', '1d']);
    expect((await pond.readdir('/r/site-weather')).map((e) => e.name)).toEqual(['res=1d.series', 'res=1h.series', 'res=6h.series']);
    const six = await pond.readTable('/r/site-weather/res=6h.series');
    expect(col(six, 'timestamp.count')).toEqual([360n, 360n, 360n, 360n, 1n]);
    expect((col(six, 'timestamp') as bigint[]).map((ns) => Number(ns / 1_000_000n))).toEqual([0, 6, 12, 18, 24].map((h) => T0 + h * H));
    const day = await pond.readTable('/r/site-weather/res=1d.series');
    expect(col(day, 'timestamp.count')).toEqual([1440n, 1n]);
    // `sum` with no columns: every numeric column (not the time column); Float64 sums stay Float64.
    expect(day.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual([
      'timestamp:Timestamp<NANOSECOND>',
      'timestamp.count:Int64',
      'temperature.sum:Float64',
      'pressure.sum:Float64',
    ]);
    closeTo(nums(day, 'pressure.sum')[0], 1440 * 1013);
    closeTo(nums(day, 'temperature.sum')[1], temperature(1440));
  });

  it('single-* column globs, count of a column, integer sums and nulls as SQL has them', async () => {
    const { pond } = await openDynamic();
    const t = (h: number, m: number) => T0 + h * H + m * 60_000;
    const table = new arrow.Table({
      ts: arrow.vectorFromArray([t(0, 0), t(0, 30), t(1, 0), t(1, 10), t(3, 0)], new arrow.TimestampMillisecond('UTC')),
      'Vulink1.Temperature.C': arrow.vectorFromArray([1, null, 3, 4, null], new arrow.Float64()),
      'Vulink2.Temperature.C': arrow.vectorFromArray([10, 20, 30, 40, 50], new arrow.Float64()),
      count: arrow.vectorFromArray([1n, 2n, 3n, 4n, 5n], new arrow.Int64()),
      label: arrow.vectorFromArray(['a', 'b', 'c', 'd', 'e'], new arrow.Utf8()),
    });
    await pond.transact(async (tx) => {
      await tx.mkdir('/in');
      await tx.writeFile('/in/s1.series', await tableToParquet(table), { type: 'file:series' });
      await tx.mknod('/r', 'temporal-reduce', {
        in_pattern: 'series:///in/*.series',
        out_pattern: '$0',
        time_column: 'ts',
        resolutions: ['1h'],
        aggregations: [
          { type: 'avg', columns: ['Vulink*.Temperature.C'] },
          { type: 'sum', columns: ['count'] },
          { type: 'count', columns: ['Vulink1.Temperature.C', 'label'] },
        ],
      });
    });
    const r = await pond.readTable('/r/s1/res=1h.series');
    expect(r.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual([
      'ts:Timestamp<NANOSECOND>',
      'Vulink1.Temperature.C.avg:Float64',
      'Vulink2.Temperature.C.avg:Float64',
      'count.sum:Int64',
      'Vulink1.Temperature.C.count:Int64',
      'label.count:Int64',
    ]);
    // Hours 0, 1, 3 (no empty hour 2: GROUP BY makes rows only for buckets with data).
    expect((col(r, 'ts') as bigint[]).map((ns) => Number(ns / 1_000_000n))).toEqual([T0, T0 + H, T0 + 3 * H]);
    expect(col(r, 'Vulink1.Temperature.C.avg')).toEqual([1, 3.5, null]);
    expect(col(r, 'Vulink2.Temperature.C.avg')).toEqual([15, 35, 50]);
    expect(col(r, 'count.sum')).toEqual([3n, 7n, 5n]);
    expect(col(r, 'Vulink1.Temperature.C.count')).toEqual([1n, 2n, 0n]);
    expect(col(r, 'label.count')).toEqual([2n, 2n, 1n]);
  });

  it('reads csv:/// inputs through the strict CSV reader: a broken line is EFACTORY naming it', async () => {
    const { pond } = await openDynamic();
    await pond.transact(async (tx) => {
      await tx.mkdir('/raw');
      await tx.writeFile('/raw/north.csv', new TextEncoder().encode('timestamp,v\n2024-06-15T00:10:00Z,1\n2024-06-15T00:50:00Z,3\n2024-06-15T01:05:00Z,10\n'));
      await tx.writeFile('/raw/south.csv', new TextEncoder().encode('timestamp,v\n2024-06-15T00:10:00Z,1\n2024-06-15T00:50:00Z,3,extra\n'));
      await tx.mknod('/r', 'temporal-reduce', { in_pattern: 'csv:///raw/*.csv', out_pattern: '$0', resolutions: ['1h'], aggregations: [{ type: 'avg' }] });
    });
    expect((await pond.readdir('/r')).map((e) => e.name)).toEqual(['north', 'south']);
    const t = await pond.readTable('/r/north/res=1h.series');
    expect((col(t, 'timestamp') as bigint[]).map((ns) => Number(ns / 1_000_000n))).toEqual([T0, T0 + H]);
    expect(col(t, 'v.avg')).toEqual([2, 10]);
    await expect(pond.readTable('/r/south/res=1h.series')).rejects.toThrow(
      /^EFACTORY: \/r\/south\/res=1h\.series: \/raw\/south\.csv: CSV line 3: 3 fields where 2 are expected \(1 row rejected\)/,
    );
  });

  it("series:/// reads series and factory-made tables, not a stored table (Rust's series mode); a relative in_pattern is the node's directory's", async () => {
    const { pond } = await openDynamic();
    const hourly = (v: number) => parquet({ timestamp: arrow.vectorFromArray([T0, T0 + 1800_000], new arrow.TimestampMillisecond('UTC')), v: floats([v, v]) });
    await pond.transact(async (tx) => {
      await tx.mkdir('/site');
      await tx.mkdir('/site/in');
      await tx.writeFile('/site/in/a', await hourly(1), { type: 'file:series' });
      await tx.writeFile('/site/in/stored', await hourly(2), { type: 'file:table' });
      await tx.mknod('/site/in/derived', 'sql-derived-table', { patterns: { s: '/site/in/a' }, query: 'SELECT timestamp, v * 10 AS v FROM s' });
      await tx.mknod('/site/r', 'temporal-reduce', { in_pattern: 'in/*', out_pattern: '$0', resolutions: ['1h'], aggregations: [{ type: 'avg' }] });
      await tx.mknod('/site/abs', 'temporal-reduce', {
        in_pattern: 'series:///site/in/*',
        out_pattern: '$0',
        resolutions: ['1h'],
        aggregations: [{ type: 'avg' }],
      });
    });
    for (const node of ['/site/r', '/site/abs']) expect((await pond.readdir(node)).map((e) => e.name)).toEqual(['a', 'derived']);
    expect(col(await pond.readTable('/site/r/derived/res=1h.series'), 'v.avg')).toEqual([10]);
  });

  it('inputs whose aggregated column has another type than the reference are EFACTORY naming the input and column', () => {
    const ts = (xs: number[]) => arrow.vectorFromArray(xs, new arrow.TimestampMicrosecond());
    const config = { in_pattern: '/s/*', out_pattern: 'all', resolutions: ['1h'], aggregations: [{ type: 'sum', columns: ['v'] }] } as TemporalReduceConfig;
    const reference = { path: '/s/z', table: new arrow.Table({ timestamp: ts([2000, 3000]), v: floats([1.5, 2.5]) }) };
    const text = { path: '/s/a', table: new arrow.Table({ timestamp: ts([0, 1000]), v: arrow.vectorFromArray(['10', '20'], new arrow.Utf8()) }) };
    const flags = { path: '/s/c', table: new arrow.Table({ timestamp: ts([4000]), v: arrow.vectorFromArray([true], new arrow.Bool()) }) };
    expect(() => reduceTables([text, reference], config, 3600)).toThrow(/^EFACTORY: \/s\/a: cannot sum column v: it is Utf8 here but Float64 in \/s\/z/);
    expect(() => reduceTables([flags, reference], config, 3600)).toThrow(/^EFACTORY: \/s\/c: cannot sum column v: it is Bool here/);
    // A float where the reference holds integers would be truncated: refused too.
    const ints = { path: '/s/z', table: new arrow.Table({ timestamp: ts([0]), v: arrow.vectorFromArray([7n], new arrow.Int64()) }) };
    expect(() => reduceTables([{ ...reference, path: '/s/a' }, ints], config, 3600)).toThrow(
      /^EFACTORY: \/s\/a: cannot sum column v: it is Float64 here but Int64/,
    );
    // Conversions DataFusion's UNION makes are read: integers into a Float64 reference, Int32 into an Int64 one.
    const int32 = { path: '/s/a', table: new arrow.Table({ timestamp: ts([0]), v: arrow.vectorFromArray([4], new arrow.Int32()) }) };
    expect(col(reduceTables([int32, reference], config, 3600), 'v.sum')).toEqual([8]);
    expect(col(reduceTables([int32, ints], config, 3600), 'v.sum')).toEqual([11n]);
    expect(col(reduceTables([{ ...ints, path: '/s/a' }, reference], config, 3600), 'v.sum')).toEqual([11]);
    // count reads any type.
    const count = { ...config, aggregations: [{ type: 'count' as const, columns: ['v'] }] };
    expect(col(reduceTables([text, flags, reference], count, 3600), 'v.count')).toEqual([5n]);
  });

  it('a column that is not there, or not a number, is EFACTORY naming it on read', async () => {
    const pond = await reduce([{ type: 'avg', columns: ['humidity'] }], ['1h']);
    await expect(pond.readTable('/r/site-weather/res=1h.series')).rejects.toThrow(/EFACTORY: .*avg: no column "humidity" \(columns: temperature, pressure/);
    await pond.transact((tx) =>
      tx.mknod('/bad', 'temporal-reduce-series', { in_pattern: '/sources/*', out_pattern: '$0', resolutions: ['1h'], aggregations: [{ type: 'max' }] }),
    );
    await expect(pond.readTable('/bad')).rejects.toThrow(/EFACTORY: \/bad: .*make a temporal-reduce node instead/);
  });

  it('Rust helpers: $i substitution and single-* column patterns', () => {
    expect(substitute('$0-$1/$0', ['a', 'b'])).toBe('a-b/a');
    expect(matchColumnPattern('Vulink1.Temperature.C', 'Vulink*.Temperature.C')).toBe(true);
    expect(matchColumnPattern('Vulink1.Pressure', 'Vulink*.Temperature.C')).toBe(false);
    expect(matchColumnPattern('ab', 'a*b*')).toBe(false); // two stars: exact match only, as Rust
    expect(matchColumnPattern('x', '*')).toBe(true);
  });

  it('reduceOutputDir: where a node puts the levels of an input, as compute names it', () => {
    const config = { in_pattern: 'series:///sources/*', out_pattern: 'site-$0' };
    expect(reduceOutputDir('/reduced', config, '/sources/a')).toBe('/reduced/site-a');
    expect(reduceOutputDir('/reduced', config, '/other/a')).toBeNull();
    // A relative in_pattern is resolved against the node's directory; the scheme is case-blind.
    expect(reduceOutputDir('/site/r', { in_pattern: 'sources/*', out_pattern: '$0' }, '/site/sources/a')).toBe('/site/r/a');
    expect(reduceOutputDir('/site/r', { in_pattern: 'sources/*', out_pattern: '$0' }, '/sources/a')).toBeNull();
    expect(reduceOutputDir('/r', { in_pattern: 'Series:///s/*/*', out_pattern: '$1-$0' }, '/s/x/y')).toBe('/r/y-x');
    // Rust's substitution order: $1 is replaced before $10 could be.
    expect(reduceOutputDir('/r', { in_pattern: '/s/*', out_pattern: '$0x' }, '/s/a')).toBe('/r/ax');
    // A name that is not valid makes no directory.
    expect(reduceOutputDir('/r', { in_pattern: '/s/*', out_pattern: '..' }, '/s/a')).toBeNull();
  });
});

describe('temporal-reduce inside dynamic-dir: Rust scenario 206, two days instead of ninety', () => {
  it('every hour of 1 s data counts 3600 rows; the entries are /reduced/hourly/<sensor>/res=1h.series', async () => {
    const { pond } = await openDynamic();
    const sensors = `entries:
  - name: "sensor_a"
    factory: "synthetic-timeseries"
    config:
      start: "2025-01-01T00:00:00Z"
      end:   "2025-01-02T23:59:59Z"
      interval: "1s"
      points:
        - name: "value"
          components:
            - type: sine
              amplitude: 10.0
              period: "24h"
              offset: 50.0
`;
    // The reduce config of scenario 206, verbatim.
    const reduced = `entries:
  - name: "hourly"
    factory: "temporal-reduce"
    config:
      in_pattern: "series:///sensors/*"
      out_pattern: "$0"
      time_column: "timestamp"
      resolutions: ["1h"]
      aggregations:
        - type: "count"
          columns: ["*"]
        - type: "avg"
          columns: ["*"]
        - type: "min"
          columns: ["*"]
        - type: "max"
          columns: ["*"]
`;
    await pond.transact(async (tx) => {
      await tx.mknod('/sensors', 'dynamic-dir', parseConfigText(sensors, '/sensors'));
      await tx.mknod('/reduced', 'dynamic-dir', parseConfigText(reduced, '/reduced'));
    });
    expect((await pond.glob('/reduced/hourly/*/*.series')).map((m) => m.path)).toEqual(['/reduced/hourly/sensor_a/res=1h.series']);
    const t = await pond.readTable('/reduced/hourly/sensor_a/res=1h.series');
    expect(t.schema.fields.map((f) => f.name)).toEqual(['timestamp', 'timestamp.count', 'value.avg', 'value.min', 'value.max']);
    // 2 days × 24 hours, and no row whose "timestamp.count" != 3600.
    expect(t.numRows).toBe(48);
    expect(col(t, 'timestamp.count').filter((c) => c !== 3600n)).toEqual([]);
  });
});

describe('temporal-reduce: config errors', () => {
  const good = { in_pattern: 'series:///sources/*', out_pattern: '$0', time_column: 'timestamp', resolutions: ['1h'], aggregations: [{ type: 'avg' }] };
  it('are ECONFIG naming the node and the field', async () => {
    const { pond } = await openDynamic();
    const bad = async (config: unknown) => ((await pond.transact((tx) => tx.mknod('/r', 'temporal-reduce', config)).catch((e: unknown) => e)) as Error).message;
    expect(await bad({ ...good, resolutions: ['1h', '90m'] })).toMatch(
      /^ECONFIG: \/r: invalid temporal-reduce config: resolutions\[1\]: 90m is not an integer multiple of 1h/,
    );
    expect(await bad({ ...good, resolutions: ['6h', '4h'] })).toMatch(/resolutions\[0\]: 6h is not an integer multiple of 4h/);
    expect(await bad({ ...good, resolutions: ['1h', '1h'] })).toMatch(/resolutions\[1\]: duplicate resolution "1h"/);
    expect(await bad({ ...good, resolutions: ['500ms'] })).toMatch(/resolutions\[0\]: must be at least 1s/);
    expect(await bad({ ...good, resolutions: ['1 fortnight'] })).toMatch(/resolutions\[0\]: unknown time unit "fortnight"/);
    expect(await bad({ ...good, resolutions: [] })).toMatch(/resolutions: at least one resolution/);
    expect(await bad({ ...good, aggregations: [{ type: 'median' }] })).toMatch(/aggregations\[0\]\.type: /);
    expect(await bad({ ...good, aggregations: [{ type: 'avg', column: ['x'] }] })).toMatch(/aggregations\[0\]: unknown field "column"/);
    expect(await bad({ ...good, in_pattern: 'oteljson:///ingest/a.json' })).toMatch(/in_pattern: unknown URL scheme "oteljson"/);
    expect(await bad({ ...good, in_pattern: 'series://sources/*' })).toMatch(/in_pattern: .*needs an absolute path/);
    expect(await bad({ ...good, in_pattern: 'table:///sources/*' })).toMatch(/in_pattern: table:\/\/\/ does not name series/);
    expect(await bad({ ...good, allowed_lateness: 'soon' })).toMatch(/allowed_lateness: /);
    expect(await bad({ ...good, out_pattern: undefined })).toMatch(/out_pattern: /);
    expect(await bad({ ...good, colour: 'blue' })).toMatch(/unknown field "colour"/);
  });
});

describe('temporal-reduce: caching', () => {
  it('a new version of an input series changes the reduced output on the next read', async () => {
    const { pond, resolver } = await openDynamic();
    const hour = async (h: number) =>
      parquet({
        timestamp: arrow.vectorFromArray([T0 + h * H, T0 + h * H + 1800_000], new arrow.TimestampMillisecond('UTC')),
        v: floats([h, h + 1]),
      });
    await pond.transact(async (tx) => {
      await tx.mkdir('/s');
      await tx.writeFile('/s/a', await hour(0), { type: 'file:series' });
      await tx.mknod('/r', 'temporal-reduce', {
        in_pattern: 'series:///s/*',
        out_pattern: '$0',
        resolutions: ['1h', '2h'],
        aggregations: [{ type: 'avg' }, { type: 'count', columns: ['*'] }],
      });
    });
    const first = await pond.readTable('/r/a/res=2h.series');
    expect([col(first, 'v.avg'), col(first, 'timestamp.count')]).toEqual([[0.5], [2n]]);
    const computes = resolver.computeCount;
    await pond.readTable('/r/a/res=2h.series');
    expect(resolver.computeCount).toBe(computes); // cached while nothing changed
    await pond.transact(async (tx) => tx.writeFile('/s/a', await hour(1), { type: 'file:series' }));
    const second = await pond.readTable('/r/a/res=2h.series');
    expect([col(second, 'v.avg'), col(second, 'timestamp.count')]).toEqual([[1], [4n]]);
    expect(col(await pond.readTable('/r/a/res=1h.series'), 'v.avg')).toEqual([0.5, 1.5]);
    // A new input appears as a new output directory.
    await pond.transact(async (tx) => tx.writeFile('/s/b', await hour(5), { type: 'file:series' }));
    expect((await pond.readdir('/r')).map((e) => e.name)).toEqual(['a', 'b']);
    expect(col(await pond.readTable('/r/b/res=1h.series'), 'v.avg')).toEqual([5.5]);
  });
});
