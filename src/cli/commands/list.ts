/**
 * `pond list`: paths matching a glob, recursive by default as in Rust (`/dir/` lists a directory's
 * entries, `/dir` the entry itself). Reads no file contents and never loads DuckDB.
 */
import { STATIC_FACTORY, type Pond, type Stat } from '../../core/index.ts';
import type { Command } from '../command.ts';
import { paint, write } from '../output.ts';
import { withPond } from '../pond-dir.ts';

/** The glob a `pond list` argument stands for (Rust's rules). */
export function listPattern(arg: string | undefined): string {
  if (arg === undefined || arg === '') return '/**/*';
  const abs = arg.startsWith('/') ? arg : `/${arg}`;
  return abs.endsWith('/') ? `${abs}*` : abs;
}

export const list: Command = {
  name: 'list',
  summary: 'List paths matching a glob (recursive by default)',
  usage: 'list [PATTERN] [-l]',
  details: `Without a pattern lists everything ('/**/*'); '/' lists the root's entries, '/dir/' a directory's
entries, '/dir' the entry itself. Directories end with '/'.

Options:
  -l, --long   type (with factory), version, size, time and path

Examples:
  pond list
  pond list '/data/**/*.csv' -l`,
  options: { long: { type: 'boolean', short: 'l' } },
  async run({ values, positionals, pondDir, out }) {
    const pattern = listPattern(positionals[0]);
    const long = values.long === true;
    await withPond(pondDir(), async (pond) => {
      const matches = (await pond.glob(pattern)).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      for (const m of matches) {
        const name = m.type === 'directory' ? paint(out.color, 'blue', `${m.path}/`) : m.path;
        await write(out.stdout, long ? `${await longLine(pond, m.path)}  ${name}\n` : `${name}\n`);
      }
    });
  },
};

async function longLine(pond: Pond, path: string): Promise<string> {
  // compute: false: a listing never runs factories.
  const s: Stat = await pond.stat(path, { compute: false });
  const type = s.factory === STATIC_FACTORY ? s.type : `${s.type}:${s.factory}`;
  const size = s.type === 'directory' ? '-' : s.size === null ? '?' : String(s.size);
  const when = new Date(s.timestamp)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
  return `${type.padEnd(24)} v${String(s.version).padEnd(4)} ${size.padStart(10)}  ${when}`;
}
