import * as arrow from 'apache-arrow';
import type { DuckDBBindings } from '@duckdb/duckdb-wasm/blocking';
import { isPondError, pondError, type PondError } from '../errors.ts';
import { bindTables, checkInputs } from './bind-tables.ts';
import { Deadline } from './deadline.ts';
import { changedParts, EngineStateReader, loggingOnly, RESET_LOGGING } from './engine-state.ts';
import { isEngineFault, rootCause } from './fault.ts';
import { bindRegistered, InputRegistry, loadAll, scopable, UNLOADED_MARKER, type Registration } from './inputs.ts';
import { loadDuckDB } from './loader.ts';
import { Operation } from './operation.ts';
import { decimalAdapter, enumCastQuery, hasDictionary } from './js-types.ts';
import { decodeChunks, startPending } from './pending.ts';
import { assertReadOnlyQuery, parseStatement, CSV_FILE, SANDBOX_SETUP } from './sandbox.ts';
import { SerialQueue } from './serial-queue.ts';
import { DEFAULT_SQL_PATH, duckdbMessage, toSqlError } from './sql-error.ts';
import type { CsvOptions, SqlCallOptions, SqlEngine, SqlEngineOptions, SqlInputStats, SqlQueryOptions } from './types.ts';

const DEFAULT_POLL_INTERVAL_MS = 20;
const DEFAULT_INPUT_BUDGET_BYTES = 256 * 1024 * 1024;
// queryBatches decodes DuckDB's 2048-row chunks in groups (decoding each chunk alone costs several
// times more), handing a group out once it reaches this size or age: memory stays flat and the
// first batch comes quickly even when DuckDB produces rows slowly.
const STREAM_GROUP_BYTES = 1 << 20;
const STREAM_GROUP_MS = 50;

/** One DuckDB instance, what its shared state looked like right after the sandbox setup, and its registered inputs. */
interface Instance {
  db: DuckDBBindings;
  state: EngineStateReader;
  baseline: string;
  inputs: InputRegistry;
}

/** A scoped call's inputs: the scope, and the registrations it pinned (unpinned when it ends). */
interface ScopeUse {
  id: string;
  registry: InputRegistry;
  pinned: Registration[];
}

/**
 * SqlEngine over one DuckDB-WASM database. Calls run one at a time (a FIFO queue), each on a fresh
 * connection inside a transaction that is always rolled back: a query only ever sees its own
 * tables, and nothing it did survives it. After every call the state all callers share is compared
 * with the state after setup; a difference, or a wasm fault, replaces the DuckDB instance.
 */
export class DuckDBSqlEngine implements SqlEngine {
  readonly #options: Required<Pick<SqlEngineOptions, 'pollIntervalMs'>> & SqlEngineOptions;
  readonly #queue = new SerialQueue();
  #instance: Promise<Instance> | undefined;
  /** Bumped whenever the instance is dropped: an operation of an older one must not touch the new one. */
  #generation = 0;
  #active: Operation | undefined;
  /** The instance started last, once it is up (the registry's home); undefined after a drop. */
  #current: Instance | undefined;
  #closed = false;
  readonly #onClose: (() => void) | undefined;
  /** Scope of each running scoped call. */
  readonly #scopes = new WeakMap<Operation, ScopeUse>();
  /** The registered inputs' counters of instances already dropped, so stats do not go backwards. */
  #pastStats = { registered: 0, reused: 0 };

  constructor(options: SqlEngineOptions = {}, onClose?: () => void) {
    this.#options = { ...options, pollIntervalMs: options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS };
    this.#onClose = onClose;
  }

  async query(sql: string, opts: SqlQueryOptions = {}): Promise<arrow.Table> {
    try {
      return await this.#collected(opts, (op) => this.#runUserQuery(op, sql, opts, true), opts);
    } catch (e) {
      // The query used a column it does not name (SELECT *, a row as a struct, ...): load them all.
      if (!isPondError(e, 'ESQL') || !e.message.includes(UNLOADED_MARKER)) throw e;
      return this.#collected(opts, (op) => this.#runUserQuery(op, sql, opts, false), opts);
    }
  }

  queryBatches(sql: string, opts: SqlQueryOptions = {}): AsyncIterable<arrow.RecordBatch> {
    return { [Symbol.asyncIterator]: () => this.#batches(sql, opts) };
  }

  async csvToTable(bytes: Uint8Array, opts: CsvOptions = {}): Promise<arrow.Table> {
    if (!(bytes instanceof Uint8Array)) throw pondError('EINVAL', opts.path ?? DEFAULT_SQL_PATH, 'csvToTable needs a Uint8Array');
    return this.#collected(opts, (op) => {
      // Registered buffers are files to DuckDB: only CSV_FILE is readable under the sandbox.
      op.registerFile(CSV_FILE, bytes);
      return this.#execute(op, `SELECT * FROM read_csv_auto('${CSV_FILE}')`, true);
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#onClose?.();
    const err = pondError('ECLOSED', DEFAULT_SQL_PATH, 'the SQL engine was closed');
    this.#queue.failAll(err);
    this.#active?.kill(err);
    const instance = this.#instance;
    this.#drop();
    // Nothing to terminate in the blocking build: dropping the bindings frees the wasm instance.
    await instance?.catch(() => undefined);
  }

  inputStats(): SqlInputStats {
    const now = this.#current?.inputs.stats();
    const budgetBytes = this.#options.inputBudgetBytes ?? DEFAULT_INPUT_BUDGET_BYTES;
    return {
      tables: now?.tables ?? 0,
      bytes: now?.bytes ?? 0,
      budgetBytes,
      registered: this.#pastStats.registered + (now?.registered ?? 0),
      reused: this.#pastStats.reused + (now?.reused ?? 0),
    };
  }

  async dropInputs(scope?: string): Promise<void> {
    if (this.#closed || !this.#current) return;
    const release = await this.#queue.acquire(new Deadline(DEFAULT_SQL_PATH));
    try {
      const instance = this.#current;
      if (!this.#closed && instance) this.#evicting(instance, () => instance.inputs.dropAll(scope));
    } finally {
      release();
    }
  }

  async *#batches(sql: string, opts: SqlQueryOptions): AsyncGenerator<arrow.RecordBatch, void, undefined> {
    const op = await this.#begin(opts, opts);
    try {
      // A stream cannot be re-run once batches went out: scoped inputs are loaded whole.
      const res = await this.#runUserQuery(op, sql, opts, false);
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
      this.#finish(op);
    } catch (e) {
      throw this.#failure(op, e);
    } finally {
      this.#end(op);
    }
  }

  /** One call from begin to end: `start` runs the query, whose whole result becomes one table. */
  async #collected(opts: SqlCallOptions, start: (op: Operation) => Promise<Result>, query?: SqlQueryOptions): Promise<arrow.Table> {
    const op = await this.#begin(opts, query);
    try {
      const table = await collect(op, await start(op));
      this.#finish(op);
      return table;
    } catch (e) {
      throw this.#failure(op, e);
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

  /**
   * Sandbox check, table binding, then the query itself: exactly the text the check prepared. A
   * scoped call binds registered inputs (registering what is missing, only the columns `sql`
   * names when `project`) before any of the user's text is prepared.
   */
  async #runUserQuery(op: Operation, sql: string, opts: SqlQueryOptions, project: boolean): Promise<Result> {
    if (typeof sql !== 'string') throw pondError('EINVAL', op.path, 'SQL text must be a string');
    const stmt = parseStatement(sql, op.db.tokenize(sql), op.path);
    const inputs = opts.tables ?? [];
    const scope = this.#scopes.get(op);
    if (scope) {
      checkInputs(inputs, op.path);
      scope.pinned = await bindRegistered(op, scope.registry, scope.id, inputs, project ? sql : undefined, op, op.path);
    } else {
      await bindTables(op, await loadAll(inputs, op), op, op.path, op.tables);
    }
    const checked = assertReadOnlyQuery(stmt, (q) => op.prepare(q), op.path);
    // EXPLAIN cannot be a subquery (and returns two VARCHAR columns anyway).
    return this.#execute(op, checked, stmt.explain === '');
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

  async #begin(opts: SqlCallOptions, query?: SqlQueryOptions): Promise<Operation> {
    const path = opts.path ?? DEFAULT_SQL_PATH;
    if (this.#closed) throw pondError('ECLOSED', path, 'the SQL engine was closed');
    if (opts.signal?.aborted) throw new Deadline(path, undefined, opts.signal).error('starting');
    // The time limit starts once DuckDB is up: a cold start (~2 s) is not the query's fault.
    await this.#ready();
    const deadline = new Deadline(path, opts.timeoutMs ?? this.#options.defaultTimeoutMs, opts.signal);
    const release = await this.#queue.acquire(deadline);
    if (this.#closed) {
      release();
      throw pondError('ECLOSED', path, 'the SQL engine was closed');
    }
    try {
      // Usually the instance awaited above; a new one if the previous call faulted or changed it.
      const instance = await this.#ready();
      const generation = this.#generation;
      const scopeId = scopeOf(query);
      const scope: ScopeUse | undefined = scopeId === undefined ? undefined : { id: scopeId, registry: instance.inputs, pinned: [] };
      const conn = scope ? instance.inputs.connection(scope.id) : undefined;
      const op = new Operation(
        instance.db,
        deadline,
        release,
        (cleanupError) => {
          const err = this.#settle(instance, generation, cleanupError, path);
          if (scope && generation === this.#generation && !this.#closed) {
            instance.inputs.unpin(scope.pinned);
            this.#evicting(instance, () => instance.inputs.evict());
          }
          return err;
        },
        conn,
      );
      if (scope) this.#scopes.set(op, scope);
      this.#active = op;
      return op;
    } catch (e) {
      release();
      if (isEngineFault(e)) this.#drop();
      throw toSqlError(e, path, 'preparing the SQL engine');
    }
  }

  #end(op: Operation): void {
    op.dispose();
    if (this.#active === op) this.#active = undefined;
  }

  /** End a successful call; fail it if the engine found that it changed the shared state. */
  #finish(op: Operation): void {
    this.#end(op);
    if (op.endError !== undefined) throw op.endError;
  }

  /** The error a failed call rejects with; a wasm fault also drops the instance. */
  #failure(op: Operation, e: unknown): unknown {
    if (!isEngineFault(e)) return op.failure(e);
    this.#drop(); // first, so that cleaning up does not judge the next instance
    this.#end(op);
    if (op.killed) return op.failure(e); // a timeout or abort came first
    return pondError(
      'ESQL',
      op.path,
      `the SQL engine crashed (${duckdbMessage(rootCause(e))}); it was restarted, and the next query gets a fresh one`,
      { crashed: true },
      e,
    );
  }

  /**
   * Judge the engine after a call, before the next one gets it: a failed cleanup, or any change to
   * the state all callers share, drops the instance, and the call fails. Logging
   * switched on by enable_logging() (a table function that ignores lock_configuration) is the one
   * change put back in place instead, unless it moved the log's storage.
   */
  #settle(instance: Instance, generation: number, cleanupError: unknown, path: string): PondError | undefined {
    if (generation !== this.#generation || this.#closed) return undefined;
    if (cleanupError !== undefined) {
      this.#drop();
      return pondError(
        'ESQL',
        path,
        `the SQL engine could not clean up after the query (${duckdbMessage(cleanupError)}); it was restarted, and the next query gets a fresh one`,
        { crashed: true },
        cleanupError,
      );
    }
    let state: string;
    try {
      state = instance.state.read();
      if (state === instance.baseline) return undefined;
      if (loggingOnly(instance.baseline, state)) {
        runOwn(instance.db, RESET_LOGGING);
        state = instance.state.read();
        if (state === instance.baseline) return undefined;
      }
    } catch (e) {
      this.#drop();
      return pondError(
        'ESQL',
        path,
        `the SQL engine failed right after the query (${duckdbMessage(rootCause(e))}); it was restarted, and the next query gets a fresh one`,
        { crashed: true },
        e,
      );
    }
    this.#drop();
    return pondError(
      'ESQL',
      path,
      `the query changed state that other queries share (${changedParts(instance.baseline, state).join(', ')}); it was refused and the SQL engine restarted`,
    );
  }

  /** Drop registered inputs; a failure to (DuckDB's own DROP TABLE failing) drops the instance. */
  #evicting(instance: Instance, run: () => void): void {
    try {
      run();
    } catch {
      if (this.#current === instance) this.#drop();
    }
  }

  /** Forget the current instance (its memory and registered inputs go with it); the next call starts a new one. */
  #drop(): void {
    const gone = this.#current;
    if (gone) {
      const s = gone.inputs.stats();
      this.#pastStats = { registered: this.#pastStats.registered + s.registered, reused: this.#pastStats.reused + s.reused };
    }
    this.#current = undefined;
    this.#instance = undefined;
    this.#generation++;
  }

  #ready(): Promise<Instance> {
    if (!this.#instance) {
      const started: Promise<Instance> = this.#start().catch((e: unknown) => {
        if (this.#instance === started) this.#instance = undefined; // let the next call retry
        throw toSqlError(e, 'duckdb', 'starting DuckDB');
      });
      this.#instance = started;
    }
    return this.#instance;
  }

  async #start(): Promise<Instance> {
    const db = await loadDuckDB({ query: { queryPollingInterval: this.#options.pollIntervalMs } });
    runOwn(db, SANDBOX_SETUP);
    const state = new EngineStateReader(db);
    const instance = { db, state, baseline: state.read(), inputs: new InputRegistry(db, this.#options.inputBudgetBytes ?? DEFAULT_INPUT_BUDGET_BYTES) };
    this.#current = instance;
    return instance;
  }
}

/** The input scope of a query call, unless it has none or an input name could collide with a registration. */
function scopeOf(query: SqlQueryOptions | undefined): string | undefined {
  if (typeof query?.scope !== 'string' || query.scope === '' || !Array.isArray(query.tables) || query.tables.length === 0) return undefined;
  return scopable(query.tables) ? query.scope : undefined;
}

/** Run statements of ours on a connection of their own. */
function runOwn(db: DuckDBBindings, statements: readonly string[]): void {
  const conn = db.connect();
  try {
    for (const stmt of statements) conn.query(stmt);
  } finally {
    conn.close();
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
