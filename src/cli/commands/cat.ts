/**
 * `pond cat`: a file's content. Raw bytes stream straight through; tables (a stored table or
 * series, or `csv:///path` read as one) print as a text table on a terminal (`--format auto`), as
 * raw Parquet when piped, or as CSV; `--sql` runs a query over the table named `source`.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { normalizePath, tableToParquet, type Pond } from '../../core/index.ts';
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
  usage: 'cat PATH [--format auto|raw|table|csv] [--sql QUERY]',
  details: `PATH is a pond path, or csv:///PATH to read a stored CSV file as a table.

Options:
  --format F        auto (default): a text table on a terminal, raw bytes when piped;
                    raw: the bytes (Parquet for a table or a query result); table: aligned text
                    with column types and a row count; csv: comma-separated with a header
  --sql, --query Q  run Q over the file as the table named source

Examples:
  pond cat /data/notes.txt
  pond cat csv:///sensors/readings.csv --format=table --sql "SELECT * FROM source WHERE temperature > 23"
  pond cat /data/readings.parquet --format=csv > readings.csv`,
  options: { format: { type: 'string', short: 'f' }, sql: { type: 'string' }, query: { type: 'string' } },
  async run({ values, positionals, pondDir, out }) {
    if (positionals.length !== 1) throw usageError('cat needs exactly one PATH');
    const format = (stringOption(values, 'format') ?? 'auto') as Format;
    if (!FORMATS.includes(format)) throw usageError(`--format must be one of ${FORMATS.join(', ')}, not ${JSON.stringify(format)}`);
    const sql = stringOption(values, 'sql') ?? stringOption(values, 'query');
    const source = parseSource(positionals[0]);
    await withPond(pondDir(), async (pond) => {
      const ref = await pond.lookup(source.path);
      if (ref.type === 'directory') throw new CliError('EISDIR', `${source.path}: is a directory`);
      const tabular = source.csv || ref.type === 'file:table' || ref.type === 'file:series';
      if (!tabular) {
        if (sql !== undefined)
          throw new CliError('EINVAL', `${source.path}: --sql needs a table: a ${ref.type} is bytes (read a CSV file as csv://${source.path})`);
        if (format === 'csv') throw new CliError('EINVAL', `${source.path}: --format=csv needs a table (read a CSV file as csv://${source.path})`);
        return streamBytes(pond, source.path, out);
      }
      const shown: Format = format === 'auto' ? (out.tty ? 'table' : 'raw') : format;
      // A stored table printed raw is its own Parquet bytes: stream them.
      if (shown === 'raw' && sql === undefined && !source.csv) return streamBytes(pond, source.path, out);
      const table = await readResult(pond, source, sql);
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

/** The table `cat` shows: the file itself, or the query over it. */
async function readResult(pond: Pond, source: { path: string; csv: boolean }, sql: string | undefined): Promise<TableLike> {
  if (!source.csv) return sql === undefined ? pond.readTable(source.path) : pond.query(sql, { tables: { source: source.path } });
  const { readCsv } = await import('../../core/csv/index.ts');
  const { table } = await readCsv(await pond.readFile(source.path), { path: source.path });
  if (sql === undefined) return table;
  const { getSqlEngine } = await import('../../core/sql/index.ts');
  const engine = getSqlEngine();
  try {
    return await engine.query(sql, { tables: [{ name: 'source', tables: [table] }] });
  } finally {
    await engine.close();
  }
}
