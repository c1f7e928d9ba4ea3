/**
 * Arrow values of any type as the grid, charts and CSV export show them. Pages are rebuilt value by
 * value rather than sliced: apache-arrow 17 cannot write a slice of a 64-bit-offset column
 * (`LargeUtf8`, `LargeBinary`; Polars writes every string that way) to IPC ("Cannot mix BigInt and
 * other types"), and some types have no builder or no faithful JS value. A page column therefore
 * has a simpler type than its source: large strings and binaries become the 32-bit kinds (a page
 * is small), dictionaries their values, decimals their exact text, nested values JSON text.
 */
import * as arrow from 'apache-arrow';

/** Rows `rows` of `table`, in that order, as a table the UI can decode (see the header). */
export function pageTable(table: arrow.Table, rows: ArrayLike<number>): arrow.Table {
  const columns: Record<string, arrow.Vector> = {};
  for (const field of table.schema.fields) columns[field.name] = pageColumn(table.getChild(field.name)!, rows);
  return new arrow.Table(columns);
}

/** `rows` of `col` as a new vector of its page type. */
function pageColumn(col: arrow.Vector, rows: ArrayLike<number>): arrow.Vector {
  const type = valueType(col.type);
  const values = Array.from(rows, (r) => col.get(r) as unknown);
  const target = pageType(type);
  if (target === 'text') return textVector(values.map((v) => textOf(v, type)));
  try {
    return arrow.vectorFromArray(values, target);
  } catch {
    // A type the builders cannot rebuild from JS values (intervals, durations): show it as text.
    return textVector(values.map((v) => textOf(v, type)));
  }
}

/** The type a dictionary's values have; any other type as it is. */
function valueType(type: arrow.DataType): arrow.DataType {
  return arrow.DataType.isDictionary(type) ? valueType(type.dictionary) : type;
}

/** The type a page column of `type` gets, or 'text' for values shown as text. */
function pageType(type: arrow.DataType): arrow.DataType | 'text' {
  if (arrow.DataType.isLargeUtf8(type)) return new arrow.Utf8();
  if (arrow.DataType.isLargeBinary(type)) return new arrow.Binary();
  if (arrow.DataType.isDecimal(type) || isNested(type)) return 'text';
  return type;
}

function isNested(type: arrow.DataType): boolean {
  const t = arrow.DataType;
  return t.isList(type) || t.isStruct(type) || t.isMap(type) || t.isUnion(type) || t.isFixedSizeList(type);
}

function textVector(values: (string | null)[]): arrow.Vector {
  return arrow.vectorFromArray(values, new arrow.Utf8());
}

/** A value of `type` as text: decimals exactly, binaries as hex, nested values as JSON; null stays null. */
export function textOf(v: unknown, type: arrow.DataType): string | null {
  if (v === null || v === undefined) return null;
  type = valueType(type);
  if (arrow.DataType.isDecimal(type)) return decimalText(v, type.scale);
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return hex(v);
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  try {
    return JSON.stringify(v, jsonSafe) ?? String(v);
  } catch {
    return String(v);
  }
}

/** A value of `type` as a number (times as ms, decimals scaled, 64-bit integers rounded); NaN for null and non-numbers. */
export function numberOf(v: unknown, type: arrow.DataType): number {
  if (v === null || v === undefined) return NaN;
  type = valueType(type);
  if (arrow.DataType.isDecimal(type)) return Number(decimalText(v, type.scale));
  return v instanceof Date ? v.getTime() : Number(v);
}

/** An unscaled decimal (apache-arrow's BigNum prints its integer) as exact decimal text. */
function decimalText(v: unknown, scale: number): string {
  const digits = String(v);
  const sign = digits.startsWith('-') ? '-' : '';
  const abs = sign ? digits.slice(1) : digits;
  if (scale <= 0) return abs === '0' ? '0' : sign + abs + '0'.repeat(-scale);
  const padded = abs.padStart(scale + 1, '0');
  return `${sign}${padded.slice(0, -scale)}.${padded.slice(-scale)}`;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** JSON.stringify replacer: 64-bit integers as numbers when exact, else as text; bytes as hex. */
function jsonSafe(_key: string, x: unknown): unknown {
  if (typeof x === 'bigint') return x <= BigInt(Number.MAX_SAFE_INTEGER) && x >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(x) : x.toString();
  if (x instanceof Uint8Array) return hex(x);
  return x;
}
