/**
 * Where the WebAssembly binaries live. Node needs nothing (the packages find their own files);
 * a browser build passes URLs that the bundler emitted (see workers/wasm-assets.ts), so nothing
 * is ever fetched from a CDN.
 */
export interface WasmAssets {
  /** parquet-wasm's ESM build binary (parquet_wasm_bg.wasm). */
  parquetWasmUrl?: string;
  /** DuckDB-WASM's exception-handling bundle (duckdb-eh.wasm); the only bundle shipped. */
  duckdbEhWasmUrl?: string;
  /** QuickJS (quickjs-emscripten's release-sync variant), the VM templates run in. */
  quickjsWasmUrl?: string;
}

let assets: WasmAssets = {};

/** Tell the core where the wasm binaries are (browser only; call before the first pond operation). */
export function configureWasmAssets(next: WasmAssets): void {
  assets = { ...assets, ...next };
}

/** The configured wasm locations. */
export function wasmAssets(): Readonly<WasmAssets> {
  return assets;
}

/** True in Node (tests, build scripts); false in a page or a worker, even where `process` is shimmed. */
export function isNodeRuntime(): boolean {
  const g = globalThis as { process?: { versions?: { node?: unknown } }; document?: unknown; WorkerGlobalScope?: unknown };
  return typeof g.process?.versions?.node === 'string' && g.document === undefined && g.WorkerGlobalScope === undefined;
}
