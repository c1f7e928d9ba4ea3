// timeseries-pivot against the Rust DuckPond: scenario 102 of its testsuite (the whole pipeline in
// one dynamic-dir: two synthetic stations, their join, two pivots; the YAML verbatim, the figures
// its script prints worked out from the waveforms), aliases from captures, NULL padding, config errors.
import { describe, it, expect } from 'vitest';
import * as arrow from 'apache-arrow';
import { openDynamic, parquet, floats, rows } from '../dynamic/fixtures.ts';
import type { Pond } from '../../../src/core/index.ts';

/** testsuite/tests/102-timeseries-pivot-synthetic.sh, the config verbatim. */
const SCENARIO_102 = `entries:
  - name: "station_a"
    factory: "synthetic-timeseries"
    config:
      start: "2024-01-01T00:00:00Z"
      end:   "2024-01-20T00:00:00Z"
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
      start: "2024-01-05T00:00:00Z"
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
              amplitude: 2.0
              period: "6h"
              offset: 1010.0

  - name: "combined"
    factory: "timeseries-join"
    config:
      inputs:
        - pattern: "series:///sensors/station_a"
          scope: "station_a"
        - pattern: "series:///sensors/station_b"
          scope: "station_b"

  - name: "pivot_temperature"
    factory: "timeseries-pivot"
    config:
      pattern: "series:///sensors/combined"
      columns:
        - "station_a.temperature"
        - "station_b.temperature"

  - name: "pivot_pressure"
    factory: "timeseries-pivot"
    config:
      pattern: "series:///sensors/combined"
      columns:
        - "station_a.pressure"
        - "station_b.pressure"
`;

const day = (d: number, h = 0) => Date.UTC(2024, 0, d, h);
const closeTo = (actual: unknown, expected: number) => expect(Math.abs(Number(actual) - expected)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)));
const one = async (pond: Pond, path: string, sql: string) => rows(await pond.query(sql, { tables: { source: path } }))[0];

function times(ms: number[]): arrow.Vector {
  const type = new arrow.TimestampMillisecond('UTC');
  return arrow.makeVector(arrow.makeData({ type, length: ms.length, nullCount: 0, data: BigInt64Array.from(ms.map(BigInt)) }));
}

async function series(pond: Pond, path: string, seconds: number[], columns: Record<string, number[]>): Promise<void> {
  const body = await parquet({
    timestamp: times(seconds.map((s) => s * 1000)),
    ...Object.fromEntries(Object.entries(columns).map(([k, v]) => [k, floats(v)])),
  });
  await pond.transact(async (tx) => {
    await tx.mkdir(path.slice(0, path.lastIndexOf('/')) || '/', { parents: true });
    await tx.writeFile(path, body, { type: 'file:series' });
  });
}

describe('timeseries-pivot: Rust scenario 102 (stations, join and pivots in one dynamic-dir)', () => {
  it('each pivot lines up one measurement of both stations, `<basename>.<column>`, with the figures the script prints', async () => {
    const { pond } = await openDynamic();
    await pond.transact((tx) => tx.mknod('/sensors', 'dynamic-dir', SCENARIO_102));
    expect((await pond.readdir('/sensors')).map((e) => `${e.name}:${e.type}:${e.factory}`)).toEqual([
      'combined:file:series:timeseries-join',
      'pivot_pressure:file:series:timeseries-pivot',
      'pivot_temperature:file:series:timeseries-pivot',
      'station_a:file:series:synthetic-timeseries',
      'station_b:file:series:synthetic-timeseries',
    ]);
    expect(await one(pond, '/sensors/station_a', 'SELECT COUNT(*) AS cnt FROM source')).toEqual({ cnt: 19 * 24 + 1 });
    expect(await one(pond, '/sensors/station_b', 'SELECT COUNT(*) AS cnt FROM source')).toEqual({ cnt: 20 * 24 + 1 });

    const combined = await pond.readTable('/sensors/combined');
    expect(combined.schema.fields.map((f) => f.name)).toEqual([
      'timestamp',
      'station_a.temperature',
      'station_a.pressure',
      'station_b.temperature',
      'station_b.pressure',
    ]);
    expect(await one(pond, '/sensors/combined', 'SELECT COUNT(*) AS cnt, MIN(timestamp) AS t_min, MAX(timestamp) AS t_max FROM source')).toEqual({
      cnt: 24 * 24 + 1,
      t_min: day(1),
      t_max: day(25),
    });

    const temp = await pond.readTable('/sensors/pivot_temperature');
    expect(temp.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual([
      'timestamp:Timestamp<MILLISECOND, UTC>',
      'combined.station_a.temperature:Float64',
      'combined.station_b.temperature:Float64',
    ]);
    expect(temp.numRows).toBe(24 * 24 + 1);
    const t = rows(temp);
    expect(t.slice(0, 5).map((r) => r.timestamp)).toEqual([0, 1, 2, 3, 4].map((h) => day(1, h)));
    t.slice(0, 5).forEach((r, h) => closeTo(r['combined.station_a.temperature'], 20 + 5 * Math.sin((2 * Math.PI * h) / 24)));
    expect(t.slice(-5).map((r) => r['combined.station_a.temperature'])).toEqual([null, null, null, null, null]);
    expect(t[t.length - 1].timestamp).toBe(day(25));
    closeTo(t[t.length - 1]['combined.station_b.temperature'], 22); // the triangle's low at midnight

    const before = rows(
      await pond.query(
        `SELECT timestamp, "combined.station_a.temperature" AS a, "combined.station_b.temperature" AS b FROM source WHERE timestamp < '2024-01-05T00:00:00Z' ORDER BY timestamp`,
        { tables: { source: '/sensors/pivot_temperature' } },
      ),
    );
    expect(before.length).toBe(4 * 24);
    expect(before.every((r) => r.a !== null && r.b === null)).toBe(true);
    expect(
      await one(
        pond,
        '/sensors/pivot_temperature',
        `SELECT COUNT(*) AS overlap_rows FROM source WHERE "combined.station_a.temperature" IS NOT NULL AND "combined.station_b.temperature" IS NOT NULL`,
      ),
    ).toEqual({ overlap_rows: 15 * 24 + 1 });
    const after = rows(
      await pond.query(
        `SELECT "combined.station_a.temperature" AS a, "combined.station_b.temperature" AS b FROM source WHERE timestamp >= '2024-01-20T00:00:00Z'`,
        {
          tables: { source: '/sensors/pivot_temperature' },
        },
      ),
    );
    expect(after.length).toBe(5 * 24 + 1);
    expect(after.filter((r) => r.a !== null).length).toBe(1); // Jan 20 00:00, station A's last row

    const pressure = await pond.readTable('/sensors/pivot_pressure');
    expect(pressure.schema.fields.map((f) => f.name)).toEqual(['timestamp', 'combined.station_a.pressure', 'combined.station_b.pressure']);
    expect(pressure.numRows).toBe(24 * 24 + 1);
    const p = await one(
      pond,
      '/sensors/pivot_pressure',
      `SELECT MIN("combined.station_a.pressure") AS a_min, MAX("combined.station_a.pressure") AS a_max,
              MIN("combined.station_b.pressure") AS b_min, MAX("combined.station_b.pressure") AS b_max FROM source`,
    );
    closeTo(p.a_min, 1010);
    closeTo(p.a_max, 1016);
    closeTo(p.b_min, 1008);
    closeTo(p.b_max, 1012);
  });
});

describe('timeseries-pivot: aliases and padding', () => {
  it('the first capture names each match; a column a match lacks is NULL Float64; timestamps are the union', async () => {
    const { pond } = await openDynamic();
    await series(pond, '/combined/silver/data.series', [1, 2], { WaterTemp: [10, 11], DO: [7, 8] });
    await series(pond, '/combined/bdock/data.series', [2, 3], { WaterTemp: [20, 21] });
    await pond.transact((tx) => tx.mknod('/pivot', 'timeseries-pivot', { pattern: 'series:///combined/*/data.series', columns: ['WaterTemp', 'DO'] }));
    const t = await pond.readTable('/pivot');
    expect(t.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual([
      'timestamp:Timestamp<MILLISECOND, UTC>',
      'bdock.WaterTemp:Float64',
      'bdock.DO:Float64',
      'silver.WaterTemp:Float64',
      'silver.DO:Float64',
    ]);
    expect(rows(t)).toEqual([
      { timestamp: 1000, 'bdock.WaterTemp': null, 'bdock.DO': null, 'silver.WaterTemp': 10, 'silver.DO': 7 },
      { timestamp: 2000, 'bdock.WaterTemp': 20, 'bdock.DO': null, 'silver.WaterTemp': 11, 'silver.DO': 8 },
      { timestamp: 3000, 'bdock.WaterTemp': 21, 'bdock.DO': null, 'silver.WaterTemp': null, 'silver.DO': null },
    ]);
  });

  it('csv:/// inputs go through the strict reader: a broken line is EFACTORY naming it', async () => {
    const { pond } = await openDynamic();
    const enc = (t: string) => new TextEncoder().encode(t);
    await pond.transact(async (tx) => {
      await tx.mkdir('/csv');
      await tx.writeFile('/csv/north.csv', enc('timestamp,v\n1970-01-01T00:00:01Z,1\n'));
      await tx.writeFile('/csv/south.csv', enc('timestamp,v\n1970-01-01T00:00:01Z,2\n1970-01-01T00:00:02Z\n'));
      await tx.mknod('/ok', 'timeseries-pivot', { pattern: 'csv:///csv/north.csv', columns: ['v'] });
      await tx.mknod('/pivot', 'timeseries-pivot', { pattern: 'csv:///csv/*.csv', columns: ['v'] });
    });
    expect(rows(await pond.readTable('/ok')).map((r) => r['north.csv.v'])).toEqual([1]);
    await expect(pond.readTable('/pivot')).rejects.toThrow(/^EFACTORY: \/pivot: \/csv\/south\.csv: CSV line 3: /);
  });

  it('reads again when a matched series gets a new version', async () => {
    const { pond, resolver } = await openDynamic();
    await series(pond, '/s/a.series', [1], { v: [1] });
    await pond.transact((tx) => tx.mknod('/pivot', 'timeseries-pivot', { pattern: '/s/*.series', columns: ['v'] }));
    expect(rows(await pond.readTable('/pivot'))).toEqual([{ timestamp: 1000, 'a.v': 1 }]);
    await series(pond, '/s/a.series', [2], { v: [2] });
    expect(rows(await pond.readTable('/pivot'))).toEqual([
      { timestamp: 1000, 'a.v': 1 },
      { timestamp: 2000, 'a.v': 2 },
    ]);
    expect(resolver.computeCount).toBe(2);
  });

  it('a pattern matching nothing is an error naming the pattern; two matches with one alias are an error', async () => {
    const { pond } = await openDynamic();
    await series(pond, '/p/x/a.series', [1], { v: [1] });
    await series(pond, '/p/y/a.series', [1], { v: [1] });
    await pond.transact(async (tx) => {
      await tx.mknod('/none', 'timeseries-pivot', { pattern: '/nothing/*', columns: ['v'] });
      await tx.mknod('/twice', 'timeseries-pivot', { pattern: '/p/*/a.series', columns: ['v'] });
      await tx.mknod('/same_alias', 'timeseries-pivot', { pattern: '/*/*/a.series', columns: ['v'] });
    });
    await expect(pond.readTable('/none')).rejects.toThrow(/EFACTORY: \/none: no series matched the pattern "\/nothing\/\*"/);
    expect((await pond.readTable('/twice')).schema.fields.map((f) => f.name)).toEqual(['timestamp', 'x.v', 'y.v']);
    await expect(pond.readTable('/same_alias')).rejects.toThrow(/\/p\/x\/a.series and \/p\/y\/a.series both pivot as "p"/);
  });
});

describe('timeseries-pivot: config', () => {
  it('errors are ECONFIG naming the node and the field', async () => {
    const { pond } = await openDynamic();
    const bad = async (config: unknown) =>
      ((await pond.transact((tx) => tx.mknod('/p', 'timeseries-pivot', config)).catch((e: unknown) => e)) as Error).message;
    expect(await bad({ pattern: '/a', columns: [] })).toMatch(/^ECONFIG: \/p: invalid timeseries-pivot config: columns: at least one column must be specified/);
    expect(await bad({ columns: ['v'] })).toMatch(/pattern: /);
    expect(await bad({ pattern: 'excel:///a', columns: ['v'] })).toMatch(/pattern: unknown URL scheme "excel"/);
    expect(await bad({ pattern: '/a', columns: ['v'], extra: 1 })).toMatch(/unknown field "extra"/);
    expect(await bad({ pattern: '/a', columns: [''] })).toMatch(/columns\[0\]: /);
    await pond.transact((tx) => tx.mknod('/ok', 'timeseries-pivot', { pattern: '/a', columns: ['v'] }));
    expect(await pond.config('/ok')).toEqual({ pattern: '/a', columns: ['v'], time_column: 'timestamp' });
  });
});
