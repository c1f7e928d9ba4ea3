// timeseries-join: the Rust DuckPond factory of the same name. Inputs that share a scope are
// combined with UNION BY NAME, scopes are FULL OUTER JOINed on the time column, and every column but
// the time column is renamed `<scope>.<column>`. The config fields, the SQL's shape (and so its
// row counts, order and quirks) and the output (a series whose time column keeps the inputs' type)
// are Rust's.
import * as arrow from 'apache-arrow';
import { z } from 'zod';
import { defineFactory, type FactoryContext } from '../dynamic/factory.ts';
import { defaultSqlEngine } from '../dynamic/query.ts';
import { filterTimeRange } from '../arrow/event-time.ts';
import { parseRfc3339 } from './rust-time.ts';
import { DEFAULT_SQL_QUERY_TIMEOUT_MS } from './sql_query.ts';
import { applyTransforms } from './column-rename.ts';
import { dirname } from '../tinyfs/path.ts';
import { inputError, prefixColumns, quote, readInputTables, retypeTime, sameType } from './series-inputs.ts';
import { seriesPatternField } from './pattern-inputs.ts';

const instant = z.string().superRefine((s, ctx) => {
  const t = parseRfc3339(s);
  if (!t.ok) ctx.addIssue({ code: 'custom', message: `${t.reason} (expected RFC 3339, e.g. 2023-11-06T14:00:00Z)` });
});

const input = z
  .object({
    /** Which series this input reads; a pattern that matches nothing is an empty input. */
    pattern: seriesPatternField,
    /** Keep only rows whose time lies in [begin, end] (both RFC 3339, both optional, inclusive). */
    range: z.object({ begin: instant.optional(), end: instant.optional() }).strict().optional(),
    /** Prefix of this input's columns: `temperature` -> `<scope>.temperature`. */
    scope: z.string().min(1).optional(),
    /** Paths of column-rename nodes applied to this input's tables first, in order. */
    transforms: z.array(z.string().min(1)).optional(),
  })
  .strict();

const schema = z
  .object({
    /** The time column every input has and the output keeps (default `timestamp`). */
    time_column: z.string().min(1).default('timestamp'),
    inputs: z
      .array(input)
      .min(1, 'at least one input must be specified')
      .min(2, 'timeseries-join requires at least 2 inputs (use sql-derived-series for a single source)'),
  })
  .strict()
  .superRefine((c, ctx) => {
    c.inputs.forEach((inp, i) => {
      const begin = inp.range?.begin === undefined ? undefined : parseRfc3339(inp.range.begin);
      const end = inp.range?.end === undefined ? undefined : parseRfc3339(inp.range.end);
      if (begin?.ok && end?.ok && end.ms < begin.ms)
        ctx.addIssue({ code: 'custom', path: ['inputs', i, 'range', 'end'], message: `end (${inp.range?.end}) is before begin (${inp.range?.begin})` });
    });
  });

export type TimeseriesJoinConfig = z.infer<typeof schema>;

/** timeseries-join: scoped full outer join of time series on their time column (Rust's factory). */
export const timeseriesJoin = defineFactory({
  name: 'timeseries-join',
  description: 'Create time series join files with automatic COALESCE and FULL OUTER JOIN',
  produces: 'file:series',
  schema,
  compute: (ctx, config) => joinSeries(ctx, config),
});

/** One bound SQL table: an input that matched something. */
interface Bound {
  name: string;
  tables: arrow.Table[];
}

async function joinSeries(ctx: FactoryContext, config: TimeseriesJoinConfig): Promise<arrow.Table> {
  const time = config.time_column;
  const bound = new Map<number, Bound>();
  const timeTypes: arrow.DataType[] = [];
  for (const [i, inp] of config.inputs.entries()) {
    const range = { start: ms(inp.range?.begin), end: ms(inp.range?.end) };
    const tables: arrow.Table[] = [];
    for (const m of await readInputTables(ctx, inp.pattern, dirname(ctx.path))) {
      // Transforms first, then the range and the scope prefix, as in Rust.
      const table = await applyTransforms(ctx, m.table, inp.transforms, dirname(ctx.path), m.path);
      const field = table.schema.fields.find((f) => f.name === time);
      if (!field)
        throw inputError(ctx.path, `input ${i} (${m.path}) has no time column "${time}" (columns: ${table.schema.fields.map((f) => f.name).join(', ')})`);
      timeTypes.push(field.type);
      let t = inp.range ? filterTimeRange(table, time, range) : table;
      if (inp.scope !== undefined) t = prefixColumns(t, (n) => (n === time ? n : `${inp.scope}.${n}`));
      tables.push(t);
    }
    if (tables.length) bound.set(i, { name: `input${i}`, tables });
  }
  const groups = scopeGroups(config);
  const live = groups.map((g) => g.filter((i) => bound.has(i))).filter((g) => g.length > 0);
  if (live.length === 0) {
    // Every input empty: Rust's placeholder, a lone time column (µs, UTC) and no rows.
    return new arrow.Table(new arrow.Schema([new arrow.Field(time, new arrow.TimestampMicrosecond('UTC'), true)]));
  }
  checkDistinctColumns(ctx.path, time, live, bound);
  const sql = joinSql(time, live, groups.length > 1);
  const engine = await defaultSqlEngine();
  const result = await engine.query(sql, { tables: [...bound.values()], timeoutMs: DEFAULT_SQL_QUERY_TIMEOUT_MS, path: ctx.path });
  const same = timeTypes.every((t) => sameType(t, timeTypes[0]));
  return same ? retypeTime(result, time, timeTypes[0]) : result;
}

/**
 * Input indexes grouped by scope, in Rust's order: a BTreeMap keyed by the scope, or `_none_<i>`
 * for an input without one (so each unscoped input is its own group).
 */
export function scopeGroups(config: Pick<TimeseriesJoinConfig, 'inputs'>): number[][] {
  const byKey = new Map<string, number[]>();
  config.inputs.forEach((inp, i) => {
    const key = inp.scope ?? `_none_${i}`;
    byKey.set(key, [...(byKey.get(key) ?? []), i]);
  });
  return [...byKey.keys()].sort(byCodePoint).map((k) => byKey.get(k) as number[]);
}

/** Rust's string order (UTF-8 bytes, i.e. code points), not UTF-16 units. */
function byCodePoint(a: string, b: string): number {
  const x = [...a].map((c) => c.codePointAt(0) as number);
  const y = [...b].map((c) => c.codePointAt(0) as number);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

/**
 * The SQL Rust generates, over the inputs that matched something: one CTE per scope (UNION BY NAME
 * of its inputs), each scope FULL OUTER JOINed to the first on the time column, the time COALESCEd
 * and ordered. With a single scope in the config it is `SELECT *` of it.
 */
export function joinSql(time: string, groups: number[][], joined: boolean): string {
  const t = quote(time);
  const ctes = groups.map((g, k) => `scope_combined${k} AS (${g.map((i) => `SELECT * FROM input${i}`).join(' UNION BY NAME ')})`);
  const names = groups.map((_, k) => `scope_combined${k}`);
  if (!joined) return `WITH ${ctes.join(',\n')}\nSELECT * FROM ${names[0]} ORDER BY ${t}`;
  const select = [`COALESCE(${names.map((n) => `${n}.${t}`).join(', ')}) AS ${t}`, ...names.map((n) => `${n}.* EXCLUDE (${t})`)];
  const from = [names[0], ...names.slice(1).map((n) => `FULL OUTER JOIN ${n} ON ${names[0]}.${t} = ${n}.${t}`)];
  return `WITH ${ctes.join(',\n')}\nSELECT ${select.join(', ')}\nFROM ${from.join('\n')}\nORDER BY ${t}`;
}

/** Two scopes (or unscoped inputs) giving the same output column would collide: say which. */
function checkDistinctColumns(path: string, time: string, groups: number[][], bound: Map<number, Bound>): void {
  const owner = new Map<string, number>();
  groups.forEach((g, k) => {
    const names = new Set(g.flatMap((i) => (bound.get(i) as Bound).tables.flatMap((t) => t.schema.fields.map((f) => f.name.toLowerCase()))));
    for (const n of names) {
      if (n === time.toLowerCase()) continue;
      const first = owner.get(n);
      if (first !== undefined && first !== k)
        throw inputError(
          path,
          `column "${n}" comes from more than one scope group (inputs ${groups[first].join(', ')} and ${g.join(', ')}); give the inputs distinct scopes`,
        );
      owner.set(n, k);
    }
  });
}

function ms(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const t = parseRfc3339(text);
  return t.ok ? t.ms : undefined;
}
