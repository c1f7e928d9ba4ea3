/**
 * A reader of Thrift's compact protocol, the encoding of a Parquet footer and page headers. Bounded:
 * every length is checked against the bytes left and nesting is limited, so hostile bytes fail
 * as a ThriftError, never as an allocation or a RangeError.
 */

/** Compact-protocol type codes. */
export const T = { TRUE: 1, FALSE: 2, I8: 3, I16: 4, I32: 5, I64: 6, DOUBLE: 7, BINARY: 8, LIST: 9, SET: 10, MAP: 11, STRUCT: 12 } as const;

export type ThriftValue = boolean | number | bigint | Uint8Array | ThriftList | ThriftStruct | ThriftMap;
export interface ThriftList {
  elemType: number;
  items: ThriftValue[];
}
export interface ThriftMap {
  keyType: number;
  valueType: number;
  entries: [ThriftValue, ThriftValue][];
}
/** A struct: field id → its wire type and value, in the order read. */
export type ThriftStruct = Map<number, { type: number; value: ThriftValue }>;

/** Bytes that are not valid compact Thrift (or nest deeper than any Parquet metadata does). */
export class ThriftError extends Error {
  override readonly name = 'ThriftError';
}

const MAX_DEPTH = 64;

/** Reads compact-protocol values from `bytes[pos..end)`. */
export class ThriftReader {
  pos: number;
  constructor(
    readonly bytes: Uint8Array,
    pos = 0,
    readonly end = bytes.length,
  ) {
    this.pos = pos;
  }

  /** Read one struct (up to its STOP byte). */
  struct(depth = 0): ThriftStruct {
    if (depth > MAX_DEPTH) throw new ThriftError('nested too deep');
    const out: ThriftStruct = new Map();
    let last = 0;
    for (;;) {
      const b = this.#byte();
      if (b === 0) return out;
      const type = b & 0x0f;
      const delta = b >> 4;
      const id = delta === 0 ? this.#zigzag32() : last + delta;
      last = id;
      out.set(id, { type, value: this.#value(type, depth) });
    }
  }

  #value(type: number, depth: number): ThriftValue {
    switch (type) {
      case T.TRUE:
        return true;
      case T.FALSE:
        return false;
      case T.I8: {
        const b = this.#byte();
        return b > 127 ? b - 256 : b;
      }
      case T.I16:
      case T.I32:
        return this.#zigzag32();
      case T.I64:
        return this.#zigzag64();
      case T.DOUBLE: {
        this.#need(8);
        const v = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.pos, 8).getFloat64(0, true);
        this.pos += 8;
        return v;
      }
      case T.BINARY: {
        const n = this.#varint();
        this.#need(n);
        const v = this.bytes.subarray(this.pos, this.pos + n);
        this.pos += n;
        return v;
      }
      case T.LIST:
      case T.SET: {
        const h = this.#byte();
        const elemType = h & 0x0f;
        const n = h >> 4 === 15 ? this.#varint() : h >> 4;
        // Every element takes at least one byte: a hostile count cannot allocate past the input.
        if (n > this.end - this.pos) throw new ThriftError(`a list of ${n} elements in ${this.end - this.pos} bytes`);
        const items: ThriftValue[] = [];
        for (let i = 0; i < n; i++) items.push(elemType === T.TRUE || elemType === T.FALSE ? this.#byte() === 1 : this.#value(elemType, depth + 1));
        return { elemType, items };
      }
      case T.MAP: {
        const n = this.#varint();
        if (n === 0) return { keyType: 0, valueType: 0, entries: [] };
        if (n > this.end - this.pos) throw new ThriftError(`a map of ${n} entries in ${this.end - this.pos} bytes`);
        const kv = this.#byte();
        const entries: [ThriftValue, ThriftValue][] = [];
        for (let i = 0; i < n; i++) entries.push([this.#value(kv >> 4, depth + 1), this.#value(kv & 0x0f, depth + 1)]);
        return { keyType: kv >> 4, valueType: kv & 0x0f, entries };
      }
      case T.STRUCT:
        return this.struct(depth + 1);
      default:
        throw new ThriftError(`unknown type ${type} at byte ${this.pos}`);
    }
  }

  #need(n: number): void {
    if (n > this.end - this.pos) throw new ThriftError(`needs ${n} bytes at ${this.pos}, has ${this.end - this.pos}`);
  }

  #byte(): number {
    this.#need(1);
    return this.bytes[this.pos++];
  }

  #varint(): number {
    const v = this.#varint64();
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ThriftError('a length past 2^53');
    return Number(v);
  }

  #varint64(): bigint {
    let v = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      const b = this.#byte();
      v |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return v;
    }
    throw new ThriftError('a varint longer than 10 bytes');
  }

  #zigzag32(): number {
    const v = this.#varint64();
    const n = Number((v >> 1n) ^ -(v & 1n));
    if (n < -(2 ** 31) || n > 2 ** 31 - 1) throw new ThriftError('an i32 out of range');
    return n;
  }

  #zigzag64(): bigint {
    const v = this.#varint64() & ((1n << 64n) - 1n);
    return BigInt.asIntN(64, (v >> 1n) ^ -(v & 1n));
  }
}
