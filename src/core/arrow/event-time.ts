/**
 * Event time of a series, as the Rust DuckPond defines it: which column holds it, the [min, max]
 * of a table in ms (min_event_time/max_event_time), and a row filter on a time range.
 */
import * as arrow from 'apache-arrow';

/** Attribute naming a series' time column when it is not one of the detected names. */
export const TIMESTAMP_COLUMN_ATTR = 'duckpond.timestamp_column';

/** Column names tried in order when no attribute names the time column (Rust's detect_timestamp_column). */
export const TIMESTAMP_CANDIDATES = ['timestamp', 'Timestamp', 'event_time', 'time', 'ts', 'datetime'] as const;

/** An inclusive time window in ms since the epoch; a missing side is unbounded. */
export interface TimeRange {
  start?: number;
  end?: number;
}

// Rust accepts only these two: a Date, Utf8 or float column named `time` is not a timestamp.
const isTimeType = (t: arrow.DataType): boolean => arrow.DataType.isTimestamp(t) || (arrow.DataType.isInt(t) && t.bitWidth === 64 && t.isSigned);

/**
 * The time column of a schema: the one `preferred` (the attribute) names, else the first of
 * TIMESTAMP_CANDIDATES present; either must be a Timestamp or an Int64. Undefined when none is.
 */
export function timeColumn(schema: arrow.Schema, preferred?: string): string | undefined {
  const ok = (name: string) => schema.fields.some((f) => f.name === name && isTimeType(f.type));
  // An attribute is authoritative, as in Rust: naming a missing column means no time column, not a guess.
  if (preferred !== undefined && preferred !== '') return ok(preferred) ? preferred : undefined;
  return TIMESTAMP_CANDIDATES.find(ok);
}

/**
 * Units per second of a time column's values: a Timestamp by its unit; a raw Int64 holds epoch
 * microseconds (Rust's convention). Undefined for any other type.
 */
export function timeUnitsPerSecond(t: arrow.DataType): number | undefined {
  if (arrow.DataType.isTimestamp(t)) return [1, 1e3, 1e6, 1e9][t.unit];
  return arrow.DataType.isInt(t) && t.bitWidth === 64 ? 1e6 : undefined;
}

/**
 * A reader of a time column's values in ms: Timestamp columns of any unit convert; a raw Int64
 * holds epoch microseconds, Rust's convention for it. Null for a null row.
 */
export function msReader(col: arrow.Vector): (i: number) => number | null {
  if (arrow.DataType.isTimestamp(col.type)) {
    return (i) => {
      const v: unknown = col.get(i);
      return v === null || v === undefined ? null : Number(v);
    };
  }
  return (i) => {
    const v: unknown = col.get(i);
    return v === null || v === undefined ? null : Number(v as bigint) / 1000;
  };
}

/**
 * [min, max] of a table's time column in whole ms (min rounded down, max up, so the bounds always
 * cover the rows), or undefined without a time column or without a non-null time.
 */
export function eventTimeRange(table: arrow.Table, preferred?: string): [number, number] | undefined {
  const name = timeColumn(table.schema, preferred);
  const col = name === undefined ? null : table.getChild(name);
  if (!col) return undefined;
  const ms = msReader(col);
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < col.length; i++) {
    const v = ms(i);
    if (v === null || !Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min <= max ? [Math.floor(min), Math.ceil(max)] : undefined;
}

/** Whether stored bounds [min, max] can hold a row in `range` (both ends inclusive). */
export function boundsOverlap(min: number, max: number, range: TimeRange): boolean {
  return (range.start === undefined || max >= range.start) && (range.end === undefined || min <= range.end);
}

/**
 * The rows of `table` whose time (column `column`) lies in `range`, both ends inclusive as in Rust's
 * time ranges; null times are dropped. Kept rows stay in order; runs of them are sliced, not copied.
 */
export function filterTimeRange(table: arrow.Table, column: string, range: TimeRange): arrow.Table {
  const col = table.getChild(column);
  if (!col) return table;
  const ms = msReader(col);
  const keep = (i: number) => {
    const v = ms(i);
    return v !== null && (range.start === undefined || v >= range.start) && (range.end === undefined || v <= range.end);
  };
  const runs: [number, number][] = [];
  for (let i = 0; i < table.numRows;) {
    if (!keep(i)) {
      i++;
      continue;
    }
    const from = i;
    while (i < table.numRows && keep(i)) i++;
    runs.push([from, i]);
  }
  if (runs.length === 1 && runs[0][0] === 0 && runs[0][1] === table.numRows) return table;
  if (runs.length === 0) return table.slice(0, 0);
  const parts = runs.map(([a, b]) => table.slice(a, b));
  return parts.length === 1 ? parts[0] : parts[0].concat(...parts.slice(1));
}
