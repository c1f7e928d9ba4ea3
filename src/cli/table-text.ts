/**
 * Arrow tables as text: an aligned box with each column's type under its name and a
 * `Summary: N total rows` line (the layout of Rust's `pond cat --format=table`), and CSV.
 * Tables are read by shape, not by `instanceof`: DuckDB's results come from apache-arrow's CJS copy.
 */

/** The parts of an Arrow table the formatters read. */
export interface TableLike {
  numRows: number;
  schema: { fields: { name: string; type: { typeId: number; toString(): string; unit?: number; scale?: number } }[] };
  getChildAt(i: number): { get(row: number): unknown } | null;
}

// apache-arrow's Type enum values (stable across its builds).
const TYPE_DECIMAL = 7;
const TYPE_DATE = 8;
const TYPE_TIMESTAMP = 10;

/** A Decimal's unscaled integer (Arrow's BN: its String() is the integer's digits) with the point put back. */
function decimalText(value: unknown, scale: number): string {
  const digits = String(value);
  if (!/^-?\d+$/.test(digits) || scale <= 0) return digits;
  const negative = digits.startsWith('-');
  const abs = (negative ? digits.slice(1) : digits).padStart(scale + 1, '0');
  return `${negative ? '-' : ''}${abs.slice(0, -scale)}.${abs.slice(-scale)}`;
}

/** One cell as text: NULL, ISO times, decimals with their scale, JSON for nested values. */
export function cellText(value: unknown, typeId: number, scale = 0): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeId === TYPE_DECIMAL) return decimalText(value, scale);
  if ((typeId === TYPE_TIMESTAMP || typeId === TYPE_DATE) && (typeof value === 'number' || typeof value === 'bigint')) {
    const d = new Date(Number(value));
    return Number.isNaN(d.getTime()) ? String(value) : d.toISOString();
  }
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value instanceof Uint8Array) return Array.from(value, (b) => b.toString(16).padStart(2, '0')).join('');
  const json = (value as { toJSON?: () => unknown }).toJSON?.() ?? value;
  return JSON.stringify(json, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

function rows(table: TableLike): { headers: string[]; types: string[]; cells: string[][] } {
  const fields = table.schema.fields;
  const columns = fields.map((_f, i) => table.getChildAt(i));
  const cells: string[][] = [];
  for (let r = 0; r < table.numRows; r++) cells.push(fields.map((f, i) => cellText(columns[i]?.get(r), f.type.typeId, f.type.scale).replace(/[\r\n\t]/g, ' ')));
  return { headers: fields.map((f) => f.name), types: fields.map((f) => f.type.toString()), cells };
}

/** The table as an aligned text box with a type row and a row-count summary. */
export function formatTable(table: TableLike): string {
  if (table.numRows === 0) return 'No data found\n';
  const { headers, types, cells } = rows(table);
  const widths = headers.map((h, i) => Math.max(h.length, types[i].length, ...cells.map((row) => row[i].length)));
  const rule = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+`;
  const line = (values: string[], right: boolean[]): string =>
    `| ${values.map((v, i) => (right[i] ? v.padStart(widths[i]) : v.padEnd(widths[i]))).join(' | ')} |`;
  const numeric = types.map((t) => /^(Int|Uint|Float|Decimal)/.test(t));
  const left = headers.map(() => false);
  const out = [rule, line(headers, left), line(types, left), rule, ...cells.map((row) => line(row, numeric)), rule];
  return `${out.join('\n')}\nSummary: ${table.numRows} total rows\n`;
}

/** One CSV field, quoted when it needs to be (RFC 4180). */
function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The table as CSV text with a header row, in chunks of `chunkRows` rows (for streaming). */
export function* tableCsv(table: TableLike, chunkRows = 4096): Generator<string> {
  const fields = table.schema.fields;
  const columns = fields.map((_f, i) => table.getChildAt(i));
  yield `${fields.map((f) => csvField(f.name)).join(',')}\n`;
  for (let start = 0; start < table.numRows; start += chunkRows) {
    let chunk = '';
    const end = Math.min(table.numRows, start + chunkRows);
    for (let r = start; r < end; r++) {
      chunk += `${fields
        .map((f, i) => {
          const v = columns[i]?.get(r);
          return v === null || v === undefined ? '' : csvField(cellText(v, f.type.typeId, f.type.scale));
        })
        .join(',')}\n`;
    }
    yield chunk;
  }
}
