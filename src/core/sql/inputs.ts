import * as arrow from 'apache-arrow';
import type { DuckDBBindings } from '@duckdb/duckdb-wasm/blocking';
import { pondError } from '../errors.ts';
import { bindTable, columnsOf, quoteIdent, type BindSession, type Column } from './bind-tables.ts';
import type { PollControl } from './pending.ts';
import type { SqlInputStats, SqlLazyTable, SqlTableInput } from './types.ts';

/** Registered inputs are temp tables named with this prefix (and a number). */
export const REGISTERED_PREFIX = '__pond_input_';
/**
 * What a column left out of a registration evaluates to: an error the engine recognises and
 * answers by running the query again with every column loaded. DuckDB evaluates a column only when
 * a result depends on its values; names and types (DESCRIBE, `SELECT * ... LIMIT 0`) are exact.
 */
export const UNLOADED_MARKER = '__pond_column_not_loaded__';

const SHAPE = '__pond_shape';
/** At most this many registrations, whatever their size: each is a DuckDB table (and a scope a connection). */
const MAX_REGISTRATIONS = 256;
const TYPES = '__pond_types';

/** True for a `SqlLazyTable` (anything with a string key and schema/load functions). */
export function isLazyTable(t: unknown): t is SqlLazyTable {
  if (typeof t !== 'object' || t === null) return false;
  const l = t as Partial<SqlLazyTable>;
  return typeof l.key === 'string' && typeof l.load === 'function' && typeof l.schema === 'function';
}

/** An Arrow table, of this apache-arrow or another copy of it (as bindTables accepts). */
function isArrowTable(t: unknown): t is arrow.Table {
  return t instanceof arrow.Table || (typeof t === 'object' && t !== null && 'schema' in t && 'batches' in t);
}

/** Decode every lazy input in full (an unscoped call keeps nothing, so it does not project). */
export async function loadAll(inputs: readonly SqlTableInput[], ctl: PollControl): Promise<SqlTableInput[]> {
  const out: SqlTableInput[] = [];
  for (const input of inputs) {
    if (!Array.isArray(input?.tables) || !input.tables.some(isLazyTable)) {
      out.push(input);
      continue;
    }
    const tables: arrow.Table[] = [];
    for (const t of input.tables) {
      await ctl.pause('binding tables');
      tables.push(isLazyTable(t) ? await t.load() : t);
    }
    out.push({ name: input.name, tables });
  }
  return out;
}

// An Arrow table given directly is keyed by its identity: the engine treats Arrow tables as
// immutable, as the rest of the pond does.
const identities = new WeakMap<object, number>();
let nextIdentity = 0;

function contentKey(t: arrow.Table | SqlLazyTable): string {
  if (isLazyTable(t)) return `k${JSON.stringify(t.key)}`;
  let id = identities.get(t);
  if (id === undefined) identities.set(t, (id = ++nextIdentity));
  return `o${id}`;
}

/** One bound table kept in DuckDB: a temp table of its scope's connection. */
export interface Registration {
  readonly scope: string;
  readonly key: string;
  /** The temp table's name. */
  readonly table: string;
  /** The bound table's columns (every one, loaded or not), in DuckDB's order, with DuckDB's types. */
  readonly columns: readonly Column[];
  /** Lower-cased names of the columns the temp table holds. */
  readonly loaded: ReadonlySet<string>;
  /** Decoded Arrow size of what was loaded. */
  readonly bytes: number;
  /** Calls using it now; a used registration is never evicted. */
  refs: number;
}

interface Scope {
  conn: number;
  entries: Map<string, Registration>;
}

/** The calls a scoped bind needs: binding, plus ending the registration's own transaction. */
export interface ScopedSession extends BindSession {
  /** Commit what was registered so far and start the call's own (rolled-back) transaction. */
  commit(): void;
}

/**
 * The registered inputs of one DuckDB instance, by scope and content key. Each scope has a DuckDB
 * connection of its own, and its registrations are TEMP tables of that connection: DuckDB shows a
 * connection's temp tables to no other connection, so no other scope, no unscoped call and no
 * state check sees them. Dropping the instance drops them all.
 */
export class InputRegistry {
  readonly #db: DuckDBBindings;
  readonly budgetBytes: number;
  readonly #scopes = new Map<string, Scope>();
  /** Every registration, least recently used first. */
  readonly #recency = new Set<Registration>();
  #bytes = 0;
  #next = 0;
  #registered = 0;
  #reused = 0;

  constructor(db: DuckDBBindings, budgetBytes: number) {
    this.#db = db;
    this.budgetBytes = budgetBytes;
  }

  /** The connection of `scope` (opened on first use). */
  connection(scope: string): number {
    let s = this.#scopes.get(scope);
    if (!s) {
      s = { conn: this.#db.connect().useUnsafe((_b, id) => id), entries: new Map() };
      this.#scopes.set(scope, s);
    }
    return s.conn;
  }

  stats(): SqlInputStats {
    return { tables: this.#recency.size, bytes: this.#bytes, budgetBytes: this.budgetBytes, registered: this.#registered, reused: this.#reused };
  }

  /** A fresh temp table name. */
  nextName(): string {
    return `${REGISTERED_PREFIX}${++this.#next}`;
  }

  lookup(scope: string, key: string): Registration | undefined {
    return this.#scopes.get(scope)?.entries.get(key);
  }

  /** Mark `reg` used by a call (and most recently used). */
  pin(reg: Registration, reused: boolean): void {
    reg.refs++;
    if (reused) this.#reused++;
    this.#recency.delete(reg);
    this.#recency.add(reg);
  }

  unpin(regs: readonly Registration[]): void {
    for (const r of regs) r.refs = Math.max(0, r.refs - 1);
  }

  /** Record a registration its call just committed, replacing `replaced` (dropped in that same transaction). */
  add(reg: Registration, replaced: Registration | undefined): void {
    const s = this.#scopes.get(reg.scope);
    if (!s) throw new Error('internal: registration without its scope');
    if (replaced) this.#forget(replaced);
    s.entries.set(reg.key, reg);
    this.#recency.add(reg);
    this.#bytes += reg.bytes;
    this.#registered++;
  }

  /**
   * Drop unused registrations, least recently used first, until the budget (and MAX_REGISTRATIONS)
   * holds; close the connection of a scope left with none. Runs outside every transaction (between calls).
   */
  evict(): void {
    for (const reg of [...this.#recency]) {
      if (this.#bytes <= this.budgetBytes && this.#recency.size <= MAX_REGISTRATIONS) break;
      if (reg.refs === 0) this.#drop(reg);
    }
    this.#closeEmpty();
  }

  /** Drop every unused registration (of `scope` only, when given). */
  dropAll(scope?: string): void {
    for (const reg of [...this.#recency]) if (reg.refs === 0 && (scope === undefined || reg.scope === scope)) this.#drop(reg);
    this.#closeEmpty();
  }

  #drop(reg: Registration): void {
    const s = this.#scopes.get(reg.scope);
    if (s) this.#db.runQuery(s.conn, `DROP TABLE IF EXISTS temp.main.${quoteIdent(reg.table)}`);
    this.#forget(reg);
  }

  #forget(reg: Registration): void {
    const s = this.#scopes.get(reg.scope);
    if (s?.entries.get(reg.key) === reg) s.entries.delete(reg.key);
    if (this.#recency.delete(reg)) this.#bytes -= reg.bytes;
  }

  #closeEmpty(): void {
    for (const [id, s] of this.#scopes) {
      if (s.entries.size > 0) continue;
      this.#scopes.delete(id);
      this.#db.disconnect(s.conn);
    }
  }
}

/** A BindSession whose tables are TEMP tables (insertArrowFromIPCStream only creates them in main). */
class TempTables implements BindSession {
  readonly #s: BindSession;

  constructor(s: BindSession) {
    this.#s = s;
  }

  run(sql: string): arrow.Table {
    return this.#s.run(sql);
  }

  insertArrow(table: arrow.Table, name: string, create: boolean): void {
    if (create) {
      // DuckDB's own mapping of the Arrow types, from a zero-row copy; main's table never commits.
      this.#s.insertArrow(emptyTable(table.schema), SHAPE, true);
      this.#s.run(`CREATE TEMP TABLE ${quoteIdent(name)} AS SELECT * FROM main.${quoteIdent(SHAPE)}`);
      this.#s.run(`DROP TABLE main.${quoteIdent(SHAPE)}`);
    }
    this.#s.insertArrow(table, name, false);
  }
}

const WORD = /[\p{L}\p{N}_$]/u;

/**
 * True when column `name` occurs in the lower-cased query `text` as a whole word (not as part of
 * a longer identifier), or anywhere when the name itself has characters an identifier cannot.
 * A miss only costs a retry (see UNLOADED_MARKER), never a wrong answer.
 */
export function mentions(text: string, name: string): boolean {
  const n = name.toLowerCase();
  if (n === '' || ![...n].every((ch) => WORD.test(ch))) return text.includes(n);
  // By UTF-16 unit: half a surrogate pair counts as a boundary, which can only load a column more.
  for (let i = text.indexOf(n); i >= 0; i = text.indexOf(n, i + 1)) {
    if (!WORD.test(text.charAt(i - 1)) && !WORD.test(text.charAt(i + n.length))) return true;
  }
  return false;
}

/**
 * A zero-row table of `schema` with one (empty) batch: DuckDB refuses an IPC stream without one
 * when a column is a dictionary ("must have at least one column"), since its dictionary is missing.
 */
function emptyTable(schema: arrow.Schema): arrow.Table {
  const children = schema.fields.map((f) => arrow.vectorFromArray([], f.type).data[0]);
  return new arrow.Table(schema, [new arrow.RecordBatch(schema, arrow.makeData({ type: new arrow.Struct(schema.fields), length: 0, nullCount: 0, children }))]);
}

/** True when no input name could collide with a registration (the temp views share their schema). */
export function scopable(inputs: readonly SqlTableInput[]): boolean {
  return inputs.every((i) => typeof i?.name !== 'string' || !i.name.toLowerCase().startsWith(REGISTERED_PREFIX));
}

/**
 * Bind `inputs` for one scoped call: each becomes a TEMP VIEW, named as the input, over a
 * registration of its content, made now (decoded, copied into DuckDB, committed) unless one that
 * holds every column the query names already exists. With `sql`, only the columns whose names
 * occur in its text are loaded; the view gives the others as UNLOADED_MARKER errors of their type.
 * Without it, every column is loaded. Returns the registrations used (pinned), for the caller to
 * unpin when the call ends.
 */
export async function bindRegistered(
  s: ScopedSession,
  registry: InputRegistry,
  scope: string,
  inputs: readonly SqlTableInput[],
  sql: string | undefined,
  ctl: PollControl,
  path: string,
): Promise<Registration[]> {
  const text = sql?.toLowerCase();
  const plans: Array<{ input: SqlTableInput; reg: Registration; made?: Registration }> = [];
  const made: Array<{ reg: Registration; replaced: Registration | undefined }> = [];
  const temp = new TempTables(s);
  for (const input of inputs) {
    input.tables.forEach((t, i) => {
      if (!isArrowTable(t) && !isLazyTable(t))
        throw pondError('EINVAL', path, `table "${input.name}" (input ${i + 1} of ${input.tables.length}) is not an Arrow table`);
    });
  }
  for (const input of inputs) {
    const key = JSON.stringify(input.tables.map(contentKey));
    const have = registry.lookup(scope, key);
    const wanted = (c: Column): boolean => text === undefined || mentions(text, c.name);
    if (have && have.columns.every((c) => !wanted(c) || have.loaded.has(c.name.toLowerCase()))) {
      plans.push({ input, reg: have });
      continue;
    }
    const reg = await register(s, temp, registry, scope, key, input, text, have, ctl, path);
    // The registration it replaces goes in the same transaction (unless another name of this call uses it).
    const replaced = have && have.refs === 0 && !plans.some((p) => p.reg === have) ? have : undefined;
    if (replaced) s.run(`DROP TABLE temp.main.${quoteIdent(replaced.table)}`);
    made.push({ reg, replaced });
    plans.push({ input, reg, made: reg });
  }
  if (made.length > 0) {
    s.commit();
    for (const m of made) registry.add(m.reg, m.replaced);
  }
  const pinned: Registration[] = [];
  for (const p of plans) {
    registry.pin(p.reg, p.made === undefined);
    pinned.push(p.reg);
    const cols = p.reg.columns.map((c) =>
      p.reg.loaded.has(c.name.toLowerCase()) ? quoteIdent(c.name) : `CAST(error('${UNLOADED_MARKER}') AS ${c.type}) AS ${quoteIdent(c.name)}`,
    );
    s.run(`CREATE TEMP VIEW ${quoteIdent(p.input.name)} AS SELECT ${cols.join(', ')} FROM temp.main.${quoteIdent(p.reg.table)}`);
  }
  return pinned;
}

/** Decode `input` (only the columns `text` names, plus what `have` held) into a new temp table. */
async function register(
  s: BindSession,
  temp: TempTables,
  registry: InputRegistry,
  scope: string,
  key: string,
  input: SqlTableInput,
  text: string | undefined,
  have: Registration | undefined,
  ctl: PollControl,
  path: string,
): Promise<Registration> {
  const schemas: arrow.Schema[] = [];
  for (const t of input.tables) {
    await ctl.pause('binding tables');
    schemas.push(isLazyTable(t) ? await t.schema() : t.schema);
  }
  // One set of columns for every input: a column loaded from some inputs only would be NULL in the others' rows.
  const keep = new Set<string>();
  const names = schemas.map((sc) => sc.fields.map((f) => f.name));
  for (const n of names.flat()) if (text === undefined || mentions(text, n) || have?.loaded.has(n.toLowerCase())) keep.add(n.toLowerCase());
  // A table needs a column, and count(*) needs the rows: an input none of whose columns is named loads its first.
  for (const ns of names) if (ns.length > 0 && !ns.some((n) => keep.has(n.toLowerCase()))) keep.add(ns[0].toLowerCase());
  const picks = names.map((ns) => (ns.every((n) => keep.has(n.toLowerCase())) ? undefined : ns.filter((n) => keep.has(n.toLowerCase()))));
  const loaded: arrow.Table[] = [];
  let bytes = 0;
  for (let i = 0; i < input.tables.length; i++) {
    await ctl.pause('binding tables');
    const t = input.tables[i];
    const pick = picks[i];
    const table = isLazyTable(t) ? await t.load(pick) : pick === undefined ? t : t.selectAt(pick.map((n) => t.schema.fields.findIndex((f) => f.name === n)));
    if (!isArrowTable(table))
      throw pondError('EINVAL', path, `table "${input.name}" (input ${i + 1} of ${input.tables.length}) did not load as an Arrow table`);
    bytes += table.batches.reduce((n, b) => n + b.data.byteLength, 0);
    loaded.push(table);
  }
  const name = registry.nextName();
  await bindTable(temp, { name: input.name, tables: loaded }, name, ctl, path, []);
  const held = columnsOf(temp, name);
  let columns = held;
  if (picks.some((p) => p !== undefined)) {
    // The view shows every column with the type a full bind gives it: bind the schemas alone, in
    // a main table that never commits.
    await bindTable(s, { name: input.name, tables: schemas.map(emptyTable) }, TYPES, ctl, path, []);
    columns = columnsOf(s, TYPES);
    s.run(`DROP TABLE main.${quoteIdent(TYPES)}`);
  }
  return { scope, key, table: name, columns, loaded: new Set(held.map((c) => c.name.toLowerCase())), bytes, refs: 0 };
}
