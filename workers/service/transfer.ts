/**
 * Moving data in and out of the worker: files imported into the open pond (previewed first,
 * converted to tables where asked, committed in one transaction), a whole pond exported as a zip,
 * and a zip imported as a new pond (checked in full before it is listed).
 */
import { transfer } from 'comlink';
import { pondError, fsck, normalizePath, joinPath, openPond, precomputeResults, publishResultOptions, ResultStore } from '../../src/core/index.ts';
import type { ImportItem, ImportedFile, ImportPreview, OpOptions, PondInfo, ProgressFn } from '../api.ts';
import { prepareImport, previewImport, type PreparedImport } from '../importer.ts';
import { importTarget } from '../importer-names.ts';
import { restoreZip, zipStore } from '../pond-zip.ts';
import type { ServiceContext } from './context.ts';
import { discard, type Ponds } from './ponds.ts';

export class Transfer {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly ponds: Ponds,
  ) {}

  async previewImport(dir: string, items: ImportItem[], options: OpOptions = {}): Promise<ImportPreview[]> {
    const base = normalizePath(dir);
    return this.ctx.ops.run(options.opId, undefined, async (op) => {
      const out: ImportPreview[] = [];
      for (const item of items) {
        op.check();
        out.push(await previewImport(item, joinPath(base, importTarget(item.name, item.as).name), op.signal));
      }
      return out;
    });
  }

  async importFiles(dir: string, items: ImportItem[], options: OpOptions = {}, onProgress?: ProgressFn): Promise<ImportedFile[]> {
    const base = normalizePath(dir);
    return this.ctx.ops.run(options.opId, onProgress, async (op) => {
      const done: ImportedFile[] = [];
      const prepared: PreparedImport[] = [];
      for (const [i, item] of items.entries()) {
        op.check();
        const converting = importTarget(item.name, item.as).type !== 'file:data';
        op.progress({ phase: `${converting ? 'converting' : 'reading'} ${item.name}`, done: i, total: items.length + 1 });
        const path = joinPath(base, item.name);
        const p = await prepareImport(item, path, op.signal);
        prepared.push(p);
        done.push({ path: joinPath(base, p.name), type: p.type, rows: p.rows, size: p.bytes.length });
      }
      op.check();
      op.progress({ phase: 'committing', done: items.length, total: items.length + 1 });
      await this.ctx.commit(
        async (tx) => {
          await tx.mkdir(base, { parents: true });
          for (const p of prepared) await tx.writeFile(joinPath(base, p.name), p.bytes, { type: p.type });
        },
        `import ${prepared.length === 1 ? done[0].path : `${prepared.length} files into ${base}`}`,
      );
      op.progress({ phase: 'done', done: items.length + 1, total: items.length + 1 });
      return done;
    });
  }

  async exportPond(options: OpOptions = {}, onProgress?: ProgressFn): Promise<Uint8Array> {
    const session = this.ctx.open();
    const store = session.store;
    const zip = await this.ctx.ops.run(options.opId, onProgress, async (op) => {
      // A published copy ships its dynamic results, so its first reader computes nothing. A
      // read-only pond (published) exports the results it carries as they are.
      let shipped: Set<string> | undefined;
      if (store.writable && !session.pond.readOnly) {
        // Through a handle of its own whose stored results have no total cap: the archive ships
        // every result, and computing in path order must not evict the first ones to make room.
        const results = new ResultStore(store, publishResultOptions());
        const pond = await openPond(store, { create: false, registry: this.ctx.core.registry, results });
        try {
          const report = await precomputeResults(pond, results, ({ path, done }) => {
            op.check();
            op.progress({ phase: `computing ${path}`, done });
          });
          // Only the live nodes' results: entries of old configs would ship as dead weight.
          shipped = new Set(report.stored.map((r) => r.key));
        } finally {
          await pond.close();
        }
      }
      return zipStore(store, op, shipped);
    });
    return transfer(zip, [zip.buffer]);
  }

  async importPond(name: string, zip: Blob | Uint8Array, options: OpOptions = {}, onProgress?: ProgressFn): Promise<PondInfo> {
    // An imported pond is nobody's copy (its archive may have been, but reset is not offered for it).
    const fresh = await this.ponds.fresh(name);
    const store = fresh.store;
    await this.ctx.ops.run(options.opId, onProgress, async (op) => {
      try {
        await restoreZip(store, zip, op);
        // Read everything before anyone relies on it: without a publish index in the archive,
        // nothing else looked at the data files, and a damaged one would open without a word.
        op.check();
        op.progress({ phase: 'checking', done: 0 });
        const report = await fsck(store);
        const [first, ...more] = report.problems;
        if (first) {
          const others = more.length ? ` (and ${more.length} more problem${more.length === 1 ? '' : 's'})` : '';
          throw pondError('ECORRUPT', first.path, `the archive holds a damaged pond: ${first.message}${others}; nothing was imported`);
        }
        await (await this.ctx.core.open(store, { create: false })).close();
      } catch (e) {
        await discard(fresh);
        throw e;
      }
    });
    await store.close();
    return this.ponds.added(fresh);
  }
}
