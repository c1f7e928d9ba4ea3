// synthetic-timeseries: the Rust DuckPond factory of the same name. Named points, each the sum of
// waveform components (sine, triangle, square, line), sampled from `start` to `end` inclusive.
// Config fields, formulas and output (a series; Timestamp(ms, UTC) then one Float64 per point) are
// Rust's, so a Rust user's YAML gives the same rows here.
import * as arrow from 'apache-arrow';
import { z } from 'zod';
import { defineFactory } from '../dynamic/factory.ts';
import { parseDuration, parseRfc3339 } from './rust-time.ts';

/** Most rows one node may generate (Rust streams without a limit; a tab cannot). */
export const MAX_SYNTHETIC_ROWS = 10_000_000;
const BATCH_ROWS = 65_536;

const duration = z.string().superRefine((s, ctx) => {
  const d = parseDuration(s);
  if (!d.ok) ctx.addIssue({ code: 'custom', message: d.reason });
  else if (d.seconds <= 0) ctx.addIssue({ code: 'custom', message: 'must be a positive duration' });
});

const instant = z.string().superRefine((s, ctx) => {
  const t = parseRfc3339(s);
  if (!t.ok) ctx.addIssue({ code: 'custom', message: t.reason });
});

// Components ignore fields they do not know, as serde does for Rust's internally tagged enum.
const periodic = { amplitude: z.number().default(0), period: duration, offset: z.number().default(0), phase: z.number().default(0) };
const component = z.discriminatedUnion('type', [
  z.object({ type: z.literal('sine'), ...periodic }),
  z.object({ type: z.literal('triangle'), ...periodic }),
  z.object({ type: z.literal('square'), ...periodic }),
  z.object({ type: z.literal('line'), slope: z.number().default(0), offset: z.number().default(0) }),
]);

const point = z
  .object({
    /** Column name of this point (Float64). */
    name: z.string().min(1, 'point name cannot be empty'),
    /** Waveforms whose values are summed. */
    components: z.array(component).min(1, 'a point needs at least one component'),
  })
  .strict();

const schema = z
  .object({
    /** RFC 3339; the first row's time. */
    start: instant,
    /** RFC 3339; the last row is at or before it (inclusive). */
    end: instant,
    /** Time between rows, a humantime duration ("15m", "1h30m"). */
    interval: duration,
    time_column: z.string().min(1).default('timestamp'),
    points: z.array(point).min(1, 'at least one point must be configured'),
  })
  .strict()
  .superRefine((c, ctx) => {
    const start = parseRfc3339(c.start);
    const end = parseRfc3339(c.end);
    if (start.ok && end.ok && end.ms <= start.ms) ctx.addIssue({ code: 'custom', path: ['end'], message: `end (${c.end}) must be after start (${c.start})` });
    const step = parseDuration(c.interval);
    if (step.ok && step.seconds > 0 && intervalMs(step.seconds) <= 0) ctx.addIssue({ code: 'custom', path: ['interval'], message: 'must be at least 1ms' });
    if (start.ok && end.ok && step.ok && end.ms > start.ms && intervalMs(step.seconds) > 0) {
      const rows = Math.floor((end.ms - start.ms) / intervalMs(step.seconds)) + 1;
      if (rows > MAX_SYNTHETIC_ROWS)
        ctx.addIssue({ code: 'custom', path: ['interval'], message: `gives ${rows} rows; at most ${MAX_SYNTHETIC_ROWS} are allowed` });
    }
    const seen = new Set<string>([c.time_column]);
    c.points.forEach((p, i) => {
      if (seen.has(p.name)) {
        const what = p.name === c.time_column ? 'the time_column' : 'a point';
        ctx.addIssue({ code: 'custom', path: ['points', i, 'name'], message: `duplicate name ${JSON.stringify(p.name)} (already ${what})` });
      }
      seen.add(p.name);
    });
  });

export type SyntheticTimeseriesConfig = z.infer<typeof schema>;
/** One waveform component of a point, defaults filled in. */
export type WaveformComponent = z.infer<typeof component>;

/** synthetic-timeseries: deterministic waveform series, the same rows as the Rust factory. */
export const syntheticTimeseries = defineFactory({
  name: 'synthetic-timeseries',
  description: 'Generate synthetic timeseries with configurable waveforms (sine, triangle, square, line)',
  produces: 'file:series',
  schema,
  deterministic: true,
  compute(_ctx, config) {
    return generateSeries(config);
  },
});

/** Rust truncates the interval to whole milliseconds (`(secs * 1000.0) as i64`). */
function intervalMs(seconds: number): number {
  return Math.trunc(seconds * 1000);
}

/** The rows of a (validated) config, in batches of 64 Ki rows. */
export function* generateSeries(config: SyntheticTimeseriesConfig): Generator<arrow.RecordBatch> {
  const start = mustParse(parseRfc3339(config.start)).ms;
  const end = mustParse(parseRfc3339(config.end)).ms;
  const step = intervalMs(mustParse(parseDuration(config.interval)).seconds);
  const timeType = new arrow.TimestampMillisecond('UTC');
  const fields = [new arrow.Field(config.time_column, timeType, false), ...config.points.map((p) => new arrow.Field(p.name, new arrow.Float64(), false))];
  const arrowSchema = new arrow.Schema(fields);
  const points = config.points.map((p) => p.components.map(waveform));
  const rows = Math.floor((end - start) / step) + 1;
  for (let first = 0; first < rows; first += BATCH_ROWS) {
    const n = Math.min(BATCH_ROWS, rows - first);
    const times = new BigInt64Array(n);
    const values = points.map(() => new Float64Array(n));
    for (let i = 0; i < n; i++) {
      const ms = start + (first + i) * step;
      times[i] = BigInt(ms);
      const t = (ms - start) / 1000;
      points.forEach((fs, p) => {
        // Left to right, as Rust's iterator sum.
        let v = fs[0](t);
        for (let k = 1; k < fs.length; k++) v += fs[k](t);
        values[p][i] = v;
      });
    }
    const children = [
      arrow.makeData({ type: timeType, length: n, nullCount: 0, data: times }),
      ...values.map((data) => arrow.makeData({ type: new arrow.Float64(), length: n, nullCount: 0, data })),
    ];
    yield new arrow.RecordBatch(arrowSchema, arrow.makeData({ type: new arrow.Struct(fields), length: n, nullCount: 0, children }));
  }
}

/** A component's value at `t` seconds after start; Rust's formulas, operation for operation. */
export function waveform(c: WaveformComponent): (t: number) => number {
  if (c.type === 'line') return (t) => c.offset + c.slope * t;
  const period = mustParse(parseDuration(c.period)).seconds;
  const { amplitude, offset, phase } = c;
  switch (c.type) {
    case 'sine':
      return (t) => offset + amplitude * Math.sin((2.0 * Math.PI * t) / period + phase);
    case 'triangle':
      return (t) => {
        const tNorm = remEuclid1(t / period + phase / (2.0 * Math.PI));
        const tri = tNorm < 0.5 ? 4.0 * tNorm - 1.0 : 3.0 - 4.0 * tNorm;
        return offset + amplitude * tri;
      };
    case 'square':
      return (t) => offset + amplitude * signum(Math.sin((2.0 * Math.PI * t) / period + phase));
  }
}

/** Rust's `f64::rem_euclid(1.0)`: the remainder, moved into [0, 1] when negative. */
function remEuclid1(x: number): number {
  const r = x % 1.0;
  return r < 0 ? r + 1.0 : r;
}

/** Rust's `f64::signum`: 1 for +0 (so the square wave starts high at t=0), -1 for -0, NaN for NaN. */
function signum(x: number): number {
  if (Number.isNaN(x)) return NaN;
  return x > 0 || Object.is(x, 0) ? 1.0 : -1.0;
}

function mustParse<T extends { ok: boolean }>(r: T): Extract<T, { ok: true }> {
  // The schema has checked every field; a failure here means a stored config bypassed it.
  if (!r.ok) throw new Error(`synthetic-timeseries: ${(r as { reason?: string }).reason ?? 'invalid value'}`);
  return r as Extract<T, { ok: true }>;
}
