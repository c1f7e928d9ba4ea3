/** `pond list-factories`: the factories `mknod` can use, with what each does. */
import { defaultRegistry } from '../../core/index.ts';
import type { Command } from '../command.ts';
import { write } from '../output.ts';

export const listFactories: Command = {
  name: 'list-factories',
  summary: 'List the factories mknod can use',
  usage: 'list-factories',
  details: `Example:
  pond list-factories`,
  options: {},
  async run({ out }) {
    const registry = defaultRegistry();
    const names = registry
      .names()
      .filter((name) => !registry.get(name)?.internal)
      .sort();
    const width = Math.max(...names.map((n) => n.length));
    for (const name of names) await write(out.stdout, `${name.padEnd(width)}  ${registry.get(name)?.description ?? ''}\n`);
  },
};
