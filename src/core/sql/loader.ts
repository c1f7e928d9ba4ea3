import type { DuckDBBindings, DuckDBConfig } from '@duckdb/duckdb-wasm/blocking';
import { pondError } from '../errors.ts';
import { isNodeRuntime, wasmAssets } from '../wasm-assets.ts';

/**
 * Instantiate and open DuckDB-WASM's blocking build for this runtime. Nothing DuckDB is imported
 * before this runs, so listing a pond never waits for 34 MB of wasm.
 */
export async function loadDuckDB(config: DuckDBConfig): Promise<DuckDBBindings> {
  const db = isNodeRuntime() ? await createNode() : await createBrowser();
  await db.instantiate(() => {});
  db.open(config);
  return db;
}

/** Node: the CJS blocking build and the eh bundle straight from node_modules. */
async function createNode(): Promise<DuckDBBindings> {
  // A variable specifier keeps vite from pulling node:module (and the Node build) into the browser bundle.
  const nodeModule = 'node:module';
  const { createRequire } = (await import(/* @vite-ignore */ nodeModule)) as typeof import('node:module');
  const require = createRequire(import.meta.url);
  // require(), not import(): '@duckdb/duckdb-wasm/blocking' is CJS, and in vitest it then shares
  // apache-arrow's CJS instance with our code (vitest.config.ts aliases apache-arrow to it).
  const duckdb = require('@duckdb/duckdb-wasm/blocking') as typeof import('@duckdb/duckdb-wasm/blocking');
  const eh = require.resolve('@duckdb/duckdb-wasm/dist/duckdb-eh.wasm');
  // The blocking build never starts the worker script, but the bundle type wants one.
  const worker = require.resolve('@duckdb/duckdb-wasm/dist/duckdb-node-eh.worker.cjs');
  return duckdb.createDuckDB(
    { mvp: { mainModule: eh, mainWorker: worker }, eh: { mainModule: eh, mainWorker: worker } },
    new duckdb.VoidLogger(),
    duckdb.NODE_RUNTIME,
  );
}

/** Browser (our worker, or a vitest browser page): the browser blocking build, eh bundle only. */
async function createBrowser(): Promise<DuckDBBindings> {
  const url = wasmAssets().duckdbEhWasmUrl;
  if (!url) {
    throw pondError('EUNSUPPORTED', 'duckdb-eh.wasm', 'no DuckDB wasm URL configured: call configureWasmAssets() (workers/wasm-assets.ts) first');
  }
  const duckdb = await import('duckdb-wasm-browser-blocking');
  if (!(await duckdb.getPlatformFeatures()).wasmExceptions) {
    throw pondError('EUNSUPPORTED', 'duckdb-eh.wasm', 'this browser lacks WebAssembly exception handling, which the only shipped DuckDB bundle (eh) needs');
  }
  // mvp is a required field; with exceptions supported createDuckDB always picks eh.
  const bundle = { mainModule: url, mainWorker: '' };
  return duckdb.createDuckDB({ mvp: bundle, eh: bundle }, new duckdb.VoidLogger(), duckdb.BROWSER_RUNTIME);
}
