/**
 * Arrow columns built straight from JS values into their buffers. `vectorFromArray` goes through
 * Arrow JS's generic builders, which cost ~1 ms for a two-row table of twelve columns: most of a
 * one-file commit's CPU time went there (and into the directory snapshot's four columns).
 */
import * as arrow from 'apache-arrow';

const encoder = new TextEncoder();

/** A validity bitmap (bit set = value present) and the null count, or none when nothing is null. */
function validity(n: number, isNull: (i: number) => boolean): { nullBitmap?: Uint8Array; nullCount: number } {
  let nullCount = 0;
  for (let i = 0; i < n; i++) if (isNull(i)) nullCount++;
  if (nullCount === 0) return { nullCount };
  const nullBitmap = new Uint8Array(((n + 63) >> 6) << 3); // padded to 8 bytes, as IPC writes it
  for (let i = 0; i < n; i++) if (!isNull(i)) nullBitmap[i >> 3] |= 1 << (i & 7);
  return { nullBitmap, nullCount };
}

/** Variable-width values (bytes) as offsets into one buffer. */
function packed(values: readonly (Uint8Array | null)[]): { valueOffsets: Int32Array; data: Uint8Array } {
  const valueOffsets = new Int32Array(values.length + 1);
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    total += values[i]?.length ?? 0;
    valueOffsets[i + 1] = total;
  }
  const data = new Uint8Array(total);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v) data.set(v, valueOffsets[i]);
  }
  return { valueOffsets, data };
}

/** A Utf8 column; null entries are nulls. */
export function utf8Data(values: readonly (string | null)[]): arrow.Data<arrow.Utf8> {
  const n = values.length;
  const valueOffsets = new Int32Array(n + 1);
  let capacity = 0;
  for (const v of values) capacity += v === null ? 0 : v.length * 3; // the most UTF-8 bytes a UTF-16 string can need
  const buf = new Uint8Array(capacity);
  let at = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v !== null) at += encoder.encodeInto(v, buf.subarray(at)).written;
    valueOffsets[i + 1] = at;
  }
  const data = at === capacity ? buf : buf.slice(0, at);
  return arrow.makeData({ type: new arrow.Utf8(), length: n, ...validity(n, (i) => values[i] === null), valueOffsets, data });
}

/** A Binary column; null entries are nulls. */
export function binaryData(values: readonly (Uint8Array | null)[]): arrow.Data<arrow.Binary> {
  const n = values.length;
  return arrow.makeData({ type: new arrow.Binary(), length: n, ...validity(n, (i) => values[i] === null), ...packed(values) });
}

/** An Int64 column from safe integers (truncated); null entries are nulls. */
export function int64Data(values: readonly (number | null)[]): arrow.Data<arrow.Int64> {
  const n = values.length;
  const data = new BigInt64Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v !== null) data[i] = BigInt(Math.trunc(v));
  }
  return arrow.makeData({ type: new arrow.Int64(), length: n, ...validity(n, (i) => values[i] === null), data });
}

/** A non-null Timestamp(µs) column from integer microseconds. */
export function timestampUsData(values: readonly number[], timezone: string | null): arrow.Data<arrow.TimestampMicrosecond> {
  const data = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = BigInt(Math.round(values[i]));
  return arrow.makeData({ type: new arrow.TimestampMicrosecond(timezone), length: values.length, nullCount: 0, data });
}

/** One record batch of `schema` over the given columns (in schema order), as a table. */
export function tableOf(schema: arrow.Schema, length: number, children: arrow.Data[]): arrow.Table {
  const struct = arrow.makeData({ type: new arrow.Struct(schema.fields), length, nullCount: 0, children });
  return new arrow.Table(schema, [new arrow.RecordBatch(schema, struct)]);
}
