/** `pond log`: the pond's committed transactions, newest first. */
import { stringOption, type Command } from '../command.ts';
import { usageError } from '../errors.ts';
import { paint, write } from '../output.ts';
import { withPond } from '../pond-dir.ts';

export const log: Command = {
  name: 'log',
  summary: 'Show transaction history',
  usage: 'log [--limit N]',
  details: `Prints one line per transaction, newest first: sequence number, time (UTC), operation and message.

Options:
  --limit N   show at most N transactions (default 10; 0 for all)

Example:
  pond log --limit 20`,
  options: { limit: { type: 'string', short: 'n' } },
  async run({ values, pondDir, out }) {
    const limitText = stringOption(values, 'limit') ?? '10';
    const limit = Number(limitText);
    if (!Number.isInteger(limit) || limit < 0) throw usageError(`--limit must be a whole number, not ${JSON.stringify(limitText)}`);
    const records = await withPond(pondDir(), (pond) => pond.history());
    const shown = limit === 0 ? records : records.slice(0, limit);
    for (const r of shown) {
      const when = new Date(r.timestamp)
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, 'Z');
      await write(out.stdout, `${paint(out.color, 'bold', `txn ${r.txnSeq}`)}  ${when}  ${r.operation}  ${r.message}\n`);
    }
  },
};
