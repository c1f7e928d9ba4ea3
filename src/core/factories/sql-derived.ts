// sql-derived-table and sql-derived-series: the Rust DuckPond factories of those names. SQL over the
// tables that named patterns match (each name is a table in the query; several matches are unioned
// by column name), default query `SELECT * FROM <the one name>`, optional column-rename transforms.
// Patterns take the Rust URL schemes: `table:///`, `series:///`, and `csv:///` for stored CSV files.
import type * as arrow from 'apache-arrow';
import { z } from 'zod';
import { defineFactory, type FactoryContext } from '../dynamic/factory.ts';
import { configRecord } from '../dynamic/config.ts';
import { TABLE_NAME } from '../dynamic/query.ts';
import { pondError } from '../errors.ts';
import { dirname } from '../tinyfs/path.ts';
import { matchPattern, parsedPattern, patternField, readMatch, type ReadMode } from './pattern-inputs.ts';
import { applyTransforms } from './column-rename.ts';
import { DEFAULT_SQL_QUERY_TIMEOUT_MS } from './sql_query.ts';

const schema = z
  .object({
    /** Table name -> pattern (`series:///sensors/*`, `table:///raw/data`, `csv:///in/*.csv`). */
    patterns: configRecord(z.string().regex(TABLE_NAME, 'a table name must be a plain SQL identifier (letters, digits, _)'), patternField).refine(
      (p) => Object.keys(p).length > 0,
      'at least one pattern must be given',
    ),
    /** One query (SELECT, WITH, …); default `SELECT * FROM <name>` when there is one pattern. */
    query: z.string().trim().min(1, 'the query cannot be empty when given').optional(),
    /** column-rename nodes applied to every pattern's table, in order. */
    transforms: z.array(z.string().min(1)).nullish(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const names = Object.keys(c.patterns);
    if (c.query === undefined && names.length > 1)
      ctx.addIssue({ code: 'custom', path: ['query'], message: `required with more than one pattern (got ${names.length}: ${names.join(', ')})` });
  });

export type SqlDerivedConfig = z.infer<typeof schema>;

/** sql-derived-table: a table computed by SQL over pattern-matched tables. */
export const sqlDerivedTable = defineFactory({
  name: 'sql-derived-table',
  description: 'Create SQL-derived tables from single FileTable sources',
  produces: 'file:table',
  schema,
  compute: (ctx, config) => derive(ctx, config, 'table'),
});

/** sql-derived-series: the same, producing a series (e.g. a filter over `series:///sensors/*`). */
export const sqlDerivedSeries = defineFactory({
  name: 'sql-derived-series',
  description: 'Create SQL-derived tables from multiple FileSeries sources',
  produces: 'file:series',
  schema,
  compute: (ctx, config) => derive(ctx, config, 'series'),
});

async function derive(ctx: FactoryContext, config: SqlDerivedConfig, mode: ReadMode): Promise<arrow.Table> {
  const dir = dirname(ctx.path);
  const tables: Array<{ name: string; tables: arrow.Table[] }> = [];
  for (const [name, text] of Object.entries(config.patterns)) {
    const url = parsedPattern(text, ctx.path);
    const matches = await matchPattern(ctx, url, dir, mode);
    if (matches.length === 0)
      throw pondError(
        'EFACTORY',
        ctx.path,
        `no ${url.scheme === 'csv' ? 'data file' : mode === 'series' ? 'series (or factory-made table)' : 'table or series'} matches the pattern ${JSON.stringify(text)} of ${name}`,
        {
          pattern: text,
          table: name,
        },
      );
    const read: arrow.Table[] = [];
    for (const m of matches) read.push(await applyTransforms(ctx, await readMatch(ctx, url, m.path), config.transforms ?? undefined, dir, m.path));
    tables.push({ name, tables: read });
  }
  const sql = config.query ?? `SELECT * FROM "${Object.keys(config.patterns)[0]}"`;
  // Inputs are Arrow already (a CSV parsed, transforms applied): they go to the engine as they are.
  const { getSqlEngine } = await import('../sql/index.ts');
  return getSqlEngine().query(sql, { tables, timeoutMs: DEFAULT_SQL_QUERY_TIMEOUT_MS, path: ctx.path });
}
