// What the Rust time-series factories (timeseries-join, timeseries-pivot) read: the nodes one input
// pattern names, as Arrow tables, matched and read by pattern-inputs.ts in series mode (the same
// scheme rules, relative paths and strict CSV as temporal-reduce and sql-derived). A pattern
// matching nothing is an empty set, as in Rust.
import * as arrow from 'apache-arrow';
import type { FactoryContext } from '../dynamic/factory.ts';
import { pondError } from '../errors.ts';
import { timeUnitsPerSecond } from '../arrow/event-time.ts';
import { matchPattern, parsedPattern, readMatch } from './pattern-inputs.ts';

/** One node an input pattern matched, read as a table. */
export interface InputTable {
  path: string;
  captures: string[];
  table: arrow.Table;
}

/**
 * Every node `pattern` matches that a series reads, as a table, in match order; a relative
 * pattern is resolved against `dir`. Tables without columns (a series with no version) are left
 * out. No match is an empty list, not an error: Rust treats an input that resolves to nothing as
 * an empty set (its scenario 104).
 */
export async function readInputTables(ctx: FactoryContext, pattern: string, dir: string): Promise<InputTable[]> {
  const url = parsedPattern(pattern, ctx.path);
  const out: InputTable[] = [];
  for (const m of await matchPattern(ctx, url, dir, 'series')) {
    const table = await readMatch(ctx, url, m.path);
    if (table.numCols === 0) continue;
    out.push({ path: m.path, captures: m.captures, table });
  }
  return out;
}

/** A SQL identifier, double-quoted (sql/'s quoteIdent is behind the lazy-load boundary of sql/). */
export function quote(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** `table` with every field name passed through `prefix` (data shared, nothing copied): the scope prefix. */
export function prefixColumns(table: arrow.Table, rename: (name: string) => string): arrow.Table {
  const fields = table.schema.fields.map((f) => new arrow.Field(rename(f.name), f.type, f.nullable, f.metadata));
  const schema = new arrow.Schema(fields, table.schema.metadata);
  const batches = table.batches.map(
    (b) => new arrow.RecordBatch(schema, arrow.makeData({ type: new arrow.Struct(fields), length: b.numRows, nullCount: 0, children: b.data.children })),
  );
  return new arrow.Table(schema, batches);
}

/** Whether two Arrow types are the same (id, unit, zone, width). */
export function sameType(a: arrow.DataType, b: arrow.DataType): boolean {
  return a.typeId === b.typeId && String(a) === String(b);
}

/**
 * `table` with its column `name` converted to `type` (Timestamp of any unit and zone, or Int64 as
 * epoch µs): DuckDB hands timestamps back as µs UTC, Rust keeps the inputs' time type.
 */
export function retypeTime(table: arrow.Table, name: string, type: arrow.DataType): arrow.Table {
  const i = table.schema.fields.findIndex((f) => f.name === name);
  if (i < 0) return table;
  const from = table.schema.fields[i].type;
  if (sameType(from, type)) return table;
  const src = timeUnitsPerSecond(from);
  const dst = timeUnitsPerSecond(type);
  if (src === undefined || dst === undefined) return table;
  const fields = table.schema.fields.map((f, k) => (k === i ? new arrow.Field(f.name, type, f.nullable, f.metadata) : f));
  const schema = new arrow.Schema(fields, table.schema.metadata);
  const batches = table.batches.map((b) => {
    const col = b.data.children[i];
    const values = col.values as unknown as BigInt64Array;
    const out = new BigInt64Array(col.length);
    for (let r = 0; r < col.length; r++) {
      // Arrow's Data.values already starts at the column's offset.
      const v = values[r];
      out[r] = dst >= src ? v * BigInt(dst / src) : v / BigInt(src / dst);
    }
    // The validity bitmap is rebuilt from offset 0 (the source's may start mid-byte).
    const valid = new arrow.Vector([col]);
    const bitmap = col.nullCount > 0 ? new Uint8Array(Math.ceil(col.length / 8)) : undefined;
    if (bitmap) for (let r = 0; r < col.length; r++) if (valid.isValid(r)) bitmap[r >> 3] |= 1 << (r & 7);
    const props = { length: col.length, nullCount: col.nullCount, nullBitmap: bitmap, data: out };
    const data = arrow.DataType.isTimestamp(type) ? arrow.makeData({ type, ...props }) : arrow.makeData({ type: new arrow.Int64(), ...props });
    const children = b.data.children.map((c, k) => (k === i ? data : c));
    return new arrow.RecordBatch(schema, arrow.makeData({ type: new arrow.Struct(fields), length: b.numRows, nullCount: 0, children }));
  });
  return new arrow.Table(schema, batches);
}

/** EFACTORY naming the node, for a problem with what an input holds. */
export function inputError(node: string, message: string): Error {
  return pondError('EFACTORY', node, message);
}
