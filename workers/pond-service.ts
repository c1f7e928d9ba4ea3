/**
 * The pond worker's API (PondApi, less the diagnostics of pond.worker.ts) as one object, the one
 * comlink exposes: a facade that hands each call to the part responsible for it (workers/service/):
 *
 *   context.ts    what the parts share: catalog, open pond (PondSession), results, operations, events
 *   ponds.ts      the pond catalog: list, create, open, copy, reset, rename, delete, travel, storage
 *   resets.ts     reset to the published pond, and recovery of resets a closed tab interrupted
 *   reading.ts    listing, details, versions, glob, file bytes and previews, readers, template source
 *   tables.ts     tables held for paging and charts
 *   series-charts.ts  charts of long series read at the temporal-reduce level that fits the window
 *   sql.ts        queries and the SQL editor's helpers
 *   warm-up.ts    loading DuckDB in idle time when the open pond or the SQL console will need it
 *   writing.ts    commits (mkdir, write, mknod, remove, rename, attributes, restore) and config checks
 *   integrity.ts  fsck and repair
 *   transfer.ts   file import, pond export and import as zip
 *
 * Reads go to the time-travel view when one is open; writes always go to the latest pond, under
 * its lock, and are announced to other tabs.
 */
import type { Stat, TxnRecord } from '../src/core/index.ts';
import type {
  ChartData,
  CheckReport,
  ColumnInfo,
  ConfigCheck,
  Entry,
  FactoryInfo,
  FilePreview,
  GlobMatch,
  ImportItem,
  ImportedFile,
  ImportPreview,
  LevelChart,
  NodeDetails,
  OpOptions,
  PondApi,
  PondInfo,
  PondListener,
  PondListing,
  ProgressFn,
  QueryResult,
  ReadersReport,
  SeriesLevels,
  SortSpec,
  StorageInfo,
  TableHandle,
  TablePage,
  TableUsage,
  TemplateSource,
  VersionRow,
  WarmUpReason,
  WarmUpReport,
} from './api.ts';
import { PondCatalog, type StoreBackend } from './pond-catalog.ts';
import { pondOrigins, type PondOrigins } from './pond-origins.ts';
import { ServiceContext } from './service/context.ts';
import { Resets } from './service/resets.ts';
import { Ponds } from './service/ponds.ts';
import { Reading } from './service/reading.ts';
import { Tables } from './service/tables.ts';
import { SeriesCharts } from './service/series-charts.ts';
import { Sql } from './service/sql.ts';
import { WarmUp } from './service/warm-up.ts';
import { Writing } from './service/writing.ts';
import { Integrity } from './service/integrity.ts';
import { Transfer } from './service/transfer.ts';

/** The methods PondService serves; ping and fail live in the worker entry point. */
export type ServiceApi = Omit<PondApi, 'ping' | 'fail'>;

export class PondService implements ServiceApi {
  #ctx: ServiceContext;
  #ponds: Ponds;
  #reading: Reading;
  #tables: Tables;
  #seriesCharts: SeriesCharts;
  #sql: Sql;
  #warmUp: WarmUp;
  #writing: Writing;
  #integrity: Integrity;
  #transfer: Transfer;

  /**
   * `backend` is resolved lazily so that the worker can expose its API before storage is probed.
   * Before the first pond operation, what interrupted resets left behind is finished or removed.
   */
  constructor(backend: () => Promise<StoreBackend>, options: { origins?: PondOrigins } = {}) {
    // The context starts the catalog at once; the Resets that recovers it is the one Ponds uses.
    let resets!: Resets;
    this.#ctx = new ServiceContext(options.origins ?? pondOrigins(), (ctx) => {
      resets = new Resets(ctx);
      return backend().then(async (b) => {
        const catalog = new PondCatalog(b);
        await resets.recover(catalog);
        return catalog;
      });
    });
    this.#ponds = new Ponds(this.#ctx, resets);
    this.#reading = new Reading(this.#ctx);
    this.#tables = new Tables(this.#ctx);
    this.#seriesCharts = new SeriesCharts(this.#ctx);
    this.#sql = new Sql(this.#ctx);
    this.#warmUp = new WarmUp(this.#ctx);
    this.#writing = new Writing(this.#ctx);
    this.#integrity = new Integrity(this.#ctx);
    this.#transfer = new Transfer(this.#ctx, this.#ponds);
  }

  // -- ponds ----------------------------------------------------------------------------------
  listPonds(): Promise<PondListing[]> {
    return this.#ponds.listPonds();
  }
  createPond(name: string): Promise<PondInfo> {
    return this.#ponds.createPond(name);
  }
  openPond(name: string, options?: { asOf?: number }): Promise<PondInfo> {
    return this.#ponds.openPond(name, options);
  }
  openUrl(url: string, name: string, options?: { asOf?: number }): Promise<PondInfo> {
    return this.#ponds.openUrl(url, name, options);
  }
  copyToLocal(name: string, options?: OpOptions, onProgress?: ProgressFn): Promise<PondInfo> {
    return this.#ponds.copyToLocal(name, options, onProgress);
  }
  resetPond(name: string, options?: OpOptions, onProgress?: ProgressFn): Promise<PondInfo> {
    return this.#ponds.resetPond(name, options, onProgress);
  }
  travel(asOf: number | null): Promise<PondInfo> {
    return this.#ponds.travel(asOf);
  }
  renamePond(from: string, to: string, onProgress?: ProgressFn): Promise<PondListing[]> {
    return this.#ponds.renamePond(from, to, onProgress);
  }
  deletePond(name: string): Promise<PondListing[]> {
    return this.#ponds.deletePond(name);
  }
  closePond(): Promise<void> {
    return this.#ponds.closePond();
  }
  info(): Promise<PondInfo | null> {
    return this.#ponds.info();
  }
  storageInfo(): Promise<StorageInfo> {
    return this.#ponds.storageInfo();
  }

  // -- listing and reading --------------------------------------------------------------------
  readdir(path: string): Promise<Entry[]> {
    return this.#reading.readdir(path);
  }
  stat(path: string): Promise<Stat> {
    return this.#reading.stat(path);
  }
  lookup(path: string): Promise<Entry> {
    return this.#reading.lookup(path);
  }
  details(path: string, options?: { computed?: boolean }): Promise<NodeDetails> {
    return this.#reading.details(path, options);
  }
  versions(path: string): Promise<VersionRow[]> {
    return this.#reading.versions(path);
  }
  history(): Promise<TxnRecord[]> {
    return this.#reading.history();
  }
  glob(pattern: string): Promise<GlobMatch[]> {
    return this.#reading.glob(pattern);
  }
  readFile(path: string, options?: { version?: number }): Promise<Uint8Array> {
    return this.#reading.readFile(path, options);
  }
  preview(path: string, options?: { version?: number; maxBytes?: number }): Promise<FilePreview> {
    return this.#reading.preview(path, options);
  }
  exportFile(path: string, format: 'parquet' | 'csv' | 'raw'): Promise<Uint8Array> {
    return this.#reading.exportFile(path, format);
  }
  readersOf(path: string, to?: string): Promise<ReadersReport> {
    return this.#reading.readersOf(path, to);
  }
  templateSource(path: string): Promise<TemplateSource | null> {
    return this.#reading.templateSource(path);
  }

  // -- tables ---------------------------------------------------------------------------------
  openTable(path: string): Promise<TableHandle> {
    return this.#tables.openTable(path);
  }
  tablePage(id: string, offset: number, limit: number, sort?: SortSpec | null): Promise<TablePage> {
    return this.#tables.tablePage(id, offset, limit, sort);
  }
  chartData(id: string, x: string, ys: string[], maxPoints?: number, splitBy?: string | null): Promise<ChartData> {
    return this.#tables.chartData(id, x, ys, maxPoints, splitBy);
  }

  seriesLevels(path: string): Promise<SeriesLevels> {
    return this.#seriesCharts.seriesLevels(path);
  }

  levelChart(path: string, x: string, ys: string[], range: [number, number] | null, maxPoints?: number): Promise<LevelChart> {
    return this.#seriesCharts.levelChart(path, x, ys, range, maxPoints);
  }
  sortTable(id: string, sort: SortSpec, options?: OpOptions, onProgress?: ProgressFn): Promise<void> {
    return this.#tables.sortTable(id, sort, options, onProgress);
  }
  releaseTable(id: string): Promise<void> {
    return this.#tables.releaseTable(id);
  }
  tableUsage(): Promise<TableUsage> {
    return this.#tables.tableUsage();
  }

  // -- writing --------------------------------------------------------------------------------
  mkdir(path: string, options?: { parents?: boolean }): Promise<number> {
    return this.#writing.mkdir(path, options);
  }
  writeFile(path: string, data: Uint8Array, options?: { type?: 'file:data' | 'file:table' | 'file:series' }): Promise<number> {
    return this.#writing.writeFile(path, data, options);
  }
  factories(): Promise<FactoryInfo[]> {
    return this.#writing.factories();
  }
  checkConfig(factory: string, text: string, at?: string): Promise<ConfigCheck> {
    return this.#writing.checkConfig(factory, text, at);
  }
  restoreVersion(path: string, version: number): Promise<number> {
    return this.#writing.restoreVersion(path, version);
  }
  mknod(path: string, factory: string, text: string): Promise<number> {
    return this.#writing.mknod(path, factory, text);
  }
  remove(path: string, options?: { recursive?: boolean }): Promise<number> {
    return this.#writing.remove(path, options);
  }
  rename(from: string, to: string): Promise<number> {
    return this.#writing.rename(from, to);
  }
  setAttributes(path: string, attrs: Record<string, string | null>): Promise<number> {
    return this.#writing.setAttributes(path, attrs);
  }

  // -- SQL ------------------------------------------------------------------------------------
  query(sql: string, tables?: Record<string, string>, options?: OpOptions & { pageSize?: number }): Promise<QueryResult> {
    return this.#sql.query(sql, tables, options);
  }
  columnsOf(pattern: string): Promise<ColumnInfo[]> {
    return this.#sql.columnsOf(pattern);
  }
  tablesUsed(sql: string, names: string[]): Promise<string[]> {
    return this.#sql.tablesUsed(sql, names);
  }
  warmUp(reason: WarmUpReason): Promise<WarmUpReport> {
    return this.#warmUp.warmUp(reason);
  }

  // -- integrity and transfer -----------------------------------------------------------------
  checkPond(options?: OpOptions & { repair?: boolean }, onProgress?: ProgressFn): Promise<CheckReport> {
    return this.#integrity.checkPond(options, onProgress);
  }
  previewImport(dir: string, items: ImportItem[], options?: OpOptions): Promise<ImportPreview[]> {
    return this.#transfer.previewImport(dir, items, options);
  }
  importFiles(dir: string, items: ImportItem[], options?: OpOptions, onProgress?: ProgressFn): Promise<ImportedFile[]> {
    return this.#transfer.importFiles(dir, items, options, onProgress);
  }
  exportPond(options?: OpOptions, onProgress?: ProgressFn): Promise<Uint8Array> {
    return this.#transfer.exportPond(options, onProgress);
  }
  importPond(name: string, zip: Blob | Uint8Array, options?: OpOptions, onProgress?: ProgressFn): Promise<PondInfo> {
    return this.#transfer.importPond(name, zip, options, onProgress);
  }

  // -- operations and events ------------------------------------------------------------------
  async cancel(opId: string): Promise<boolean> {
    return this.#ctx.ops.cancel(opId);
  }
  async subscribe(listener: PondListener): Promise<void> {
    this.#ctx.subscribe(listener);
  }
}
