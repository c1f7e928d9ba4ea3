// timeseries-join against the Rust DuckPond: scenarios 101 and 104 of its testsuite (the YAML
// verbatim, the figures its scripts print, worked out from the waveforms), the cases of its unit
// tests (scopes, UNION BY NAME within a scope, zero-match inputs), per-input ranges, config errors
// and cache invalidation when an input series gets a new version.
import { describe, it, expect } from 'vitest';
import * as arrow from 'apache-arrow';
import { openDynamic, parquet, floats, rows, enc } from '../dynamic/fixtures.ts';
import type { Pond } from '../../../src/core/index.ts';
import { joinSql, scopeGroups } from '../../../src/core/factories/timeseries-join.ts';
import { retypeTime } from '../../../src/core/factories/series-inputs.ts';

/** testsuite/tests/101-timeseries-join-synthetic.sh, the config verbatim. */
export const SCENARIO_101 = `entries:
  - name: "station_a"
    factory: "synthetic-timeseries"
    config:
      start: "2024-01-01T00:00:00Z"
      end:   "2024-01-15T00:00:00Z"
      interval: "1h"
      points:
        - name: "temperature"
          components:
            - type: sine
              amplitude: 5.0
              period: "24h"
              offset: 20.0
        - name: "pressure"
          components:
            - type: sine
              amplitude: 3.0
              period: "12h"
              offset: 1013.0

  - name: "station_b"
    factory: "synthetic-timeseries"
    config:
      start: "2024-01-10T00:00:00Z"
      end:   "2024-01-25T00:00:00Z"
      interval: "1h"
      points:
        - name: "temperature"
          components:
            - type: triangle
              amplitude: 8.0
              period: "24h"
              offset: 30.0
        - name: "pressure"
          components:
            - type: square
              amplitude: 4.0
              period: "6h"
              offset: 1010.0

  - name: "combined"
    factory: "timeseries-join"
    config:
      inputs:
        - pattern: "/sensors/station_a"
          scope: StationA
        - pattern: "/sensors/station_b"
          scope: StationB
`;

/** testsuite/tests/104-timeseries-join-empty-input.sh, the config verbatim. */
const SCENARIO_104 = `entries:
  - name: "station_a"
    factory: "synthetic-timeseries"
    config:
      start: "2024-01-01T00:00:00Z"
      end:   "2024-01-10T00:00:00Z"
      interval: "1h"
      points:
        - name: "temperature"
          components:
            - type: sine
              amplitude: 5.0
              period: "24h"
              offset: 20.0

  - name: "station_b"
    factory: "synthetic-timeseries"
    config:
      start: "2024-01-05T00:00:00Z"
      end:   "2024-01-15T00:00:00Z"
      interval: "1h"
      points:
        - name: "temperature"
          components:
            - type: triangle
              amplitude: 8.0
              period: "24h"
              offset: 30.0

  - name: "combined"
    factory: "timeseries-join"
    config:
      inputs:
        - pattern: "/sensors/station_a"
          scope: StationA
        # Zero-match input, SAME scope as station_a (decommissioned-instrument
        # live counterpart that never produced a node).
        - pattern: "/sensors/missing_station_*"
          scope: StationA
        - pattern: "/sensors/station_b"
          scope: StationB
`;

const H = 3_600_000;
const day = (d: number, h = 0) => Date.UTC(2024, 0, d, h);
const closeTo = (actual: unknown, expected: number) => expect(Math.abs(Number(actual) - expected)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)));

/** The one row of `sql` over the node at `path`, bound as `source` (what `pond cat --sql` runs). */
async function one(pond: Pond, path: string, sql: string): Promise<Record<string, unknown>> {
  return rows(await pond.query(sql, { tables: { source: path } }))[0];
}

/** A Timestamp(ms, UTC) vector. */
function times(ms: number[]): arrow.Vector {
  const type = new arrow.TimestampMillisecond('UTC');
  return arrow.makeVector(arrow.makeData({ type, length: ms.length, nullCount: 0, data: BigInt64Array.from(ms.map(BigInt)) }));
}

/** Write a stored series version with a `timestamp` (s → ms) column and Float64 columns. */
async function series(pond: Pond, path: string, seconds: number[], columns: Record<string, number[]>): Promise<void> {
  const body = await parquet({
    timestamp: times(seconds.map((s) => s * 1000)),
    ...Object.fromEntries(Object.entries(columns).map(([k, v]) => [k, floats(v)])),
  });
  await pond.transact((tx) => tx.writeFile(path, body, { type: 'file:series' }));
}

describe('timeseries-join: Rust scenario 101 (two synthetic stations in one dynamic-dir)', () => {
  it('the combined series spans both stations with scoped columns, NULLs outside each station, the figures the script prints', async () => {
    const { pond } = await openDynamic();
    await pond.transact((tx) => tx.mknod('/sensors', 'dynamic-dir', SCENARIO_101));
    expect(await pond.readdir('/sensors')).toEqual([
      { name: 'combined', type: 'file:series', factory: 'timeseries-join' },
      { name: 'station_a', type: 'file:series', factory: 'synthetic-timeseries' },
      { name: 'station_b', type: 'file:series', factory: 'synthetic-timeseries' },
    ]);

    const stationSql =
      'SELECT COUNT(*) AS rows, MIN(timestamp) AS first_ts, MAX(timestamp) AS last_ts, MIN(temperature) AS temp_min, MAX(temperature) AS temp_max FROM source';
    const a = await one(pond, '/sensors/station_a', stationSql);
    expect([a.rows, a.first_ts, a.last_ts]).toEqual([337, day(1), day(15)]);
    closeTo(a.temp_min, 15);
    closeTo(a.temp_max, 25);
    const b = await one(pond, '/sensors/station_b', stationSql);
    expect([b.rows, b.first_ts, b.last_ts]).toEqual([361, day(10), day(25)]);
    closeTo(b.temp_min, 22);
    closeTo(b.temp_max, 38);

    const joined = await pond.readTable('/sensors/combined');
    // Rust's output: the time column keeps the inputs' Timestamp(ms, UTC), then each scope's columns.
    expect(joined.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual([
      'timestamp:Timestamp<MILLISECOND, UTC>',
      'StationA.temperature:Float64',
      'StationA.pressure:Float64',
      'StationB.temperature:Float64',
      'StationB.pressure:Float64',
    ]);
    const c = await one(pond, '/sensors/combined', 'SELECT COUNT(*) AS rows, MIN(timestamp) AS first_ts, MAX(timestamp) AS last_ts FROM source');
    expect([c.rows, c.first_ts, c.last_ts]).toEqual([577, day(1), day(25)]);

    const ranges = await one(
      pond,
      '/sensors/combined',
      `SELECT MIN("StationA.temperature") AS a_temp_min, MAX("StationA.temperature") AS a_temp_max,
              MIN("StationB.temperature") AS b_temp_min, MAX("StationB.temperature") AS b_temp_max,
              MIN("StationA.pressure") AS a_pres_min, MAX("StationA.pressure") AS a_pres_max,
              MIN("StationB.pressure") AS b_pres_min, MAX("StationB.pressure") AS b_pres_max FROM source`,
    );
    const expected = { a_temp_min: 15, a_temp_max: 25, b_temp_min: 22, b_temp_max: 38, a_pres_min: 1010, a_pres_max: 1016, b_pres_min: 1006, b_pres_max: 1014 };
    for (const [k, v] of Object.entries(expected)) closeTo(ranges[k], v);

    const count = (where: string) =>
      one(
        pond,
        '/sensors/combined',
        `SELECT COUNT(*) AS rows, COUNT("StationA.temperature") AS a, COUNT("StationB.temperature") AS b FROM source WHERE ${where}`,
      );
    expect(await count(`timestamp >= '2024-01-10T00:00:00Z' AND timestamp <= '2024-01-15T00:00:00Z'`)).toEqual({ rows: 121, a: 121, b: 121 });
    expect(await count(`timestamp < '2024-01-10T00:00:00Z'`)).toEqual({ rows: 216, a: 216, b: 0 });
    expect(await count(`timestamp > '2024-01-15T00:00:00Z'`)).toEqual({ rows: 240, a: 0, b: 240 });

    // Sample rows: the first three (station A only), three from Jan 12 (both).
    const r = rows(joined);
    expect(r.slice(0, 3).map((x) => [x.timestamp, x['StationB.temperature']])).toEqual([
      [day(1), null],
      [day(1, 1), null],
      [day(1, 2), null],
    ]);
    r.slice(0, 3).forEach((x, h) => closeTo(x['StationA.temperature'], 20 + 5 * Math.sin((2 * Math.PI * h) / 24)));
    const noon = r.findIndex((x) => x.timestamp === day(12));
    expect(noon).toBe(11 * 24);
    for (const x of r.slice(noon, noon + 3)) {
      const hour = ((x.timestamp as number) - day(12)) / H;
      closeTo(x['StationA.temperature'], 20 + 5 * Math.sin((2 * Math.PI * hour) / 24));
      closeTo(x['StationB.temperature'], 30 + 8 * (4 * (hour / 24) - 1)); // triangle, rising in the first half day
    }
  });
});

describe('timeseries-join: Rust scenario 104 (an input matching nothing)', () => {
  it('a zero-match input in a scope is an empty set: both scopes survive, the figures the script checks', async () => {
    const { pond } = await openDynamic();
    await pond.transact((tx) => tx.mknod('/sensors', 'dynamic-dir', SCENARIO_104));
    expect((await pond.readdir('/sensors')).map((e) => e.name)).toEqual(['combined', 'station_a', 'station_b']);
    const c = await one(pond, '/sensors/combined', 'SELECT COUNT(*) AS rows, MIN(timestamp) AS first_ts, MAX(timestamp) AS last_ts FROM source');
    expect([c.rows, c.first_ts, c.last_ts]).toEqual([14 * 24 + 1, day(1), day(15)]);
    expect(
      await one(pond, '/sensors/combined', 'SELECT COUNT("StationA.temperature") AS a_present, COUNT("StationB.temperature") AS b_present FROM source'),
    ).toEqual({
      a_present: 9 * 24 + 1,
      b_present: 10 * 24 + 1,
    });
    const firstA = await one(
      pond,
      '/sensors/combined',
      `SELECT timestamp, "StationA.temperature" AS a FROM source WHERE "StationA.temperature" IS NOT NULL ORDER BY timestamp LIMIT 1`,
    );
    expect(firstA.timestamp).toBe(day(1));
    closeTo(firstA.a, 20);
    const firstB = await one(
      pond,
      '/sensors/combined',
      `SELECT timestamp, "StationB.temperature" AS b FROM source WHERE "StationB.temperature" IS NOT NULL ORDER BY timestamp LIMIT 1`,
    );
    expect(firstB.timestamp).toBe(day(5));
    closeTo(firstB.b, 22);
    expect((await pond.readTable('/sensors/combined')).schema.fields.map((f) => f.name)).toEqual(['timestamp', 'StationA.temperature', 'StationB.temperature']);
  });

  it('an input that starts matching later is picked up on the next read', async () => {
    const { pond } = await openDynamic();
    await series(pond, '/a.series', [1, 2, 3], { temp: [10, 20, 30] });
    await series(pond, '/b.series', [2, 3, 4], { pressure: [100, 101, 102] });
    await pond.transact((tx) =>
      tx.mknod('/join', 'timeseries-join', {
        inputs: [
          { pattern: 'series:///a.series', scope: 'A' },
          { pattern: 'series:///late_*.series', scope: 'L' },
          { pattern: 'series:///b.series', scope: 'B' },
        ],
      }),
    );
    expect((await pond.readTable('/join')).schema.fields.map((f) => f.name)).toEqual(['timestamp', 'A.temp', 'B.pressure']);
    await series(pond, '/late_1.series', [5], { depth: [7] });
    const t = await pond.readTable('/join');
    expect(t.schema.fields.map((f) => f.name)).toEqual(['timestamp', 'A.temp', 'B.pressure', 'L.depth']);
    expect(t.numRows).toBe(5);
  });

  it('every input empty: no rows and a lone time column, as Rust', async () => {
    const { pond } = await openDynamic();
    await pond.transact((tx) => tx.mknod('/join', 'timeseries-join', { inputs: [{ pattern: '/none_*' }, { pattern: '/nothing' }] }));
    const t = await pond.readTable('/join');
    expect(t.numRows).toBe(0);
    expect(t.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual(['timestamp:Timestamp<MICROSECOND, UTC>']);
  });
});

describe('timeseries-join: the cases of the Rust unit tests', () => {
  it('unscoped inputs keep their column names; the FULL OUTER JOIN gives every timestamp once', async () => {
    const { pond } = await openDynamic();
    await series(pond, '/source1.series', [1, 2, 3], { temp_a: [10, 20, 30] });
    await series(pond, '/source2.series', [2, 3, 4], { temp_b: [15, 25, 35] });
    await pond.transact((tx) =>
      tx.mknod('/j', 'timeseries-join', { inputs: [{ pattern: 'series:///source1.series' }, { pattern: 'series:///source2.series' }] }),
    );
    expect(rows(await pond.readTable('/j'))).toEqual([
      { timestamp: 1000, temp_a: 10, temp_b: null },
      { timestamp: 2000, temp_a: 20, temp_b: 15 },
      { timestamp: 3000, temp_a: 30, temp_b: 25 },
      { timestamp: 4000, temp_a: null, temp_b: 35 },
    ]);
  });

  it('inputs sharing a scope are a UNION BY NAME, each with its own time range (the Vulink case: 7 timestamps)', async () => {
    const { pond } = await openDynamic();
    await series(pond, '/vulink1.series', [1, 2, 3], { temp: [10, 20, 30], conductivity: [100, 110, 120] });
    await series(pond, '/vulink2.series', [5, 6, 7], { temp: [40, 50, 60], conductivity: [130, 140, 150] });
    await series(pond, '/at500.series', [2, 4, 6], { pressure: [1000, 1010, 1020] });
    await pond.transact((tx) =>
      tx.mknod('/j', 'timeseries-join', {
        inputs: [
          { pattern: 'series:///vulink1.series', scope: 'Vulink', range: { end: '1970-01-01T00:00:03Z' } },
          { pattern: 'series:///vulink2.series', scope: 'Vulink', range: { begin: '1970-01-01T00:00:05Z' } },
          { pattern: 'series:///at500.series', scope: 'AT500_Surface' },
        ],
      }),
    );
    const t = rows(await pond.readTable('/j'));
    // Scopes in Rust's (BTreeMap) order: AT500_Surface before Vulink.
    expect(Object.keys(t[0])).toEqual(['timestamp', 'AT500_Surface.pressure', 'Vulink.temp', 'Vulink.conductivity']);
    expect(t.map((r) => r.timestamp)).toEqual([1, 2, 3, 4, 5, 6, 7].map((s) => s * 1000));
    expect(t.map((r) => r['Vulink.temp'])).toEqual([10, 20, 30, null, 40, 50, 60]);
    expect(t.map((r) => r['AT500_Surface.pressure'])).toEqual([null, 1000, null, 1010, null, 1020, null]);
  });

  it('a range is inclusive at both ends and cuts rows before the join', async () => {
    const { pond } = await openDynamic();
    await series(pond, '/a.series', [1, 2, 3, 4, 5], { v: [1, 2, 3, 4, 5] });
    await series(pond, '/b.series', [1, 2, 3, 4, 5], { w: [1, 2, 3, 4, 5] });
    await pond.transact((tx) =>
      tx.mknod('/j', 'timeseries-join', {
        inputs: [
          { pattern: '/a.series', scope: 'A', range: { begin: '1970-01-01T00:00:02Z', end: '1970-01-01T00:00:04Z' } },
          { pattern: '/b.series', scope: 'B', range: { begin: '1970-01-01T00:00:04Z' } },
        ],
      }),
    );
    expect(rows(await pond.readTable('/j')).map((r) => [r.timestamp, r['A.v'], r['B.w']])).toEqual([
      [2000, 2, null],
      [3000, 3, null],
      [4000, 4, 4],
      [5000, null, 5],
    ]);
  });

  it('a range that keeps no row leaves the input its columns, all NULL', async () => {
    const { pond } = await openDynamic();
    await series(pond, '/a.series', [1, 2], { v: [1, 2] });
    await series(pond, '/b.series', [1, 2], { w: [1, 2] });
    await pond.transact((tx) =>
      tx.mknod('/j', 'timeseries-join', {
        inputs: [
          { pattern: '/a.series', scope: 'A' },
          { pattern: '/b.series', scope: 'B', range: { begin: '2030-01-01T00:00:00Z' } },
        ],
      }),
    );
    expect(rows(await pond.readTable('/j'))).toEqual([
      { timestamp: 1000, 'A.v': 1, 'B.w': null },
      { timestamp: 2000, 'A.v': 2, 'B.w': null },
    ]);
  });

  it('a glob input unions all its matches; scope groups follow Rust order, unscoped inputs are groups of their own', () => {
    expect(scopeGroups({ inputs: [{ pattern: 'a', scope: 'b' }, { pattern: 'b' }, { pattern: 'c', scope: 'B' }, { pattern: 'd', scope: 'b' }] })).toEqual([
      [2],
      [1],
      [0, 3],
    ]);
    const sql = joinSql('timestamp', [[0], [1, 2]], true);
    expect(sql).toContain('scope_combined1 AS (SELECT * FROM input1 UNION BY NAME SELECT * FROM input2)');
    expect(sql).toContain('FULL OUTER JOIN scope_combined1 ON scope_combined0."timestamp" = scope_combined1."timestamp"');
    expect(sql).toContain('COALESCE(scope_combined0."timestamp", scope_combined1."timestamp") AS "timestamp"');
  });

  it('two unscoped inputs with the same column name are an error naming the column', async () => {
    const { pond } = await openDynamic();
    await series(pond, '/a.series', [1], { v: [1] });
    await series(pond, '/b.series', [1], { v: [2] });
    await pond.transact((tx) => tx.mknod('/j', 'timeseries-join', { inputs: [{ pattern: '/a.series' }, { pattern: '/b.series' }] }));
    await expect(pond.readTable('/j')).rejects.toThrow(/EFACTORY: \/j: column "v" comes from more than one scope group/);
  });
});

describe('timeseries-join: transforms and CSV inputs', () => {
  it('column-rename transforms apply to an input before its scope prefix; csv:/// reads a stored CSV through the strict reader', async () => {
    const { pond } = await openDynamic();
    await series(pond, '/a.series', [1, 2], { 'Temperature (C)': [10, 11] });
    await pond.transact(async (tx) => {
      await tx.writeFile('/b.csv', enc('timestamp,depth\n1970-01-01T00:00:02Z,5\n1970-01-01T00:00:03Z,6\n'));
      await tx.writeFile('/broken.csv', enc('timestamp,depth\n1970-01-01T00:00:02Z,5\n1970-01-01T00:00:03Z,6,7\n1970-01-01T00:00:04Z,8\n'));
      await tx.mknod('/jb', 'timeseries-join', {
        inputs: [
          { pattern: 'series:///a.series', scope: 'A' },
          { pattern: 'csv:///broken.csv', scope: 'B' },
        ],
      });
      await tx.mknod('/rename', 'column-rename', { rules: [{ type: 'pattern', pattern: '^(.+) \\((.+)\\)$', replacement: '$1.$2' }] });
      await tx.mknod('/j', 'timeseries-join', {
        inputs: [
          { pattern: 'series:///a.series', scope: 'A', transforms: ['/rename'] },
          { pattern: 'csv:///b.csv', scope: 'B' },
        ],
      });
    });
    const t = await pond.readTable('/j');
    expect(t.schema.fields.map((f) => f.name)).toEqual(['timestamp', 'A.Temperature.C', 'B.depth']);
    expect(rows(t).map((r) => [r['A.Temperature.C'], r['B.depth']])).toEqual([
      [10, null],
      [11, 5],
      [null, 6],
    ]);
    // A rejected row is an error naming its line, not a row silently left out.
    await expect(pond.readTable('/jb')).rejects.toThrow(/^EFACTORY: \/jb: \/broken\.csv: CSV line 3: 3 fields where 2 are expected \(1 row rejected\)/);
  });

  it("inputs are matched as temporal-reduce's are: series:/// skips a stored table, a relative pattern is the node's directory's", async () => {
    const { pond } = await openDynamic();
    await pond.transact((tx) => tx.mkdir('/site'));
    await series(pond, '/site/a.series', [1, 2], { v: [1, 2] });
    const stored = await parquet({ timestamp: times([3000]), w: floats([30]) });
    await pond.transact(async (tx) => {
      await tx.writeFile('/site/stored', stored, { type: 'file:table' });
      await tx.mknod('/site/j', 'timeseries-join', {
        inputs: [
          { pattern: 'a.series', scope: 'A' },
          { pattern: 'series:///site/stored', scope: 'S' },
        ],
      });
    });
    // The stored table is no series: its input is an empty set, as in Rust's series mode.
    const t = await pond.readTable('/site/j');
    expect(t.schema.fields.map((f) => f.name)).toEqual(['timestamp', 'A.v']);
    expect(rows(t).map((r) => r['A.v'])).toEqual([1, 2]);
  });

  it('retypeTime reads a sliced column from its own offset', () => {
    const t = new arrow.Table({ timestamp: arrow.vectorFromArray([1000, 2000, 3000, 4000], new arrow.TimestampMicrosecond('UTC')) }).slice(2);
    expect(t.batches[0].data.children[0].offset).toBe(2);
    const out = retypeTime(t, 'timestamp', new arrow.TimestampMillisecond('UTC'));
    expect(String(out.schema.fields[0].type)).toBe('Timestamp<MILLISECOND, UTC>');
    expect([...out.getChild('timestamp')!]).toEqual([3000, 4000]);
  });
});

describe('timeseries-join: cache', () => {
  it('a new version appended to an input series changes the joined output on the next read', async () => {
    const { pond, resolver } = await openDynamic();
    await series(pond, '/a.series', [1, 2], { v: [1, 2] });
    await series(pond, '/b.series', [2, 3], { w: [20, 30] });
    await pond.transact((tx) =>
      tx.mknod('/j', 'timeseries-join', {
        inputs: [
          { pattern: '/a.series', scope: 'A' },
          { pattern: '/b.series', scope: 'B' },
        ],
      }),
    );
    expect((await pond.readTable('/j')).numRows).toBe(3);
    await pond.readTable('/j');
    expect(resolver.computeCount).toBe(1);
    await series(pond, '/a.series', [4, 5], { v: [4, 5] });
    const t = rows(await pond.readTable('/j'));
    expect(t.map((r) => [r.timestamp, r['A.v'], r['B.w']])).toEqual([
      [1000, 1, null],
      [2000, 2, 20],
      [3000, null, 30],
      [4000, 4, null],
      [5000, 5, null],
    ]);
    expect(resolver.computeCount).toBe(2);
  });
});

describe('timeseries-join: config', () => {
  const good = { inputs: [{ pattern: '/a' }, { pattern: '/b' }] };
  const bad = async (config: unknown) => {
    const { pond } = await openDynamic();
    return ((await pond.transact((tx) => tx.mknod('/j', 'timeseries-join', config)).catch((e: unknown) => e)) as Error).message;
  };

  it('errors are ECONFIG naming the node and the field', async () => {
    expect(await bad({ inputs: [] })).toMatch(/^ECONFIG: \/j: invalid timeseries-join config: inputs: at least one input must be specified/);
    expect(await bad({ inputs: [{ pattern: '/a' }] })).toMatch(/inputs: timeseries-join requires at least 2 inputs/);
    expect(await bad({})).toMatch(/inputs: /);
    expect(await bad({ inputs: [{ pattern: '/a', range: { begin: 'not-a-timestamp' } }, { pattern: '/b' }] })).toMatch(/inputs\[0\]\.range\.begin: .*RFC 3339/);
    expect(await bad({ inputs: [{ pattern: '/a', range: { begin: '2024-01-02T00:00:00Z', end: '2024-01-01T00:00:00Z' } }, { pattern: '/b' }] })).toMatch(
      /inputs\[0\]\.range\.end: end \(2024-01-01T00:00:00Z\) is before begin/,
    );
    expect(await bad({ inputs: [{ pattern: '/a' }, { pattern: 'ftp:///b' }] })).toMatch(/inputs\[1\]\.pattern: unknown URL scheme "ftp"/);
    expect(await bad({ inputs: [{ pattern: '/a' }, { pattern: 'table:///b' }] })).toMatch(/inputs\[1\]\.pattern: table:\/\/\/ does not name series/);
    expect(await bad({ inputs: [{ pattern: '/a', scope: '' }, { pattern: '/b' }] })).toMatch(/inputs\[0\]\.scope: /);
    expect(await bad({ inputs: [{ pattern: '/a', colour: 'red' }, { pattern: '/b' }] })).toMatch(/inputs\[0\]: unknown field "colour"/);
    expect(await bad({ ...good, inputz: [] })).toMatch(/unknown field "inputz"/);
    expect(await bad({ ...good, time_column: '' })).toMatch(/time_column: /);
  });

  it('stores the Rust default time_column', async () => {
    const { pond } = await openDynamic();
    await pond.transact((tx) => tx.mknod('/j', 'timeseries-join', good));
    expect(await pond.config('/j')).toEqual({ time_column: 'timestamp', ...good });
  });
});
