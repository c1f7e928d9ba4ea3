/// <reference lib="webworker" />
// The dynamic-file benches of bench/node/dynamic.bench.ts, run in a dedicated worker as the pond
// runs in the app (DuckDB-WASM's browser build, the browser's parquet-wasm). The Node file declares
// them; here they are re-declared for the worker realm, so one definition serves both sides.
import { registeredSuites } from '../lib/suite.ts';

const before = registeredSuites().length;
await import('../node/dynamic.bench.ts');
for (const decl of registeredSuites().slice(before)) decl.options = { ...decl.options, where: 'worker' };
