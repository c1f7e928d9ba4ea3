// The vite alias 'duckdb-wasm-browser-blocking' (vite.config.ts) points at
// @duckdb/duckdb-wasm/dist/duckdb-browser-blocking.mjs, which the package does not export
// (1.32.0 bug). Its API is the node blocking build's, with BROWSER_RUNTIME instead of NODE_RUNTIME;
// only what src/core/sql/loader.ts uses is declared.
declare module 'duckdb-wasm-browser-blocking' {
  import type { DuckDBBindings, DuckDBBundles, DuckDBRuntime, Logger, LogEntryVariant, PlatformFeatures } from '@duckdb/duckdb-wasm/blocking';

  export const BROWSER_RUNTIME: DuckDBRuntime;
  export class VoidLogger implements Logger {
    log(entry: LogEntryVariant): void;
  }
  export function getPlatformFeatures(): Promise<PlatformFeatures>;
  export function createDuckDB(bundles: DuckDBBundles, logger: Logger, runtime: DuckDBRuntime): Promise<DuckDBBindings>;
}
