/**
 * The integrity check of the open pond (fsck), and its repair: a repair commits, so it takes the
 * pond's lock like any writer, and the UI hears of the new version.
 */
import { fsck } from '../../src/core/index.ts';
import type { CheckReport, OpOptions, ProgressFn } from '../api.ts';
import type { ServiceContext } from './context.ts';

export class Integrity {
  constructor(private readonly ctx: ServiceContext) {}

  async checkPond(options: OpOptions & { repair?: boolean } = {}, onProgress?: ProgressFn): Promise<CheckReport> {
    const session = this.ctx.open();
    const started = performance.now();
    const report = await this.ctx.ops.run(options.opId, onProgress, async (op) => {
      op.progress({ phase: options.repair ? 'repairing' : 'checking', done: 0 });
      if (!options.repair || !session.store.writable) return fsck(session.store);
      // So that another tab cannot interleave a commit with the repair's.
      const release = await session.store.lock({ timeoutMs: 120_000 });
      try {
        return await fsck(session.store, { repair: true });
      } finally {
        await release();
      }
    });
    if (report.repairedAt !== undefined || report.problems.some((p) => p.repaired)) {
      await session.pond.refresh();
      this.ctx.emit({ type: 'commit', pond: session.name, version: session.pond.version, origin: 'local' });
    }
    return { ...report, problems: report.problems.map((p) => ({ ...p })), elapsedMs: performance.now() - started };
  }
}
