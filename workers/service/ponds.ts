/**
 * The pond catalog as the UI sees it: list, create, open (by name or published URL), copy, reset,
 * rename, delete, close, time travel, and the storage figures of the Storage panel.
 *
 * The origin record of a pond (which published pond it is a copy of, what "Reset" restores) is
 * written only after the pond is a complete copy, and removed before a pond of that name is
 * created, imported or deleted: a crash between the two steps can lose a record, never leave one
 * naming a pond that is not a copy.
 */
import { pondError, HttpStore, type ObjectStore } from '../../src/core/index.ts';
import type { OpOptions, PondInfo, PondListing, ProgressFn, StorageInfo } from '../api.ts';
import { copyStore, resetScratchName, validatePondName, type PondCatalog } from '../pond-catalog.ts';
import type { ServiceContext } from './context.ts';
import { Resets, withResetLock } from './resets.ts';

/** A store just made for a new pond, which is a copy of nothing yet. */
export interface FreshPond {
  catalog: PondCatalog;
  name: string;
  store: ObjectStore;
}

export class Ponds {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly resets: Resets,
  ) {}

  async listPonds(): Promise<PondListing[]> {
    return (await this.ctx.catalog).list();
  }

  async createPond(name: string): Promise<PondInfo> {
    const { catalog, name: valid, store } = await this.fresh(name);
    const pond = await this.ctx.core.open(store, { create: true });
    const info = await this.ctx.adopt(valid, store, pond);
    this.ctx.emit({ type: 'ponds', ponds: await catalog.list() });
    return info;
  }

  async openPond(name: string, options: { asOf?: number } = {}): Promise<PondInfo> {
    const catalog = await this.ctx.catalog;
    const valid = validatePondName(name);
    await this.resets.settle(catalog, valid);
    const store = await catalog.open(valid);
    const pond = await this.ctx.core.open(store, { create: false }).catch(async (e: unknown) => {
      await store.close().catch(() => {});
      throw e;
    });
    const info = await this.ctx.adopt(valid, store, pond, { origin: await this.ctx.origins.get(valid) });
    return options.asOf === undefined ? info : this.travel(options.asOf);
  }

  async openUrl(url: string, name: string, options: { asOf?: number } = {}): Promise<PondInfo> {
    const base = absoluteBase(url);
    const store = await HttpStore.open(base);
    const pond = await this.ctx.core.open(store, { create: false }).catch(async (e: unknown) => {
      await store.close().catch(() => {});
      throw e;
    });
    const info = await this.ctx.adopt(name, store, pond, { url: base });
    return options.asOf === undefined ? info : this.travel(options.asOf);
  }

  async copyToLocal(name: string, options: OpOptions = {}, onProgress?: ProgressFn): Promise<PondInfo> {
    const session = this.ctx.open();
    const url = session.source.url;
    if (!url) throw pondError('EINVAL', session.name, 'this pond is already stored in this browser');
    const fresh = await this.fresh(name);
    await this.ctx.ops.run(options.opId, onProgress, async (op) => {
      try {
        await copyStore(session.store, fresh.store, op, 'copying');
        await (await this.ctx.core.open(fresh.store, { create: false })).close();
      } catch (e) {
        await discard(fresh);
        throw e;
      }
    });
    await fresh.store.close();
    // Recorded only now that the copy is complete.
    await this.ctx.origins.set(fresh.name, url);
    return this.added(fresh);
  }

  async resetPond(name: string, options: OpOptions = {}, onProgress?: ProgressFn): Promise<PondInfo> {
    const catalog = await this.ctx.catalog;
    const valid = validatePondName(name);
    const done = await withResetLock(valid, () => this.ctx.ops.run(options.opId, onProgress, (op) => this.resets.reset(catalog, valid, op)));
    if (!done) throw pondError('ECONFLICT', valid, 'this pond is being reset to its published version already; wait for that to finish');
    this.ctx.emit({ type: 'ponds', ponds: await catalog.list() });
    return this.openPond(valid);
  }

  async travel(asOf: number | null): Promise<PondInfo> {
    const info = await this.ctx.open().travel(asOf);
    this.ctx.emit({ type: 'pond', info });
    return info;
  }

  async renamePond(from: string, to: string, onProgress?: ProgressFn): Promise<PondListing[]> {
    const catalog = await this.ctx.catalog;
    const origins = this.ctx.origins;
    const source = validatePondName(from);
    const target = validatePondName(to);
    await this.resets.settle(catalog, source);
    await this.resets.settle(catalog, target);
    if (!(await catalog.exists(source))) throw pondError('ENOENT', source, 'no pond by this name');
    if (await catalog.exists(target)) throw pondError('EEXIST', target, 'a pond by this name exists already; pick another name');
    const session = this.ctx.session;
    const wasOpen = session?.name === source && !session.source.url;
    if (wasOpen) await this.ctx.closePond();
    // The record moves first: while both ponds exist, both are copies of the same published pond.
    const origin = await origins.get(source);
    if (origin) await origins.set(target, origin);
    else await origins.delete(target);
    try {
      await this.ctx.ops.run(undefined, onProgress, (op) => catalog.rename(source, target, op));
    } catch (e) {
      if (origin && !(await catalog.exists(target).catch(() => true))) await origins.delete(target).catch(() => {});
      if (wasOpen) await this.openPond(source).catch(() => {});
      throw e;
    }
    await origins.delete(source);
    if (wasOpen) await this.openPond(target);
    const ponds = await catalog.list();
    this.ctx.emit({ type: 'ponds', ponds });
    return ponds;
  }

  async deletePond(name: string): Promise<PondListing[]> {
    const catalog = await this.ctx.catalog;
    const valid = validatePondName(name);
    await this.ctx.closeIfLocal(valid);
    const done = await withResetLock(valid, async () => {
      if (!(await catalog.exists(valid))) throw pondError('ENOENT', valid, 'no pond by this name');
      // The record goes first: a crash before the pond is gone leaves a pond without its origin
      // (no reset offered), never a record that a later pond of this name would inherit.
      await this.ctx.origins.delete(valid);
      await this.ctx.origins.endReset(valid);
      await catalog.backend.remove(resetScratchName(valid));
      await catalog.remove(valid);
    });
    if (!done) throw pondError('ECONFLICT', valid, 'this pond is being reset to its published version already; wait for that to finish');
    const ponds = await catalog.list();
    this.ctx.emit({ type: 'ponds', ponds });
    return ponds;
  }

  async closePond(): Promise<void> {
    return this.ctx.closePond();
  }

  async info(): Promise<PondInfo | null> {
    return this.ctx.session?.info() ?? null;
  }

  async storageInfo(): Promise<StorageInfo> {
    const catalog = await this.ctx.catalog;
    const storage = typeof navigator !== 'undefined' ? navigator.storage : undefined;
    const estimate = await storage?.estimate?.().catch(() => undefined);
    const persisted = await storage?.persisted?.().catch(() => undefined);
    return { kind: catalog.kind, usage: estimate?.usage ?? null, quota: estimate?.quota ?? null, persisted: persisted ?? null, pond: await this.#pondSize() };
  }

  /**
   * A new, empty store for pond `name` (validated; what a reset left behind settled first). It is
   * a copy of nothing, whatever a pond of this name once was: its origin record is removed.
   */
  async fresh(name: string): Promise<FreshPond> {
    const catalog = await this.ctx.catalog;
    const valid = validatePondName(name);
    await this.resets.settle(catalog, valid);
    const store = await catalog.create(valid);
    await this.ctx.origins.delete(valid);
    return { catalog, name: valid, store };
  }

  /** A fresh pond filled and closed: announce the new list and open it. */
  async added(fresh: FreshPond): Promise<PondInfo> {
    this.ctx.emit({ type: 'ponds', ponds: await fresh.catalog.list() });
    return this.openPond(fresh.name);
  }

  /** The open pond's own size: the sum of its objects (a published pond's from its index, no download). */
  async #pondSize(): Promise<StorageInfo['pond']> {
    const session = this.ctx.session;
    if (!session) return null;
    const keys = await session.store.list('');
    let bytes = 0;
    for (const key of keys) bytes += (await session.store.size(key).catch(() => undefined)) ?? 0;
    return { name: session.name, bytes, files: keys.length, published: session.source.url != null };
  }
}

/** Remove a fresh pond whose filling failed. */
export async function discard(fresh: FreshPond): Promise<void> {
  await fresh.store.close().catch(() => {});
  await fresh.catalog.backend.remove(fresh.name).catch(() => {});
}

/** A published pond's base URL, absolute and ending in '/' (the worker cannot resolve a page-relative one). */
function absoluteBase(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw pondError('EINVAL', url, 'a published pond is opened by an absolute http(s) URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw pondError('EINVAL', url, 'a published pond is opened by an http(s) URL');
  parsed.hash = '';
  parsed.search = '';
  if (!parsed.pathname.endsWith('/')) parsed.pathname += '/';
  return parsed.href;
}
