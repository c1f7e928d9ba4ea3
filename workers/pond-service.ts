/**
 * The pond worker's API (PondApi): owns the open pond, its store, the factory registry and (through
 * the registry) DuckDB, and serves the UI. Reads go to the time-travel view when one is open;
 * writes always go to the latest pond, under its lock, and are announced to other tabs.
 *
 * The origin record of a pond (which published pond it is a copy of, what "Reset" restores) is
 * written only after the pond is a complete copy, and removed before a pond of that name is
 * created, imported or deleted: a crash between the two steps can lose a record, never leave one
 * naming a pond that is not a copy.
 *
 * A reset downloads the published pond under a scratch name (`.reset.<name>`, never listed), then
 * journals the swap (PondOrigins.beginReset) before it removes the local pond, and from there runs
 * to the end uncancelled. Every start finishes a journalled swap that a closed tab interrupted and
 * removes scratch copies of unfinished downloads; so does any operation on that pond name. One
 * reset per pond at a time, across tabs: the Web Lock `duckpond:reset:<name>` is held throughout.
 */
import { transfer } from 'comlink';
import { stringify as toYaml } from 'yaml';
import { parseConfigText, fsck, type Pond, type ObjectStore, type Stat, type TxnRecord, type Tx } from '../src/core/index.ts';
import { isPondError, pondError } from '../src/core/errors.ts';
import { normalizePath, joinPath, dirname } from '../src/core/tinyfs/path.ts';
import { STATIC_FACTORY } from '../src/core/tinyfs/entry-type.ts';
import type {
  ChartData, CheckReport, ColumnInfo, ConfigCheck, Entry, FactoryInfo, FilePreview, GlobMatch, ImportItem, ImportedFile, ImportPreview,
  NodeDetails, OpOptions, PondApi, PondEvent, PondInfo, PondListener, PondListing, ProgressFn, QueryResult,
  ReadersReport, SortSpec, StorageInfo, TableHandle, TablePage, TemplateSource, VersionRow,
} from './api.ts';
import { findReaders } from './readers.ts';
import { tablesUsed } from './sql-tables.ts';
import { PondCatalog, copyStore, resetScratchName, scratchOwner, validatePondName, type StoreBackend } from './pond-catalog.ts';
import { pondOrigins, type PondOrigins } from './pond-origins.ts';
import { HttpStore } from '../src/core/storage/http.ts';
import { Operations, type Operation } from './operations.ts';
import { ResultSets, columnsOf } from './result-sets.ts';
import { PondSession, type SessionSource } from './pond-session.ts';
import { prepareImport, previewImport, type PreparedImport } from './importer.ts';
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
  #origins: PondOrigins;

  /**
   * `backend` is resolved lazily so that the worker can expose its API before storage is probed.
   * Before the first pond operation, what interrupted resets left behind is finished or removed.
   */
  constructor(backend: () => Promise<StoreBackend>, options: { origins?: PondOrigins } = {}) {
    this.#origins = options.origins ?? pondOrigins();
    this.#catalog = backend().then(async (b) => {
      const catalog = new PondCatalog(b);
      await this.#recoverResets(catalog);
      return catalog;
    });
  }

  // -- ponds ----------------------------------------------------------------------------------

  async listPonds(): Promise<PondListing[]> {
    return (await this.#catalog).list();
  }

  async createPond(name: string): Promise<PondInfo> {
    const catalog = await this.#catalog;
    const valid = validatePondName(name);
    await this.#settle(catalog, valid);
    const store = await catalog.create(valid);
    // A new pond is a copy of nothing, whatever a pond of this name once was.
    await this.#origins.delete(valid);
    const pond = await this.#core.open(store, { create: true });
    const info = await this.#adopt(valid, store, pond);
    this.#emit({ type: 'ponds', ponds: await catalog.list() });
    return info;
  }

  async openPond(name: string, options: { asOf?: number } = {}): Promise<PondInfo> {
    const catalog = await this.#catalog;
    const valid = validatePondName(name);
    await this.#settle(catalog, valid);
    const store = await catalog.open(valid);
    const pond = await this.#core.open(store, { create: false }).catch(async (e: unknown) => {
      await store.close().catch(() => {});
      throw e;
    });
    const info = await this.#adopt(valid, store, pond, { origin: await this.#origins.get(valid) });
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
    await this.#settle(catalog, valid);
    const target = await catalog.create(valid);
    // Recorded again only once the copy is complete.
    await this.#origins.delete(valid);
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
    const done = await withResetLock(valid, () => this.#ops.run(options.opId, onProgress, (op) => this.#reset(catalog, valid, op)));
    if (!done) throw pondError('ECONFLICT', valid, 'this pond is being reset to its published version already; wait for that to finish');
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
    const source = validatePondName(from);
    const target = validatePondName(to);
    await this.#settle(catalog, source);
    await this.#settle(catalog, target);
    if (!(await catalog.exists(source))) throw pondError('ENOENT', source, 'no pond by this name');
    if (await catalog.exists(target)) throw pondError('EEXIST', target, 'a pond by this name exists already; pick another name');
    const wasOpen = this.#session?.name === source && !this.#session.source.url;
    if (wasOpen) await this.closePond();
    // The record moves first: while both ponds exist, both are copies of the same published pond.
    const origin = await this.#origins.get(source);
    if (origin) await this.#origins.set(target, origin);
    else await this.#origins.delete(target);
    try {
      await this.#ops.run(undefined, onProgress, (op) => catalog.rename(source, target, op));
    } catch (e) {
      if (origin && !(await catalog.exists(target).catch(() => true))) await this.#origins.delete(target).catch(() => {});
      if (wasOpen) await this.openPond(source).catch(() => {});
      throw e;
    }
    await this.#origins.delete(source);
    if (wasOpen) await this.openPond(target);
    const ponds = await catalog.list();
    this.#emit({ type: 'ponds', ponds });
    return ponds;
  }

  async deletePond(name: string): Promise<PondListing[]> {
    const catalog = await this.#catalog;
    const valid = validatePondName(name);
    if (this.#session?.name === valid && !this.#session.source.url) await this.closePond();
    const done = await withResetLock(valid, async () => {
      if (!(await catalog.exists(valid))) throw pondError('ENOENT', valid, 'no pond by this name');
      // The record goes first: a crash before the pond is gone leaves a pond without its origin
      // (no reset offered), never a record that a later pond of this name would inherit.
      await this.#origins.delete(valid);
      await this.#origins.endReset(valid);
      await catalog.backend.remove(resetScratchName(valid));
      await catalog.remove(valid);
    });
    if (!done) throw pondError('ECONFLICT', valid, 'this pond is being reset to its published version already; wait for that to finish');
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
      // Multi-line text (a template, a query) as a `|` block: folded YAML doubles its blank lines.
      configYaml = config === undefined ? null : toYaml(config, { blockQuote: 'literal', lineWidth: 0 });
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
    const pond = this.#reader();
    // A stored file of known size is previewed from its head alone: of a big file in a published
    // pond, one Range request instead of the whole download.
    const ref = await pond.fs.resolve(path);
    if (ref.factory === STATIC_FACTORY && ref.type === 'file:data') {
      const versions = await pond.fs.versionsOf(ref);
      const v = options.version === undefined ? versions.at(-1) : versions.find((x) => x.version === options.version);
      if (v && v.size !== null) {
        const bytes = await pond.readRange(path, 0, max, { version: v.version });
        return transfer({ bytes, size: v.size, truncated: v.size > bytes.length }, [bytes.buffer]);
      }
    }
    const all = await pond.readFile(path, { version: options.version });
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

  async previewImport(dir: string, items: ImportItem[], options: OpOptions = {}): Promise<ImportPreview[]> {
    const base = normalizePath(dir);
    return this.#ops.run(options.opId, undefined, async (op) => {
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
    return this.#ops.run(options.opId, onProgress, async (op) => {
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

  async readersOf(path: string, to?: string): Promise<ReadersReport> {
    const pond = this.#reader();
    return findReaders({
      readdir: (dir) => pond.fs.readdir(dir),
      config: (p) => this.#core.configOf(pond, p),
      readText: async (p) => new TextDecoder().decode(await pond.readFile(p)),
    }, path, to);
  }

  async templateSource(path: string): Promise<TemplateSource | null> {
    const pond = this.#reader();
    const abs = normalizePath(path);
    const ref = await pond.fs.resolve(abs);
    if (ref.factory !== 'template') return null;
    const config = await this.#core.configOf(pond, abs) as { template?: unknown; template_file?: unknown } | undefined;
    if (typeof config?.template === 'string') return { text: config.template, file: null };
    if (typeof config?.template_file !== 'string') return null;
    const file = normalizePath(config.template_file, dirname(abs));
    return { text: new TextDecoder().decode(await pond.readFile(file)), file };
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


  async tablesUsed(sql: string, names: string[]): Promise<string[]> {
    return tablesUsed(sql, names);
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
    return { kind: catalog.kind, usage: estimate?.usage ?? null, quota: estimate?.quota ?? null, persisted: persisted ?? null, pond: await this.#pondSize() };
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
    const valid = validatePondName(name);
    await this.#settle(catalog, valid);
    const store = await catalog.create(valid);
    // An imported pond is nobody's copy (its archive may have been, but reset is not offered for it).
    await this.#origins.delete(valid);
    await this.#ops.run(options.opId, onProgress, async (op) => {
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
        await (await this.#core.open(store, { create: false })).close();
      } catch (e) {
        await store.close().catch(() => {});
        await catalog.backend.remove(valid).catch(() => {});
        throw e;
      }
    });
    await store.close();
    this.#emit({ type: 'ponds', ponds: await catalog.list() });
    return this.openPond(valid);
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

  /**
   * Reset pond `name` (its reset lock held): download its published origin under the scratch name,
   * prove it opens, then swap it in. Cancelling is honoured until the swap is journalled, never after.
   */
  async #reset(catalog: PondCatalog, name: string, op: Operation): Promise<void> {
    await this.#finishReset(catalog, name, op);
    const url = await this.#origins.get(name);
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
        await (await this.#core.open(target, { create: false })).close();
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
    await this.#origins.beginReset(name, url);
    await this.#swapIn(catalog, name, url, uncancellable(op));
  }

  /**
   * Replace pond `name` by its complete scratch copy; the swap is journalled already. Before the
   * old pond is removed, a refusal (another tab writing it) rolls the reset back; after, the swap
   * runs to the end, and if it fails the journal stays, for the next start to finish.
   */
  async #swapIn(catalog: PondCatalog, name: string, url: string, op: Operation): Promise<void> {
    const scratch = resetScratchName(name);
    if (this.#session?.name === name && !this.#session.source.url) await this.closePond();
    try {
      await catalog.backend.remove(name);
    } catch (e) {
      // ECONFLICT is a refusal before anything was deleted: the old pond is intact, keep it.
      if (isPondError(e, 'ECONFLICT')) {
        await this.#origins.endReset(name);
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
    await this.#origins.set(name, url);
    await this.#origins.endReset(name);
    await catalog.backend.remove(scratch);
  }

  /**
   * What a reset of pond `name` left behind, finished (a journalled swap: the scratch copy is
   * complete) or removed (a scratch copy of an unfinished download). Call with its reset lock held.
   */
  async #finishReset(catalog: PondCatalog, name: string, op: Operation = quietOperation()): Promise<void> {
    const url = (await this.#origins.pendingResets()).get(name);
    const scratch = resetScratchName(name);
    const hasScratch = await catalog.exists(scratch);
    if (url !== undefined && hasScratch) return this.#swapIn(catalog, name, url, uncancellable(op));
    if (url !== undefined) await this.#origins.endReset(name);
    if (hasScratch) await catalog.backend.remove(scratch);
  }

  /** Before an operation on pond `name`: finish what a reset of it left behind (ECONFLICT while another tab resets it). */
  async #settle(catalog: PondCatalog, name: string): Promise<void> {
    const settled = await withResetLock(name, () => this.#finishReset(catalog, name));
    // Another tab resets it: while still downloading, the pond is intact; once swapping, it is not.
    if (!settled && (await this.#origins.pendingResets()).has(name)) {
      throw pondError('ECONFLICT', name, 'this pond is being reset to its published version; try again when that is done');
    }
  }

  /** At start: finish every reset a closed tab interrupted, remove scratch copies nobody is writing. */
  async #recoverResets(catalog: PondCatalog): Promise<void> {
    let names: Set<string>;
    try {
      const pending = await this.#origins.pendingResets();
      const scratches = (await catalog.internalNames()).map(scratchOwner).filter((n): n is string => n !== null);
      names = new Set([...pending.keys(), ...scratches]);
    } catch (e) {
      console.warn('DuckPond: could not look for interrupted resets', e);
      return;
    }
    for (const name of names) {
      // A failure is retried at the next start (or the next operation on that pond); the other ponds are fine.
      await withResetLock(name, () => this.#finishReset(catalog, name)).catch((e: unknown) => {
        console.warn(`DuckPond: could not finish the interrupted reset of pond "${name}"`, e);
      });
    }
  }

  /** The open pond's own size: the sum of its objects (a published pond's from its index, no download). */
  async #pondSize(): Promise<StorageInfo['pond']> {
    const session = this.#session;
    if (!session) return null;
    const keys = await session.store.list('');
    let bytes = 0;
    for (const key of keys) bytes += (await session.store.size(key).catch(() => undefined)) ?? 0;
    return { name: session.name, bytes, files: keys.length, published: session.source.url != null };
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

/**
 * Run `fn` holding the Web Lock `duckpond:reset:<name>` (one reset of a pond at a time, across
 * tabs); null, without running it, while another context holds it. The browser releases the lock
 * of a closed tab, so a reset that died with its tab is recovered by the next one to look.
 */
async function withResetLock<T>(name: string, fn: () => Promise<T>): Promise<{ value: T } | null> {
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
