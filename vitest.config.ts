import { defineConfig } from 'vitest/config';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);

export default defineConfig({
  // duckdb-wasm's node build is CJS and require()s apache-arrow's CJS entry; force tests onto the
  // same (CJS) instance, otherwise instanceof checks / insertArrowTable / tableToIPC(result) break.
  resolve: { alias: [{ find: /^apache-arrow$/, replacement: require.resolve('apache-arrow') }] },
  test: {
    include: ['test/unit/**/*.test.ts'],
    environment: 'node',
    // Forks isolate each file's wasm heap; two workers keep a 2-core box busy without starving DuckDB init.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
