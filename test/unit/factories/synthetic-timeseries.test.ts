// synthetic-timeseries against the Rust DuckPond: scenario 100 of its testsuite, each waveform's
// formula at chosen points, durations and timestamps as Rust parses them, and config errors.
// Reference figures come from Rust's formulas evaluated with glibc's sin (as a Linux build of
// Rust does), operation for operation; they must agree within 1e-9 relative.
import { describe, it, expect } from 'vitest';
import * as arrow from 'apache-arrow';
import { openDynamic } from '../dynamic/fixtures.ts';
import { generateSeries, syntheticTimeseries, waveform } from '../../../src/core/factories/synthetic-timeseries.ts';
import { parseDuration, parseRfc3339 } from '../../../src/core/factories/rust-time.ts';
import { parseConfigText } from '../../../src/core/dynamic/config.ts';
import { FACTORY_EXAMPLES } from '../../../workers/factory-examples.ts';

/** testsuite/tests/100-synthetic-timeseries-basic.sh, the config verbatim. */
const SCENARIO_100 = `start: "2024-01-01T00:00:00Z"
end: "2024-01-02T00:00:00Z"
interval: "15m"
time_column: "timestamp"
points:
  - name: "temperature"
    components:
      - type: sine
        amplitude: 10.0
        period: "24h"
        offset: 20.0
      - type: line
        slope: 0.0002

  - name: "pressure"
    components:
      - type: sine
        amplitude: 5.0
        period: "12h"
        offset: 1013.0
      - type: square
        amplitude: 2.0
        period: "6h"

  - name: "humidity"
    components:
      - type: triangle
        amplitude: 15.0
        period: "8h"
        offset: 60.0
      - type: sine
        amplitude: 3.0
        period: "3h"
        phase: 1.57
`;

const closeTo = (actual: number, expected: number) => {
  const tol = 1e-9 * Math.max(1, Math.abs(expected));
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(tol);
};
const cfg = (c: Record<string, unknown>) => syntheticTimeseries.schema.parse(c);
const collect = (c: Record<string, unknown>) => new arrow.Table([...generateSeries(cfg(c))]);
const H = 3600;
const T0 = Date.UTC(2024, 0, 1);
/** The value of one component (defaults filled in as the schema does) at t seconds. */
const at = (component: Record<string, unknown>, t: number) =>
  waveform(
    cfg({ start: '2024-01-01T00:00:00Z', end: '2024-01-02T00:00:00Z', interval: '1h', points: [{ name: 'v', components: [component] }] }).points[0]
      .components[0],
  )(t);

describe('synthetic-timeseries: Rust scenario 100', () => {
  it('the Rust YAML, unchanged, makes a series with the rows, times, columns and ranges the script checks', async () => {
    const { pond } = await openDynamic();
    await pond.transact(async (tx) => {
      await tx.mkdir('/sensors');
      await tx.mknod('/sensors/synth', 'synthetic-timeseries', SCENARIO_100);
    });
    expect((await pond.stat('/sensors/synth')).type).toBe('file:series');
    const t = await pond.readTable('/sensors/synth');
    expect(t.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual([
      'timestamp:Timestamp<MILLISECOND, UTC>',
      'temperature:Float64',
      'pressure:Float64',
      'humidity:Float64',
    ]);
    expect(t.schema.fields.every((f) => !f.nullable)).toBe(true);

    // Row count and time range: 0:00 .. 24:00 every 15 minutes, end included.
    expect(t.numRows).toBe(97);
    const times = [...t.getChild('timestamp')!].map(Number);
    expect(times[0]).toBe(T0);
    expect(times[96]).toBe(Date.UTC(2024, 0, 2));
    expect(times.every((ms, i) => ms === T0 + i * 900_000)).toBe(true);

    // Value ranges, first and last rows (Rust's figures).
    const expected = {
      temperature: {
        min: 20.0,
        max: 37.28000000000001,
        first5: [20.0, 20.83403129230143, 21.665261922200514, 22.490903220161282, 23.308190451025204],
        last: 37.28000000000001,
      },
      pressure: { min: 1006.0427756931309, max: 1020.0, first5: [1015.0, 1015.6526309611003, 1016.2940952255126, 1016.9134171618255, 1017.5], last: 1015.0 },
      humidity: {
        min: 43.49793155811862,
        max: 77.9999990487955,
        first5: [47.9999990487955, 49.474269877652155, 50.25206844188137, 50.6273889801322, 51.00206939308587],
        last: 47.9999990487955,
      },
    };
    for (const [name, e] of Object.entries(expected)) {
      const v = [...t.getChild(name)!] as number[];
      closeTo(Math.min(...v), e.min);
      closeTo(Math.max(...v), e.max);
      e.first5.forEach((x, i) => closeTo(v[i], x));
      closeTo(v[96], e.last);
    }
  });

  it('SQL over it gives the script figures (COUNT, MIN/MAX timestamp, value ranges)', async () => {
    const { pond } = await openDynamic();
    await pond.transact((tx) => tx.mknod('/synth', 'synthetic-timeseries', SCENARIO_100));
    const r = await pond.query(
      'SELECT COUNT(*) AS row_count, MIN(timestamp) AS first_ts, MAX(timestamp) AS last_ts, MIN(pressure) AS pres_min, MAX(pressure) AS pres_max FROM source',
      { tables: { source: '/synth' } },
    );
    const row = r.get(0)!.toJSON();
    expect(Number(row.row_count)).toBe(97);
    expect(Number(row.first_ts)).toBe(T0);
    expect(Number(row.last_ts)).toBe(Date.UTC(2024, 0, 2));
    closeTo(Number(row.pres_min), 1006.0427756931309);
    closeTo(Number(row.pres_max), 1020.0);
  });

  it('is deterministic: cached like a seeded scribble, the same bytes after the cache is dropped', async () => {
    const { pond, resolver } = await openDynamic();
    await pond.transact((tx) => tx.mknod('/synth', 'synthetic-timeseries', SCENARIO_100));
    const first = await pond.readFile('/synth');
    await pond.readFile('/synth');
    expect(resolver.computeCount).toBe(1);
    resolver.clearCache();
    expect(await pond.readFile('/synth')).toEqual(first);
    expect(resolver.computeCount).toBe(2);
  });
});

describe('synthetic-timeseries: waveforms, Rust formulas', () => {
  it('sine: offset + amplitude·sin(2π·t/period + phase)', () => {
    const c = { type: 'sine', amplitude: 10, period: '24h', offset: 20 };
    closeTo(at(c, 0), 20);
    closeTo(at(c, 6 * H), 30);
    closeTo(at(c, 12 * H), 20);
    closeTo(at(c, 18 * H), 10);
    closeTo(at(c, 24 * H), 20);
    closeTo(at({ ...c, phase: Math.PI / 2 }, 0), 30);
    closeTo(at(c, 3 * H), 20 + 10 * Math.SQRT1_2);
  });

  it('triangle: -1 at t=0, 0 at a quarter, +1 at half, 0 at three quarters, phase in radians', () => {
    const c = { type: 'triangle', amplitude: 10, period: '4h' };
    closeTo(at(c, 0), -10);
    closeTo(at(c, H), 0);
    closeTo(at(c, 2 * H), 10);
    closeTo(at(c, 3 * H), 0);
    closeTo(at(c, 4 * H), -10);
    closeTo(at({ ...c, offset: 5 }, H / 2), 5 - 5);
    closeTo(at({ ...c, phase: Math.PI }, 0), 10); // half a period ahead
    closeTo(at({ ...c, phase: -Math.PI / 2 }, 0), 0); // rem_euclid keeps a negative phase in [0, 1)
  });

  it('square: sign(sin), +amplitude at t=0 (Rust signum(+0) is 1), -amplitude in the second half', () => {
    const c = { type: 'square', amplitude: 5, period: '2h', offset: 1 };
    expect(at(c, 0)).toBe(6);
    expect(at(c, 1)).toBe(6);
    expect(at(c, H / 2)).toBe(6);
    expect(at(c, H)).toBe(6); // sin(π) is +1.2e-16 in doubles
    expect(at(c, H + 1)).toBe(-4);
    expect(at(c, 1.5 * H)).toBe(-4);
    expect(at(c, 2 * H)).toBe(-4); // sin(2π) is -2.4e-16
    expect(at({ ...c, phase: -0 }, 0)).toBe(6); // 0 + -0 is +0, in Rust too
    expect(at({ ...c, phase: Math.PI }, 0)).toBe(6); // sin(π) is +1.2e-16 here too
    expect(at({ ...c, phase: Math.PI }, 1)).toBe(-4);
  });

  it('line: offset + slope·t, t in seconds since start; omitted parameters are 0', () => {
    closeTo(at({ type: 'line', slope: 0.001, offset: 100 }, 0), 100);
    closeTo(at({ type: 'line', slope: 0.001, offset: 100 }, 1000), 101);
    closeTo(at({ type: 'line', slope: 0.0002 }, 86_400), 17.28);
    expect(at({ type: 'sine', period: '1h' }, 900)).toBe(0);
  });

  it('a point is the sum of its components', () => {
    const t = collect({
      start: '2024-01-01T00:00:00Z',
      end: '2024-01-01T00:30:00Z',
      interval: '10m',
      time_column: 'ts',
      points: [
        {
          name: 'sum',
          components: [
            { type: 'line', offset: 100 },
            { type: 'line', offset: 50 },
          ],
        },
        { name: 'other', components: [{ type: 'line', offset: 1013 }] },
      ],
    });
    expect(t.schema.fields.map((f) => f.name)).toEqual(['ts', 'sum', 'other']);
    expect(t.numRows).toBe(4);
    expect([...t.getChild('sum')!]).toEqual([150, 150, 150, 150]);
  });

  it('the end is inclusive when on the grid, and the last row before it otherwise; long ranges span batches', () => {
    const base = { start: '2024-01-01T00:00:00Z', points: [{ name: 'v', components: [{ type: 'line', slope: 1 }] }] };
    expect(collect({ ...base, end: '2024-01-01T01:00:00Z', interval: '15m' }).numRows).toBe(5);
    const off = collect({ ...base, end: '2024-01-01T01:10:00Z', interval: '15m' });
    expect(off.numRows).toBe(5);
    expect(Number(off.getChild('timestamp')!.get(4))).toBe(T0 + H * 1000);
    const day = collect({ ...base, end: '2024-01-02T00:00:00Z', interval: '1s' });
    expect(day.numRows).toBe(86_401);
    expect(day.batches.length).toBe(2);
    const v = day.getChild('v')!;
    expect([v.get(65_535), v.get(65_536), v.get(86_400)]).toEqual([65_535, 65_536, 86_400]);
  });
});

describe('synthetic-timeseries: durations and times as Rust parses them', () => {
  it('humantime durations', () => {
    const secs = (s: string) => {
      const d = parseDuration(s);
      return d.ok ? d.seconds : d.reason;
    };
    expect([secs('30s'), secs('15m'), secs('1h'), secs('24h'), secs('1h30m'), secs('2h 15min'), secs('2d'), secs('1w')]).toEqual([
      30, 900, 3600, 86_400, 5400, 8100, 172_800, 604_800,
    ]);
    expect([secs('500ms'), secs('1M'), secs('1y'), secs('1s 500ms')]).toEqual([0.5, 2_630_016, 31_557_600, 1.5]);
    expect(secs('15')).toMatch(/time unit needed/);
    expect(secs('1.5h')).toMatch(/invalid character at 1/);
    expect(secs('6 hours later')).toMatch(/expected a number at 8/);
    expect(secs('3 fortnights')).toMatch(/unknown time unit "fortnights"/);
    expect(secs('')).toMatch(/empty/);
  });

  it('RFC 3339 timestamps with an offset, milliseconds truncated', () => {
    const ms = (s: string) => {
      const t = parseRfc3339(s);
      return t.ok ? t.ms : t.reason;
    };
    expect(ms('2024-01-01T00:00:00Z')).toBe(T0);
    expect(ms('2024-01-01T02:00:00+02:00')).toBe(T0);
    expect(ms('2024-01-01 00:00:00.123456z')).toBe(T0 + 123);
    expect(ms('2024-02-29T00:00:00Z')).toBe(Date.UTC(2024, 1, 29));
    expect(ms('2024-01-01T00:00:00')).toMatch(/not an RFC 3339/);
    expect(ms('2024-01-01')).toMatch(/not an RFC 3339/);
    expect(ms('2023-02-29T00:00:00Z')).toMatch(/not a valid date/);
  });
});

describe('synthetic-timeseries: config', () => {
  const good = {
    start: '2024-01-01T00:00:00Z',
    end: '2024-01-02T00:00:00Z',
    interval: '15m',
    points: [{ name: 't', components: [{ type: 'line', offset: 20 }] }],
  };

  it('stores the config with Rust defaults (time_column "timestamp", parameters 0) and ignores unknown component fields as serde does', async () => {
    const stored = cfg({ ...good, points: [{ name: 't', components: [{ type: 'sine', period: '1h', color: 'red' }] }] });
    expect(stored.time_column).toBe('timestamp');
    expect(stored.points[0].components[0]).toEqual({ type: 'sine', period: '1h', amplitude: 0, offset: 0, phase: 0 });
  });

  it("the create dialog's example (the Rust docs' config) validates and is scenario 100", () => {
    const example = cfg(parseConfigText(FACTORY_EXAMPLES['synthetic-timeseries'], '/x') as Record<string, unknown>);
    expect(example).toEqual(cfg(parseConfigText(SCENARIO_100, '/x') as Record<string, unknown>));
  });

  it('errors are ECONFIG naming the field', async () => {
    const { pond } = await openDynamic();
    const bad = async (config: unknown) =>
      ((await pond.transact((tx) => tx.mknod('/s', 'synthetic-timeseries', config)).catch((e: unknown) => e)) as Error).message;
    const withComponent = (c: Record<string, unknown>) => ({ ...good, points: [{ name: 't', components: [c] }] });
    expect(await bad(withComponent({ type: 'sawtooth', period: '1h' }))).toMatch(
      /^ECONFIG: \/s: invalid synthetic-timeseries config: points\[0\]\.components\[0\]\.type: .*'sine' \| 'triangle' \| 'square' \| 'line'/,
    );
    expect(await bad(withComponent({ amplitude: 1 }))).toMatch(/points\[0\]\.components\[0\]\.type: required/);
    expect(await bad(withComponent({ type: 'sine' }))).toMatch(/points\[0\]\.components\[0\]\.period: /);
    expect(await bad(withComponent({ type: 'square', period: '6 fortnights' }))).toMatch(
      /points\[0\]\.components\[0\]\.period: unknown time unit "fortnights"/,
    );
    expect(await bad(withComponent({ type: 'sine', period: '0s' }))).toMatch(/points\[0\]\.components\[0\]\.period: must be a positive duration/);
    expect(await bad({ ...good, end: '2023-12-31T00:00:00Z' })).toMatch(/end: end \(2023-12-31T00:00:00Z\) must be after start \(2024-01-01T00:00:00Z\)/);
    expect(await bad({ ...good, end: good.start })).toMatch(/end: end .* must be after start/);
    expect(await bad({ ...good, interval: '0s' })).toMatch(/interval: must be a positive duration/);
    expect(await bad({ ...good, interval: '500us' })).toMatch(/interval: must be at least 1ms/);
    expect(await bad({ ...good, interval: '1ms' })).toMatch(/interval: gives 86400001 rows; at most 10000000/);
    expect(await bad({ ...good, start: 'yesterday' })).toMatch(/start: not an RFC 3339 timestamp/);
    expect(await bad({ ...good, colour: 'blue' })).toMatch(/unknown field "colour"/);
    expect(await bad({ ...good, points: [{ name: 't', components: [{ type: 'line' }], unit: 'C' }] })).toMatch(/points\[0\]: unknown field "unit"/);
    expect(await bad({ ...good, points: [] })).toMatch(/points: at least one point must be configured/);
    expect(await bad({ ...good, points: [{ name: 't', components: [] }] })).toMatch(/points\[0\]\.components: a point needs at least one component/);
    expect(await bad({ ...good, points: [...good.points, ...good.points] })).toMatch(/points\[1\]\.name: duplicate name "t"/);
    expect(await bad({ ...good, points: [{ name: 'timestamp', components: [{ type: 'line' }] }] })).toMatch(
      /points\[0\]\.name: duplicate name "timestamp" \(already the time_column\)/,
    );
    expect(await bad({ start: good.start })).toMatch(/end: .*; interval: .*; points: /);
  });
});
