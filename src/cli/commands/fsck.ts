/** `pond fsck`: check the pond against itself and, with `--repair`, repair what can be repaired. */
import { fsck as checkPond } from '../../core/index.ts';
import { NodeFsStore } from '../../core/storage/node-fs.ts';
import type { Command } from '../command.ts';
import { paint, write } from '../output.ts';
import { openExisting } from '../pond-dir.ts';

export const fsck: Command = {
  name: 'fsck',
  summary: 'Check the pond (and repair it with --repair)',
  usage: 'fsck [--repair]',
  details: `Replays every commit, reads every data file, verifies every stored body against its sha256 and
walks the tree. Exit code 0 when the pond is sound (or fully repaired), 1 otherwise.

Options:
  --repair   set damaged parts aside (under _lost+found/) and commit a repaired tree

Example:
  pond fsck --repair`,
  options: { repair: { type: 'boolean' } },
  async run({ values, pondDir, out }) {
    const dir = pondDir();
    // Fails clearly when the directory holds no pond.
    await (await openExisting(dir)).close();
    const repair = values.repair === true;
    const store = new NodeFsStore(dir);
    const release = repair ? await store.lock() : undefined;
    let report;
    try {
      report = await checkPond(store, { repair });
    } finally {
      await release?.();
      await store.close();
    }
    for (const p of report.problems) {
      const paths = p.pondPaths.length ? ` (${p.pondPaths.join(', ')})` : '';
      const fate = p.repaired ? `repaired: ${p.repaired}` : p.repairable ? 'repairable with --repair' : `not repairable${p.nextStep ? `: ${p.nextStep}` : ''}`;
      await write(out.stdout, `${paint(out.color, 'red', p.kind)} ${p.path}${paths}: ${p.message} [${fate}]\n`);
    }
    await write(
      out.stdout,
      `checked version ${report.version}: ${report.commits} commits, ${report.dataFiles} data files, ${report.rows} rows, ${report.bodiesVerified} bodies verified; ${report.problems.length} problem${report.problems.length === 1 ? '' : 's'}${report.repairedAt !== undefined ? `, repaired at version ${report.repairedAt}` : ''}\n`,
    );
    const unrepaired = report.problems.filter((p) => !p.repaired);
    return unrepaired.length === 0 ? 0 : 1;
  },
};
