/**
 * The pond worker's API (PondApi): owns the open pond, its store, the factory registry and (through
 * the registry) DuckDB, and serves the UI. Reads go to the time-travel view when one is open;
 * writes always go to the latest pond, under its lock, and are announced to other tabs.
 */
import { transfer } from 'comlink';
import { stringify as toYaml } from 'yaml';
import { parseConfigText, fsck, type Pond, type ObjectStore, type Stat, type TxnRecord, type Tx } from '../src/core/index.ts';
import { isPondError, pondError } from '../src/core/errors.ts';
import { normalizePath, joinPath, dirname } from '../src/core/tinyfs/path.ts';
import type {
  ChartData, CheckReport, ColumnInfo, ConfigCheck, Entry, FactoryInfo, FilePreview, GlobMatch, ImportItem, ImportedFile,
  NodeDetails, OpOptions, PondApi, PondEvent, PondInfo, PondListener, PondListing, ProgressFn, QueryResult,
  SortSpec, StorageInfo, TableHandle, TablePage, VersionRow,
} from './api.ts';
import { PondCatalog, copyStore, validatePondName, type StoreBackend } from './pond-catalog.ts';
import { pondOrigins } from './pond-origins.ts';
import { HttpStore } from '../src/core/storage/http.ts';
import { Operations } from './operations.ts';
import { ResultSets, columnsOf } from './result-sets.ts';
import { PondSession, type SessionSource } from './pond-session.ts';
import { prepareImport, type PreparedImport } from './importer.ts';
import { importTarget } from './importer-names.ts';
import { tableToCsv } from './csv-export.ts';
import { restoreZip, zipStore } from './pond-zip.ts';
import { PondCore } from './core-bindings.ts';

/** The methods PondService serves; ping and fail live in the worker entry point. */
export type ServiceApi = Omit<PondApi, 'ping' | 'fail'>;

/** How many bytes `preview` returns unless asked otherwise. */
const PREVIEW_BYTES = 1 << 20;
/** Glob matches sent to the UI: a filter that matches more is too broad to read anyway. */
const MAX_GLOB_MATCHES = 1000;

export class PondService implements ServiceApi {
  #catalog: Promise<PondCatalog>;
  #core = new PondCore();
  #session: PondSession | null = null;
  #results = new ResultSets();
  #ops = new Operations();
  #listeners = new Set<PondListener>();
  #origins = pondOrigins();

  /** `backend` is resolved lazily so that the worker can expose its API before storage is probed. */
  constructor(backend: () => Promise<StoreBackend>) {
    this.#catalog = backend().then((b) => new PondCatalog(b));
  }

  // -- ponds ----------------------------------------------------------------------------------

  async listPonds(): Promise<PondListing[]> {
    return (await this.#catalog).list();
  }

  async createPond(name: string): Promise<PondInfo> {
    const catalog = await this.#catalog;
    const store = await catalog.create(name);
    const pond = await this.#core.open(store, { create: true });
    const info = await this.#adopt(name.trim(), store, pond);
    this.#emit({ type: 'ponds', ponds: await catalog.list() });
    return info;
  }

  async openPond(name: string, options: { asOf?: number } = {}): Promise<PondInfo> {
    const store = await (await this.#catalog).open(name);
    const pond = await this.#core.open(store, { create: false }).catch(async (e: unknown) => {
      await store.close().catch(() => {});
      throw e;
    });
    const info = await this.#adopt(name.trim(), store, pond, { origin: await this.#origins.get(name.trim()) });
    return options.asOf === undefined ? info : this.travel(options.asOf);
  }

  async openUrl(url: string, name: string, options: { asOf?: number } = {}): Promise<PondInfo> {
    const base = absoluteBase(url);
    const store = await HttpStore.open(base);
    const pond = await this.#core.open(store, { create: false }).catch(async (e: unknown) => {
      await store.close().catch(() => {});
      throw e;
    });
    const info = await this.#adopt(name, store, pond, { url: base });
    return options.asOf === undefined ? info : this.travel(options.asOf);
  }

  async copyToLocal(name: string, options: OpOptions = {}, onProgress?: ProgressFn): Promise<PondInfo> {
    const session = this.#open();
    const url = session.source.url;
    if (!url) throw pondError('EINVAL', session.name, 'this pond is already stored in this browser');
    const catalog = await this.#catalog;
    const valid = validatePondName(name);
    const target = await catalog.create(valid);
    await this.#ops.run(options.opId, onProgress, async (op) => {
      try {
        await copyStore(session.store, target, op, 'copying');
        await (await this.#core.open(target, { create: false })).close();
      } catch (e) {
        await target.close().catch(() => {});
        await catalog.backend.remove(valid).catch(() => {});
        throw e;
      }
    });
    await target.close();
    await this.#origins.set(valid, url);
    this.#emit({ type: 'ponds', ponds: await catalog.list() });
    return this.openPond(valid);
  }

  async resetPond(name: string, options: OpOptions = {}, onProgress?: ProgressFn): Promise<PondInfo> {
    const catalog = await this.#catalog;
    const valid = validatePondName(name);
    const url = await this.#origins.get(valid);
    if (!url) throw pondError('EINVAL', valid, 'this pond was not copied from a published pond, so there is nothing to reset it to');
    if (!(await catalog.exists(valid))) throw pondError('ENOENT', valid, 'no pond by this name');
    // The published pond is copied in full under a scratch name first: if the network or the
    // quota fails half-way, the local pond is still there, untouched.
    const source = await HttpStore.open(url);
    const scratch = validatePondName(`${valid.slice(0, 50)}.reset-${Date.now().toString(36)}`);
    const target = await catalog.create(scratch);
    let removedOld = false;
    try {
      await this.#ops.run(options.opId, onProgress, async (op) => {
        await copyStore(source, target, op, 'downloading');
        await (await this.#core.open(target, { create: false })).close();
        await target.close();
        if (this.#session?.name === valid && !this.#session.source.url) await this.closePond();
        await catalog.remove(valid);
        removedOld = true;
        await catalog.rename(scratch, valid, op);
      });
    } catch (e) {
      await target.close().catch(() => {});
      // Before the swap the scratch copy is expendable; after it, it is the only copy left.
      if (!removedOld) await catalog.backend.remove(scratch).catch(() => {});
      else if (await catalog.exists(scratch)) await this.#origins.set(scratch, url);
      throw e;
    } finally {
      await source.close().catch(() => {});
    }
    this.#emit({ type: 'ponds', ponds: await catalog.list() });
    return this.openPond(valid);
  }

  async travel(asOf: number | null): Promise<PondInfo> {
    const info = await this.#open().travel(asOf);
    this.#emit({ type: 'pond', info });
    return info;
  }

  async renamePond(from: string, to: string, onProgress?: ProgressFn): Promise<PondListing[]> {
    const catalog = await this.#catalog;
    const wasOpen = this.#session?.name === from.trim() && !this.#session.source.url;
    if (wasOpen) await this.closePond();
    await this.#ops.run(undefined, onProgress, (op) => catalog.rename(from, to, op));
    const origin = await this.#origins.get(from.trim());
    if (origin) {
      await this.#origins.set(to.trim(), origin);
      await this.#origins.delete(from.trim());
    }
    if (wasOpen) await this.openPond(to);
    const ponds = await catalog.list();
    this.#emit({ type: 'ponds', ponds });
    return ponds;
  }

  async deletePond(name: string): Promise<PondListing[]> {
    const catalog = await this.#catalog;
    if (this.#session?.name === name.trim() && !this.#session.source.url) await this.closePond();
    await catalog.remove(name);
    await this.#origins.delete(name.trim());
    const ponds = await catalog.list();
    this.#emit({ type: 'ponds', ponds });
    return ponds;
  }

  async closePond(): Promise<void> {
    const session = this.#session;
    this.#session = null;
    this.#results.clear();
    await session?.close();
    this.#emit({ type: 'pond', info: null });
  }

  async info(): Promise<PondInfo | null> {
    return this.#session?.info() ?? null;
  }

  // -- listing --------------------------------------------------------------------------------

  async readdir(path: string): Promise<Entry[]> {
    const dir = normalizePath(path);
    const entries = await this.#reader().readdir(dir);
    return entries.map((e) => ({ ...e, path: joinPath(dir, e.name) }));
  }

  async stat(path: string): Promise<Stat> {
    return this.#reader().stat(path);
  }

  async lookup(path: string): Promise<Entry> {
    const abs = normalizePath(path);
    const ref = await this.#reader().fs.resolve(abs);
    return { name: abs === '/' ? '/' : abs.slice(abs.lastIndexOf('/') + 1), path: abs, type: ref.type, factory: ref.factory };
  }

  async details(path: string, options: { computed?: boolean } = {}): Promise<NodeDetails> {
    const pond = this.#reader();
    const link = await pond.fs.resolve(path, { follow: false });
    const target = link.type === 'symlink' ? await pond.readlink(path) : null;
    const ref = link.type === 'symlink' ? await pond.fs.resolve(path).catch(() => link) : link;
    const dynamic = ref.factory !== 'tlogfs';
    // A dynamic file's stat computes its content (size, sha256): only when asked.
    const stat = dynamic && ref.type !== 'directory' && !options.computed ? await this.#describedStat(pond, normalizePath(path)) : await pond.stat(path);
    let configYaml: string | null = null;
    if (dynamic) {
      const config = await this.#core.configOf(pond, stat.path);
      configYaml = config === undefined ? null : toYaml(config);
    }
    return { stat, dynamic, configYaml, target, versions: await this.versions(stat.path), computed: !dynamic || ref.type === 'directory' || options.computed === true };
  }

  async versions(path: string): Promise<VersionRow[]> {
    const pond = this.#reader();
    const [versions, history] = await Promise.all([pond.versions(path), pond.history()]);
    const messages = new Map(history.map((h) => [h.txnSeq, h.message]));
    return versions.map((v) => ({ ...v, message: messages.get(v.txnSeq) ?? '' }));
  }

  /** Every transaction of the pond, newest first; while time travelling too, so that newer ones stay reachable. */
  async history(): Promise<TxnRecord[]> {
    return this.#open().pond.history();
  }

  async glob(pattern: string): Promise<GlobMatch[]> {
    return (await this.#reader().glob(pattern)).slice(0, MAX_GLOB_MATCHES);
  }

  // -- reading --------------------------------------------------------------------------------

  async readFile(path: string, options: { version?: number } = {}): Promise<Uint8Array> {
    // A copy: the core may hand out a view into a buffer it caches, which a transfer would detach.
    const bytes = (await this.#reader().readFile(path, options)).slice();
    return transfer(bytes, [bytes.buffer]);
  }

  async preview(path: string, options: { version?: number; maxBytes?: number } = {}): Promise<FilePreview> {
    const max = options.maxBytes ?? PREVIEW_BYTES;
    const all = await this.#reader().readFile(path, { version: options.version });
    const bytes = all.slice(0, max);
    return transfer({ bytes, size: all.length, truncated: all.length > max }, [bytes.buffer]);
  }

  async openTable(path: string): Promise<TableHandle> {
    const pond = this.#reader();
    const stat = await pond.stat(path);
    return this.#results.hold(await pond.readTable(stat.path), stat.path);
  }

  async tablePage(id: string, offset: number, limit: number, sort?: SortSpec | null): Promise<TablePage> {
    const page = this.#results.page(id, offset, limit, sort);
    return transfer(page, [page.ipc.buffer]);
  }

  async chartData(id: string, x: string, ys: string[], maxPoints?: number, splitBy?: string | null): Promise<ChartData> {
    const data = this.#results.chart(id, x, ys, maxPoints, splitBy ?? null);
    return transfer(data, [data.x.buffer, ...data.ys.map((y) => y.buffer)]);
  }

  async releaseTable(id: string): Promise<void> {
    this.#results.release(id);
  }

  async exportFile(path: string, format: 'parquet' | 'csv' | 'raw'): Promise<Uint8Array> {
    const pond = this.#reader();
    const stat = await pond.stat(path);
    const isTable = stat.type === 'file:table' || stat.type === 'file:series';
    if (format !== 'raw' && !isTable) throw pondError('EINVAL', stat.path, `is a ${stat.type}; only tables export as ${format.toUpperCase()}`);
    const bytes = format === 'csv' ? tableToCsv(await pond.readTable(stat.path)) : (await pond.readFile(stat.path)).slice();
    return transfer(bytes, [bytes.buffer]);
  }

  // -- writing --------------------------------------------------------------------------------

  async mkdir(path: string, options: { parents?: boolean } = {}): Promise<number> {
    return this.#commit((tx) => tx.mkdir(path, options));
  }

  async writeFile(path: string, data: Uint8Array, options: { type?: 'file:data' | 'file:table' | 'file:series' } = {}): Promise<number> {
    return this.#commit((tx) => tx.writeFile(path, data, options));
  }

  async importFiles(dir: string, items: ImportItem[], options: OpOptions = {}, onProgress?: ProgressFn): Promise<ImportedFile[]> {
    const base = normalizePath(dir);
    return this.#ops.run(options.opId, onProgress, async (op) => {
      const done: ImportedFile[] = [];
      const prepared: PreparedImport[] = [];
      for (const [i, item] of items.entries()) {
        op.check();
        const converting = importTarget(item.name, item.as).type !== 'file:data';
        op.progress({ phase: `${converting ? 'converting' : 'reading'} ${item.name}`, done: i, total: items.length + 1 });
        const path = joinPath(base, item.name);
        const p = await prepareImport(item, path, (bytes, at) => this.#core.readCsv(bytes, at, op.signal));
        prepared.push(p);
        done.push({ path: joinPath(base, p.name), type: p.type, rows: p.rows, size: p.bytes.length });
      }
      op.check();
      op.progress({ phase: 'committing', done: items.length, total: items.length + 1 });
      await this.#commit(async (tx) => {
        await tx.mkdir(base, { parents: true });
        for (const p of prepared) await tx.writeFile(joinPath(base, p.name), p.bytes, { type: p.type });
      }, `import ${prepared.length === 1 ? done[0].path : `${prepared.length} files into ${base}`}`);
      op.progress({ phase: 'done', done: items.length + 1, total: items.length + 1 });
      return done;
    });
  }

  async factories(): Promise<FactoryInfo[]> {
    return this.#core.factories();
  }

  async checkConfig(factory: string, text: string): Promise<ConfigCheck> {
    let config: unknown;
    try {
      config = parseConfigText(text, '/new-node');
    } catch (e) {
      if (!isPondError(e, 'ECONFIG')) throw e;
      return { ok: false, issues: [{ path: '', message: e.message.replace(/^ECONFIG: \/new-node: /, '') }] };
    }
    return this.#core.check(factory, config);
  }

  async mknod(path: string, factory: string, text: string): Promise<number> {
    const check = await this.checkConfig(factory, text);
    if (!check.ok) throw pondError('ECONFIG', normalizePath(path), check.issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; '));
    const abs = normalizePath(path);
    return this.#commit(async (tx) => {
      // Saving a query as /queries/x should not first need a trip to "New folder".
      await tx.mkdir(dirname(abs), { parents: true });
      await tx.mknod(abs, factory, check.config);
    });
  }

  async remove(path: string, options: { recursive?: boolean } = {}): Promise<number> {
    return this.#commit((tx) => tx.remove(path, options));
  }

  async rename(from: string, to: string): Promise<number> {
    return this.#commit((tx) => tx.rename(from, to));
  }

  async setAttributes(path: string, attrs: Record<string, string | null>): Promise<number> {
    return this.#commit((tx) => tx.setAttributes(path, attrs));
  }

  // -- SQL ------------------------------------------------------------------------------------

  async query(sql: string, tables: Record<string, string> = {}, options: OpOptions & { pageSize?: number } = {}): Promise<QueryResult> {
    const pond = this.#reader();
    return this.#ops.run(options.opId, undefined, async (op) => {
      const started = performance.now();
      const table = await pond.query(sql, { tables, signal: op.signal });
      const elapsedMs = performance.now() - started;
      const handle = this.#results.hold(table, 'query');
      const firstPage = this.#results.page(handle.id, 0, options.pageSize ?? 200);
      return transfer({ ...handle, elapsedMs, firstPage }, [firstPage.ipc.buffer]);
    });
  }

  async columnsOf(pattern: string): Promise<ColumnInfo[]> {
    const pond = this.#reader();
    const first = (await pond.glob(pattern)).find((m) => m.type === 'file:table' || m.type === 'file:series');
    return first ? columnsOf((await pond.readTable(first.path)).schema) : [];
  }


  async cancel(opId: string): Promise<boolean> {
    return this.#ops.cancel(opId);
  }

  // -- storage and transfer -------------------------------------------------------------------

  async storageInfo(): Promise<StorageInfo> {
    const catalog = await this.#catalog;
    const storage = typeof navigator !== 'undefined' ? navigator.storage : undefined;
    const estimate = await storage?.estimate?.().catch(() => undefined);
    const persisted = await storage?.persisted?.().catch(() => undefined);
    return { kind: catalog.kind, usage: estimate?.usage ?? null, quota: estimate?.quota ?? null, persisted: persisted ?? null };
  }

  async checkPond(options: OpOptions & { repair?: boolean } = {}, onProgress?: ProgressFn): Promise<CheckReport> {
    const session = this.#open();
    const started = performance.now();
    const report = await this.#ops.run(options.opId, onProgress, async (op) => {
      op.progress({ phase: options.repair ? 'repairing' : 'checking', done: 0 });
      if (!options.repair || !session.store.writable) return fsck(session.store);
      // A repair commits: it takes the pond's lock like any writer, so another tab cannot interleave.
      const release = await session.store.lock({ timeoutMs: 120_000 });
      try {
        return await fsck(session.store, { repair: true });
      } finally {
        await release();
      }
    });
    if (report.repairedAt !== undefined || report.problems.some((p) => p.repaired)) {
      await session.pond.refresh();
      this.#emit({ type: 'commit', pond: session.name, version: session.pond.version, origin: 'local' });
    }
    return { ...report, problems: report.problems.map((p) => ({ ...p })), elapsedMs: performance.now() - started };
  }

  async exportPond(options: OpOptions = {}, onProgress?: ProgressFn): Promise<Uint8Array> {
    const store = this.#open().store;
    const zip = await this.#ops.run(options.opId, onProgress, (op) => zipStore(store, op));
    return transfer(zip, [zip.buffer]);
  }

  async importPond(name: string, zip: Blob | Uint8Array, options: OpOptions = {}, onProgress?: ProgressFn): Promise<PondInfo> {
    const catalog = await this.#catalog;
    const store = await catalog.create(name);
    await this.#ops.run(options.opId, onProgress, async (op) => {
      try {
        await restoreZip(store, zip, op);
        // Prove it opens before anyone relies on it.
        await (await this.#core.open(store, { create: false })).close();
      } catch (e) {
        await store.close().catch(() => {});
        await catalog.backend.remove(name.trim()).catch(() => {});
        throw e;
      }
    });
    await store.close();
    this.#emit({ type: 'ponds', ponds: await catalog.list() });
    return this.openPond(name);
  }


  // -- events ---------------------------------------------------------------------------------

  async subscribe(listener: PondListener): Promise<void> {
    this.#listeners.add(listener);
  }

  // -- internals ------------------------------------------------------------------------------

  #emit(event: PondEvent): void {
    for (const listener of this.#listeners) {
      // A listener in a closed page rejects; forget it rather than fail the operation.
      Promise.resolve(listener(event)).catch(() => this.#listeners.delete(listener));
    }
  }

  async #adopt(name: string, store: ObjectStore, pond: Pond, source: SessionSource = {}): Promise<PondInfo> {
    await this.closePond();
    this.#session = new PondSession(name, store, pond, this.#core, (e) => this.#emit(e), source);
    const info = this.#session.info();
    this.#emit({ type: 'pond', info });
    return info;
  }

  /** What stat says without computing a dynamic node's content (size and sha256 unknown). */
  async #describedStat(pond: Pond, path: string): Promise<Stat> {
    const ref = await pond.fs.resolve(path);
    const v = await pond.fs.latest(ref);
    return {
      path, nodeId: ref.nodeId, partId: ref.partId, type: ref.type, factory: ref.factory, version: v.version,
      size: null, sha256: null, timestamp: Math.floor(v.timestampUs / 1000), attributes: { ...v.attributes },
    };
  }

  #open(): PondSession {
    if (!this.#session) throw pondError('ECLOSED', '/', 'no pond is open; create one or open one from the Storage panel');
    return this.#session;
  }

  /** The handle reads use (the time-travel view when one is open). */
  #reader(): Pond {
    return this.#open().reader;
  }

  #commit(fn: (tx: Tx) => Promise<void> | void, message?: string): Promise<number> {
    return this.#open().commit(fn, message);
  }
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
