// Browser tests load core code without the real worker: register the bundled wasm URLs the way
// the worker does, so parquet-wasm and DuckDB never reach for a CDN.
import '../../workers/wasm-assets.ts';
