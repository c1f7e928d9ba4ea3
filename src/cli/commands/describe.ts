/**
 * `pond describe`: what a file is — type, factory, versions — and, for a table or series, its
 * schema and timestamp column; a series' versions show their event-time ranges (min/max_event_time).
 */
import { STATIC_FACTORY, TIMESTAMP_COLUMN_ATTR, timeColumn, type Pond } from '../../core/index.ts';
import type { Command } from '../command.ts';
import { CliError, usageError } from '../errors.ts';
import { paint, write, type Output } from '../output.ts';
import { withPond } from '../pond-dir.ts';
import { listPattern } from './list.ts';

export const describe: Command = {
  name: 'describe',
  summary: 'Show type, schema and versions of files',
  usage: 'describe PATTERN...',
  details: `Examples:
  pond describe /data/readings.parquet
  pond describe '/sensors/**/*.series'`,
  options: {},
  async run({ positionals, pondDir, out }) {
    if (positionals.length === 0) throw usageError('describe needs a PATH or PATTERN');
    await withPond(pondDir(), async (pond) => {
      for (const arg of positionals) {
        const matches = await pond.glob(listPattern(arg));
        if (matches.length === 0) throw new CliError('ENOENT', `${arg}: no such file or directory`);
        for (const m of matches) await describeOne(pond, m.path, out);
      }
    });
  },
};

async function describeOne(pond: Pond, path: string, out: Output): Promise<void> {
  const s = await pond.stat(path, { compute: false });
  const lines = [paint(out.color, 'bold', path), `  type: ${s.type}${s.factory === STATIC_FACTORY ? '' : ` (dynamic, factory ${s.factory})`}`];
  if (s.type !== 'directory') {
    const versions = await pond.versions(path);
    lines.push(`  versions: ${versions.length}`);
    for (const v of versions) {
      const when = new Date(v.timestamp).toISOString();
      const range = rangeText(v.minEventTime, v.maxEventTime);
      lines.push(`    v${v.version}  txn ${v.txnSeq}  ${when}  ${v.size === null ? 'computed' : `${v.size} bytes`}${range ? `  time range: ${range}` : ''}`);
    }
  }
  if (s.type === 'file:table' || s.type === 'file:series') {
    const table = await pond.readTable(path);
    const fields = table.schema.fields;
    // The column a time range filters on: the series' attribute, else Rust's detected names.
    const timestamp = timeColumn(table.schema, s.attributes[TIMESTAMP_COLUMN_ATTR]);
    lines.push(`  rows: ${table.numRows}`, `  schema: ${fields.length} field${fields.length === 1 ? '' : 's'}`);
    for (const f of fields) lines.push(`    ${f.name}: ${f.type.toString()}${f.nullable ? '' : ' NOT NULL'}`);
    lines.push(`  timestamp column: ${timestamp ?? '(none)'}`);
  }
  await write(out.stdout, `${lines.join('\n')}\n`);
}

/** `2024-01-01 00:00:00 UTC to 2024-01-02 00:00:00 UTC` (Rust's form), or undefined without bounds. */
export function rangeText(min: number | null | undefined, max: number | null | undefined): string | undefined {
  if (min === null || min === undefined || max === null || max === undefined) return undefined;
  const text = (ms: number): string =>
    new Date(ms)
      .toISOString()
      .replace('T', ' ')
      .replace(/\.\d+Z$/, ' UTC');
  return `${text(min)} to ${text(max)}`;
}
