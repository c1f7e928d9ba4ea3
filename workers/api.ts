/**
 * The contract between the UI and the pond worker. The UI holds `Remote<PondApi>` (comlink);
 * `PondService` implements it inside the worker. Everything here is structured-cloneable: tables
 * cross as Arrow IPC stream bytes in transferred buffers, callbacks cross as `proxy()`-ed functions
 * and must be top-level arguments (comlink does not proxy a function nested in an object).
 */
import type { CsvDelimiter, CsvReport, EntryType, PondErrorCode, PondWarning, Stat, TxnRecord, VersionInfo } from '../src/core/index.ts';

export type { CsvDelimiter, CsvReport, EntryType, PondErrorCode, Stat, TxnRecord, VersionInfo, PondWarning };

/** Where a pond's objects live: local storage of this browser, or a published pond read over HTTP. */
export type StoreKind = 'opfs' | 'idb' | 'memory' | 'http';

/** A pond the worker can open. */
export interface PondListing {
  name: string;
  kind: StoreKind;
}

/** The pond the worker has open, as the UI shows it. */
export interface PondInfo {
  name: string;
  kind: StoreKind;
  /** The version reads see: `asOf` while time travelling, else the latest. */
  version: number;
  /** The newest committed version of the pond. */
  latest: number;
  /** Set while viewing an older version (reads only). */
  asOf: number | null;
  readOnly: boolean;
  warnings: PondWarning[];
  /** A published pond opened by URL (read-only): its absolute base URL; null for a local pond. */
  url: string | null;
  /** A local copy of a published pond: the URL it was copied from (it can be reset to it). */
  origin: string | null;
}

/** One directory entry, with its absolute path. */
export interface Entry {
  name: string;
  path: string;
  type: EntryType;
  /** 'tlogfs' for stored content, else the factory computing it. */
  factory: string;
}

/** One glob match. */
export interface GlobMatch {
  path: string;
  captures: string[];
  type: EntryType;
}

/** A node version joined with the transaction that wrote it. */
export interface VersionRow extends VersionInfo {
  message: string;
}

/** Everything the Inspector shows about one node. */
export interface NodeDetails {
  stat: Stat;
  dynamic: boolean;
  /** A dynamic node's config as YAML (null for stored content). */
  configYaml: string | null;
  /** A symlink's target. */
  target: string | null;
  versions: VersionRow[];
  /** False when `stat.size` and `stat.sha256` of a dynamic file were left uncomputed. */
  computed: boolean;
}

/** A file's first bytes, for viewers. */
export interface FilePreview {
  bytes: Uint8Array;
  /** Size of the whole content (for a dynamic file: what was computed). */
  size: number;
  truncated: boolean;
}

/** How the UI groups Arrow types: decides alignment, formatting, chartability. */
export type ColumnKind = 'number' | 'bigint' | 'time' | 'string' | 'bool' | 'other';

export interface ColumnInfo {
  name: string;
  /** Arrow's own type name, e.g. 'Float64', 'Timestamp<MICROSECOND, UTC>'. */
  type: string;
  kind: ColumnKind;
  /** A text column whose values are dates ('2024-03-01', 'Jan 1 2000'): it can be a chart's time axis. */
  dateText?: boolean;
}

/** A table held in the worker; pages of it are fetched by `id`. */
export interface TableHandle {
  id: string;
  rows: number;
  columns: ColumnInfo[];
  /** What the table came from: a pond path or 'query'. */
  source: string;
}

export interface SortSpec {
  column: string;
  desc: boolean;
}

/** Rows [offset, offset + rows) of a held table (after sorting), as Arrow IPC stream bytes. */
export interface TablePage {
  id: string;
  offset: number;
  rows: number;
  ipc: Uint8Array;
}

/** What the worker holds for grids and charts: tables, their bytes (columns and sort orders), sorts running. */
export interface TableUsage {
  tables: number;
  bytes: number;
  sorting: number;
}

/** A SQL result: a held table plus its first page and how long the query took. */
export interface QueryResult extends TableHandle {
  elapsedMs: number;
  firstPage: TablePage;
}

/** Why the SQL engine is warmed up: the open pond may need it, or the user opened the SQL console. */
export type WarmUpReason = 'console' | 'pond';

/** What `warmUp` did. */
export interface WarmUpReport {
  reason: WarmUpReason;
  /** True when the SQL engine is loaded now (by this call or before it). */
  loaded: boolean;
  /** For 'pond': the first SQL node found without a valid stored result (why the engine was loaded). */
  needs?: string;
  /** For 'pond': the nodes looked at (the walk stops early and is bounded). */
  checked: number;
  /** Time the call took, in milliseconds. */
  ms: number;
}

/** Columns of a held table as numbers for a chart, x ascending, downsampled to at most maxPoints. */
export interface ChartData {
  x: Float64Array;
  /** x is milliseconds since the epoch (a time column) rather than a plain number. */
  xIsTime: boolean;
  ys: Float64Array[];
  /** One label per entry of `ys`: the column, or with a split the column and the group value. */
  labels: string[];
  /** Rows in the table (before sampling). */
  total: number;
  sampled: boolean;
  /** The series were split by a column's values (each has gaps where other values' rows are). */
  split: boolean;
}

/** A pre-reduced level of a series: one `res=<r>.series` output of a temporal-reduce node. */
export interface SeriesLevelInfo {
  resolution: string;
  /** Bucket width in ms. */
  ms: number;
  path: string;
}

/** The temporal-reduce levels a chart of a series can read, finest first (none: it samples the raw rows). */
export interface SeriesLevels {
  path: string;
  levels: SeriesLevelInfo[];
  /** The temporal-reduce node (or the folder of levels) they come from. */
  via: string | null;
  /** The time column the levels are by (a chart reads them only with it as x). */
  timeColumn: string | null;
}

/** Chart points of a time window, from the level that fits it. */
export interface LevelChart extends ChartData {
  /** The level drawn, or null for the raw series. */
  resolution: string | null;
  levelPath: string | null;
  /** The window drawn (ms), the whole series when none was asked for. */
  range: [number, number] | null;
}

/** A factory as the Create form shows it. */
export interface FactoryInfo {
  name: string;
  description: string;
  /** A starting config, as YAML. */
  example: string;
}

/** A problem in a factory config, as the form shows it beside the field. */
export interface ConfigIssue {
  /** Dotted path into the config ('' for the whole config). */
  path: string;
  message: string;
}

export type ConfigCheck =
  /** `checkedMs`: time spent reading a sql_query's inputs to bind it (when the query was checked). */
  | { ok: true; type: EntryType; config: unknown; checkedMs?: number }
  /** `saveAnyway`: the config is valid but fails against the pond as it is now (a missing input, an unknown column); the form may offer to save it anyway. */
  | { ok: false; issues: ConfigIssue[]; saveAnyway?: boolean };

/** How an imported file is stored. */
export type ImportAs = 'auto' | 'file:table' | 'file:series' | 'file:data';

/** How a CSV is read on import: what the preview showed and the user confirmed. */
export interface CsvImportOptions {
  /** Field delimiter (detected when absent). */
  delimiter?: CsvDelimiter;
  /** Whether the first line is the header (detected when absent). */
  header?: boolean;
  /** Import although rows were rejected, leaving them out; without it a rejected row stops the import. */
  skipRejected?: boolean;
}

/** A file to import; `data` is a File/Blob (cloned cheaply across the worker boundary) or bytes. */
export interface ImportItem {
  name: string;
  data: Blob | Uint8Array;
  as?: ImportAs;
  /** CSV files only. */
  csv?: CsvImportOptions;
}

/** What importing one file would do, found before anything is written. */
export interface ImportPreview {
  name: string;
  type: 'file:data' | 'file:table' | 'file:series';
  /** For a CSV: rows read, rejected rows (line, reason), the inferred schema, delimiter and header. */
  csv: CsvReport | null;
  /** Why the file cannot be imported as it is (e.g. a header that does not match the rows). */
  error: { code: string; message: string } | null;
}

export interface ImportedFile {
  path: string;
  type: EntryType;
  rows: number | null;
  size: number;
}

/** Progress of a long operation; `total` absent when unknown. */
export interface Progress {
  phase: string;
  done: number;
  total?: number;
}
export type ProgressFn = (progress: Progress) => void;

/** Identifies a long operation so that `cancel(opId)` can stop it. */
export interface OpOptions {
  opId?: string;
}

/** Storage of the worker's ponds. */
export interface StorageInfo {
  kind: StoreKind;
  /** From navigator.storage.estimate(), in bytes; null where unsupported. */
  usage: number | null;
  quota: number | null;
  /** navigator.storage.persisted(); requesting persistence is a page-only API (see docs/app.md). */
  persisted: boolean | null;
  /** What the open pond itself takes (its objects; for a published pond, what its index lists); null when none is open. */
  pond: { name: string; bytes: number; files: number; published: boolean } | null;
}

/** A dynamic node that reads a path (see `readersOf`). */
export interface NodeReader {
  path: string;
  factory: string;
  /** The pattern or path in its config that matches, as written there. */
  via: string;
  /** For an indirect reader: the reader it reads; null when it reads the path itself. */
  through: string | null;
  /** After the move `readersOf` was asked about, the pattern still matches the moved node. */
  stillReads: boolean;
}

/** Which dynamic nodes read a path, as far as their configs tell. */
export interface ReadersReport {
  path: string;
  readers: NodeReader[];
  /** Dynamic nodes whose inputs cannot be known without computing them, with why. */
  uncertain: { path: string; factory: string; reason: string }[];
  /** The pond was too big to scan whole. */
  truncated: boolean;
}

/** The source of a template node: its template text, or the file it names. */
export interface TemplateSource {
  text: string;
  /** The `template_file` it was read from, or null for an inline template. */
  file: string | null;
}

/** One problem an integrity check found, by store key (or pond path) and kind. */
export interface CheckProblem {
  kind: string;
  /** The store key of the damaged object. */
  path: string;
  /** The pond paths it affects (empty when no readable listing names them). */
  pondPaths: string[];
  message: string;
  /** Whether Repair fixes it. */
  repairable: boolean;
  /** For a problem Repair cannot fix: what to do instead. */
  nextStep?: string;
  /** What the repair did about it. */
  repaired?: string;
}

/** The result of an integrity check (fsck) of the open pond. */
export interface CheckReport {
  version: number;
  commits: number;
  dataFiles: number;
  rows: number;
  /** Stored bodies whose sha256 was verified. */
  bodiesVerified: number;
  problems: CheckProblem[];
  /** The version a repair committed, when it committed one. */
  repairedAt?: number;
  elapsedMs: number;
}

/** What the worker tells subscribers. */
export type PondEvent =
  /** A commit, by this tab ('local') or another ('remote'); the UI refreshes what it shows. */
  | { type: 'commit'; pond: string; version: number; origin: 'local' | 'remote' }
  /** A write waits for another tab's lock ('waiting'), or stopped waiting ('done'). */
  | { type: 'lock'; pond: string; state: 'waiting' | 'done' }
  /** The open pond changed (opened, time travel, renamed, closed). */
  | { type: 'pond'; info: PondInfo | null }
  /** The list of ponds changed. */
  | { type: 'ponds'; ponds: PondListing[] };
export type PondListener = (event: PondEvent) => void;

/**
 * The worker's API. Every method is async through comlink; errors arrive as PondError with
 * `code` and `data.path` (workers/error-transfer.ts).
 */
export interface PondApi {
  // -- liveness -------------------------------------------------------------------------------
  ping(): string;
  /** Throws a PondError with `code` naming `path` (tests the error channel). */
  fail(code: PondErrorCode, path: string): never;

  // -- ponds ----------------------------------------------------------------------------------
  listPonds(): Promise<PondListing[]>;
  createPond(name: string): Promise<PondInfo>;
  /** Open `name` (latest version); `asOf` opens that version read-only. */
  openPond(name: string, options?: { asOf?: number }): Promise<PondInfo>;
  /**
   * Open a published pond by its absolute base URL (a folder holding the Delta table and its
   * duckpond-index.json), read-only; `name` is what the UI calls it.
   */
  openUrl(url: string, name: string, options?: { asOf?: number }): Promise<PondInfo>;
  /** Copy the open published pond into this browser as pond `name` and open the copy (editable). */
  copyToLocal(name: string, options?: OpOptions, onProgress?: ProgressFn): Promise<PondInfo>;
  /** Replace local pond `name`, a copy of a published pond, by the published version (local changes are dropped). */
  resetPond(name: string, options?: OpOptions, onProgress?: ProgressFn): Promise<PondInfo>;
  /** Switch the open pond to an older version (read-only) or back to the latest (null). */
  travel(asOf: number | null): Promise<PondInfo>;
  renamePond(from: string, to: string, onProgress?: ProgressFn): Promise<PondListing[]>;
  deletePond(name: string): Promise<PondListing[]>;
  closePond(): Promise<void>;
  info(): Promise<PondInfo | null>;

  // -- listing --------------------------------------------------------------------------------
  readdir(path: string): Promise<Entry[]>;
  /** Stat; for a dynamic file this computes its content (size and sha256). */
  stat(path: string): Promise<Stat>;
  /** Entry type and factory of a path, never computing anything (what a view needs to pick itself). */
  lookup(path: string): Promise<Entry>;
  /** The Inspector's view of a node; a dynamic file's size and hash only with `computed: true`. */
  details(path: string, options?: { computed?: boolean }): Promise<NodeDetails>;
  versions(path: string): Promise<VersionRow[]>;
  /** Every transaction of the pond, newest first (all of them, also while viewing an older version). */
  history(): Promise<TxnRecord[]>;
  glob(pattern: string): Promise<GlobMatch[]>;

  // -- reading --------------------------------------------------------------------------------
  readFile(path: string, options?: { version?: number }): Promise<Uint8Array>;
  preview(path: string, options?: { version?: number; maxBytes?: number }): Promise<FilePreview>;
  /** Hold the table at `path` in the worker and return its handle; page it with `tablePage`. */
  openTable(path: string): Promise<TableHandle>;
  tablePage(id: string, offset: number, limit: number, sort?: SortSpec | null): Promise<TablePage>;
  /** Numeric columns for a chart, ordered by x and downsampled; `splitBy` makes one series per value of a column. */
  chartData(id: string, x: string, ys: string[], maxPoints?: number, splitBy?: string | null): Promise<ChartData>;
  /** The temporal-reduce levels of a series, for charts that read the level fitting their window. */
  seriesLevels(path: string): Promise<SeriesLevels>;
  /** Points of `ys` against time column `x` over `range` (ms; null: all) of a series, from the level that fits the window. */
  levelChart(path: string, x: string, ys: string[], range: [number, number] | null, maxPoints?: number): Promise<LevelChart>;
  /**
   * Sort held table `id` by `sort` ahead of paging it: it runs in slices (other calls are served
   * meanwhile), reports progress, and stops on `cancel(opId)` or `releaseTable(id)`.
   */
  sortTable(id: string, sort: SortSpec, options?: OpOptions, onProgress?: ProgressFn): Promise<void>;
  releaseTable(id: string): Promise<void>;
  /** Tables held for grids and charts and what they cost (memory checks, diagnostics). */
  tableUsage(): Promise<TableUsage>;
  exportFile(path: string, format: 'parquet' | 'csv' | 'raw'): Promise<Uint8Array>;

  // -- writing --------------------------------------------------------------------------------
  mkdir(path: string, options?: { parents?: boolean }): Promise<number>;
  writeFile(path: string, data: Uint8Array, options?: { type?: 'file:data' | 'file:table' | 'file:series' }): Promise<number>;
  /** Read the files as `importFiles` would and report what it found (CSV rows, rejected lines, schema); writes nothing. */
  previewImport(dir: string, items: ImportItem[], options?: OpOptions): Promise<ImportPreview[]>;
  importFiles(dir: string, items: ImportItem[], options?: OpOptions, onProgress?: ProgressFn): Promise<ImportedFile[]>;
  factories(): Promise<FactoryInfo[]>;
  /** Parse (YAML or JSON) and validate a factory config, as the Create form types. */
  /** The factory's schema check; with `at` (the node's path), a sql_query's query is also parsed and bound against its inputs. */
  checkConfig(factory: string, text: string, at?: string): Promise<ConfigCheck>;
  /** Write version `version` of a node (a dynamic node's config, a stored file's bytes) as its newest version. */
  restoreVersion(path: string, version: number): Promise<number>;
  mknod(path: string, factory: string, text: string): Promise<number>;
  remove(path: string, options?: { recursive?: boolean }): Promise<number>;
  rename(from: string, to: string): Promise<number>;
  setAttributes(path: string, attrs: Record<string, string | null>): Promise<number>;
  /** The dynamic nodes whose configs read `path` or anything below it (with `to`: whether they still would after a move there). */
  readersOf(path: string, to?: string): Promise<ReadersReport>;
  /** A template node's template text (null for other nodes). */
  templateSource(path: string): Promise<TemplateSource | null>;

  // -- SQL ------------------------------------------------------------------------------------
  query(sql: string, tables?: Record<string, string>, options?: OpOptions & { pageSize?: number }): Promise<QueryResult>;
  /** Columns of the first table a pattern matches (for completion and the bindings list). */
  columnsOf(pattern: string): Promise<ColumnInfo[]>;
  /** Which of `names` the SQL text mentions (an identifier scan; DuckDB need not be loaded). */
  tablesUsed(sql: string, names: string[]): Promise<string[]>;
  /**
   * Load DuckDB ahead of need, in idle time: for 'console' always; for 'pond' only when a SQL node
   * of the open pond has no valid stored result (a read of it would compute). Never fails.
   */
  warmUp(reason: WarmUpReason): Promise<WarmUpReport>;
  /** Stop a long operation started with `opId`; false when it is not running. */
  cancel(opId: string): Promise<boolean>;

  // -- storage and transfer -------------------------------------------------------------------
  storageInfo(): Promise<StorageInfo>;
  /**
   * Check the open pond's integrity: replay the log, read every data file, verify every sha256.
   * With `repair`, set aside a torn commit and commit the removal of unreadable files (their bytes
   * kept under _lost+found/), under the pond's lock; nothing is deleted silently.
   */
  checkPond(options?: OpOptions & { repair?: boolean }, onProgress?: ProgressFn): Promise<CheckReport>;
  exportPond(options?: OpOptions, onProgress?: ProgressFn): Promise<Uint8Array>;
  importPond(name: string, zip: Blob | Uint8Array, options?: OpOptions, onProgress?: ProgressFn): Promise<PondInfo>;

  // -- events ---------------------------------------------------------------------------------
  /** Receive PondEvents (commits in this or other tabs, lock waits, pond changes). */
  subscribe(listener: PondListener): Promise<void>;
}
