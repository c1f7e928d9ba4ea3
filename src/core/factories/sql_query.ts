import { z } from 'zod';
import { defineFactory } from '../dynamic/factory.ts';
import { TABLE_NAME } from '../dynamic/query.ts';

const schema = z.object({
  /** One SQL query (SELECT, WITH, ...); anything else is refused with ESQL. Default: `SELECT * FROM <the one table>`. */
  query: z.string().trim().min(1).optional(),
  /** Table name -> glob pattern; every match is read and unioned by column name. */
  tables: z.record(z.string().regex(TABLE_NAME, 'a table name must be a plain SQL identifier (letters, digits, _)'), z.string().min(1)).default({}),
  /** Abort the query after this long (ETIMEOUT). */
  timeout_ms: z.number().int().positive().optional(),
}).strict().superRefine((c, ctx) => {
  const names = Object.keys(c.tables);
  if (c.query === undefined && names.length !== 1) {
    ctx.addIssue({ code: 'custom', path: ['query'], message: `required unless exactly one table is given (got ${names.length})` });
  }
});

export type SqlQueryConfig = z.infer<typeof schema>;

/** sql_query: a table computed by SQL over pond tables (the same code path as `pond.query`). */
export const sqlQuery = defineFactory({
  name: 'sql_query',
  description: 'A table computed by a SQL query over tables named by glob patterns.',
  produces: 'file:table',
  schema,
  compute(ctx, config) {
    const sql = config.query ?? `SELECT * FROM "${Object.keys(config.tables)[0]}"`;
    return ctx.query(sql, { tables: config.tables, timeoutMs: config.timeout_ms });
  },
});
