/** Arrow table to CSV (RFC 4180): header row, quoted where needed, times as ISO 8601 UTC. */
import * as arrow from 'apache-arrow';
import { columnKind } from './result-sets.ts';

/** Encode `table` as CSV bytes. */
export function tableToCsv(table: arrow.Table): Uint8Array {
  const cols = table.schema.fields.map((f) => ({ vec: table.getChild(f.name)!, time: columnKind(f.type) === 'time' }));
  const lines: string[] = [table.schema.fields.map((f) => quote(f.name)).join(',')];
  for (let r = 0; r < table.numRows; r++) {
    lines.push(cols.map(({ vec, time }) => cell(vec.get(r) as unknown, time)).join(','));
  }
  return new TextEncoder().encode(lines.join('\r\n') + '\r\n');
}

function cell(v: unknown, time: boolean): string {
  if (v === null || v === undefined) return '';
  if (time && typeof v === 'number') return new Date(v).toISOString();
  if (typeof v === 'string') return quote(v);
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return v.toISOString();
  return quote(JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)) ?? String(v));
}

function quote(s: string): string {
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replaceAll('"', '""')}"` : s;
}
