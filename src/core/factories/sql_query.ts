import { z } from 'zod';
import { defineFactory } from '../dynamic/factory.ts';
import { TABLE_NAME } from '../dynamic/query.ts';
import { configRecord } from '../dynamic/config.ts';

/**
 * How long a stored query may run unless its config says otherwise. A node comes with its pond,
 * which may be a stranger's: without a limit one query could hold the single SQL engine forever.
 */
export const DEFAULT_SQL_QUERY_TIMEOUT_MS = 30_000;
/** The longest `timeout_ms` a config may ask for. */
export const MAX_SQL_QUERY_TIMEOUT_MS = 10 * 60_000;

const schema = z
  .object({
    /** One SQL query (SELECT, WITH, ...); anything else is refused with ESQL. Default: `SELECT * FROM <the one table>`. */
    query: z.string().trim().min(1).optional(),
    /** Table name -> glob pattern; every match is read and unioned by column name. */
    tables: configRecord(z.string().regex(TABLE_NAME, 'a table name must be a plain SQL identifier (letters, digits, _)'), z.string().min(1)).default(
      () => Object.create(null) as Record<string, string>,
    ),
    /** Abort the query after this long (ETIMEOUT); default DEFAULT_SQL_QUERY_TIMEOUT_MS. */
    timeout_ms: z.number().int().positive().max(MAX_SQL_QUERY_TIMEOUT_MS, `at most ${MAX_SQL_QUERY_TIMEOUT_MS} ms (10 minutes)`).optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
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
    return ctx.query(sql, { tables: config.tables, timeoutMs: config.timeout_ms ?? DEFAULT_SQL_QUERY_TIMEOUT_MS });
  },
});
