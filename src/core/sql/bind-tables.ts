import * as arrow from 'apache-arrow';
import { pondError } from '../errors.ts';
import { toSqlError } from './sql-error.ts';
import { ArrowLayout } from './layout.ts';
import type { PollControl } from './pending.ts';
import type { SqlTableInput } from './types.ts';

/** The synchronous DuckDB calls binding needs (one connection, used by one operation). */
export interface BindSession {
  /** Run a statement of ours (never user text) and return its result. */
  run(sql: string): arrow.Table;
  /** Create table `name` from `table`, or append to it by column position. */
  insertArrow(table: arrow.Table, name: string, create: boolean): void;
}

/** Double-quote an identifier for DuckDB. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A DuckDB column: its name and its type as DESCRIBE prints it. */
export interface Column {
  name: string;
  type: string;
}

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL\(\d+,\d+\))$/;
const DATETIME = /^(DATE|TIMESTAMP|TIMESTAMP_S|TIMESTAMP_MS|TIMESTAMP_NS|TIMESTAMP WITH TIME ZONE)$/;

/** Types that may widen into each other; every other type only matches itself. */
function family(type: string): string {
  if (NUMERIC.test(type)) return 'a number';
  if (DATETIME.test(type)) return 'a date/timestamp';
  return type;
}

/** The columns of DuckDB table `table`, in order. */
export function columnsOf(s: BindSession, table: string): Column[] {
  return s
    .run(`DESCRIBE ${quoteIdent(table)}`)
    .toArray()
    .map((r: { column_name: string; column_type: string }) => ({ name: r.column_name, type: r.column_type }));
}

/** DuckDB's own choice of a type that holds both (what UNION would pick). */
function commonType(s: BindSession, a: string, b: string): string {
  const t = s.run(`SELECT typeof(x) AS t FROM (SELECT NULL::${a} AS x UNION ALL SELECT NULL::${b}) LIMIT 1`);
  return String(t.getChild('t')?.get(0));
}

/**
 * Create one DuckDB table per input, the union by column name of its Arrow tables. Inputs whose
 * columns and types the table already takes are reshaped in Arrow (zero-copy, NULL-filled) and
 * appended by position; others go through a staging table, the target gains missing columns or
 * widens a column, and rows are inserted BY NAME. Never a UNION of
 * many branches (DuckDB-WASM fails beyond ~80). Every table it creates is pushed to `created`
 * first, so the caller can drop it even if binding fails half-way.
 */
export async function bindTables(s: BindSession, inputs: readonly SqlTableInput[], ctl: PollControl, path: string, created: string[]): Promise<void> {
  const seen = checkInputs(inputs, path);
  const stage = uniqueStageName(seen);
  for (const input of inputs) {
    await bindOne(s, input as BoundInput, input.name, stage, ctl, path, created);
  }
}

/**
 * Bind one input as DuckDB table `as` (errors still name the input), as `bindTables` does.
 * Its Arrow tables must be loaded already.
 */
export async function bindTable(s: BindSession, input: BoundInput, as: string, ctl: PollControl, path: string, created: string[]): Promise<void> {
  await bindOne(s, input, as, uniqueStageName(new Set([as.toLowerCase()])), ctl, path, created);
}

/** An input whose tables are all decoded. */
export interface BoundInput {
  name: string;
  tables: arrow.Table[];
}

/** Check names (valid, unique case-insensitively) and that every input has tables; returns the lower-cased names. */
export function checkInputs(inputs: readonly SqlTableInput[], path: string): Set<string> {
  const seen = new Set<string>();
  for (const input of inputs) {
    if (typeof input?.name !== 'string' || input.name === '' || input.name.includes('\0')) {
      throw pondError('EINVAL', path, `invalid SQL table name ${JSON.stringify(input?.name)}`);
    }
    const key = input.name.toLowerCase();
    if (seen.has(key)) throw pondError('EINVAL', path, `SQL table "${input.name}" is bound twice (names are case-insensitive)`);
    seen.add(key);
    if (!Array.isArray(input.tables) || input.tables.length === 0) {
      throw pondError('EINVAL', path, `SQL table "${input.name}" has no input tables`);
    }
  }
  return seen;
}

function uniqueStageName(taken: Set<string>): string {
  let name = '__pond_stage';
  for (let i = 1; taken.has(name); i++) name = `__pond_stage_${i}`;
  return name;
}

/** Lower-cased names of the columns whose Arrow type is Null (DuckDB types them INTEGER). */
function nullColumns(schema: arrow.Schema): Set<string> {
  return new Set(schema.fields.filter((f) => arrow.DataType.isNull(f.type)).map((f) => f.name.toLowerCase()));
}

async function bindOne(s: BindSession, input: BoundInput, as: string, stage: string, ctl: PollControl, path: string, created: string[]): Promise<void> {
  const target = quoteIdent(as);
  const context = (i: number): string => `table "${input.name}" (input ${i + 1} of ${input.tables.length})`;
  const layout = new ArrowLayout();
  let columns: Map<string, Column> | undefined; // the table's columns, in order, by lower-cased name
  let untyped = new Set<string>(); // columns that so far were all-NULL Arrow Null columns: any type may replace them
  for (let i = 0; i < input.tables.length; i++) {
    await ctl.pause('binding tables');
    const t = input.tables[i];
    if (!(t instanceof arrow.Table) && !(t && typeof t === 'object' && 'schema' in t && 'batches' in t)) {
      throw pondError('EINVAL', path, `${context(i)} is not an Arrow table`);
    }
    if (t.schema.fields.length === 0) throw pondError('EINVAL', path, `${context(i)} has no columns`);
    try {
      if (columns === undefined) {
        created.push(as);
        s.insertArrow(t, as, true);
        columns = new Map(columnsOf(s, as).map((c) => [c.name.toLowerCase(), c]));
        untyped = nullColumns(t.schema);
        layout.learn(
          t.schema,
          [...columns.values()].map((c) => c.name),
        );
        continue;
      }
      const direct = layout.conform(t);
      if (direct) {
        s.insertArrow(direct, as, false);
        continue;
      }
      created.push(stage);
      s.insertArrow(t, stage, true);
      const incomingNull = nullColumns(t.schema);
      for (const col of columnsOf(s, stage)) {
        widenOrAdd(s, { target, table: input.name, columns, untyped, path, where: () => context(i) }, col, incomingNull.has(col.name.toLowerCase()));
      }
      s.run(`INSERT INTO ${target} BY NAME SELECT * FROM ${quoteIdent(stage)}`);
      s.run(`DROP TABLE ${quoteIdent(stage)}`);
      created.pop();
      layout.learn(
        t.schema,
        [...columns.values()].map((c) => c.name),
      );
    } catch (e) {
      throw toSqlError(e, path, `binding ${context(i)}`);
    }
  }
}

interface Target {
  target: string;
  table: string;
  columns: Map<string, Column>;
  untyped: Set<string>;
  path: string;
  where: () => string;
}

/** Make the target able to take column `col`: add it, or widen it within its type family. */
function widenOrAdd(s: BindSession, t: Target, col: Column, colIsNull: boolean): void {
  const key = col.name.toLowerCase();
  const have = t.columns.get(key);
  if (!have) {
    s.run(`ALTER TABLE ${t.target} ADD COLUMN ${quoteIdent(col.name)} ${col.type}`);
    t.columns.set(key, { name: col.name, type: col.type });
    if (colIsNull) t.untyped.add(key);
    return;
  }
  if (colIsNull || have.type === col.type) return;
  let common: string;
  if (t.untyped.has(key)) {
    common = col.type;
  } else if (family(have.type) === family(col.type)) {
    common = commonType(s, have.type, col.type);
  } else {
    throw pondError(
      'ESQL',
      t.path,
      `table "${t.table}": column "${have.name}" is ${have.type} in earlier inputs but ${col.type} in ${t.where()}; cannot union ${family(have.type)} with ${family(col.type)}`,
      { table: t.table, column: have.name },
    );
  }
  t.untyped.delete(key);
  if (common !== have.type) {
    s.run(`ALTER TABLE ${t.target} ALTER COLUMN ${quoteIdent(have.name)} SET DATA TYPE ${common}`);
    t.columns.set(key, { name: have.name, type: common });
  }
}
