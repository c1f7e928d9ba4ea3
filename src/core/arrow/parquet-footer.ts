/**
 * Row-count checks of a Parquet file against itself. parquet-wasm trusts the footer: a footer
 * that says 0 rows decodes as an empty table. So the counts are read three ways and must agree:
 * the file's num_rows, each row group's num_rows (and each column chunk's num_values), and the
 * num_values of the data pages actually stored, whose headers live in the data section, not the footer.
 */
import { ThriftReader, type ThriftList, type ThriftStruct, type ThriftValue } from './thrift-compact.ts';

/** What the footer declares, once it proved consistent with the pages. */
export interface ParquetCounts {
  numRows: number;
  rowGroups: number;
}

/** A Parquet file whose structure or counts do not agree; the message says which. */
export class ParquetLie extends Error {
  override readonly name = 'ParquetLie';
}

const MAGIC = [0x50, 0x41, 0x52, 0x31]; // PAR1
const REPEATED = 2;
const DATA_PAGE = 0;
const DATA_PAGE_V2 = 3;
const MAX_PAGES = 1_000_000;

/** Check the counts of `bytes`; returns the declared row count or throws ParquetLie (or ThriftError). */
export function checkParquetCounts(bytes: Uint8Array): ParquetCounts {
  const n = bytes.length;
  if (n < 12) throw new ParquetLie(`${n} bytes is too short for a Parquet file`);
  for (let i = 0; i < 4; i++) {
    if (bytes[i] !== MAGIC[i]) throw new ParquetLie('does not start with PAR1');
    if (bytes[n - 4 + i] !== MAGIC[i])
      throw new ParquetLie(bytes[n - 1] === 0x45 ? 'has an encrypted footer (PARE), which this build does not read' : 'does not end with PAR1');
  }
  const footerLen = new DataView(bytes.buffer, bytes.byteOffset + n - 8, 4).getUint32(0, true);
  if (footerLen > n - 12) throw new ParquetLie(`declares a ${footerLen}-byte footer in a ${n}-byte file`);
  const dataEnd = n - 8 - footerLen;
  const meta = new ThriftReader(bytes, dataEnd, n - 8).struct();
  const numRows = int(meta, 3, 'num_rows');
  const schema = list(meta, 2, 'schema');
  const repeated = repeatedPaths(schema);
  const groups = list(meta, 4, 'row_groups');
  let sum = 0;
  groups.items.forEach((g, gi) => {
    const group = asStruct(g, `row group ${gi}`);
    const rows = int(group, 3, `row group ${gi} num_rows`);
    sum += rows;
    for (const [ci, c] of list(group, 1, `row group ${gi} columns`).items.entries()) {
      const chunk = asStruct(c, `column chunk ${ci}`);
      if (chunk.has(1)) throw new ParquetLie('has column data in another file (file_path), which this build does not read');
      const cmd = asStruct(chunk.get(3)?.value, `row group ${gi} column ${ci} meta_data`);
      const path = asList(cmd.get(3)?.value, 'path_in_schema')
        .items.map((p) => new TextDecoder().decode(p as Uint8Array))
        .join('.');
      const values = int(cmd, 5, `${path} num_values`);
      // A column with no repeated level has one value (or null) per row; a repeated one at least one per row.
      if (repeated.get(path) === false ? values !== rows : values < rows) {
        throw new ParquetLie(`row group ${gi} declares ${rows} rows but column ${path} declares ${values} values`);
      }
      const stored = pageValues(bytes, cmd, dataEnd, path);
      if (stored !== values) throw new ParquetLie(`column ${path} of row group ${gi} declares ${values} values but its pages hold ${stored}`);
    }
  });
  if (sum !== numRows) throw new ParquetLie(`the footer declares ${numRows} rows but its row groups hold ${sum}`);
  return { numRows, rowGroups: groups.items.length };
}

/** Sum of num_values over the data pages of one column chunk, read from the page headers. */
function pageValues(bytes: Uint8Array, cmd: ThriftStruct, dataEnd: number, path: string): number {
  const dataOffset = int(cmd, 9, `${path} data_page_offset`);
  const dict = cmd.has(11) ? int(cmd, 11, `${path} dictionary_page_offset`) : undefined;
  const start = dict !== undefined && dict > 0 && dict < dataOffset ? dict : dataOffset;
  const end = start + int(cmd, 7, `${path} total_compressed_size`);
  if (start < 4 || end > dataEnd) throw new ParquetLie(`column ${path} lies outside the file's data (bytes ${start}..${end} of ${dataEnd})`);
  let pos = start;
  let values = 0;
  for (let pages = 0; pos < end; pages++) {
    if (pages > MAX_PAGES) throw new ParquetLie(`column ${path} has too many pages`);
    const r = new ThriftReader(bytes, pos, end);
    const header = r.struct();
    const type = int(header, 1, 'page type');
    const size = int(header, 3, 'compressed_page_size');
    if (type === DATA_PAGE) values += int(asStruct(header.get(5)?.value, 'data_page_header'), 1, 'page num_values');
    else if (type === DATA_PAGE_V2) values += int(asStruct(header.get(8)?.value, 'data_page_header_v2'), 1, 'page num_values');
    pos = r.pos + size;
    if (pos > end) throw new ParquetLie(`a page of column ${path} runs past its column chunk`);
  }
  return values;
}

/** Leaf column paths → whether any level on the path is REPEATED (a depth-first walk of the flat schema list). */
function repeatedPaths(schema: ThriftList): Map<string, boolean> {
  const out = new Map<string, boolean>();
  const els = schema.items.map((e, i) => asStruct(e, `schema element ${i}`));
  let i = 1;
  const walk = (prefix: string, anyRepeated: boolean, children: number, depth: number): void => {
    if (depth > 64) throw new ParquetLie('the schema nests too deep');
    for (let c = 0; c < children; c++) {
      const el = els[i++];
      if (!el) throw new ParquetLie('the schema lists fewer elements than its num_children say');
      const name = new TextDecoder().decode((el.get(4)?.value as Uint8Array | undefined) ?? new Uint8Array());
      const path = prefix ? `${prefix}.${name}` : name;
      const rep = anyRepeated || el.get(3)?.value === REPEATED;
      const kids = el.has(5) ? int(el, 5, 'num_children') : 0;
      if (kids > 0) walk(path, rep, kids, depth + 1);
      else out.set(path, rep);
    }
  };
  const root = els[0];
  if (!root) throw new ParquetLie('the schema is empty');
  walk('', false, root.has(5) ? int(root, 5, 'num_children') : 0, 0);
  return out;
}

function int(s: ThriftStruct, id: number, what: string): number {
  const v = s.get(id)?.value;
  const n = typeof v === 'bigint' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0)
    throw new ParquetLie(`${what} is ${v === undefined ? 'missing' : `not a count (${String(v)})`}`);
  return n;
}

function list(s: ThriftStruct, id: number, what: string): ThriftList {
  return asList(s.get(id)?.value, what);
}

function asList(v: ThriftValue | undefined, what: string): ThriftList {
  if (!v || typeof v !== 'object' || !('items' in v)) throw new ParquetLie(`${what} is missing or not a list`);
  return v;
}

function asStruct(v: ThriftValue | undefined, what: string): ThriftStruct {
  if (!(v instanceof Map)) throw new ParquetLie(`${what} is missing or not a struct`);
  return v;
}
