/**
 * Resetting a local copy to its published pond, and recovering resets a closed tab interrupted.
 *
 * A reset downloads the published pond under a scratch name (`.reset.<name>`, never listed), then
 * journals the swap (PondOrigins.beginReset) before it removes the local pond, and from there runs
 * to the end uncancelled. Every start finishes a journalled swap that a closed tab interrupted and
 * removes scratch copies of unfinished downloads; so does any operation on that pond name. One
 * reset per pond at a time, across tabs: the Web Lock `duckpond:reset:<name>` is held throughout.
 */
import { isPondError, pondError, HttpStore } from '../../src/core/index.ts';
import { copyStore, resetScratchName, scratchOwner, type PondCatalog } from '../pond-catalog.ts';
import type { Operation } from '../operations.ts';
import type { ServiceContext } from './context.ts';

export class Resets {
  constructor(private readonly ctx: ServiceContext) {}

  /**
   * Reset pond `name` (its reset lock held): download its published origin under the scratch name,
   * prove it opens, then swap it in. Cancelling is honoured until the swap is journalled, never after.
   */
  async reset(catalog: PondCatalog, name: string, op: Operation): Promise<void> {
    const origins = this.ctx.origins;
    await this.#finish(catalog, name, op);
    const url = await origins.get(name);
    if (!url) throw pondError('EINVAL', name, 'this pond was not copied from a published pond, so there is nothing to reset it to');
    if (!(await catalog.exists(name))) throw pondError('ENOENT', name, 'no pond by this name');
    // Copied in full under the scratch name first: if the network or the quota fails half-way,
    // the local pond is still there, untouched.
    const scratch = resetScratchName(name);
    const source = await HttpStore.open(url);
    try {
      const target = catalog.backend.store(scratch);
      try {
        await copyStore(source, target, op, 'downloading');
        await (await this.ctx.core.open(target, { create: false })).close();
        await target.close();
        op.check();
      } catch (e) {
        await target.close().catch(() => {});
        await catalog.backend.remove(scratch).catch(() => {});
        throw e;
      }
    } finally {
      await source.close().catch(() => {});
    }
    await origins.beginReset(name, url);
    await this.#swapIn(catalog, name, url, uncancellable(op));
  }

  /** Before an operation on pond `name`: finish what a reset of it left behind (ECONFLICT while another tab resets it). */
  async settle(catalog: PondCatalog, name: string): Promise<void> {
    const settled = await withResetLock(name, () => this.#finish(catalog, name));
    // Another tab resets it: while still downloading, the pond is intact; once swapping, it is not.
    if (!settled && (await this.ctx.origins.pendingResets()).has(name)) {
      throw pondError('ECONFLICT', name, 'this pond is being reset to its published version; try again when that is done');
    }
  }

  /** At start: finish every reset a closed tab interrupted, remove scratch copies nobody is writing. */
  async recover(catalog: PondCatalog): Promise<void> {
    let names: Set<string>;
    try {
      const pending = await this.ctx.origins.pendingResets();
      const scratches = (await catalog.internalNames()).map(scratchOwner).filter((n): n is string => n !== null);
      names = new Set([...pending.keys(), ...scratches]);
    } catch (e) {
      console.warn('DuckPond: could not look for interrupted resets', e);
      return;
    }
    for (const name of names) {
      // A failure is retried at the next start (or the next operation on that pond); the other ponds are fine.
      await withResetLock(name, () => this.#finish(catalog, name)).catch((e: unknown) => {
        console.warn(`DuckPond: could not finish the interrupted reset of pond "${name}"`, e);
      });
    }
  }

  /**
   * Replace pond `name` by its complete scratch copy; the swap is journalled already. Before the
   * old pond is removed, a refusal (another tab writing it) rolls the reset back; after, the swap
   * runs to the end, and if it fails the journal stays, for the next start to finish.
   */
  async #swapIn(catalog: PondCatalog, name: string, url: string, op: Operation): Promise<void> {
    const scratch = resetScratchName(name);
    await this.ctx.closeIfLocal(name);
    try {
      await catalog.backend.remove(name);
    } catch (e) {
      // ECONFLICT is a refusal before anything was deleted: the old pond is intact, keep it.
      if (isPondError(e, 'ECONFLICT')) {
        await this.ctx.origins.endReset(name);
        await catalog.backend.remove(scratch).catch(() => {});
      }
      throw e;
    }
    const from = catalog.backend.store(scratch);
    const to = catalog.backend.store(name);
    try {
      await copyStore(from, to, op, 'replacing');
    } finally {
      await from.close().catch(() => {});
      await to.close().catch(() => {});
    }
    await this.ctx.origins.set(name, url);
    await this.ctx.origins.endReset(name);
    await catalog.backend.remove(scratch);
  }

  /**
   * What a reset of pond `name` left behind, finished (a journalled swap: the scratch copy is
   * complete) or removed (a scratch copy of an unfinished download). Call with its reset lock held.
   */
  async #finish(catalog: PondCatalog, name: string, op: Operation = quietOperation()): Promise<void> {
    const url = (await this.ctx.origins.pendingResets()).get(name);
    const scratch = resetScratchName(name);
    const hasScratch = await catalog.exists(scratch);
    if (url !== undefined && hasScratch) return this.#swapIn(catalog, name, url, uncancellable(op));
    if (url !== undefined) await this.ctx.origins.endReset(name);
    if (hasScratch) await catalog.backend.remove(scratch);
  }
}

/**
 * Run `fn` holding the Web Lock `duckpond:reset:<name>` (one reset of a pond at a time, across
 * tabs); null, without running it, while another context holds it. The browser releases the lock
 * of a closed tab, so a reset that died with its tab is recovered by the next one to look.
 */
export async function withResetLock<T>(name: string, fn: () => Promise<T>): Promise<{ value: T } | null> {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  if (!locks) return { value: await fn() };
  return locks.request(`duckpond:reset:${name}`, { ifAvailable: true }, async (lock) => (lock ? { value: await fn() } : null));
}

/** `op` that reports progress but can no longer be cancelled (a swap that has removed the old pond). */
function uncancellable(op: Operation): Operation {
  return { signal: new AbortController().signal, progress: (p) => op.progress(p), check() {} };
}

/** An operation nobody watches or cancels (recovery at start). */
function quietOperation(): Operation {
  return { signal: new AbortController().signal, progress() {}, check() {} };
}
