/**
 * `pond cat`: a file's content. Raw bytes stream straight through; tables (a stored table or
 * series, or `csv:///path` read as one) print as a text table on a terminal (`--format auto`), as
 * raw Parquet when piped, or as CSV; `--sql` runs a query over the table named `source`;
 * `--time-start`/`--time-end` (Rust's flags) keep the rows of a series or table in a time range.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { normalizePath, tableToParquet, type Pond, type TimeRange } from '../../core/index.ts';
import { stringOption, type Command } from '../command.ts';
import { CliError, usageError } from '../errors.ts';
import { write, type Output } from '../output.ts';
import { withPond } from '../pond-dir.ts';
import { formatTable, tableCsv, type TableLike } from '../table-text.ts';
import type * as arrow from 'apache-arrow';

const FORMATS = ['auto', 'raw', 'table', 'csv'] as const;
type Format = (typeof FORMATS)[number];

/** A `cat` argument: a pond path, or `csv:///path` (a stored CSV read as a table), or `file:///path`. */
export function parseSource(arg: string): { path: string; csv: boolean } {
  const m = /^([a-z][a-z0-9+]*):\/\/(\/.*)$/.exec(arg);
  if (!m) return { path: normalizePath(arg.startsWith('/') ? arg : `/${arg}`), csv: false };
  if (m[1] === 'csv') return { path: normalizePath(m[2]), csv: true };
  if (m[1] === 'file') return { path: normalizePath(m[2]), csv: false };
  throw usageError(`unsupported scheme ${m[1]}:// (cat reads pond paths, csv:///path and file:///path)`);
}

export const cat: Command = {
  name: 'cat',
  summary: 'Print a file, or query a table with SQL',
  usage: 'cat PATH [--format auto|raw|table|csv] [--sql QUERY] [--time-start T] [--time-end T]',
  details: `PATH is a pond path, or csv:///PATH to read a stored CSV file as a table.

Options:
  --format F        auto (default): a text table on a terminal, raw bytes when piped;
                    raw: the bytes (Parquet for a table or a query result); table: aligned text
                    with column types and a row count; csv: comma-separated with a header
  --sql, --query Q  run Q over the file as the table named source
  --time-start T    keep rows of a series or table whose event time is at or after T
  --time-end T      keep rows whose event time is at or before T (both ends inclusive)
                    T is milliseconds since the epoch (as in Rust) or an ISO 8601 time;
                    a series skips, unread, the versions whose time range lies outside

Examples:
  pond cat /data/notes.txt
  pond cat csv:///sensors/readings.csv --format=table --sql "SELECT * FROM source WHERE temperature > 23"
  pond cat /data/readings.parquet --format=csv > readings.csv
  pond cat /sensors/temp.series --time-start 2024-01-01T00:00:00Z --time-end 1704153600000 --format=table`,
  options: {
    format: { type: 'string', short: 'f' },
    sql: { type: 'string' },
    query: { type: 'string' },
    'time-start': { type: 'string' },
    'time-end': { type: 'string' },
  },
  async run({ values, positionals, pondDir, out }) {
    if (positionals.length !== 1) throw usageError('cat needs exactly one PATH');
    const format = (stringOption(values, 'format') ?? 'auto') as Format;
    if (!FORMATS.includes(format)) throw usageError(`--format must be one of ${FORMATS.join(', ')}, not ${JSON.stringify(format)}`);
    const sql = stringOption(values, 'sql') ?? stringOption(values, 'query');
    const source = parseSource(positionals[0]);
    const timeRange = parseTimeRange(stringOption(values, 'time-start'), stringOption(values, 'time-end'));
    await withPond(pondDir(), async (pond) => {
      const ref = await pond.lookup(source.path);
      if (ref.type === 'directory') throw new CliError('EISDIR', `${source.path}: is a directory`);
      const tabular = source.csv || ref.type === 'file:table' || ref.type === 'file:series';
      if (!tabular) {
        if (sql !== undefined)
          throw new CliError('EINVAL', `${source.path}: --sql needs a table: a ${ref.type} is bytes (read a CSV file as csv://${source.path})`);
        if (format === 'csv') throw new CliError('EINVAL', `${source.path}: --format=csv needs a table (read a CSV file as csv://${source.path})`);
        if (timeRange) throw new CliError('EINVAL', `${source.path}: --time-start/--time-end need a series or table: a ${ref.type} is bytes`);
        return streamBytes(pond, source.path, out);
      }
      const shown: Format = format === 'auto' ? (out.tty ? 'table' : 'raw') : format;
      // A stored table printed raw is its own Parquet bytes: stream them.
      if (shown === 'raw' && sql === undefined && !source.csv && !timeRange) return streamBytes(pond, source.path, out);
      if (source.csv && timeRange) throw new CliError('EINVAL', `${source.path}: --time-start/--time-end read a series or table, not csv://`);
      const table = await readResult(pond, source, sql, timeRange);
      if (shown === 'raw') return write(out.stdout, await tableToParquet(table as arrow.Table));
      if (shown === 'table') return write(out.stdout, formatTable(table));
      for (const chunk of tableCsv(table)) await write(out.stdout, chunk);
    });
  },
};

async function streamBytes(pond: Pond, path: string, out: Output): Promise<void> {
  const web = pond.createReadStream(path) as unknown as NodeReadableStream<Uint8Array>;
  await pipeline(Readable.fromWeb(web), out.stdout, { end: false });
}

/** A time-flag value: whole milliseconds since the epoch (Rust's form) or an ISO 8601 time. */
export function parseTime(flag: string, text: string): number {
  if (/^-?\d+$/.test(text.trim())) return Number(text);
  // ISO 8601 only: a date or time without a zone is UTC, as Rust reads it. Other text ("Jan 1
  // 2024") is refused rather than read in the host's zone by Date.parse.
  const m = /^(\d{4}-\d\d-\d\d)(?:[T ](\d\d:\d\d(?::\d\d(?:\.\d+)?)?)(Z|[+-]\d\d:?\d\d)?)?$/i.exec(text.trim());
  const ms = m ? Date.parse(m[2] === undefined ? m[1] : `${m[1]}T${m[2]}${m[3] ?? 'Z'}`) : Number.NaN;
  if (Number.isNaN(ms)) throw usageError(`--${flag} must be milliseconds since the epoch or an ISO 8601 time, not ${JSON.stringify(text)}`);
  return ms;
}

/** The time range the flags give, or undefined without either flag. */
export function parseTimeRange(start: string | undefined, end: string | undefined): TimeRange | undefined {
  if (start === undefined && end === undefined) return undefined;
  const range: TimeRange = {};
  if (start !== undefined) range.start = parseTime('time-start', start);
  if (end !== undefined) range.end = parseTime('time-end', end);
  if (range.start !== undefined && range.end !== undefined && range.start > range.end) throw usageError('--time-start is after --time-end');
  return range;
}

/** The table `cat` shows: the file itself (in the time range), or the query over it. */
async function readResult(pond: Pond, source: { path: string; csv: boolean }, sql: string | undefined, timeRange: TimeRange | undefined): Promise<TableLike> {
  if (!source.csv && !timeRange) return sql === undefined ? pond.readTable(source.path) : pond.query(sql, { tables: { source: source.path } });
  let table: arrow.Table;
  if (source.csv) {
    const { readCsv } = await import('../../core/csv/index.ts');
    table = (await readCsv(await pond.readFile(source.path), { path: source.path })).table;
  } else {
    table = await pond.readTable(source.path, { timeRange });
  }
  if (sql === undefined) return table;
  const { getSqlEngine } = await import('../../core/sql/index.ts');
  const engine = getSqlEngine();
  try {
    return await engine.query(sql, { tables: [{ name: 'source', tables: [table] }] });
  } finally {
    await engine.close();
  }
}
