import * as arrow from 'apache-arrow';
import type { DuckDBBindings } from '@duckdb/duckdb-wasm/blocking';
import { isPondError } from '../errors.ts';
import { quoteIdent, type BindSession } from './bind-tables.ts';
import { yieldMacrotask, type Deadline } from './deadline.ts';
import type { PollControl } from './pending.ts';
import type { Release } from './serial-queue.ts';
import { toSqlError } from './sql-error.ts';

// Yield to the event loop at least this often while DuckDB works or results are decoded, so
// timers, abort events and worker messages stay responsive without a macrotask per 2048-row chunk.
const YIELD_EVERY_MS = 5;

const RESET_LOGGING = ['SELECT * FROM disable_logging()', 'SELECT * FROM truncate_duckdb_logs()'];

/**
 * One engine call holding the engine: its own DuckDB connection (fresh session state), the tables
 * and file buffers it registered, and its deadline. `dispose` undoes all of it exactly once, on
 * success, error, early `break`, or when the deadline fires while the caller is suspended (`kill`).
 */
export class Operation implements PollControl, BindSession {
  readonly db: DuckDBBindings;
  readonly conn: number;
  readonly deadline: Deadline;
  /** Tables created in the shared catalog; dropped on dispose. */
  readonly tables: string[] = [];
  /** File buffers registered with DuckDB; dropped on dispose. */
  readonly files: string[] = [];
  readonly #release: Release;
  readonly #onDirty: () => void;
  readonly #stopWatch: () => void;
  #stage = 'starting';
  #lastYield = performance.now();
  #killed: { error: unknown } | undefined;
  #disposed = false;
  #resetLogging = false;

  constructor(db: DuckDBBindings, deadline: Deadline, release: Release, onDirty: () => void) {
    this.db = db;
    this.deadline = deadline;
    this.#release = release;
    this.#onDirty = onDirty;
    this.conn = db.connect().useUnsafe((_b, id) => id);
    // The watchdog matters when nothing of ours runs: a queryBatches consumer sitting between batches.
    this.#stopWatch = deadline.onExpire(() => this.kill(deadline.error(this.#stage)));
  }

  /** The path errors name. */
  get path(): string {
    return this.deadline.path;
  }

  /** Yield to the event loop when due; throws once the call is killed or past its deadline. */
  async pause(stage: string): Promise<void> {
    this.#stage = stage;
    this.#assertAlive();
    if (performance.now() - this.#lastYield >= YIELD_EVERY_MS) {
      await yieldMacrotask();
      this.#lastYield = performance.now();
      this.#assertAlive();
    }
  }

  /**
   * Run one statement of ours. It goes through a prepared statement because DuckDB refuses to
   * prepare two: text built from data (type names of a stranger's Arrow columns) cannot smuggle
   * in a second statement, even if DuckDB's quoting had a hole.
   */
  run(sql: string): arrow.Table {
    this.#assertAlive();
    const stmt = this.db.createPrepared(this.conn, sql);
    try {
      return arrow.tableFromIPC(this.db.runPrepared(this.conn, stmt, []));
    } finally {
      this.db.closePrepared(this.conn, stmt);
    }
  }

  /** Create table `name` from `table`, or append to it by column position. */
  insertArrow(table: arrow.Table, name: string, create: boolean): void {
    this.#assertAlive();
    this.db.insertArrowFromIPCStream(this.conn, arrow.tableToIPC(table, 'stream'), { name, create });
  }

  /** Parse and bind `sql` without running it; throws DuckDB's error. */
  prepare(sql: string): void {
    this.#assertAlive();
    const stmt = this.db.createPrepared(this.conn, sql);
    this.db.closePrepared(this.conn, stmt);
  }

  /**
   * Switch logging off and empty the log when this call ends. enable_logging() is a table function
   * that ignores lock_configuration, and duckdb_logs would show later calls' query text. A query can
   * only reach it by naming it, or through query(), so the engine asks for this when the SQL text
   * contains "log" or "query" (about 1 ms, so not after every call).
   */
  resetLoggingAfter(): void {
    this.#resetLogging = true;
  }

  /** Give DuckDB an in-memory file under `name` for this call only. */
  registerFile(name: string, bytes: Uint8Array): void {
    this.#assertAlive();
    this.files.push(name);
    this.db.registerFileBuffer(name, bytes);
  }

  /** The error to reject with: our own (timeout, abort, refusal) as is, anything from DuckDB as ESQL. */
  failure(e: unknown): unknown {
    if (this.#killed) return this.#killed.error;
    if (isPondError(e)) return e;
    if (this.deadline.signal?.aborted && e === this.deadline.signal.reason) return e;
    return toSqlError(e, this.path);
  }

  /** End the call from outside (deadline while suspended, engine closing): later steps throw `error`. */
  kill(error: unknown): void {
    if (this.#disposed) return;
    this.#killed = { error };
    this.dispose();
  }

  /** Cancel, drop what was registered, disconnect, release the engine. Idempotent. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#stopWatch();
    try {
      this.db.cancelPendingQuery(this.conn);
      for (const f of this.files.splice(0)) this.db.dropFile(f);
      // One round trip: each statement costs about a millisecond, several in the browser.
      const stmts = this.tables.splice(0).reverse().map((t) => `DROP TABLE IF EXISTS ${quoteIdent(t)}`);
      if (this.#resetLogging) stmts.push(...RESET_LOGGING);
      if (stmts.length > 0) this.db.runQuery(this.conn, stmts.join(';\n'));
    } catch {
      // A leftover table must never reach the next caller: the engine sweeps before the next call.
      this.#onDirty();
    } finally {
      try {
        this.db.disconnect(this.conn);
      } catch {
        this.#onDirty();
      }
      this.#release();
    }
  }

  /** Throw if the call was killed, disposed or is past its deadline. */
  assertAlive(): void {
    this.#assertAlive();
  }

  #assertAlive(): void {
    if (this.#killed) throw this.#killed.error;
    if (this.#disposed) throw new Error('internal: SQL operation used after dispose');
    this.deadline.check(this.#stage);
  }
}
