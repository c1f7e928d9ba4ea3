// timeseries-pivot: the Rust DuckPond factory of the same name. Picks the same columns out of every
// series a pattern matches and lines them up on the union of their timestamps, one column per
// match and column, named `<alias>.<column>`: the alias is the match's first capture, or its file
// name when the pattern captures nothing. A column an input lacks is NULL (Float64), as Rust pads it.
import * as arrow from 'apache-arrow';
import { z } from 'zod';
import { defineFactory, type FactoryContext } from '../dynamic/factory.ts';
import { defaultSqlEngine } from '../dynamic/query.ts';
import { basename, dirname } from '../tinyfs/path.ts';
import { applyTransforms } from './column-rename.ts';
import { DEFAULT_SQL_QUERY_TIMEOUT_MS } from './sql_query.ts';
import { seriesPatternField } from './pattern-inputs.ts';
import { inputError, quote, readInputTables, retypeTime, sameType } from './series-inputs.ts';

const schema = z
  .object({
    /** The series to pivot; each `*` captures (the first capture names the match). */
    pattern: seriesPatternField,
    /** Columns taken from every match. */
    columns: z.array(z.string().min(1)).min(1, 'at least one column must be specified'),
    /** The time column of the inputs and the output (default `timestamp`). */
    time_column: z.string().min(1).default('timestamp'),
    /** Paths of column-rename nodes applied to every matched table first, in order. */
    transforms: z.array(z.string().min(1)).optional(),
  })
  .strict();

export type TimeseriesPivotConfig = z.infer<typeof schema>;

/** timeseries-pivot: the same columns of several series side by side, `<capture or basename>.<column>` (Rust's factory). */
export const timeseriesPivot = defineFactory({
  name: 'timeseries-pivot',
  description: 'Pivot a timeseries by value column',
  produces: 'file:series',
  schema,
  compute: (ctx, config) => pivotSeries(ctx, config),
});

async function pivotSeries(ctx: FactoryContext, config: TimeseriesPivotConfig): Promise<arrow.Table> {
  const time = config.time_column;
  const matches = await readInputTables(ctx, config.pattern, dirname(ctx.path));
  if (matches.length === 0) throw inputError(ctx.path, `no series matched the pattern ${JSON.stringify(config.pattern)}`);
  const aliases = new Map<string, string>();
  for (const m of matches) m.table = await applyTransforms(ctx, m.table, config.transforms, dirname(ctx.path), m.path);
  const inputs = matches.map((m, k) => {
    const alias = m.captures[0] ?? basename(m.path);
    const other = aliases.get(alias);
    if (other !== undefined) throw inputError(ctx.path, `${other} and ${m.path} both pivot as "${alias}"; capture a distinguishing part of their paths`);
    aliases.set(alias, m.path);
    const field = m.table.schema.fields.find((f) => f.name === time);
    if (!field) throw inputError(ctx.path, `${m.path} has no time column "${time}"`);
    return { name: `input${k}`, alias, timeType: field.type, tables: [pick(m.table, time, alias, config.columns)] };
  });
  const t = quote(time);
  const sql = [
    `WITH all_timestamps AS (${inputs.map((i) => `SELECT ${t} FROM ${i.name}`).join(' UNION ')})`,
    `SELECT ${[`all_timestamps.${t}`, ...inputs.flatMap((i) => config.columns.map((c) => `${i.name}.${quote(`${i.alias}.${c}`)}`))].join(', ')}`,
    'FROM all_timestamps',
    ...inputs.map((i) => `LEFT JOIN ${i.name} ON all_timestamps.${t} = ${i.name}.${t}`),
    `ORDER BY all_timestamps.${t}`,
  ].join('\n');
  const engine = await defaultSqlEngine();
  const result = await engine.query(sql, { tables: inputs, timeoutMs: DEFAULT_SQL_QUERY_TIMEOUT_MS, path: ctx.path });
  const same = inputs.every((i) => sameType(i.timeType, inputs[0].timeType));
  return same ? retypeTime(result, time, inputs[0].timeType) : result;
}

/** The time column and `columns` of `table`, the latter renamed `<alias>.<column>`; a missing one is all NULL Float64. */
function pick(table: arrow.Table, time: string, alias: string, columns: string[]): arrow.Table {
  const index = (name: string) => table.schema.fields.findIndex((f) => f.name === name);
  const timeField = table.schema.fields[index(time)];
  const fields = [
    timeField,
    ...columns.map((c) => {
      const i = index(c);
      return new arrow.Field(`${alias}.${c}`, i < 0 ? new arrow.Float64() : table.schema.fields[i].type, true);
    }),
  ];
  const schema = new arrow.Schema(fields);
  const batches = table.batches.map((b) => {
    const n = b.numRows;
    const children = [
      b.data.children[index(time)],
      ...columns.map((c) => {
        const i = index(c);
        if (i >= 0) return b.data.children[i];
        return arrow.makeData({ type: new arrow.Float64(), length: n, nullCount: n, nullBitmap: new Uint8Array(Math.ceil(n / 8)), data: new Float64Array(n) });
      }),
    ];
    return new arrow.RecordBatch(schema, arrow.makeData({ type: new arrow.Struct(fields), length: n, nullCount: 0, children }));
  });
  return new arrow.Table(schema, batches);
}
