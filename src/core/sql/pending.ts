import * as arrow from 'apache-arrow';
import type { DuckDBBindings } from '@duckdb/duckdb-wasm/blocking';

/** What the poll loop needs from its operation: a place to pause (and fail) between DuckDB steps. */
export interface PollControl {
  /** Called between DuckDB steps; yields to the event loop when due and throws once the call is over. */
  pause(stage: string): Promise<void>;
}

/** A running statement: its result schema (Arrow IPC schema message) and its result chunks. */
export interface PendingResult {
  schemaBytes: Uint8Array;
  schema: arrow.Schema;
  /** Arrow IPC record-batch messages (about 2048 rows each) until the result ends. */
  chunks: AsyncGenerator<Uint8Array, void>;
}

/**
 * Start `sql` with DuckDB's pending-query API and poll it to its first result. Each poll runs DuckDB
 * for at most the configured polling interval (plus one task), so `ctl.pause` gets to enforce the
 * deadline; on failure the query is cancelled before the error propagates.
 */
export async function startPending(db: DuckDBBindings, conn: number, sql: string, ctl: PollControl): Promise<PendingResult> {
  let header: Uint8Array | null;
  try {
    // Stream results, so that fetching also runs in bounded steps (see fetchChunks).
    header = db.startPendingQuery(conn, sql, true);
    while (header === null) {
      await ctl.pause('running');
      header = db.pollPendingQuery(conn);
    }
  } catch (e) {
    db.cancelPendingQuery(conn);
    throw e;
  }
  const schema = arrow.tableFromIPC([header]).schema;
  return { schemaBytes: header, schema, chunks: fetchChunks(db, conn, ctl) };
}

async function* fetchChunks(db: DuckDBBindings, conn: number, ctl: PollControl): AsyncGenerator<Uint8Array, void> {
  for (;;) {
    // null = "not ready yet, poll again" (DUCKDB_WASM_RETRY); empty = end of the result.
    const chunk = db.fetchQueryResults(conn);
    if (chunk === null) {
      await ctl.pause('running');
      continue;
    }
    if (chunk.length === 0) return;
    yield chunk;
    await ctl.pause('fetching');
  }
}

/**
 * Decode result chunks with the app's apache-arrow, so batches are `instanceof` its classes.
 * One reader over many chunks costs a fraction of one reader per chunk.
 */
export function decodeChunks(schemaBytes: Uint8Array, chunks: readonly Uint8Array[]): arrow.RecordBatch[] {
  return arrow.tableFromIPC([schemaBytes, ...chunks]).batches;
}
