import type * as arrow from 'apache-arrow';

/**
 * One SQL table bound for a single query: the union BY COLUMN NAME of `tables`. A column missing
 * from some inputs is NULL in their rows; numeric (or date/timestamp) columns of different widths
 * widen to a common type; any other type mismatch is an ESQL error naming the table and column.
 */
export interface SqlTableInput {
  /** The table name the SQL text uses (case-insensitive, as in DuckDB). */
  name: string;
  /** At least one Arrow table; 200+ inputs are fine (they are appended one by one). */
  tables: arrow.Table[];
}

/** Per-call options shared by every engine operation. */
export interface SqlCallOptions {
  /** Time limit for the whole call: waiting for the engine, binding tables, running and fetching. */
  timeoutMs?: number;
  /** Aborting rejects with `signal.reason` (like fetch); `AbortSignal.timeout()` becomes ETIMEOUT. */
  signal?: AbortSignal;
  /** The pond path the call is about; every error message names it. */
  path?: string;
}

/** Options of `query` and `queryBatches`. */
export interface SqlQueryOptions extends SqlCallOptions {
  /** Tables visible to this query only; dropped afterwards, even on error. */
  tables?: SqlTableInput[];
}

/** Options of `csvToTable`. */
export type CsvOptions = SqlCallOptions;

/** A sandboxed, read-only SQL engine (DuckDB-WASM, loaded on first use). */
export interface SqlEngine {
  /** Run one read-only query and return the whole result. */
  query(sql: string, opts?: SqlQueryOptions): Promise<arrow.Table>;
  /**
   * Run one read-only query and stream its result. The engine is held until the iteration ends
   * (or `timeoutMs` passes), so consume promptly or break out of the loop.
   */
  queryBatches(sql: string, opts?: SqlQueryOptions): AsyncIterable<arrow.RecordBatch>;
  /** Parse CSV bytes with DuckDB's CSV sniffer (types, header and delimiter detected). */
  csvToTable(bytes: Uint8Array, opts?: CsvOptions): Promise<arrow.Table>;
  /** Stop the engine: running calls fail with ECLOSED, later calls too. */
  close(): Promise<void>;
}

/** Knobs of `createSqlEngine`; the defaults suit the app. */
export interface SqlEngineOptions {
  /**
   * How long DuckDB runs before control returns to JavaScript (ms). It bounds how late a timeout
   * or abort is noticed, on top of the longest single DuckDB task. Default 20.
   */
  pollIntervalMs?: number;
  /** Time limit applied when a call gives none. Default: none. */
  defaultTimeoutMs?: number;
}
