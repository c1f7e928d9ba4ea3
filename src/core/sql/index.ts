import type * as arrow from 'apache-arrow';
import { DuckDBSqlEngine } from './engine.ts';
import type { CsvOptions, SqlEngine, SqlEngineOptions } from './types.ts';

export type { CsvOptions, SqlCallOptions, SqlEngine, SqlEngineOptions, SqlInputStats, SqlLazyTable, SqlQueryOptions, SqlTableInput } from './types.ts';
export { ALLOWED_KEYWORDS } from './sandbox.ts';

/**
 * A new, independent engine (its own DuckDB instance, started on its first call).
 * @example
 * const sql = createSqlEngine({ defaultTimeoutMs: 30_000 });
 * const t = await sql.query('SELECT sum(v) AS s FROM t', { tables: [{ name: 't', tables: [a, b] }] });
 * await sql.close();
 */
export function createSqlEngine(options?: SqlEngineOptions): SqlEngine {
  return new DuckDBSqlEngine(options);
}

let shared: DuckDBSqlEngine | undefined;

/**
 * The process-wide engine; DuckDB loads on its first call, not here. After `close()` the next call
 * returns a fresh engine.
 * @example
 * const t = await getSqlEngine().query('SELECT 42 AS answer');
 */
export function getSqlEngine(): SqlEngine {
  if (!shared) {
    // Closing the shared engine must not leave a dead singleton behind.
    const engine: DuckDBSqlEngine = new DuckDBSqlEngine({}, () => {
      if (shared === engine) shared = undefined;
    });
    shared = engine;
  }
  return shared;
}

/**
 * Parse CSV bytes with DuckDB's sniffer (header, delimiter and column types detected) on the shared engine.
 * @example
 * const table = await csvToTable(new TextEncoder().encode('a,b\n1,x\n'), { path: '/data/in.csv' });
 */
export function csvToTable(bytes: Uint8Array, opts?: CsvOptions): Promise<arrow.Table> {
  return getSqlEngine().csvToTable(bytes, opts);
}
