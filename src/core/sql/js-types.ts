import * as arrow from 'apache-arrow';
import { quoteIdent } from './bind-tables.ts';

// DuckDB-WASM hands DECIMAL and HUGEINT (what sum() of integers returns) to Arrow as Decimal128,
// which apache-arrow JS cannot read as numbers (no scale, quoted strings), and its own
// castDecimalToDouble option garbles decimals nested in lists and structs: top-level Decimal128
// columns are converted to Float64 here, after decoding. ENUMs arrive as dictionary columns without
// their dictionary (all NULL): those queries are re-run with the columns cast to VARCHAR.

/**
 * `sql` wrapped so that its top-level ENUM (dictionary) columns come back as VARCHAR, or undefined
 * when there are none or the result has duplicate column names (REPLACE needs unambiguous ones).
 */
export function enumCastQuery(schema: arrow.Schema, sql: string): string | undefined {
  const enums = schema.fields.filter((f) => arrow.DataType.isDictionary(f.type)).map((f) => f.name);
  if (enums.length === 0) return undefined;
  if (new Set(schema.fields.map((f) => f.name.toLowerCase())).size !== schema.fields.length) return undefined;
  const casts = enums.map((c) => `CAST(${quoteIdent(c)} AS VARCHAR) AS ${quoteIdent(c)}`).join(', ');
  return `SELECT * REPLACE (${casts}) FROM (\n${sql}\n) AS pond_enum_cast`;
}

/** True when a dictionary type (a DuckDB ENUM) is anywhere in the schema. */
export function hasDictionary(schema: arrow.Schema): boolean {
  const walk = (t: arrow.DataType): boolean => arrow.DataType.isDictionary(t) || (t.children ?? []).some((c: arrow.Field) => walk(c.type));
  return schema.fields.some((f) => walk(f.type));
}

const isDecimal128 = (t: arrow.DataType): t is arrow.Decimal => arrow.DataType.isDecimal(t) && t.bitWidth === 128;

/** Converts record batches of one result; `schema` is what they look like afterwards. */
export interface BatchAdapter {
  schema: arrow.Schema;
  adapt(batch: arrow.RecordBatch): arrow.RecordBatch;
}

/** The adapter turning top-level Decimal128 columns into Float64 (identity when there are none). */
export function decimalAdapter(schema: arrow.Schema): BatchAdapter {
  const which = schema.fields.map((f) => isDecimal128(f.type));
  if (!which.includes(true)) return { schema, adapt: (b) => b };
  const fields = schema.fields.map((f, i) => (which[i] ? new arrow.Field(f.name, new arrow.Float64(), f.nullable, f.metadata) : f));
  const out = new arrow.Schema(fields, schema.metadata);
  const struct = new arrow.Struct(fields);
  return {
    schema: out,
    adapt: (b) => {
      const children = b.data.children.map((c, i) => (which[i] ? decimalToFloat64(c as arrow.Data<arrow.Decimal>) : c));
      return new arrow.RecordBatch(out, arrow.makeData({ type: struct, length: b.numRows, nullCount: 0, children }));
    },
  };
}

const TWO_32 = 4294967296;

/** Decimal128 (four little-endian uint32 words per value, two's complement) as doubles. */
function decimalToFloat64(d: arrow.Data<arrow.Decimal>): arrow.Data<arrow.Float64> {
  // Arrow JS slices `values` on Data.slice; `offset` only positions the null bitmap.
  const words = d.values as unknown as Uint32Array;
  const divisor = 10 ** d.type.scale;
  const out = new Float64Array(d.length);
  for (let i = 0; i < d.length; i++) {
    let w0 = words[4 * i];
    let w1 = words[4 * i + 1];
    let w2 = words[4 * i + 2];
    let w3 = words[4 * i + 3];
    const negative = (w3 & 0x80000000) !== 0;
    if (negative) {
      // Negate: invert every word, then add one with carry.
      w0 = (~w0 + 1) >>> 0;
      w1 = ~w1 >>> 0;
      w2 = ~w2 >>> 0;
      w3 = ~w3 >>> 0;
      if (w0 === 0) {
        w1 = (w1 + 1) >>> 0;
        if (w1 === 0) {
          w2 = (w2 + 1) >>> 0;
          if (w2 === 0) w3 = (w3 + 1) >>> 0;
        }
      }
    }
    // Exact below 2^53, as a double can be; larger values round like any double would.
    const magnitude = ((w3 * TWO_32 + w2) * TWO_32 + w1) * TWO_32 + w0;
    out[i] = (negative ? -magnitude : magnitude) / divisor;
  }
  return arrow.makeData({ type: new arrow.Float64(), offset: d.offset, length: d.length, nullCount: d.nullCount, nullBitmap: d.nullBitmap, data: out });
}
