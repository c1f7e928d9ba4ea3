/**
 * The public core API of DuckPond: open a pond in any ObjectStore, transact, read, travel in time.
 * Runs in Node and in a worker; never touches the DOM.
 */
import type { ObjectStore } from './storage/object-store.ts';
import { TlogPersistence } from './tlogfs/tlog-persistence.ts';
import { Pond, type PondServices } from './pond.ts';
import type { Effects } from './tinyfs/transaction.ts';
import { FactoryRegistry } from './dynamic/registry.ts';
import { DynamicResolver } from './dynamic/resolver.ts';
import { ResultStore, type ResultStoreOptions } from './dynamic/result-store.ts';
import { defaultRegistry } from './factories/index.ts';

export interface OpenPondOptions {
  /** Create a pond when the store holds none (default true for writable stores). */
  create?: boolean;
  /** Open read-only as the pond was at this version. */
  asOf?: number;
  /** Injected clock and id source (tests). */
  effects?: Effects;
  /** Dynamic-node and SQL support (set by the factory registry). */
  services?: PondServices;
  /** The factories dynamic nodes may use (default: `defaultRegistry()`; `new FactoryRegistry()` means none). */
  registry?: FactoryRegistry;
  /** Resource limits of dynamic nodes. */
  limits?: {
    /** The largest result one dynamic node may produce, in bytes (default 512 MiB); bigger is ETOOBIG. */
    maxResultBytes?: number;
  };
  /** The pond's stored results (`_results/`, see docs/format.md): options, a ResultStore over the same store (a publish asks it what it stored), or false to neither read nor write them. */
  results?: ResultStoreOptions | ResultStore | false;
}

/**
 * Open the pond stored in `store` (creating it when empty, unless `create: false`).
 * @example
 * const pond = await openPond(new MemoryStore());
 * await pond.transact(async (tx) => tx.mkdir('/data'));
 */
export async function openPond(store: ObjectStore, options: OpenPondOptions = {}): Promise<Pond> {
  const persistence = await TlogPersistence.open(store, { create: options.create, asOf: options.asOf, effects: options.effects });
  const results =
    options.results === false
      ? undefined
      : options.results instanceof ResultStore
        ? options.results
        : new ResultStore(store, { write: !persistence.readOnly, ...options.results });
  const dynamic = new DynamicResolver(options.registry ?? defaultRegistry(), {
    now: options.effects?.now,
    maxResultBytes: options.limits?.maxResultBytes,
    results,
  });
  return new Pond(persistence, { effects: options.effects, ...dynamic.services(), ...options.services });
}

export { Pond, type GlobResult, type Tx, type TransactOptions, type PondServices, type ReadTableOptions } from './pond.ts';
export { TIMESTAMP_COLUMN_ATTR, TIMESTAMP_CANDIDATES, timeColumn, filterTimeRange, msReader, type TimeRange } from './arrow/event-time.ts';
export { parseDuration, type DurationResult } from './factories/rust-time.ts';
export { reduceOutputDir } from './factories/temporal-reduce.ts';
export { parsePatternUrl, type PatternUrl } from './dynamic/url-pattern.ts';
export { PondError, isPondError, pondError, type PondErrorCode, type PondErrorData } from './errors.ts';
export type { ObjectStore } from './storage/object-store.ts';
export { MemoryStore } from './storage/memory.ts';
export { HttpStore, type HttpStoreOptions } from './storage/http.ts';
export {
  PUBLISH_INDEX,
  buildPublishIndex,
  writePublishIndex,
  parsePublishIndex,
  encodePublishIndex,
  type PublishIndex,
  type PublishedFile,
} from './storage/publish-index.ts';
export { keyProblem } from './storage/common.ts';
export { ROOT_ID, STATIC_FACTORY, type EntryType } from './tinyfs/entry-type.ts';
export { normalizePath, joinPath, dirname } from './tinyfs/path.ts';
export { compileGlob, matchPath, type CompiledGlob } from './tinyfs/glob-pattern.ts';
export type { Stat, ReaddirEntry } from './tinyfs/fs.ts';
export type { TxnRecord, VersionInfo, NodeRef } from './tinyfs/node.ts';
export type { PondWarning } from './tinyfs/persistence.ts';
export { configureWasmAssets } from './wasm-assets.ts';
export { parquetToTable, tableToParquet, looksLikeParquet } from './arrow/parquet.ts';
export { parquetRowCount } from './arrow/parquet.ts';
export { concatBytes } from './bytes.ts';
export { sha256Hex } from './hash.ts';
export { fsck, type FsckReport, type FsckProblem, type FsckKind, type ResultGarbage, type ResultsCheck } from './tlogfs/fsck.ts';
export { FactoryRegistry, defaultRegistry };
export { parseConfigText } from './dynamic/config.ts';
export { DynamicResolver, type ResolverOptions } from './dynamic/resolver.ts';
export {
  ResultStore,
  DEFAULT_RESULTS_CAP_BYTES,
  publishResultOptions,
  type ResultOutcome,
  type ResultStoreOptions,
  type ResultStoreStats,
} from './dynamic/result-store.ts';
export { precomputeResults, type PrecomputeProgress, type PrecomputeReport } from './results/precompute.ts';
export { RESULTS_DIR } from './tlogfs/result-entry.ts';
export {
  defineFactory,
  type FactoryDefinition,
  type FactoryContext,
  type FactoryOutput,
  type GlobMatch,
  type NodeInfo,
  type QueryOptions,
} from './dynamic/factory.ts';
export { VirtualDirectory, VirtualTree } from './dynamic/virtual-directory.ts';
// The CSV reader itself is a lazily imported entry point, `./csv/index.ts`, like `./sql/index.ts`: it stays out of the worker's first load.
export type { CsvReadOptions, CsvReport, CsvResult, CsvColumn, CsvRejectedRow, CsvDelimiter, CsvType } from './csv/index.ts';
