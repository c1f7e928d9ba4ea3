/** Arrow table to CSV (RFC 4180): header row, quoted where needed, times as ISO 8601 UTC. */
import * as arrow from 'apache-arrow';
import { columnKind } from './result-sets.ts';
import { textOf } from './arrow-values.ts';

/** Encode `table` as CSV bytes. */
export function tableToCsv(table: arrow.Table): Uint8Array {
  const cols = table.schema.fields.map((f) => ({ vec: table.getChild(f.name)!, type: f.type, time: timeFormat(f.type) }));
  const lines: string[] = [table.schema.fields.map((f) => quote(f.name)).join(',')];
  for (let r = 0; r < table.numRows; r++) {
    lines.push(cols.map(({ vec, type, time }) => cell(vec.get(r) as unknown, type, time)).join(','));
  }
  return new TextEncoder().encode(lines.join('\r\n') + '\r\n');
}

/** How a column's times are written: dates as the day only, other times in full. */
function timeFormat(type: arrow.DataType): 'date' | 'time' | null {
  if (columnKind(type) !== 'time') return null;
  const values = arrow.DataType.isDictionary(type) ? type.dictionary : type;
  return arrow.DataType.isDate(values) ? 'date' : 'time';
}

function cell(v: unknown, type: arrow.DataType, time: 'date' | 'time' | null): string {
  if (v === null || v === undefined) return '';
  if (time && (typeof v === 'number' || v instanceof Date)) {
    const iso = new Date(v).toISOString();
    return time === 'date' ? iso.slice(0, 10) : iso;
  }
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  return quote(textOf(v, type) ?? '');
}

function quote(s: string): string {
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replaceAll('"', '""')}"` : s;
}
