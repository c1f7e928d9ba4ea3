import * as arrow from 'apache-arrow';
import { z } from 'zod';
import { defineFactory } from '../dynamic/factory.ts';
import { configRecord } from '../dynamic/config.ts';
import { Prng, randomSeed } from './prng.ts';
import { arrowType, columnType, makeBatch, type ColumnType } from './columns.ts';

/** Most rows one scribble node may generate (keeps a typo from exhausting a tab's memory). */
export const MAX_SCRIBBLE_ROWS = 5_000_000;
const BATCH_ROWS = 65_536;
const DISTRIBUTIONS = ['uniform', 'normal', 'exponential'] as const;

const column = z
  .object({
    name: z.string().min(1),
    type: columnType,
    /** Numbers: overrides the node's `distribution`. */
    distribution: z.enum(DISTRIBUTIONS).optional(),
    /** Uniform numbers: inclusive range (default 0..100). */
    min: z.number().optional(),
    max: z.number().optional(),
    /** Normal: mean (default 0) and standard deviation (default 1); exponential: mean (default 1). */
    mean: z.number().optional(),
    stddev: z.number().positive().optional(),
    /** Strings: pick uniformly from these (default: random 8-letter words). */
    values: z.array(z.string()).min(1).optional(),
    /** Booleans: probability of true (default 0.5). */
    probability: z.number().min(0).max(1).optional(),
    /** Timestamps: first value (ISO 8601 or ms since the epoch; default 2024-01-01T00:00:00Z) and the step between rows. */
    start: z.union([z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not an ISO 8601 date'), z.number()]).optional(),
    step_ms: z.number().optional(),
    /** Fraction of rows that are null (default 0). */
    null_fraction: z.number().min(0).max(1).optional(),
  })
  .strict()
  .refine((c) => c.min === undefined || c.max === undefined || c.min <= c.max, { message: 'min must not exceed max', path: ['min'] });

const schema = z
  .object({
    /** Columns in order; the short form `{name: type}` is stored as the list form. */
    schema: z.union([
      z.array(column).min(1),
      configRecord(z.string().min(1), columnType).transform((m) => Object.entries(m).map(([name, type]) => ({ name, type }))),
    ]),
    row_count: z.number().int().min(0).max(MAX_SCRIBBLE_ROWS),
    /** Same seed, same bytes, on every read and machine. Without one each compute differs (and expires). */
    seed: z.union([z.number().int(), z.string()]).optional(),
    distribution: z.enum(DISTRIBUTIONS).default('uniform'),
    output_type: z.enum(['file:table', 'file:series']).default('file:table'),
  })
  .strict()
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.schema.forEach((col, i) => {
      if (seen.has(col.name)) ctx.addIssue({ code: 'custom', path: ['schema', i, 'name'], message: `duplicate column name ${JSON.stringify(col.name)}` });
      seen.add(col.name);
    });
  });

export type ScribbleConfig = z.infer<typeof schema>;
type Column = z.infer<typeof column> | { name: string; type: ColumnType };

/** scribble: synthetic tables from a column schema, reproducible with a seed. */
export const scribble = defineFactory({
  name: 'scribble',
  description: 'Synthetic data: row_count rows of the given column types; byte-identical on every read when seeded.',
  produces: (c: ScribbleConfig) => c.output_type,
  schema,
  deterministic: (c: ScribbleConfig) => c.seed !== undefined,
  compute(_ctx, config) {
    return generate(config);
  },
});

/** The rows of a scribble config, in batches of 64 Ki rows. */
export function* generate(config: ScribbleConfig): Generator<arrow.RecordBatch> {
  const seed = config.seed ?? randomSeed();
  const fields = config.schema.map((c) => new arrow.Field(c.name, arrowType(c.type), true));
  const arrowSchema = new arrow.Schema(fields);
  const makers = config.schema.map((c) => columnMaker(c, seed, config.distribution));
  let done = 0;
  do {
    const n = Math.min(BATCH_ROWS, config.row_count - done);
    yield makeBatch(
      arrowSchema,
      makers.map((m) => m(done, n)),
      n,
    );
    done += n;
  } while (done < config.row_count);
}

/** A column's generator: each column draws from its own stream, so adding one changes no other. */
function columnMaker(col: Column, seed: number | string, fallback: (typeof DISTRIBUTIONS)[number]): (first: number, n: number) => arrow.Vector {
  const c = col as z.infer<typeof column>;
  const rng = new Prng(seed, `column:${c.name}`);
  const nulls = new Prng(seed, `nulls:${c.name}`);
  const nullFraction = c.null_fraction ?? 0;
  const value = valueMaker(c, rng, c.distribution ?? fallback);
  const type = arrowType(c.type);
  return (first, n) => {
    const builder = arrow.makeBuilder({ type, nullValues: [null] });
    for (let i = 0; i < n; i++) {
      const v = value(first + i);
      builder.append(nullFraction > 0 && nulls.next() < nullFraction ? null : v);
    }
    return builder.finish().toVector();
  };
}

function valueMaker(c: z.infer<typeof column>, rng: Prng, dist: (typeof DISTRIBUTIONS)[number]): (row: number) => unknown {
  switch (c.type) {
    case 'timestamp': {
      const start = c.start === undefined ? Date.UTC(2024, 0, 1) : typeof c.start === 'number' ? c.start : Date.parse(c.start);
      const step = c.step_ms ?? 60_000;
      return (row) => start + row * step;
    }
    case 'boolean': {
      const p = c.probability ?? 0.5;
      return () => rng.next() < p;
    }
    case 'string': {
      const values = c.values;
      if (values) return () => values[rng.int(0, values.length - 1)];
      return () => {
        let s = '';
        for (let i = 0; i < 8; i++) s += String.fromCharCode(97 + rng.int(0, 25));
        return s;
      };
    }
    case 'integer': {
      const num = numberMaker(c, rng, dist, true);
      return () => BigInt(num());
    }
    case 'float':
      return numberMaker(c, rng, dist, false);
  }
}

function numberMaker(c: z.infer<typeof column>, rng: Prng, dist: (typeof DISTRIBUTIONS)[number], integer: boolean): () => number {
  if (dist === 'normal') {
    const mean = c.mean ?? 0,
      sd = c.stddev ?? 1;
    return integer ? () => Math.round(mean + sd * rng.normal()) : () => mean + sd * rng.normal();
  }
  if (dist === 'exponential') {
    const mean = c.mean ?? 1;
    return integer ? () => Math.round(rng.exponential(mean)) : () => rng.exponential(mean);
  }
  const min = c.min ?? 0,
    max = c.max ?? 100;
  if (integer) {
    const lo = Math.ceil(min),
      hi = Math.floor(max);
    return () => rng.int(lo, hi);
  }
  return () => min + rng.next() * (max - min);
}
