import * as arrow from 'apache-arrow';

/** Attribute naming a series' time column when it is not the obvious one. */
export const TIMESTAMP_COLUMN_ATTR = 'duckpond.timestamp_column';

/**
 * The time column of a table: the one named by `preferred`, else a column named
 * 'timestamp' or 'time', else the first Timestamp or Date column.
 */
export function timeColumn(table: arrow.Table, preferred?: string): string | undefined {
  const fields = table.schema.fields;
  const isTime = (f: arrow.Field) => arrow.DataType.isTimestamp(f.type) || arrow.DataType.isDate(f.type);
  if (preferred && fields.some((f) => f.name === preferred)) return preferred;
  return (
    fields.find((f) => (f.name === 'timestamp' || f.name === 'time') && (isTime(f) || arrow.DataType.isInt(f.type) || arrow.DataType.isFloat(f.type))) ??
    fields.find(isTime)
  )?.name;
}

/** [min, max] of a table's time column in ms since the epoch, or undefined without one (or no rows). */
export function eventTimeRange(table: arrow.Table, preferred?: string): [number, number] | undefined {
  const name = timeColumn(table, preferred);
  if (!name) return undefined;
  const col = table.getChild(name);
  if (!col) return undefined;
  let min = Infinity;
  let max = -Infinity;
  for (const v of col) {
    if (v === null || v === undefined) continue;
    const ms = v instanceof Date ? v.getTime() : Number(v);
    if (!Number.isFinite(ms)) continue;
    if (ms < min) min = ms;
    if (ms > max) max = ms;
  }
  return min <= max ? [Math.floor(min), Math.floor(max)] : undefined;
}
