/** `pond init`: create a pond in an empty directory, recording where it was born. */
import { hostname } from 'node:os';
import { isPondError, openPond } from '../../core/index.ts';
import { NodeFsStore } from '../../core/storage/node-fs.ts';
import { CliError } from '../errors.ts';
import { stringOption, type Command } from '../command.ts';
import { write } from '../output.ts';

/** The root directory attribute that records the birthplace (as Rust's identity metadata does). */
export const BIRTHPLACE_ATTRIBUTE = 'birthplace';

export const init: Command = {
  name: 'init',
  summary: 'Create a new pond',
  usage: 'init [--birthplace NAME]',
  details: `Creates a pond in the pond directory (--pond DIR or $POND). Fails when one is already there.

Options:
  --birthplace NAME   where the pond is created (a host, site or deployment); default: this host's name

Example:
  pond init --pond ./mypond --birthplace water-prod`,
  options: { birthplace: { type: 'string' } },
  async run({ values, pondDir, out }) {
    const dir = pondDir();
    const store = new NodeFsStore(dir);
    try {
      const existing = await openPond(store, { create: false });
      await existing.close();
      throw new CliError('EEXIST', `${dir}: a pond already exists here`);
    } catch (e) {
      if (!(isPondError(e, 'ENOENT') && e.path === '/')) throw e;
    }
    const birthplace = stringOption(values, 'birthplace') ?? hostname();
    const pond = await openPond(new NodeFsStore(dir), { create: true });
    try {
      await pond.transact((tx) => tx.setAttributes('/', { [BIRTHPLACE_ATTRIBUTE]: birthplace }), { message: `init --birthplace ${birthplace}` });
    } finally {
      await pond.close();
    }
    await write(out.stderr, `Initialized pond at ${dir} (birthplace ${birthplace})\n`);
  },
};
