/**
 * Typed column builders: each holds exactly `length` values in the Arrow buffer it will become,
 * so a read makes no per-cell JS values (text is copied byte for byte from the input).
 */
import * as arrow from 'apache-arrow';
import { unescapeQuotes } from './scanner.ts';
import { parseBool, parseFloatField, parseInteger, parseTemporal, temporal } from './values.ts';

/** A column's inferred type, as the report names it. */
export type CsvType = 'Int64' | 'Float64' | 'Bool' | 'Date' | 'Timestamp' | 'Timestamp(UTC)' | 'Utf8';

/** Write an integer into slot i of a BigInt64Array seen as Int32 pairs (little-endian), no BigInt made. */
function setInt64(words: Int32Array, big: BigInt64Array, i: number, v: number | bigint): void {
  if (typeof v === 'bigint' || !Number.isSafeInteger(v)) {
    big[i] = BigInt(v);
    return;
  }
  const hi = Math.floor(v / 4294967296);
  words[2 * i] = (v - hi * 4294967296) | 0;
  words[2 * i + 1] = hi | 0;
}

export class ColumnBuilder {
  readonly type: CsvType;
  #n = 0;
  #nulls = 0;
  readonly #valid: Uint8Array;
  readonly #big: BigInt64Array | null = null;
  readonly #words: Int32Array | null = null;
  readonly #f64: Float64Array | null = null;
  readonly #i32: Int32Array | null = null;
  readonly #bits: Uint8Array | null = null;
  readonly #offsets: Int32Array | null = null;
  readonly #data: Uint8Array | null = null;

  /** `length` rows; `textBytes` bounds the bytes of a Utf8 column's values. */
  constructor(type: CsvType, length: number, textBytes: number) {
    this.type = type;
    this.#valid = new Uint8Array((length + 7) >> 3);
    if (type === 'Int64' || type === 'Timestamp' || type === 'Timestamp(UTC)') {
      this.#big = new BigInt64Array(length);
      this.#words = new Int32Array(this.#big.buffer);
    } else if (type === 'Float64') this.#f64 = new Float64Array(length);
    else if (type === 'Date') this.#i32 = new Int32Array(length);
    else if (type === 'Bool') this.#bits = new Uint8Array((length + 7) >> 3);
    else {
      this.#offsets = new Int32Array(length + 1);
      this.#data = new Uint8Array(textBytes);
    }
  }

  /** Append a null (an empty field). */
  pushNull(): void {
    this.#nulls++;
    const i = this.#n++;
    if (this.#offsets) this.#offsets[i + 1] = this.#offsets[i];
  }

  /** Append the value in bytes [s, e) (already known to fit the column's type). */
  push(b: Uint8Array, s: number, e: number, escaped: boolean): void {
    const i = this.#n++;
    this.#valid[i >> 3] |= 1 << (i & 7);
    switch (this.type) {
      case 'Int64':
        setInt64(this.#words!, this.#big!, i, parseInteger(b, s, e));
        return;
      case 'Float64':
        this.#f64![i] = parseFloatField(b, s, e);
        return;
      case 'Bool':
        if (parseBool(b, s, e) === 1) this.#bits![i >> 3] |= 1 << (i & 7);
        return;
      case 'Date':
        parseTemporal(b, s, e);
        this.#i32![i] = temporal.days;
        return;
      case 'Timestamp':
      case 'Timestamp(UTC)':
        parseTemporal(b, s, e);
        setInt64(this.#words!, this.#big!, i, temporal.big ?? temporal.micros);
        return;
      default: {
        const offsets = this.#offsets!;
        const at = offsets[i];
        const bytes = escaped ? unescapeQuotes(b, s, e) : b.subarray(s, e);
        this.#data!.set(bytes, at);
        offsets[i + 1] = at + bytes.length;
      }
    }
  }

  /** The Arrow data of the column. */
  finish(): arrow.Data {
    const length = this.#n;
    const nullCount = this.#nulls;
    const nullBitmap = nullCount ? this.#valid : undefined;
    switch (this.type) {
      case 'Int64':
        return arrow.makeData({ type: new arrow.Int64(), length, nullCount, nullBitmap, data: this.#big! });
      case 'Float64':
        return arrow.makeData({ type: new arrow.Float64(), length, nullCount, nullBitmap, data: this.#f64! });
      case 'Bool':
        return arrow.makeData({ type: new arrow.Bool(), length, nullCount, nullBitmap, data: this.#bits! });
      case 'Date':
        return arrow.makeData({ type: new arrow.DateDay(), length, nullCount, nullBitmap, data: this.#i32! });
      case 'Timestamp':
      case 'Timestamp(UTC)': {
        const type = new arrow.Timestamp(arrow.TimeUnit.MICROSECOND, this.type === 'Timestamp' ? null : 'UTC');
        return arrow.makeData({ type, length, nullCount, nullBitmap, data: this.#big! });
      }
      default: {
        const used = this.#offsets![length];
        return arrow.makeData({ type: new arrow.Utf8(), length, nullCount, nullBitmap, valueOffsets: this.#offsets!, data: this.#data!.subarray(0, used) });
      }
    }
  }
}
