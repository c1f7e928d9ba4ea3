/**
 * Tables held in the worker for the UI to page through. A million-row table never crosses the
 * boundary whole: the UI asks for the rows it shows, as Arrow IPC, optionally sorted. Sorting
 * computes a row permutation once per (table, column, direction) and keeps it.
 */
import * as arrow from 'apache-arrow';
import { pondError } from '../src/core/index.ts';
import type { ChartData, ColumnInfo, ColumnKind, SortSpec, TableHandle, TablePage } from './api.ts';
import { looksLikeDates, parseDateText } from './date-text.ts';
import { numberOf, pageTable, textOf } from './arrow-values.ts';

/** Held tables beyond this count are dropped, least recently used first (each can be large). */
const MAX_HELD = 6;
/** A chart split by a column shows this many of its values; more lines are unreadable anyway. */
const MAX_GROUPS = 12;

interface Held {
  table: arrow.Table;
  source: string;
  /** Row permutations by `column\0asc|desc`. */
  orders: Map<string, Uint32Array>;
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

  /** Keep `table` and return its handle. */
  hold(table: arrow.Table, source: string): TableHandle {
    const id = `t${this.#next++}`;
    this.#held.set(id, { table, source, orders: new Map() });
    while (this.#held.size > MAX_HELD) this.#held.delete(this.#held.keys().next().value!);
    return { id, rows: table.numRows, columns: columnsOf(table.schema, table), source };
  }

  release(id: string): void {
    this.#held.delete(id);
  }

  /** Drop every held table (the pond changed under them). */
  clear(): void {
    this.#held.clear();
  }

  /** Rows [offset, offset + limit) of a held table, sorted by `sort` when given. */
  page(id: string, offset: number, limit: number, sort?: SortSpec | null): TablePage {
    const held = this.#get(id);
    const { table } = held;
    const start = Math.max(0, Math.min(Math.floor(offset), table.numRows));
    const end = Math.min(table.numRows, start + Math.max(0, Math.floor(limit)));
    // Rebuilt by index rather than sliced: see arrow-values.ts for what slicing breaks.
    const rows = sort ? this.#order(held, sort).subarray(start, end) : Uint32Array.from({ length: end - start }, (_, k) => start + k);
    const slice = pageTable(table, rows);
    return { id, offset: start, rows: end - start, ipc: toIpc(slice) };
  }

  /**
   * `x` and `ys` as numbers, ordered by x, with at most `maxPoints` rows (evenly strided). With
   * `splitBy`, each y becomes one series per value of that column (the first MAX_GROUPS values),
   * NaN where a row belongs to another value.
   */
  chart(id: string, x: string, ys: string[], maxPoints = 4000, splitBy: string | null = null): ChartData {
    const { table, source } = this.#get(id);
    const xCol = column(table, x, source);
    // Dates stored as text chart as time.
    const dateText = columnKind(xCol.type) === 'string';
    const xIsTime = dateText || columnKind(xCol.type) === 'time';
    const xs = dateText ? dates(xCol) : numbers(xCol);
    const yCols = ys.map((name) => numbers(column(table, name, source)));
    let order: Uint32Array | null = null;
    for (let i = 1; i < xs.length; i++) {
      if (xs[i] < xs[i - 1]) {
        // Rows without an x (NaN) go last instead of confusing the comparison.
        order = Uint32Array.from({ length: xs.length }, (_, k) => k).sort(
          (a, b) => (Number.isNaN(xs[a]) ? 1 : 0) - (Number.isNaN(xs[b]) ? 1 : 0) || xs[a] - xs[b],
        );
        break;
      }
    }
    const n = xs.length;
    const step = n > maxPoints ? n / maxPoints : 1;
    const rows = Uint32Array.from({ length: Math.min(n, maxPoints) }, (_, k) => {
      const i = Math.floor(k * step);
      return order ? order[i] : i;
    });
    const pick = (arr: Float64Array) => Float64Array.from(rows, (r) => arr[r]);
    if (splitBy === null) {
      return { x: pick(xs), xIsTime, ys: yCols.map(pick), labels: ys, total: n, sampled: step > 1, split: false };
    }
    const groupCol = column(table, splitBy, source);
    const keys = Array.from(rows, (r) => String(groupCol.get(r) ?? 'null'));
    const groups = [...new Set(keys)].slice(0, MAX_GROUPS);
    const series: Float64Array[] = [];
    const labels: string[] = [];
    yCols.forEach((col, j) => {
      for (const g of groups) {
        series.push(Float64Array.from(rows, (r, k) => (keys[k] === g ? col[r] : NaN)));
        labels.push(ys.length > 1 ? `${ys[j]} · ${g}` : g);
      }
    });
    return { x: pick(xs), xIsTime, ys: series, labels, total: n, sampled: step > 1, split: true };
  }

  #get(id: string): Held {
    const held = this.#held.get(id);
    if (!held) throw pondError('EINVAL', id, 'this result is no longer held in the worker; reload the view');
    // Re-insert: the Map's order is the LRU order.
    this.#held.delete(id);
    this.#held.set(id, held);
    return held;
  }

  #order(held: Held, sort: SortSpec): Uint32Array {
    const key = `${sort.column}\0${sort.desc ? 'desc' : 'asc'}`;
    let order = held.orders.get(key);
    if (!order) {
      order = sortOrder(column(held.table, sort.column, held.source), sort.desc);
      held.orders.set(key, order);
    }
    return order;
  }
}

function column(table: arrow.Table, name: string, source: string): arrow.Vector {
  const col = table.getChild(name);
  if (!col) throw pondError('EINVAL', source, `no column ${JSON.stringify(name)}`);
  return col;
}

/** A column as float64 (time as ms, null as NaN). */
function numbers(col: arrow.Vector): Float64Array {
  const out = new Float64Array(col.length);
  const kind = columnKind(col.type);
  if ((kind === 'number' || kind === 'bigint') && col.nullCount === 0 && !arrow.DataType.isDecimal(col.type) && !arrow.DataType.isDictionary(col.type)) {
    const raw = col.toArray() as ArrayLike<number | bigint>;
    for (let i = 0; i < out.length; i++) out[i] = Number(raw[i]);
    return out;
  }
  for (let i = 0; i < out.length; i++) out[i] = numberOf(col.get(i), col.type);
  return out;
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

/** Row permutation that sorts `col`; nulls go last in both directions, ties keep row order. */
function sortOrder(col: arrow.Vector, desc: boolean): Uint32Array {
  const n = col.length;
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  const sign = desc ? -1 : 1;
  const kind = columnKind(col.type);
  // 64-bit integers compare as BigInt: as doubles, neighbours beyond 2^53 would tie.
  if (kind === 'number' || kind === 'time' || kind === 'bool') {
    const keys = numbers(col);
    return order.sort((a, b) => {
      const ka = keys[a];
      const kb = keys[b];
      if (Number.isNaN(ka) || Number.isNaN(kb)) return Number.isNaN(ka) ? (Number.isNaN(kb) ? a - b : 1) : -1;
      return ka === kb ? a - b : ka < kb ? -sign : sign;
    });
  }
  const keys: (string | bigint | null)[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const v: unknown = col.get(i);
    if (kind === 'bigint') {
      keys[i] = typeof v === 'bigint' ? v : typeof v === 'number' && Number.isInteger(v) ? BigInt(v) : null;
      continue;
    }
    // Binaries sort by their first bytes: hex of a whole large blob per row would cost too much.
    keys[i] = typeof v === 'string' ? v : textOf(v instanceof Uint8Array ? v.subarray(0, 64) : v, col.type);
  }
  return order.sort((a, b) => {
    const ka = keys[a];
    const kb = keys[b];
    if (ka === null || kb === null) return ka === null ? (kb === null ? a - b : 1) : -1;
    return ka === kb ? a - b : ka < kb ? -sign : sign;
  });
}
