import type * as arrow from 'apache-arrow';

/**
 * One SQL table bound for a single query: the union BY COLUMN NAME of `tables`. A column missing
 * from some inputs is NULL in their rows; numeric (or date/timestamp) columns of different widths
 * widen to a common type; any other type mismatch is an ESQL error naming the table and column.
 */
export interface SqlTableInput {
  /** The table name the SQL text uses (case-insensitive, as in DuckDB). */
  name: string;
  /** At least one Arrow table (or lazy input); 200+ inputs are fine (they are appended one by one). */
  tables: Array<arrow.Table | SqlLazyTable>;
}

/**
 * An input the engine decodes only when a query needs it, and then only the columns the query
 * names. In a scoped call (`SqlQueryOptions.scope`) it stays registered under `key`.
 */
export interface SqlLazyTable {
  /** Names the content: the same key must always load the same rows (e.g. the sha256s of the Parquet files). */
  readonly key: string;
  /** Every column `load()` can return, with its Arrow type (from a Parquet footer, say). */
  schema(): Promise<arrow.Schema>;
  /** The rows, with only `columns` (names as in `schema()`) when given; all columns otherwise. */
  load(columns?: readonly string[]): Promise<arrow.Table>;
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
  /**
   * Keep the decoded inputs registered in DuckDB between calls of this scope (a pond, say), keyed
   * by content (`SqlLazyTable.key`, or the identity of an Arrow table), and decode only the
   * columns the query names. A scope's registrations are never visible to another scope's (or an
   * unscoped) query; they are evicted least recently used beyond `inputBudgetBytes`.
   */
  scope?: string;
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
  /** The scoped inputs registered now (see `SqlQueryOptions.scope`). */
  inputStats(): SqlInputStats;
  /** Drop every registered input (of `scope` only, when given); the next scoped query decodes again. */
  dropInputs(scope?: string): Promise<void>;
}

/** What the engine keeps registered between scoped calls. */
export interface SqlInputStats {
  /** Registered tables (one per bound table name and content). */
  tables: number;
  /** Their decoded Arrow size, which the budget counts. */
  bytes: number;
  budgetBytes: number;
  /** Registrations made (each one a decode and a copy into DuckDB) and reused, since the engine started. */
  registered: number;
  reused: number;
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
  /** Decoded size of the scoped inputs kept registered between calls. Default 256 MiB. */
  inputBudgetBytes?: number;
}
