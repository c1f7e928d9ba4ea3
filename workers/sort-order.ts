/**
 * The row order that sorts a column, computed in slices: a 3 M-row sort takes seconds, and a worker
 * that sorted in one go would keep every other call (a listing, a page of another table) waiting
 * that long. Every column becomes one float64 key per row (strings and 64-bit integers beyond 2^53
 * by their rank among the column's distinct values), then a stable merge sort runs over the keys,
 * yielding to the worker's message queue every few milliseconds and reporting progress.
 */
import * as arrow from 'apache-arrow';
import { numberOf, textOf } from './arrow-values.ts';

/** The rank key of a null: after every rank, also when descending flips the others' sign. */
const NULL_RANK = 0x7fffffff;
/** Work between two yields; a call that arrives meanwhile waits at most about this long. */
const SLICE_MS = 12;
/** Rows sorted by the engine's own sort before the merges (small enough to take well under a slice). */
const RUN = 4096;

/** Paces a long computation: call `tick(units)` as it goes; it yields and reports between slices. */
export interface Pace {
  tick(units: number): Promise<void>;
}

/** How a sort reports: progress (units done of `total`) and cancellation (throws when aborted). */
export interface SortObserver {
  progress?(done: number, total: number): void;
  signal?: AbortSignal;
}

/** Let the event loop serve queued messages, without setTimeout's 4 ms clamp. */
export function yieldToEvents(): Promise<void> {
  if (typeof MessageChannel !== 'function') return new Promise((resolve) => setTimeout(resolve, 0));
  return new Promise((resolve) => {
    const { port1, port2 } = new MessageChannel();
    port1.onmessage = () => {
      port1.close();
      resolve();
    };
    port2.postMessage(null);
  });
}

/** A pace over `total` units of work: yields after SLICE_MS, checks for cancellation, reports progress. */
export function pace(total: number, observer: SortObserver = {}): Pace {
  let done = 0;
  let sliceStart = performance.now();
  return {
    async tick(units) {
      done += units;
      if (performance.now() - sliceStart < SLICE_MS) return;
      observer.progress?.(Math.min(done, total), total);
      await yieldToEvents();
      observer.signal?.throwIfAborted();
      sliceStart = performance.now();
    },
  };
}

/**
 * Row permutation that sorts `col`: ascending or descending, nulls (and NaN) last in both
 * directions, ties in row order. Yields between slices; rejects with the signal's reason when aborted.
 */
export async function sortOrder(col: arrow.Vector, desc: boolean, observer: SortObserver = {}): Promise<Uint32Array> {
  const n = col.length;
  // Keys: one pass over the rows (a second over the distinct values for ranked kinds); the sort:
  // one pass for the runs and one per merge level.
  const levels = Math.max(0, Math.ceil(Math.log2(Math.max(1, n) / RUN)));
  const p = pace(n * (2 + levels), observer);
  observer.signal?.throwIfAborted();
  const keys = await sortKeys(col, p);
  // Descending is ascending over negated keys (ties keep row order either way; NaN and NULL_RANK stay, last).
  if (desc && keys instanceof Int32Array) for (let i = 0; i < n; i++) keys[i] = keys[i] === NULL_RANK ? NULL_RANK : -keys[i];
  else if (desc) for (let i = 0; i < n; i++) keys[i] = -keys[i];
  const order = await sortByKeys(keys, p);
  observer.progress?.(1, 1);
  return order;
}

/**
 * Stable ascending sort of 0..n-1 by float64 `keys`, NaN last, in slices: the merges compare keys
 * inline (a comparator call per step costs about half the time).
 */
function sortByKeys(keys: Float64Array | Int32Array, p: Pace): Promise<Uint32Array> {
  const cmp = (a: number, b: number) => {
    const ka = keys[a];
    const kb = keys[b];
    if (ka < kb) return -1;
    if (ka > kb) return 1;
    if (ka === kb) return a - b;
    // At least one NaN: it goes after any number.
    return ka !== ka ? (kb !== kb ? a - b : 1) : -1;
  };
  return mergeSort(keys.length, cmp, p, (src, dst, i, mid, j, hi, k, stop) => {
    while (k < stop) {
      if (i >= mid) dst[k++] = src[j++];
      else if (j >= hi) dst[k++] = src[i++];
      else {
        const ka = keys[src[i]];
        const kb = keys[src[j]];
        // The left one on ties (stable); a NaN on the right loses to anything, on the left to any number.
        dst[k++] = ka <= kb || kb !== kb ? src[i++] : src[j++];
      }
    }
    return i;
  });
}

/** Stable merge sort of 0..n-1 by `cmp`, in slices (see Pace). */
function sortIndices(n: number, cmp: (a: number, b: number) => number, p: Pace): Promise<Uint32Array> {
  return mergeSort(n, cmp, p, (src, dst, i, mid, j, hi, k, stop) => {
    while (k < stop) dst[k++] = i < mid && (j >= hi || cmp(src[i], src[j]) <= 0) ? src[i++] : src[j++];
    return i;
  });
}

/**
 * Merges sorted `src[i..mid)` and `src[j..hi)` into `dst[k..stop)`, the left one first on ties;
 * returns where `i` stopped (where `j` stopped follows from it).
 */
type MergeSlice = (src: Uint32Array, dst: Uint32Array, i: number, mid: number, j: number, hi: number, k: number, stop: number) => number;

/**
 * Stable merge sort of 0..n-1 in slices: runs of RUN rows sorted by `cmp`, then merge levels
 * whose inner loop is `merge` (one call per slice of rows, so it can inline its comparison).
 */
async function mergeSort(n: number, cmp: (a: number, b: number) => number, p: Pace, merge: MergeSlice): Promise<Uint32Array> {
  let src = new Uint32Array(n);
  for (let lo = 0; lo < n; lo += RUN) {
    const run = src.subarray(lo, Math.min(n, lo + RUN));
    for (let i = 0; i < run.length; i++) run[i] = lo + i;
    run.sort(cmp);
    await p.tick(run.length);
  }
  let dst = new Uint32Array(n);
  for (let width = RUN; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(n, lo + width);
      const hi = Math.min(n, lo + 2 * width);
      let i = lo;
      for (let k = lo; k < hi;) {
        const stop = Math.min(hi, k + 16_384);
        // Of the k - lo rows written, i - lo came from the left, so the right stands at mid + (k - i).
        i = merge(src, dst, i, mid, mid + k - i, hi, k, stop);
        await p.tick(stop - k);
        k = stop;
      }
    }
    [src, dst] = [dst, src];
  }
  return src;
}

/**
 * One key per row whose order is the column's order: float64 (NaN for null), or for ranked kinds
 * the int32 rank (NULL_RANK for null; 4 bytes a row instead of 8 while the sort runs).
 */
async function sortKeys(col: arrow.Vector, p: Pace): Promise<Float64Array | Int32Array> {
  const type = col.type;
  if (arrow.DataType.isUtf8(type) || arrow.DataType.isLargeUtf8(type)) return stringRanks(col, p);
  let wide = false;
  if (isInt64Like(type)) {
    const exact = await int64Keys(col, p);
    if (exact) return exact;
    wide = arrow.DataType.isInt(type);
  }
  const keys = new Float64Array(col.length);
  // A dictionary's rows read as its values, so its values' type decides.
  const t = arrow.DataType.isDictionary(type) ? type.dictionary : type;
  const { isInt, isFloat, isDecimal, isTimestamp, isDate, isBool, isTime } = arrow.DataType;
  if (!wide && (isInt(t) || isFloat(t) || isDecimal(t) || isTimestamp(t) || isDate(t) || isBool(t) || isTime(t))) {
    await eachValue(col, p, (i, v) => {
      keys[i] = typeof v === 'boolean' ? Number(v) : numberOf(v, type);
    });
    return keys;
  }
  // Anything else (64-bit integers beyond 2^53, binaries, dictionaries, nested values) by rank.
  const values: (string | bigint | null)[] = new Array(col.length);
  await eachValue(col, p, (i, v) => {
    // Binaries sort by their first bytes: hex of a whole large blob per row would cost too much.
    values[i] = typeof v === 'string' || typeof v === 'bigint' ? v : textOf(v instanceof Uint8Array ? v.subarray(0, 64) : v, type);
  });
  return ranks(values, p);
}

/** Calls `fn(row, value)` for every row, ticking the pace as it goes. */
async function eachValue(col: arrow.Vector, p: Pace, fn: (i: number, v: unknown) => void): Promise<void> {
  let row = 0;
  for (const data of col.data) {
    const chunk = new arrow.Vector([data]);
    for (let j = 0; j < data.length; j += 8192) {
      const end = Math.min(data.length, j + 8192);
      for (let k = j; k < end; k++) fn(row + k, chunk.get(k));
      await p.tick(end - j);
    }
    row += data.length;
  }
  await p.tick(0);
}

/** Keys that rank `values` (null last as NaN): the distinct values sorted, then each row's rank. */
async function ranks(values: (string | bigint | null)[], p: Pace): Promise<Int32Array> {
  const ids = new Map<string | bigint, number>();
  const distinct: (string | bigint)[] = [];
  const rowIds = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null) rowIds[i] = -1;
    else {
      let id = ids.get(v);
      if (id === undefined) {
        id = distinct.length;
        ids.set(v, id);
        distinct.push(v);
      }
      rowIds[i] = id;
    }
    if ((i & 16_383) === 16_383) await p.tick(0);
  }
  return rankKeys(rowIds, distinct, p);
}

/** Row keys from row ids into `distinct` (-1: null) by the sorted order of the distinct values; nulls get NULL_RANK. */
async function rankKeys(rowIds: Int32Array, distinct: (string | bigint)[], p: Pace): Promise<Int32Array> {
  const sorted = await sortIndices(distinct.length, (a, b) => (distinct[a] < distinct[b] ? -1 : distinct[a] > distinct[b] ? 1 : 0), p);
  const rank = new Int32Array(distinct.length);
  for (let r = 0; r < sorted.length; r++) rank[sorted[r]] = r;
  // In place: the row ids become the keys.
  for (let lo = 0; lo < rowIds.length; lo += 65_536) {
    const hi = Math.min(rowIds.length, lo + 65_536);
    for (let i = lo; i < hi; i++) rowIds[i] = rowIds[i] < 0 ? NULL_RANK : rank[rowIds[i]];
    await p.tick(0);
  }
  return rowIds;
}

/**
 * Rank keys of a Utf8 or LargeUtf8 column, read from its bytes: each distinct string is decoded
 * once (a value-by-value `get` decodes every row, and 3 M short strings cost far more than the sort).
 * Strings compare as JavaScript compares them (UTF-16 code units).
 */
async function stringRanks(col: arrow.Vector, p: Pace): Promise<Int32Array> {
  const decoder = new TextDecoder();
  const rowIds = new Int32Array(col.length);
  const distinct: string[] = [];
  // Distinct values by a hash of their bytes; a bucket lists the ids sharing a hash.
  const buckets = new Map<number, number[]>();
  const bytesOf: Uint8Array[] = [];
  let row = 0;
  for (const data of col.data) {
    const values = data.values as Uint8Array;
    const offsets = offsetReader(data.valueOffsets as Int32Array | BigInt64Array);
    for (let j = 0; j < data.length; j += 8192) {
      const end = Math.min(data.length, j + 8192);
      for (let k = j; k < end; k++) {
        if (data.nullCount > 0 && !data.getValid(k)) {
          rowIds[row + k] = -1;
          continue;
        }
        // Offsets and values of a sliced chunk are already sliced (only the null bitmap counts `data.offset`).
        const start = offsets(k);
        const stop = offsets(k + 1);
        let h = 0x811c9dc5;
        for (let b = start; b < stop; b++) h = Math.imul(h ^ values[b], 0x01000193);
        let bucket = buckets.get(h);
        let id = -1;
        if (bucket) {
          for (const candidate of bucket) {
            if (sameBytes(bytesOf[candidate], values, start, stop)) {
              id = candidate;
              break;
            }
          }
        } else buckets.set(h, (bucket = []));
        if (id < 0) {
          id = distinct.length;
          const bytes = values.subarray(start, stop);
          bytesOf.push(bytes);
          distinct.push(decoder.decode(bytes));
          bucket.push(id);
        }
        rowIds[row + k] = id;
      }
      await p.tick(end - j);
    }
    row += data.length;
  }
  return rankKeys(rowIds, distinct, p);
}

/** Offset `i` of a 32- or 64-bit offsets buffer as a number (64-bit ones read as two 32-bit halves, not as BigInt). */
function offsetReader(offsets: Int32Array | BigInt64Array): (i: number) => number {
  if (offsets instanceof Int32Array) return (i) => offsets[i];
  const halves = new Int32Array(offsets.buffer, offsets.byteOffset, offsets.length * 2);
  return (i) => halves[2 * i + 1] * 4294967296 + (halves[2 * i] >>> 0);
}

function sameBytes(a: Uint8Array, values: Uint8Array, start: number, stop: number): boolean {
  if (a.length !== stop - start) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== values[start + i]) return false;
  return true;
}

/** Types stored as 64-bit integers: Int64/UInt64, and timestamps, times, durations in 64 bits. */
function isInt64Like(type: arrow.DataType): boolean {
  if (arrow.DataType.isInt(type)) return type.bitWidth === 64;
  return arrow.DataType.isTimestamp(type);
}

/**
 * Keys of a 64-bit integer column straight from its buffer (two 32-bit halves per value, no
 * BigInt per row); null when an integer lies beyond ±2^53, where float64 would merge neighbours.
 * Timestamps beyond it (nanoseconds) round to the nearest double, as their milliseconds would.
 */
async function int64Keys(col: arrow.Vector, p: Pace): Promise<Float64Array | null> {
  const keys = new Float64Array(col.length);
  const exact = arrow.DataType.isInt(col.type);
  const signed = !arrow.DataType.isInt(col.type) || col.type.isSigned;
  let row = 0;
  for (const data of col.data) {
    const v = data.values as BigInt64Array | BigUint64Array;
    const halves = new Int32Array(v.buffer, v.byteOffset, v.length * 2);
    for (let j = 0; j < data.length; j += 16_384) {
      const end = Math.min(data.length, j + 16_384);
      for (let k = j; k < end; k++) {
        if (data.nullCount > 0 && !data.getValid(k)) {
          keys[row + k] = NaN;
          continue;
        }
        const at = 2 * k;
        const hi = signed ? halves[at + 1] : halves[at + 1] >>> 0;
        // |hi| < 2^21 keeps the value within ±2^53, exact as a float64.
        if (exact && (hi >= 0x200000 || hi < -0x200000)) return null;
        keys[row + k] = hi * 4294967296 + (halves[at] >>> 0);
      }
      await p.tick(end - j);
    }
    row += data.length;
  }
  return keys;
}
