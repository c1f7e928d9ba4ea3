/** `pond mkdir`: create a directory (with `-p`, its missing parents too). */
import type { Command } from '../command.ts';
import { usageError } from '../errors.ts';
import { withPond } from '../pond-dir.ts';

export const mkdir: Command = {
  name: 'mkdir',
  summary: 'Create a directory',
  usage: 'mkdir [-p] PATH...',
  details: `Options:
  -p, --parents   create missing parent directories, and succeed when the directory exists

Example:
  pond mkdir -p /sensors/temperature`,
  options: { parents: { type: 'boolean', short: 'p' } },
  async run({ values, positionals, pondDir }) {
    if (positionals.length === 0) throw usageError('mkdir needs a PATH');
    const parents = values.parents === true;
    await withPond(pondDir(), (pond) =>
      pond.transact(
        async (tx) => {
          for (const p of positionals) await tx.mkdir(p, { parents });
        },
        { message: `mkdir ${positionals.join(' ')}` },
      ),
    );
  },
};
