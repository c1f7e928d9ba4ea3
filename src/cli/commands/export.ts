/**
 * `pond export`: pond files out to a host directory, tables and series as Hive-partitioned Parquet
 * (`NAME/year=2024/month=7/data.parquet`, as Rust's `pond export --temporal year,month` writes)
 * that native DuckDB, Spark or DataFusion read with hive partitioning. Partitions are cut in
 * JavaScript from the event-time column, so an export never loads the SQL engine.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { createWriteStream } from 'node:fs';
import type * as arrow from 'apache-arrow';
import { TIMESTAMP_COLUMN_ATTR, msReader, normalizePath, tableToParquet, timeColumn, type Pond, type TimeRange } from '../../core/index.ts';
import { stringListOption, stringOption, type Command } from '../command.ts';
import { CliError, usageError } from '../errors.ts';
import { write, type Output } from '../output.ts';
import { withPond } from '../pond-dir.ts';
import { parseTime } from './cat.ts';

/** Temporal partition levels, coarsest first (Rust's list). */
export const TEMPORAL_PARTS = ['year', 'month', 'day', 'hour', 'minute', 'second'] as const;
export type TemporalPart = (typeof TEMPORAL_PARTS)[number];

/** `--temporal year,month` as checked levels: known names, in chronological order. */
export function parseTemporal(text: string): TemporalPart[] {
  if (text.trim() === '') return [];
  const parts = text.split(',').map((p) => p.trim().toLowerCase());
  let last = -1;
  for (const p of parts) {
    const i = TEMPORAL_PARTS.indexOf(p as TemporalPart);
    if (i < 0) throw usageError(`invalid temporal partition '${p}'; valid options: ${TEMPORAL_PARTS.join(', ')}`);
    if (i <= last) throw usageError(`temporal partitioning must be in chronological order: ${TEMPORAL_PARTS.join(' > ')}`);
    last = i;
  }
  return parts as TemporalPart[];
}

/** The output name of a match, as Rust computes it: the captures joined by '/', else the path without its extension. */
export function outputName(path: string, captures: string[]): string {
  if (captures.length > 0) return captures.join('/');
  const rel = path.replace(/^\/+/, '');
  const slash = rel.lastIndexOf('/');
  const base = rel.slice(slash + 1);
  const dot = base.lastIndexOf('.');
  const stem = dot > 0 ? base.slice(0, dot) : base;
  return slash < 0 ? stem : `${rel.slice(0, slash)}/${stem}`;
}

/** The partition directory of a time (ms, UTC), e.g. `year=2024/month=7` (no zero padding, as DataFusion writes). */
export function partitionDir(ms: number, parts: readonly TemporalPart[]): string {
  const d = new Date(ms);
  const value: Record<TemporalPart, number> = {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
  };
  return parts.map((p) => `${p}=${value[p]}`).join('/');
}

/**
 * The rows of `table` grouped by partition directory: runs of rows in one partition become
 * slices (a series is in time order, so there are few), and the slices of a partition are joined.
 */
export function partitionTable(table: arrow.Table, column: string, parts: readonly TemporalPart[], where: string): Map<string, arrow.Table> {
  const groups = new Map<string, arrow.Table[]>();
  const col = table.getChild(column);
  if (!col) throw new CliError('EINVAL', `${where}: no column ${column}`);
  const ms = msReader(col);
  let runStart = 0;
  let runKey: string | undefined;
  const flush = (end: number): void => {
    if (runKey === undefined || end <= runStart) return;
    const list = groups.get(runKey) ?? [];
    list.push(table.slice(runStart, end));
    groups.set(runKey, list);
  };
  for (let i = 0; i < table.numRows; i++) {
    const t = ms(i);
    if (t === null) throw new CliError('EINVAL', `${where}: row ${i} has no ${column}: a null time has no partition`);
    const key = partitionDir(t, parts);
    if (key !== runKey) {
      flush(i);
      runStart = i;
      runKey = key;
    }
  }
  flush(table.numRows);
  const out = new Map<string, arrow.Table>();
  for (const [key, slices] of groups) out.set(key, slices.length === 1 ? slices[0] : slices[0].concat(...slices.slice(1)));
  return out;
}

/** Export one table or series: its partitions under `dir`; returns the files written (relative to `base`). */
async function exportTable(pond: Pond, path: string, dir: string, parts: readonly TemporalPart[], range: TimeRange | undefined): Promise<string[]> {
  const table = await pond.readTable(path, range ? { timeRange: range } : {});
  if (table.numRows === 0) return [];
  let groups: Map<string, arrow.Table>;
  if (parts.length === 0) groups = new Map([['', table]]);
  else {
    const column = timeColumn(table.schema, (await pond.stat(path, { compute: false })).attributes[TIMESTAMP_COLUMN_ATTR]);
    if (!column) throw new CliError('EINVAL', `${path}: no timestamp column (Timestamp or Int64 named timestamp, time, ...) to partition by`);
    groups = partitionTable(table, column, parts, path);
  }
  const written: string[] = [];
  for (const [key, part] of [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const target = key ? join(dir, ...key.split('/')) : dir;
    await mkdir(target, { recursive: true });
    await writeFile(join(target, 'data.parquet'), await tableToParquet(part));
    written.push(join(target, 'data.parquet'));
  }
  return written;
}

async function exportRaw(pond: Pond, path: string, target: string): Promise<string> {
  await mkdir(join(target, '..'), { recursive: true });
  const web = pond.createReadStream(path) as unknown as NodeReadableStream<Uint8Array>;
  await pipeline(Readable.fromWeb(web), createWriteStream(target));
  return target;
}

function progress(out: Output, text: string): void {
  if (out.tty) out.stderr.write(`\r\x1b[K${text}`);
}

export const exportCommand: Command = {
  name: 'export',
  summary: 'Export tables and series as Hive-partitioned Parquet',
  usage: 'export --pattern P [--pattern P...] --dir DIR [--temporal year,month,...] [--start-time T] [--end-time T]',
  details: `Each file matching a pattern is written under DIR, named by the pattern's captures joined by
'/' or, without captures, by its pond path without the extension. A table or series becomes
Parquet files partitioned by its event time (UTC), as Rust's pond export writes them:

  DIR/sensors/temp/year=2024/month=1/data.parquet

The partition values are in the directory names only (Hive style): native DuckDB reads them back
with read_parquet('DIR/sensors/temp/**/*.parquet', hive_partitioning = true). Without --temporal
a table is one DIR/NAME/data.parquet. Other files are copied as they are to DIR/PATH.

Options:
  -p, --pattern P      a glob of pond files (repeatable)
  --dir DIR            the host directory to write into (created if missing)
  --temporal LEVELS    comma-separated partition levels: year, month, day, hour, minute, second
  --start-time T       keep rows at or after T (ms since the epoch, or an ISO 8601 time)
  --end-time T         keep rows at or before T

Examples:
  pond export --pattern '/sensors/*.series' --dir ./out --temporal year,month
  pond export -p '/reduced/*/*.series' --dir ./site/data --temporal year --start-time 2024-01-01`,
  options: {
    pattern: { type: 'string', short: 'p', multiple: true },
    dir: { type: 'string' },
    temporal: { type: 'string' },
    'start-time': { type: 'string' },
    'end-time': { type: 'string' },
  },
  async run({ values, positionals, pondDir, out }) {
    const patterns = [...stringListOption(values, 'pattern'), ...positionals];
    if (patterns.length === 0) throw usageError('at least one --pattern must be given');
    const dir = stringOption(values, 'dir');
    if (!dir) throw usageError('export needs --dir DIR');
    const parts = parseTemporal(stringOption(values, 'temporal') ?? '');
    const start = stringOption(values, 'start-time');
    const end = stringOption(values, 'end-time');
    const range: TimeRange | undefined =
      start === undefined && end === undefined
        ? undefined
        : { ...(start !== undefined ? { start: parseTime('start-time', start) } : {}), ...(end !== undefined ? { end: parseTime('end-time', end) } : {}) };
    await mkdir(dir, { recursive: true });
    let files = 0;
    let targets = 0;
    await withPond(pondDir(), async (pond) => {
      for (const pattern of patterns) {
        const matches = await pond.glob(normalizePath(pattern.startsWith('/') ? pattern : `/${pattern}`));
        if (matches.length === 0) throw new CliError('ENOENT', `${pattern}: no such file`);
        for (const [i, m] of matches.entries()) {
          if (m.type === 'directory') throw new CliError('EISDIR', `${m.path}: directories are not exportable (match files, e.g. ${m.path}/*)`);
          progress(out, `exporting ${m.path} (${i + 1}/${matches.length})`);
          const name = outputName(m.path, m.captures);
          if (m.type === 'file:table' || m.type === 'file:series') {
            files += (await exportTable(pond, m.path, join(dir, ...name.split('/')), parts, range)).length;
          } else {
            // Raw bytes keep their file name (Rust drops the extension here too; a file needs it).
            const rawName = m.captures.length > 0 ? name : m.path.replace(/^\/+/, '');
            await exportRaw(pond, m.path, join(dir, ...rawName.split('/')));
            files++;
          }
          targets++;
        }
      }
    });
    if (out.tty)
      await write(out.stderr, `\r\x1b[Kexported ${targets} file${targets === 1 ? '' : 's'} into ${files} output file${files === 1 ? '' : 's'} under ${dir}\n`);
  },
};
