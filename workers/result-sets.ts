/**
 * Tables held in the worker for the UI to page through. A million-row table never crosses the
 * boundary whole: the UI asks for the rows it shows, as Arrow IPC, optionally sorted. Sorting
 * computes a row permutation once per (table, column, direction), in slices that let other calls
 * through (sort-order.ts), and keeps it. What is held is bounded by count and by bytes (the
 * decoded columns plus their sort orders); a released or evicted table stops its running sorts.
 */
import * as arrow from 'apache-arrow';
import { pondError } from '../src/core/index.ts';
import type { ChartData, ColumnInfo, ColumnKind, SortSpec, TableHandle, TablePage, TableUsage } from './api.ts';
import { looksLikeDates, parseDateText } from './date-text.ts';
import { numberOf, pageTable } from './arrow-values.ts';
import { sortOrder, type SortObserver } from './sort-order.ts';

/** Held tables beyond this count are dropped, least recently used first (each can be large). */
const MAX_HELD = 6;
/**
 * Held bytes beyond this drop the least recently used tables, but never the newest one: a page
 * or a query result the UI just asked for is always there. Two 3 M-row flights tables (132 MiB
 * each decoded) and their sort orders fit.
 */
export const MAX_HELD_BYTES = 384 * 1024 * 1024;
/** A chart split by a column shows this many of its values; more lines are unreadable anyway. */
const MAX_GROUPS = 12;

interface Held {
  table: arrow.Table;
  source: string;
  /** The decoded columns' bytes plus the finished orders'. */
  bytes: number;
  /** Row permutations by `column\0asc|desc`, finished or being computed. */
  orders: Map<string, Promise<Uint32Array>>;
  /** The finished ones, for paging without waiting. */
  ready: Map<string, Uint32Array>;
  /** Aborted when the table is released or evicted: its running sorts stop. */
  released: AbortController;
}

/** Classify an Arrow type for display, sorting and charting. */
export function columnKind(type: arrow.DataType): ColumnKind {
  if (arrow.DataType.isDictionary(type)) return columnKind(type.dictionary);
  if (arrow.DataType.isInt(type)) return type.bitWidth === 64 ? 'bigint' : 'number';
  if (arrow.DataType.isFloat(type) || arrow.DataType.isDecimal(type)) return 'number';
  if (arrow.DataType.isTimestamp(type) || arrow.DataType.isDate(type)) return 'time';
  if (arrow.DataType.isUtf8(type) || arrow.DataType.isLargeUtf8(type)) return 'string';
  if (arrow.DataType.isBool(type)) return 'bool';
  return 'other';
}

/** Column names, Arrow type names and kinds of a schema; with the table, text columns holding dates are marked. */
export function columnsOf(schema: arrow.Schema, table?: arrow.Table): ColumnInfo[] {
  return schema.fields.map((f) => {
    const info: ColumnInfo = { name: f.name, type: String(f.type), kind: columnKind(f.type) };
    const col = info.kind === 'string' ? table?.getChild(f.name) : null;
    if (col && looksLikeDates(sampled(col))) info.dateText = true;
    return info;
  });
}

/** Up to 64 values spread over a column (a date column's first rows may all look alike). */
function* sampled(col: arrow.Vector): Generator<unknown> {
  const step = Math.max(1, Math.floor(col.length / 64));
  for (let i = 0; i < col.length; i += step) yield col.get(i);
}

/** Arrow IPC stream bytes that own their buffer exactly, so the buffer can be transferred. */
export function toIpc(table: arrow.Table): Uint8Array {
  const ipc = arrow.tableToIPC(table, 'stream');
  return ipc.byteOffset === 0 && ipc.byteLength === ipc.buffer.byteLength ? ipc : ipc.slice();
}

export class ResultSets {
  #held = new Map<string, Held>();
  #next = 1;

  /** `maxBytes`: the byte budget (tests set a small one). */
  constructor(private readonly maxBytes = MAX_HELD_BYTES) {}

  /** Keep `table` and return its handle. */
  hold(table: arrow.Table, source: string): TableHandle {
    const id = `t${this.#next++}`;
    const bytes = table.batches.reduce((sum, b) => sum + b.data.byteLength, 0);
    this.#held.set(id, { table, source, bytes, orders: new Map(), ready: new Map(), released: new AbortController() });
    this.#evict();
    return { id, rows: table.numRows, columns: columnsOf(table.schema, table), source };
  }

  release(id: string): void {
    this.#held.get(id)?.released.abort(new DOMException('the table was released', 'AbortError'));
    this.#held.delete(id);
  }

  /** Drop every held table (the pond changed under them). */
  clear(): void {
    for (const id of [...this.#held.keys()]) this.release(id);
  }

  /** Tables held, their bytes (decoded columns and finished sort orders) and the sorts still running. */
  usage(): TableUsage {
    let bytes = 0;
    let sorting = 0;
    for (const held of this.#held.values()) {
      bytes += held.bytes;
      sorting += held.orders.size - held.ready.size;
    }
    return { tables: this.#held.size, bytes, sorting };
  }

  /**
   * Compute (or join the computation of) the order `sort` puts table `id` in, so that `page` can
   * use it. It runs in slices; `observer` gets its progress and may abort it (so does a release).
   */
  sorted(id: string, sort: SortSpec, observer: SortObserver = {}): Promise<Uint32Array> {
    const held = this.#get(id);
    const key = orderKey(sort);
    let order = held.orders.get(key);
    if (!order) {
      const col = column(held.table, sort.column, held.source);
      const signal = observer.signal ? AbortSignal.any([observer.signal, held.released.signal]) : held.released.signal;
      order = sortOrder(col, sort.desc, { progress: observer.progress, signal });
      held.orders.set(key, order);
      order.then(
        (o) => {
          held.ready.set(key, o);
          held.bytes += o.byteLength;
          this.#evict();
        },
        // A cancelled sort is forgotten: the next request starts it again.
        () => held.orders.delete(key),
      );
    }
    return order;
  }

  /** Rows [offset, offset + limit) of a held table, sorted by `sort` when given. */
  page(id: string, offset: number, limit: number, sort?: SortSpec | null): TablePage {
    const held = this.#get(id);
    const { table } = held;
    const start = Math.max(0, Math.min(Math.floor(offset), table.numRows));
    const end = Math.min(table.numRows, start + Math.max(0, Math.floor(limit)));
    // Rebuilt by index rather than sliced: see arrow-values.ts for what slicing breaks.
    const rows = sort ? this.#ready(held, id, sort).subarray(start, end) : Uint32Array.from({ length: end - start }, (_, k) => start + k);
    const slice = pageTable(table, rows);
    return { id, offset: start, rows: end - start, ipc: toIpc(slice) };
  }

  /**
   * `x` and `ys` as numbers, ordered by x, with at most `maxPoints` rows (evenly strided). With
   * `splitBy`, each y becomes one series per value of that column (the first MAX_GROUPS values),
   * NaN where a row belongs to another value.
   */
  chart(id: string, x: string, ys: string[], maxPoints = 4000, splitBy: string | null = null): ChartData {
    const { table, source, ready } = this.#get(id);
    const xCol = column(table, x, source);
    // Dates stored as text chart as time.
    const dateText = columnKind(xCol.type) === 'string';
    const xIsTime = dateText || columnKind(xCol.type) === 'time';
    const xs = dateText ? dates(xCol) : numbers(xCol);
    // The y columns are read at the sampled rows only (4,000 values, not millions).
    const yCols = ys.map((name) => column(table, name, source));
    // The grid's order by x when it was computed (see chartOrder), else one sort here. Rows
    // without an x (NaN) go last instead of confusing the comparison.
    const order = ascending(xs)
      ? null
      : (!dateText && ready.get(orderKey({ column: x, desc: false }))) ||
        Uint32Array.from({ length: xs.length }, (_, k) => k).sort((a, b) => (Number.isNaN(xs[a]) ? 1 : 0) - (Number.isNaN(xs[b]) ? 1 : 0) || xs[a] - xs[b]);
    const n = xs.length;
    const step = n > maxPoints ? n / maxPoints : 1;
    const rows = Uint32Array.from({ length: Math.min(n, maxPoints) }, (_, k) => {
      const i = Math.floor(k * step);
      return order ? order[i] : i;
    });
    const pick = (arr: Float64Array) => Float64Array.from(rows, (r) => arr[r]);
    if (splitBy === null) {
      return { x: pick(xs), xIsTime, ys: yCols.map((col) => numbersAt(col, rows)), labels: ys, total: n, sampled: step > 1, split: false };
    }
    const groupCol = column(table, splitBy, source);
    const keys = Array.from(rows, (r) => String(groupCol.get(r) ?? 'null'));
    const groups = [...new Set(keys)].slice(0, MAX_GROUPS);
    const series: Float64Array[] = [];
    const labels: string[] = [];
    yCols.forEach((yCol, j) => {
      const col = numbersAt(yCol, rows);
      for (const g of groups) {
        series.push(Float64Array.from(rows, (_, k) => (keys[k] === g ? col[k] : NaN)));
        labels.push(ys.length > 1 ? `${ys[j]} · ${g}` : g);
      }
    });
    return { x: pick(xs), xIsTime, ys: series, labels, total: n, sampled: step > 1, split: true };
  }

  /**
   * Sort table `id` by `x` ahead of a chart when the chart would have to (x is a number or time
   * column, not ascending): in slices, so that the chart itself does not sort millions of rows in
   * one piece. Dates stored as text are left to the chart (it orders them by date, not by text).
   */
  async chartOrder(id: string, x: string, observer: SortObserver = {}): Promise<void> {
    const { table, source } = this.#get(id);
    const xCol = column(table, x, source);
    if (columnKind(xCol.type) === 'string') return;
    if (!ascending(numbers(xCol))) await this.sorted(id, { column: x, desc: false }, observer);
  }

  #get(id: string): Held {
    const held = this.#held.get(id);
    if (!held) throw pondError('EINVAL', id, 'this result is no longer held in the worker; reload the view');
    // Re-insert: the Map's order is the LRU order.
    this.#held.delete(id);
    this.#held.set(id, held);
    return held;
  }

  /** The finished order for `sort` (callers await `sorted` first). */
  #ready(held: Held, id: string, sort: SortSpec): Uint32Array {
    const order = held.ready.get(orderKey(sort));
    if (!order) throw pondError('EINVAL', held.source, `table ${id} is not sorted by ${JSON.stringify(sort.column)} yet`);
    return order;
  }

  /** Drop the least recently used tables beyond MAX_HELD or the byte budget (the newest stays). */
  #evict(): void {
    let { bytes } = this.usage();
    for (const [id, held] of this.#held) {
      if (this.#held.size <= 1 || (this.#held.size <= MAX_HELD && bytes <= this.maxBytes)) break;
      bytes -= held.bytes;
      this.release(id);
    }
  }
}

/** Whether no x is below the one before it (the chart needs no sort then). */
function ascending(xs: Float64Array): boolean {
  for (let i = 1; i < xs.length; i++) if (xs[i] < xs[i - 1]) return false;
  return true;
}

function orderKey(sort: SortSpec): string {
  return `${sort.column}\0${sort.desc ? 'desc' : 'asc'}`;
}

function column(table: arrow.Table, name: string, source: string): arrow.Vector {
  const col = table.getChild(name);
  if (!col) throw pondError('EINVAL', source, `no column ${JSON.stringify(name)}`);
  return col;
}

/** Values of `col` at `rows` as float64 (time as ms, null as NaN). */
function numbersAt(col: arrow.Vector, rows: Uint32Array): Float64Array {
  return Float64Array.from(rows, (r) => numberOf(col.get(r), col.type));
}

/** A timestamp's unit (TimeUnit: s, ms, µs, ns) to ms: multiply by the first, divide by the second. */
const TO_MS: [number, number][] = [
  [1000, 1],
  [1, 1],
  [1, 1000],
  [1, 1e6],
];

/** A column as float64 (time as ms, null as NaN). */
function numbers(col: arrow.Vector): Float64Array {
  const out = new Float64Array(col.length);
  if (arrow.DataType.isTimestamp(col.type)) {
    timestampNumbers(col, out, ...TO_MS[col.type.unit]);
    return out;
  }
  const kind = columnKind(col.type);
  if ((kind === 'number' || kind === 'bigint') && col.nullCount === 0 && !arrow.DataType.isDecimal(col.type) && !arrow.DataType.isDictionary(col.type)) {
    const raw = col.toArray() as ArrayLike<number | bigint>;
    for (let i = 0; i < out.length; i++) out[i] = Number(raw[i]);
    return out;
  }
  for (let i = 0; i < out.length; i++) out[i] = numberOf(col.get(i), col.type);
  return out;
}

/**
 * A timestamp column's values × `mul` / `div` into `out` (NaN for null), read from the buffer as
 * two 32-bit halves (a value-by-value read converts each through BigInt: 0.5 s for 3 M rows).
 * Beyond 2^53 (nanoseconds since 1970-04-15) a value rounds to the nearest double, far below what
 * a chart shows.
 */
function timestampNumbers(col: arrow.Vector, out: Float64Array, mul: number, div: number): void {
  let row = 0;
  for (const data of col.data) {
    const v = data.values as BigInt64Array;
    const halves = new Int32Array(v.buffer, v.byteOffset, data.length * 2);
    const nulls = data.nullCount > 0;
    for (let k = 0; k < data.length; k++) {
      out[row + k] = nulls && !data.getValid(k) ? NaN : ((halves[2 * k + 1] * 4294967296 + (halves[2 * k] >>> 0)) * mul) / div;
    }
    row += data.length;
  }
}

/** A text column of dates as ms since the epoch (NaN where a value is not a date). */
function dates(col: arrow.Vector): Float64Array {
  const out = new Float64Array(col.length);
  for (let i = 0; i < out.length; i++) {
    const v: unknown = col.get(i);
    out[i] = typeof v === 'string' ? parseDateText(v) : NaN;
  }
  return out;
}
