import type * as arrow from 'apache-arrow';
import { pondError } from '../errors.ts';
import type { FactoryContext, QueryOptions } from './factory.ts';
import type { QueryRunner } from './context.ts';
import { dropScopesWhenGone, isSqlInputSource, type LazySqlTable } from './sql-input.ts';
import { tablePatternPath } from './url-pattern.ts';

/** The part of the SQL engine (src/core/sql) the dynamic layer uses. */
export interface SqlEngineLike {
  query(
    sql: string,
    options: {
      tables?: Array<{ name: string; tables: Array<arrow.Table | LazySqlTable> }>;
      timeoutMs?: number;
      signal?: AbortSignal;
      path?: string;
      scope?: string;
    },
  ): Promise<arrow.Table>;
  /** Drop the inputs registered for `scope` (src/core/sql), when the engine keeps any. */
  dropInputs?(scope: string): Promise<void>;
}

/** Gives the engine when first needed, so listing a pond never waits for DuckDB. */
export type SqlEngineLoader = () => Promise<SqlEngineLike>;

/** A name DuckDB takes unquoted and that cannot smuggle SQL into a generated query. */
export const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The engine of src/core/sql, loaded lazily. */
export const defaultSqlEngine: SqlEngineLoader = async () => {
  const sql = await import('../sql/index.ts');
  return sql.getSqlEngine();
};

/**
 * The one code path of `pond.query` and the sql_query factory: each table name's pattern is
 * globbed through the context (so the matches are recorded inputs), every matching file is read as
 * Arrow, and the engine unions a name's tables by column name. A pattern matching no file is
 * ENOENT naming the pattern.
 */
export function queryRunner(loadEngine: SqlEngineLoader): QueryRunner {
  return async (ctx: FactoryContext, sql: string, options: QueryOptions) => {
    if (typeof sql !== 'string' || sql.trim() === '') throw pondError('EINVAL', ctx.path, 'empty SQL query');
    const specs: Array<{ name: string; tables: Array<arrow.Table | LazySqlTable> }> = [];
    for (const [name, pattern] of Object.entries(options.tables ?? {})) {
      if (!TABLE_NAME.test(name)) throw pondError('EINVAL', ctx.path, `table name ${JSON.stringify(name)} must be a plain SQL identifier (letters, digits, _)`);
      if (typeof pattern !== 'string' || pattern === '') throw pondError('EINVAL', ctx.path, `table ${name}: the pattern must be a non-empty string`);
      specs.push({ name, tables: await readMatches(ctx, name, pattern) });
    }
    const engine = await loadEngine();
    dropScopesWhenGone(engine);
    // A scope keeps the pond's inputs registered in the engine between queries (decoded once).
    const scope = isSqlInputSource(ctx) ? ctx.sqlScope : undefined;
    return engine.query(sql, { tables: specs, timeoutMs: options.timeoutMs, signal: options.signal, path: ctx.path, scope });
  };
}

async function readMatches(ctx: FactoryContext, name: string, pattern: string): Promise<Array<arrow.Table | LazySqlTable>> {
  const files = (await ctx.glob(tablePatternPath(pattern, ctx.path))).filter((m) => m.type !== 'directory').map((m) => m.path);
  if (files.length === 0)
    throw pondError('ENOENT', pattern, `no file matches the pattern ${JSON.stringify(pattern)} of table ${name}`, { pattern, table: name });
  return Promise.all(files.map((p) => (isSqlInputSource(ctx) ? ctx.sqlInput(p) : ctx.readTable(p))));
}
