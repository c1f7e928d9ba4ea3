import * as arrow from 'apache-arrow';
import type { DuckDBBindings } from '@duckdb/duckdb-wasm/blocking';
import { isPondError } from '../errors.ts';
import type { BindSession } from './bind-tables.ts';
import { yieldMacrotask, type Deadline } from './deadline.ts';
import type { PollControl } from './pending.ts';
import type { Release } from './serial-queue.ts';
import { toSqlError } from './sql-error.ts';

// Yield to the event loop at least this often while DuckDB works or results are decoded, so
// timers, abort events and worker messages stay responsive without a macrotask per 2048-row chunk.
const YIELD_EVERY_MS = 5;

/**
 * One engine call holding the engine: its own DuckDB connection (fresh session state) inside a
 * transaction that is always rolled back (its tables, and any catalog change that got past the
 * sandbox, vanish with it), the file buffers it registered, and its deadline. `dispose` undoes all
 * of it exactly once, on success, error, early `break`, or when the deadline fires while the caller
 * is suspended (`kill`).
 */
export class Operation implements PollControl, BindSession {
  readonly db: DuckDBBindings;
  readonly conn: number;
  readonly deadline: Deadline;
  /** Tables created in this call's transaction; the rollback on dispose removes them. */
  readonly tables: string[] = [];
  /** File buffers registered with DuckDB; dropped on dispose. */
  readonly files: string[] = [];
  /** True when the connection belongs to an input scope (see inputs.ts): it outlives the call. */
  readonly #sharedConn: boolean;
  readonly #release: Release;
  readonly #onEnd: (cleanupError: unknown) => unknown;
  #cleanupError: unknown;
  /** What the engine found when this call ended (its check of the shared state), if anything. */
  endError: unknown;
  readonly #stopWatch: () => void;
  #stage = 'starting';
  #lastYield = performance.now();
  #killed: { error: unknown } | undefined;
  #disposed = false;

  /**
   * `onEnd` runs after the connection is closed and before the engine is released, with the first
   * error cleanup met (undefined when clean); what it returns becomes `endError`. With `conn` (an
   * input scope's connection) the call runs on it and leaves it open.
   */
  constructor(db: DuckDBBindings, deadline: Deadline, release: Release, onEnd: (cleanupError: unknown) => unknown, conn?: number) {
    this.db = db;
    this.deadline = deadline;
    this.#release = release;
    this.#onEnd = onEnd;
    this.#sharedConn = conn !== undefined;
    this.conn = conn ?? db.connect().useUnsafe((_b, id) => id);
    try {
      db.runQuery(this.conn, 'BEGIN TRANSACTION');
    } catch (e) {
      if (!this.#sharedConn) db.disconnect(this.conn);
      throw e;
    }
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

  /**
   * Commit what the call did so far (registered inputs, before any user text ran) and start the
   * transaction the rest of the call runs in, which is rolled back as always.
   */
  commit(): void {
    this.#assertAlive();
    this.db.runQuery(this.conn, 'COMMIT');
    this.db.runQuery(this.conn, 'BEGIN TRANSACTION');
  }

  /** Parse and bind `sql` without running it; throws DuckDB's error. */
  prepare(sql: string): void {
    this.#assertAlive();
    const stmt = this.db.createPrepared(this.conn, sql);
    this.db.closePrepared(this.conn, stmt);
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

  /** True once the call was ended from outside (timeout, abort, engine closing). */
  get killed(): boolean {
    return this.#killed !== undefined;
  }

  /** End the call from outside (deadline while suspended, engine closing): later steps throw `error`. */
  kill(error: unknown): void {
    if (this.#disposed) return;
    this.#killed = { error };
    this.dispose();
  }

  /** Cancel, drop the file buffers, roll back, disconnect, release the engine. Idempotent. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#stopWatch();
    try {
      this.db.cancelPendingQuery(this.conn);
      for (const f of this.files.splice(0)) this.db.dropFile(f);
      this.tables.length = 0;
      this.db.runQuery(this.conn, 'ROLLBACK');
    } catch (e) {
      // Disconnecting rolls back too; but a file buffer may be left, or the call committed its
      // transaction (ROLLBACK then fails): the engine starts afresh.
      this.#cleanupError = e;
    } finally {
      // After a failed cleanup the engine drops the whole instance; disconnecting could only make
      // it worse (with enable_logging() file storage, the connection's destructor aborts the wasm
      // instance in a loop that prints until the stack overflows).
      if (this.#cleanupError === undefined && !this.#sharedConn) {
        try {
          this.db.disconnect(this.conn);
        } catch (e) {
          this.#cleanupError = e;
        }
      }
      try {
        this.endError = this.#onEnd(this.#cleanupError);
      } finally {
        this.#release();
      }
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
