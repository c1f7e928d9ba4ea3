// Vite-only: registers the bundled wasm URLs with the core. Import once in the worker (and in browser tests).
import parquetWasmUrl from 'parquet-wasm/esm/parquet_wasm_bg.wasm?url';
import duckdbEhWasmUrl from '@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url';
import quickjsWasmUrl from '@jitl/quickjs-wasmfile-release-sync/wasm?url';
import { configureWasmAssets } from '../src/core/index.ts';

configureWasmAssets({ parquetWasmUrl, duckdbEhWasmUrl, quickjsWasmUrl });
