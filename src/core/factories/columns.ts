import * as arrow from 'apache-arrow';
import { z } from 'zod';
import { pondError } from '../errors.ts';

/** The column types a config can name, shared by scribble (`schema`) and combine (`output_schema`). */
export const COLUMN_TYPES = ['integer', 'float', 'string', 'boolean', 'timestamp'] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];
export const columnType = z.enum(COLUMN_TYPES);

/** The Arrow type of a config column type: Int64, Float64, Utf8, Bool, Timestamp(µs, UTC). */
export function arrowType(t: ColumnType): arrow.DataType {
  switch (t) {
    case 'integer':
      return new arrow.Int64();
    case 'float':
      return new arrow.Float64();
    case 'string':
      return new arrow.Utf8();
    case 'boolean':
      return new arrow.Bool();
    case 'timestamp':
      return new arrow.TimestampMicrosecond('UTC');
  }
}

/** The type with dictionary encoding and large offsets taken off: what a column means, not how it is stored. */
export function logicalType(t: arrow.DataType): string {
  if (arrow.DataType.isDictionary(t)) return logicalType(t.valueType);
  if (t.typeId === arrow.Type.LargeUtf8) return 'Utf8';
  if (t.typeId === arrow.Type.LargeBinary) return 'Binary';
  return String(t);
}

/** Where a value came from, for the error that names the file and the column. */
export interface CastSite {
  file: string;
  column: string;
}

/**
 * `vector` as `target`, value by value. Same storage type: returned as is. EFACTORY naming the
 * file, column and row for a value that does not convert (a non-numeric string to integer, ...).
 */
export function castVector(vector: arrow.Vector, target: arrow.DataType, site: CastSite): arrow.Vector {
  if (String(vector.type) === String(target)) return vector;
  const convert = converter(vector.type, target, site);
  const builder = arrow.makeBuilder({ type: target, nullValues: [null, undefined] });
  for (let i = 0; i < vector.length; i++) {
    const v: unknown = vector.get(i);
    builder.append(v === null || v === undefined ? null : convert(v, i));
  }
  return builder.finish().toVector();
}

/** A vector of `length` nulls of `type` (a column an input lacks but output_schema declares). */
export function nullVector(type: arrow.DataType, length: number): arrow.Vector {
  const builder = arrow.makeBuilder({ type, nullValues: [null, undefined] });
  for (let i = 0; i < length; i++) builder.append(null);
  return builder.finish().toVector();
}

type Convert = (v: unknown, row: number) => unknown;

function converter(from: arrow.DataType, to: arrow.DataType, site: CastSite): Convert {
  const fromTime = arrow.DataType.isTimestamp(from) || arrow.DataType.isDate(from);
  const fail = (v: unknown, row: number): never => {
    throw pondError('EFACTORY', site.file, `column ${site.column}, row ${row}: cannot cast ${show(v)} (${from}) to ${to}`, { column: site.column, row });
  };
  const dict = arrow.DataType.isDictionary(to) ? to.valueType : to;
  if (arrow.DataType.isInt(dict)) {
    const big = dict.bitWidth === 64;
    return (v, row) => {
      const n = toNumber(v, fromTime);
      if (n === undefined || !Number.isFinite(n)) return fail(v, row);
      return big ? BigInt(Math.trunc(n)) : Math.trunc(n);
    };
  }
  if (arrow.DataType.isFloat(dict)) return (v, row) => toNumber(v, fromTime) ?? fail(v, row);
  if (arrow.DataType.isBool(dict)) return (v, row) => toBoolean(v) ?? fail(v, row);
  if (arrow.DataType.isTimestamp(dict) || arrow.DataType.isDate(dict)) {
    return (v, row) => {
      const ms = typeof v === 'string' ? Date.parse(v) : toNumber(v, true);
      return ms === undefined || !Number.isFinite(ms) ? fail(v, row) : ms;
    };
  }
  if (arrow.DataType.isUtf8(dict) || dict.typeId === arrow.Type.LargeUtf8) {
    return (v) => (fromTime && typeof v === 'number' ? new Date(v).toISOString() : v instanceof Date ? v.toISOString() : String(v));
  }
  return (v, row) => fail(v, row);
}

/** A number from a cell: bigints, numeric strings and booleans convert; dates are ms since the epoch. */
function toNumber(v: unknown, _time: boolean): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v.trim());
    return Number.isNaN(n) ? undefined : n;
  }
  return undefined;
}

function toBoolean(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'bigint') return v !== 0n;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (['true', 't', 'yes', 'y', '1'].includes(s)) return true;
    if (['false', 'f', 'no', 'n', '0'].includes(s)) return false;
  }
  return undefined;
}

function show(v: unknown): string {
  return typeof v === 'bigint' ? `${v}` : (JSON.stringify(v) ?? String(v));
}

/** Make a record batch under `schema` from one vector per field, all `length` long. */
export function makeBatch(schema: arrow.Schema, columns: arrow.Vector[], length: number): arrow.RecordBatch {
  const data = arrow.makeData({ type: new arrow.Struct(schema.fields), length, nullCount: 0, children: columns.map(singleData) });
  return new arrow.RecordBatch(schema, data);
}

/** The vector as one contiguous Data (a batch column must be one chunk). */
function singleData(v: arrow.Vector): arrow.Data {
  if (v.data.length === 1) return v.data[0];
  const builder = arrow.makeBuilder({ type: v.type, nullValues: [null, undefined] });
  for (let i = 0; i < v.length; i++) builder.append(v.get(i));
  return builder.finish().flush();
}
