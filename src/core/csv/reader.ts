/**
 * The one strict CSV reader: bytes in, an Arrow table and a report out. Two passes over the bytes:
 * the first finds the delimiter, the header, every rejected row and each column's type; the second
 * fills typed Arrow buffers sized from the first. Peak memory is the input plus the table.
 * The rules are in docs/csv.md.
 */
import * as arrow from 'apache-arrow';
import { pondError } from '../errors.ts';
import { RowScanner, unescapeQuotes } from './scanner.ts';
import { ColumnBuilder, type CsvType } from './columns.ts';
import { ALL, BOOL, DATE, FLOAT, INT, TS_NAIVE, TS_ZONED, classify } from './values.ts';
import { invalidUtf8At } from './utf8.ts';

export type { CsvType } from './columns.ts';

/** The delimiters the reader detects (and accepts as an option). */
export const CSV_DELIMITERS = [',', '\t', ';', '|'] as const;
export type CsvDelimiter = (typeof CSV_DELIMITERS)[number];

export interface CsvReadOptions {
  /** Field delimiter; detected from the first 64 KiB when absent. */
  delimiter?: CsvDelimiter;
  /** Whether the first row is the header; detected when absent. */
  header?: boolean;
  /** Where the CSV is (or will be) in the pond, for error messages. */
  path?: string;
  /** How many rejected rows the report lists (all are counted). Default 100. */
  maxRejected?: number;
  /** Cancels a long read (checked between blocks of rows). */
  signal?: AbortSignal;
}

export interface CsvColumn {
  name: string;
  type: CsvType;
  /** Some value of the column is empty (null). */
  nullable: boolean;
}

export interface CsvRejectedRow {
  /** 1-based physical line the row starts on. */
  line: number;
  reason: string;
  /** The row's first line, cut to 200 characters. */
  text: string;
}

/** What the reader found, without the table. */
export interface CsvReport {
  schema: CsvColumn[];
  /** Data rows read (accepted + rejected; the header and blank lines are not rows). */
  rowsRead: number;
  /** Rows that made it into the table. */
  rows: number;
  /** The first `maxRejected` rejected rows, in line order. */
  rejected: CsvRejectedRow[];
  /** Every rejected row, also those past the list. */
  rejectedCount: number;
  delimiter: CsvDelimiter;
  /** The first row is the header (detected or as asked). */
  header: boolean;
  /** Things the user should know that are not rejected rows (e.g. a guessed header). */
  warnings: string[];
  /** The first few accepted rows as text (null = empty field), for a preview. */
  sample: (string | null)[][];
}

export interface CsvResult extends CsvReport {
  table: arrow.Table;
}

const DEFAULT_PATH = '/csv';
const SAMPLE_BYTES = 64 * 1024;
const SAMPLE_ROWS = 200;
const SAMPLE_PREVIEW = 5;
const YIELD_EVERY = 65536;
const TEXT_CUT = 200;
/** More columns than this is not a table anyone meant (and each costs a buffer per column). */
export const MAX_COLUMNS = 10_000;

const utf8 = new TextDecoder('utf-8');

/** Read a CSV into a table; every rejected row is in the report. Throws EINVAL when no table can be made. */
export async function readCsv(bytes: Uint8Array, options: CsvReadOptions = {}): Promise<CsvResult> {
  const plan = await scan(bytes, options);
  const table = await build(bytes, plan, options.signal);
  return { ...plan.report, table };
}

/** The report of `readCsv` without building the table (one pass; for an import preview). */
export async function inspectCsv(bytes: Uint8Array, options: CsvReadOptions = {}): Promise<CsvReport> {
  return (await scan(bytes, options)).report;
}

interface Plan {
  report: CsvReport;
  start: number;
  expected: number;
  textBytes: Float64Array;
}

function fail(path: string, message: string, data: Record<string, unknown> = {}): never {
  throw pondError('EINVAL', path, message, data);
}

/** Where the data starts (after a UTF-8 BOM); UTF-16 is refused with the reason. */
function dataStart(b: Uint8Array, path: string): number {
  if ((b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff)) fail(path, 'the CSV is UTF-16; save it as UTF-8');
  return b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
}

/** Field counts of the first rows of the sample (malformed rows and a row cut by the sample end left out). */
function sampleCounts(b: Uint8Array, start: number, delimiter: string): { counts: number[]; rows: number } {
  const end = Math.min(b.length, start + SAMPLE_BYTES);
  const sc = new RowScanner(b, delimiter.charCodeAt(0), start, end);
  const counts: number[] = [];
  let rows = 0;
  while (rows < SAMPLE_ROWS && sc.next()) {
    if (end < b.length && sc.position >= end) break; // may be cut short
    rows++;
    if (!sc.error) counts.push(sc.count);
  }
  return { counts, rows };
}

/** The most frequent count, ties going to the first row's count, then to the larger. */
function modeOf(counts: number[]): { mode: number; freq: number } {
  const freq = new Map<number, number>();
  for (const c of counts) freq.set(c, (freq.get(c) ?? 0) + 1);
  let mode = counts[0] ?? 0;
  let best = freq.get(mode) ?? 0;
  for (const [c, f] of freq) if (f > best || (f === best && c > mode && c !== counts[0])) [mode, best] = [c, f];
  return { mode, freq: best };
}

/** The delimiter whose rows agree best on a field count above one (`,` when none does). */
function detectDelimiter(b: Uint8Array, start: number): CsvDelimiter {
  let pick: CsvDelimiter = ',';
  let pickScore = 0;
  for (const d of CSV_DELIMITERS) {
    const { counts, rows } = sampleCounts(b, start, d);
    const { mode, freq } = modeOf(counts);
    if (mode < 2 || rows === 0) continue;
    const score = freq / rows;
    if (score > pickScore) [pick, pickScore] = [d, score];
  }
  return pick;
}

/** Field i of the scanner's row as a string (null when empty). */
function fieldText(b: Uint8Array, sc: RowScanner, i: number): string | null {
  const s = sc.starts[i];
  const e = sc.ends[i];
  if (s === e) return null;
  return utf8.decode(sc.escaped[i] ? unescapeQuotes(b, s, e) : b.subarray(s, e));
}

/** The first line of the row, cut for the report. */
function lineText(b: Uint8Array, sc: RowScanner): string {
  let e = sc.rowStart;
  const stop = Math.min(sc.rowEnd, sc.rowStart + TEXT_CUT * 4);
  while (e < stop && b[e] !== 10 && b[e] !== 13) e++;
  const text = utf8.decode(b.subarray(sc.rowStart, e));
  return text.length > TEXT_CUT ? `${text.slice(0, TEXT_CUT)}…` : text;
}

/** Why the current row cannot be a row of `expected` fields (null when it can). */
function rowProblem(b: Uint8Array, sc: RowScanner, expected: number): string | null {
  if (sc.error) return sc.error;
  if (sc.nonAscii) {
    const bad = invalidUtf8At(b, sc.rowStart, sc.rowEnd);
    if (bad >= 0) return `invalid UTF-8 (byte 0x${b[bad].toString(16).padStart(2, '0')} at character ${bad - sc.rowStart + 1} of the row)`;
  }
  if (sc.count !== expected) return `${sc.count} field${sc.count === 1 ? '' : 's'} where ${expected} are expected`;
  return null;
}

/** The narrowest type that every value of a column fits. */
function typeOf(mask: number, nonNull: number): CsvType {
  if (nonNull === 0) return 'Utf8';
  if (mask & INT) return 'Int64';
  if (mask & FLOAT) return 'Float64';
  if (mask & BOOL) return 'Bool';
  if (mask & DATE) return 'Date';
  if (mask & TS_NAIVE) return 'Timestamp';
  if (mask & TS_ZONED) return 'Timestamp(UTC)';
  return 'Utf8';
}

/** Header names: trimmed, empty ones named `column<i>`, repeats made unique with `_2`, `_3`, ... */
export function uniqueNames(raw: (string | null)[]): string[] {
  const used = new Set<string>();
  return raw.map((r, i) => {
    const base = r?.trim() || `column${i + 1}`;
    let name = base;
    for (let k = 2; used.has(name); k++) name = `${base}_${k}`;
    used.add(name);
    return name;
  });
}

/**
 * Whether the first row is a header: yes when one of its values does not fit the type of its
 * column below (a name over numbers); no when every value fits a typed column; when every column
 * below is text, yes if its values are non-empty, distinct and none is a number, date or boolean.
 */
function looksLikeHeader(first: (string | null)[], firstMasks: number[], masks: Int32Array, nonNull: Float64Array): boolean {
  let typed = 0;
  for (let i = 0; i < first.length; i++) {
    if (nonNull[i] === 0 || masks[i] === 0) continue;
    typed++;
    if (first[i] !== null && (firstMasks[i] & masks[i]) === 0) return true;
  }
  if (typed > 0) return false;
  return first.every((v, i) => v !== null && firstMasks[i] === 0) && new Set(first).size === first.length;
}

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** Pass 1: delimiter, header, rejected rows, column types and text sizes. */
async function scan(b: Uint8Array, options: CsvReadOptions): Promise<Plan> {
  const path = options.path ?? DEFAULT_PATH;
  if (!(b instanceof Uint8Array)) fail(path, 'the CSV reader needs bytes (a Uint8Array)');
  if (b.length >= 2 ** 31 - 1) fail(path, 'the CSV is larger than 2 GiB');
  if (options.delimiter !== undefined && !CSV_DELIMITERS.includes(options.delimiter)) fail(path, `unsupported delimiter ${JSON.stringify(options.delimiter)}`);
  const start = dataStart(b, path);
  const delimiter = options.delimiter ?? detectDelimiter(b, start);
  const { counts } = sampleCounts(b, start, delimiter);
  if (counts.length === 0 && new RowScanner(b, 44, start).next() === false) fail(path, 'the CSV is empty');
  const expected = modeOf(counts).mode || 1;
  if (expected > MAX_COLUMNS) fail(path, `the rows have ${expected} fields (delimiter ${JSON.stringify(delimiter)}); at most ${MAX_COLUMNS} columns are read`);
  const maxRejected = options.maxRejected ?? 100;
  const rejected: CsvRejectedRow[] = [];
  let rejectedCount = 0;
  const masks = new Int32Array(expected).fill(ALL);
  const nonNull = new Float64Array(expected);
  const nulls = new Float64Array(expected);
  const textBytes = new Float64Array(expected);
  const sample: (string | null)[][] = [];
  let first: (string | null)[] | null = null;
  const firstMasks: number[] = [];
  const firstBytes: number[] = [];
  let accepted = 0;
  let seen = 0;
  const sc = new RowScanner(b, delimiter.charCodeAt(0), start);
  while (sc.next()) {
    if (++seen % YIELD_EVERY === 0) {
      await tick();
      options.signal?.throwIfAborted();
    }
    const problem = rowProblem(b, sc, expected);
    if (seen === 1 && options.header !== false) {
      // The first row may be the header: a broken one cannot be skipped like a data row.
      if (problem !== null) {
        const what =
          sc.error || sc.count === expected
            ? problem
            : `has ${sc.count} field${sc.count === 1 ? '' : 's'} but most rows have ${expected} (delimiter ${JSON.stringify(delimiter)})`;
        fail(path, `line ${sc.line}, the first row (the header?), ${what}: fix the header line or choose another delimiter`, {
          line: sc.line,
          delimiter,
          expected,
          found: sc.count,
        });
      }
      first = [];
      for (let i = 0; i < expected; i++) {
        first.push(fieldText(b, sc, i));
        firstMasks.push(sc.starts[i] === sc.ends[i] ? ALL : classify(b, sc.starts[i], sc.ends[i]));
        firstBytes.push(sc.ends[i] - sc.starts[i]);
      }
      continue;
    }
    if (problem !== null) {
      rejectedCount++;
      if (rejected.length < maxRejected) rejected.push({ line: sc.line, reason: problem, text: lineText(b, sc) });
      continue;
    }
    accepted++;
    for (let i = 0; i < expected; i++) {
      const s = sc.starts[i];
      const e = sc.ends[i];
      if (s === e) {
        nulls[i]++;
        continue;
      }
      nonNull[i]++;
      textBytes[i] += e - s;
      if (masks[i] !== 0) masks[i] &= classify(b, s, e);
    }
    if (sample.length < SAMPLE_PREVIEW) sample.push(Array.from({ length: expected }, (_, i) => fieldText(b, sc, i)));
  }
  const warnings: string[] = [];
  let header = false;
  if (first) {
    header = options.header ?? looksLikeHeader(first, firstMasks, masks, nonNull);
    if (header && options.header === undefined && !masks.some((m, i) => m !== 0 && nonNull[i] > 0)) {
      warnings.push('every column is text, so the first line was taken as the header: untick "header" if it is data');
    }
    if (!header) {
      // The first row is data after all: fold it in like the others.
      accepted++;
      for (let i = 0; i < expected; i++) {
        if (first[i] === null) {
          nulls[i]++;
          continue;
        }
        nonNull[i]++;
        textBytes[i] += firstBytes[i];
        masks[i] &= firstMasks[i];
      }
      sample.unshift(first);
      if (sample.length > SAMPLE_PREVIEW) sample.pop();
    }
  }
  const names = header && first ? uniqueNames(first) : uniqueNames(Array.from({ length: expected }, () => null));
  const schema = names.map((name, i): CsvColumn => ({ name, type: typeOf(masks[i], nonNull[i]), nullable: nulls[i] > 0 }));
  const rowsRead = accepted + rejectedCount;
  const report: CsvReport = { schema, rowsRead, rows: accepted, rejected, rejectedCount, delimiter, header, warnings, sample };
  return { report, start, expected, textBytes };
}

/** Pass 2: the same rows as pass 1 accepted, into typed buffers. */
async function build(b: Uint8Array, plan: Plan, signal: AbortSignal | undefined): Promise<arrow.Table> {
  const { report, expected } = plan;
  const builders = report.schema.map((c, i) => new ColumnBuilder(c.type, report.rows, plan.textBytes[i]));
  const sc = new RowScanner(b, report.delimiter.charCodeAt(0), plan.start);
  let seen = 0;
  while (sc.next()) {
    if (++seen % YIELD_EVERY === 0) {
      await tick();
      signal?.throwIfAborted();
    }
    if (seen === 1 && report.header) continue;
    if (rowProblem(b, sc, expected) !== null) continue;
    for (let i = 0; i < expected; i++) {
      const s = sc.starts[i];
      const e = sc.ends[i];
      if (s === e) builders[i].pushNull();
      else builders[i].push(b, s, e, sc.escaped[i] === 1);
    }
  }
  const fields = report.schema.map((c) => new arrow.Field(c.name, dataTypeOf(c.type), true));
  const children = builders.map((bld) => bld.finish());
  const schema = new arrow.Schema(fields);
  const data = arrow.makeData({ type: new arrow.Struct(fields), length: report.rows, nullCount: 0, children });
  return new arrow.Table([new arrow.RecordBatch(schema, data)]);
}

function dataTypeOf(t: CsvType): arrow.DataType {
  switch (t) {
    case 'Int64':
      return new arrow.Int64();
    case 'Float64':
      return new arrow.Float64();
    case 'Bool':
      return new arrow.Bool();
    case 'Date':
      return new arrow.DateDay();
    case 'Timestamp':
      return new arrow.Timestamp(arrow.TimeUnit.MICROSECOND, null);
    case 'Timestamp(UTC)':
      return new arrow.Timestamp(arrow.TimeUnit.MICROSECOND, 'UTC');
    default:
      return new arrow.Utf8();
  }
}
