import * as arrow from 'apache-arrow';
import type { DuckDBBindings } from '@duckdb/duckdb-wasm/blocking';
import { pondError } from '../errors.ts';
import { bindTables, quoteIdent } from './bind-tables.ts';
import { Deadline } from './deadline.ts';
import { loadDuckDB } from './loader.ts';
import { Operation } from './operation.ts';
import { decimalAdapter, enumCastQuery, hasDictionary } from './js-types.ts';
import { decodeChunks, startPending } from './pending.ts';
import { assertReadOnlyQuery, classifyStatement, CSV_DIR, SANDBOX_SETUP } from './sandbox.ts';
import { SerialQueue } from './serial-queue.ts';
import { DEFAULT_SQL_PATH, toSqlError } from './sql-error.ts';
import type { CsvOptions, SqlCallOptions, SqlEngine, SqlEngineOptions, SqlQueryOptions } from './types.ts';

const DEFAULT_POLL_INTERVAL_MS = 20;
// queryBatches decodes DuckDB's 2048-row chunks in groups (decoding each chunk alone costs several
// times more), handing a group out once it reaches this size or age: memory stays flat and the
// first batch comes quickly even when DuckDB produces rows slowly.
const STREAM_GROUP_BYTES = 1 << 20;
const STREAM_GROUP_MS = 50;

let csvCounter = 0;

/**
 * SqlEngine over one DuckDB-WASM database. Calls run one at a time (a FIFO queue), each on a fresh
 * connection, with its tables created before and dropped after it: a query only ever sees its own
 * tables, and nothing it did survives it.
 */
export class DuckDBSqlEngine implements SqlEngine {
  readonly #options: Required<Pick<SqlEngineOptions, 'pollIntervalMs'>> & SqlEngineOptions;
  readonly #queue = new SerialQueue();
  #db: Promise<DuckDBBindings> | undefined;
  #active: Operation | undefined;
  #dirty = false;
  #closed = false;
  readonly #onClose: (() => void) | undefined;

  constructor(options: SqlEngineOptions = {}, onClose?: () => void) {
    this.#options = { ...options, pollIntervalMs: options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS };
    this.#onClose = onClose;
  }

  async query(sql: string, opts: SqlQueryOptions = {}): Promise<arrow.Table> {
    const op = await this.#begin(opts);
    try {
      const res = await this.#runUserQuery(op, sql, opts);
      return await collect(op, res);
    } catch (e) {
      throw op.failure(e);
    } finally {
      this.#end(op);
    }
  }

  queryBatches(sql: string, opts: SqlQueryOptions = {}): AsyncIterable<arrow.RecordBatch> {
    return { [Symbol.asyncIterator]: () => this.#batches(sql, opts) };
  }

  async csvToTable(bytes: Uint8Array, opts: CsvOptions = {}): Promise<arrow.Table> {
    if (!(bytes instanceof Uint8Array)) throw pondError('EINVAL', opts.path ?? DEFAULT_SQL_PATH, 'csvToTable needs a Uint8Array');
    const op = await this.#begin(opts);
    try {
      // Registered buffers are files to DuckDB: only CSV_DIR is readable under the sandbox.
      const name = `${CSV_DIR}${Date.now().toString(36)}-${++csvCounter}.csv`;
      op.registerFile(name, bytes);
      const res = await this.#execute(op, `SELECT * FROM read_csv_auto('${name}')`, true);
      return await collect(op, res);
    } catch (e) {
      throw op.failure(e);
    } finally {
      this.#end(op);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#onClose?.();
    const err = pondError('ECLOSED', DEFAULT_SQL_PATH, 'the SQL engine was closed');
    this.#queue.failAll(err);
    this.#active?.kill(err);
    const db = this.#db;
    this.#db = undefined;
    // Nothing to terminate in the blocking build: dropping the bindings frees the wasm instance.
    await db?.catch(() => undefined);
  }

  async *#batches(sql: string, opts: SqlQueryOptions): AsyncGenerator<arrow.RecordBatch, void, undefined> {
    const op = await this.#begin(opts);
    try {
      const res = await this.#runUserQuery(op, sql, opts);
      let group: Uint8Array[] = [];
      let bytes = 0;
      let since = performance.now();
      for await (const chunk of res.chunks) {
        if (group.length === 0) since = performance.now();
        group.push(chunk);
        bytes += chunk.length;
        if (bytes < STREAM_GROUP_BYTES && performance.now() - since < STREAM_GROUP_MS) continue;
        const batches = res.decode(group);
        group = [];
        bytes = 0;
        yield* this.#handOut(op, batches);
      }
      if (group.length > 0) yield* this.#handOut(op, res.decode(group));
    } catch (e) {
      throw op.failure(e);
    } finally {
      this.#end(op);
    }
  }

  /** Yield decoded batches, but none after the call was killed (timeout while the consumer dawdled). */
  *#handOut(op: Operation, batches: arrow.RecordBatch[]): Generator<arrow.RecordBatch, void, undefined> {
    for (const b of batches) {
      op.assertAlive();
      yield b;
    }
  }

  /** Sandbox check, table binding, then the query itself. */
  async #runUserQuery(op: Operation, sql: string, opts: SqlQueryOptions): Promise<Result> {
    if (typeof sql !== 'string') throw pondError('EINVAL', op.path, 'SQL text must be a string');
    const stmt = classifyStatement(sql, op.db.tokenize(sql), op.path);
    await bindTables(op, opts.tables ?? [], op, op.path, op.tables);
    assertReadOnlyQuery(stmt, (q) => op.prepare(q), op.path);
    if (/log|query/i.test(sql)) op.resetLoggingAfter(); // see Operation.resetLoggingAfter
    // EXPLAIN cannot be a subquery (and returns two VARCHAR columns anyway).
    return this.#execute(op, stmt.sql, stmt.kind !== 'EXPLAIN');
  }

  /** Run `sql` (one of ours, or one that passed the sandbox) to its first result, with JS-readable types. */
  async #execute(op: Operation, sql: string, rewritable: boolean): Promise<Result> {
    let res = await startPending(op.db, op.conn, sql, op);
    const recast = rewritable ? enumCastQuery(res.schema, sql) : undefined;
    if (recast) {
      op.db.cancelPendingQuery(op.conn);
      res = await startPending(op.db, op.conn, recast, op);
    }
    if (hasDictionary(res.schema)) {
      throw pondError('ESQL', op.path, 'ENUM values inside LIST/STRUCT/MAP columns (or with duplicate column names) cannot be returned; cast them to VARCHAR');
    }
    const adapter = decimalAdapter(res.schema);
    return { schema: adapter.schema, chunks: res.chunks, decode: (chunks) => decodeChunks(res.schemaBytes, chunks).map(adapter.adapt) };
  }

  async #begin(opts: SqlCallOptions): Promise<Operation> {
    const path = opts.path ?? DEFAULT_SQL_PATH;
    if (this.#closed) throw pondError('ECLOSED', path, 'the SQL engine was closed');
    if (opts.signal?.aborted) throw new Deadline(path, undefined, opts.signal).error('starting');
    // The time limit starts once DuckDB is up: a cold start (~2 s) is not the query's fault.
    const db = await this.#ready();
    const deadline = new Deadline(path, opts.timeoutMs ?? this.#options.defaultTimeoutMs, opts.signal);
    const release = await this.#queue.acquire(deadline);
    if (this.#closed) {
      release();
      throw pondError('ECLOSED', path, 'the SQL engine was closed');
    }
    try {
      if (this.#dirty) this.#sweep(db);
      this.#active = new Operation(db, deadline, release, () => {
        this.#dirty = true;
      });
      return this.#active;
    } catch (e) {
      release();
      throw toSqlError(e, path, 'preparing the SQL engine');
    }
  }

  #end(op: Operation): void {
    op.dispose();
    if (this.#active === op) this.#active = undefined;
  }

  /** After a failed cleanup: drop every table and file buffer so nothing leaks to the next caller. */
  #sweep(db: DuckDBBindings): void {
    const conn = db.connect();
    try {
      const names = arrow.tableFromIPC(db.runQuery(conn.useUnsafe((_b, id) => id), "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'"));
      for (const row of names.toArray() as Array<{ table_name: string }>) conn.query(`DROP TABLE IF EXISTS ${quoteIdent(row.table_name)}`);
      db.dropFiles();
      this.#dirty = false;
    } finally {
      conn.close();
    }
  }

  #ready(): Promise<DuckDBBindings> {
    this.#db ??= this.#start().catch((e: unknown) => {
      this.#db = undefined; // let the next call retry
      throw toSqlError(e, 'duckdb', 'starting DuckDB');
    });
    return this.#db;
  }

  async #start(): Promise<DuckDBBindings> {
    const db = await loadDuckDB({ query: { queryPollingInterval: this.#options.pollIntervalMs } });
    const conn = db.connect();
    try {
      for (const stmt of SANDBOX_SETUP) conn.query(stmt);
    } finally {
      conn.close();
    }
    return db;
  }
}

/** Drain a result into one Table (with the result's schema even when it has no rows). */
async function collect(op: Operation, res: Result): Promise<arrow.Table> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of res.chunks) chunks.push(chunk);
  await op.pause('fetching');
  return new arrow.Table(res.schema, res.decode(chunks));
}

/** A query's result as callers see it: final schema, raw chunks, and their decoder. */
interface Result {
  schema: arrow.Schema;
  chunks: AsyncGenerator<Uint8Array, void>;
  decode(chunks: readonly Uint8Array[]): arrow.RecordBatch[];
}
