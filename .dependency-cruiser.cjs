/**
 * The layer rules of DESIGN.md ("Layers and layout"), checked by dependency-cruiser: `npm run layers`
 * (and the `static` stage of `npm test`). Every rule is an error; a violation fails the build.
 *
 *   ui -> workers (types; at runtime only workers/page.ts) -> core       cli -> core       (demo seeder -> core)
 *
 * Outside code (workers/, src/ui/, src/cli/, src/demo/, the page bootstrap) enters core only through
 * its entry points: src/core/index.ts, the stores src/core/storage/{node-fs,opfs,idb,http}.ts, and the
 * lazily imported src/core/{sql,sandbox,csv}/index.ts.
 *
 * Inside core, lowest first (each layer imports only layers below it):
 *   base        errors.ts, bytes.ts, hash.ts, schema-record.ts, wasm-assets.ts: leaf helpers of all of core
 *   arrow/      Arrow <-> Parquet, IPC and event-time helpers       -> base
 *   storage/    ObjectStore implementations                          -> base
 *   csv/        the CSV reader (lazy entry point)                    -> base, arrow
 *   sql/        the DuckDB engine (lazy entry point)                 -> base, arrow
 *   sandbox/    the QuickJS template VM (lazy entry point)           -> base
 *   tinyfs/     paths, nodes, directories, transactions, glob        -> base, arrow
 *   tlogfs/     the Delta-Lake log                                   -> tinyfs, storage, arrow, base
 *   pond.ts     the Pond facade over TinyFs (dynamic nodes reach it through TinyFs's DynamicHooks)
 *                                                                    -> tinyfs, arrow, base
 *   dynamic/    registry, resolver, context, result cache            -> pond.ts, tlogfs, tinyfs, arrow, base,
 *                                                                       storage/object-store.ts (the interface only),
 *                                                                       sql/ (lazily: ctx.query runs SQL for factories)
 *   factories/  one file per factory                                 -> dynamic, tinyfs, arrow, csv, base,
 *                                                                       sql/ and sandbox/ (lazily)
 *   results/    precompute every dynamic node before publishing      -> pond.ts, tinyfs, base
 *   index.ts    the public API: wires the rest (openPond)            -> anything in core (sql/sandbox/csv lazily)
 *
 * The result cache (dynamic/cache.ts) is part of dynamic/ and sees storage through ObjectStore only.
 * Browser/Node specifics: `node:` builtins only in storage/node-fs*.ts (sql/ and sandbox/ reach Node
 * through computed `import()` that no bundler follows); each wasm package is loaded by one home only
 * (DESIGN.md says "wasm loading stays in storage/, sql/, sandbox/", but parquet-wasm belongs to arrow/
 * and hash-wasm to hash.ts, both by design); browser globals are ESLint's (eslint.config.js).
 */

/** Core's entry points: the only core modules code outside core may import. */
const CORE_ENTRY_POINTS = ['^src/core/index\\.ts$', '^src/core/storage/(node-fs|opfs|idb|http)\\.ts$', '^src/core/(sql|sandbox|csv)/index\\.ts$'];
/** Entry points that must stay out of the first screen: imported only by `import()` or `import type`. */
const LAZY_FOLDERS = '^src/core/(sql|sandbox|csv)/';
/** Leaf helpers every part of core may use. */
const BASE = '^src/core/(errors|bytes|hash|schema-record|wasm-assets)\\.ts$';
const ARROW = '^src/core/arrow/';
const TINYFS = '^src/core/tinyfs/';
const STORAGE = '^src/core/storage/';
/** Code outside core that uses it. */
const OUTSIDE_CORE = '^(workers/|src/(ui|cli|demo)/|src/[^/]+\\.ts$)';
/** Dependency types erased at compile time (`import type`, `typeof import('x')`): they load nothing. */
const ERASED = ['type-only', 'type-import'];
/** The page: the UI and its bootstrap (src/main.ts, src/pwa.ts). */
const PAGE = '^src/(ui/|[^/]+\\.ts$)';

/** A rule "code in `from` may import, inside core, only `allowed`". */
function coreLayer(name, from, allowed, comment) {
  return {
    name,
    comment,
    severity: 'error',
    from: { path: from },
    to: { path: '^src/core/', pathNot: [from, ...allowed] },
  };
}

module.exports = {
  forbidden: [
    // ── Whole-tree rules ───────────────────────────────────────────────────────────────────────
    {
      name: 'no-runtime-cycle',
      comment: 'Modules must not import each other in a circle at runtime (a cycle made only of `import type` is harmless).',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ERASED } },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that cannot be resolved: a typo, a deleted module, or a package missing from package.json.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'no-unused-module',
      comment:
        "A module in src/ or workers/ that nothing imports is dead code (or a test helper that belongs under test/). Roots are exempt: the page and worker entries, core's entry points, the demo seeder (used by scripts/) and the CLI.",
      severity: 'error',
      module: {
        path: '^(src|workers)/',
        pathNot: ['\\.d\\.ts$', '^src/main\\.ts$', '^workers/pond\\.worker\\.ts$', '^src/(demo|cli)/', ...CORE_ENTRY_POINTS],
        numberOfDependentsLessThan: 1,
      },
      from: {},
    },
    {
      name: 'src-not-to-tests',
      comment: 'Shipped code never imports tests, benchmarks or build scripts; test-only helpers live under test/.',
      severity: 'error',
      from: { path: '^(src|workers)/' },
      to: { path: '^(test|bench|scripts)/' },
    },

    // ── Core stands alone ──────────────────────────────────────────────────────────────────────
    {
      name: 'core-not-to-outside',
      comment: 'Core is a library: it never imports the UI, the worker, the CLI or the demo seeder.',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { path: '^(workers/|src/(ui|cli|demo)/|src/[^/]+\\.ts$)' },
    },
    {
      name: 'core-no-ui-packages',
      comment: 'Core runs in a worker and in Node: no Svelte, no comlink, no editor, chart or DOM-only packages.',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { path: '^node_modules/(svelte|comlink|codemirror|@codemirror|@tanstack|uplot|dompurify|marked|workbox-[^/]+)/' },
    },
    {
      name: 'core-node-builtins-only-in-node-fs',
      comment: 'Core is platform-neutral: `node:` modules only in the Node store (storage/node-fs*.ts).',
      severity: 'error',
      from: { path: '^src/core/', pathNot: '^src/core/storage/node-fs[^/]*\\.ts$' },
      to: { dependencyTypes: ['core'], dependencyTypesNot: ERASED },
    },
    {
      name: 'wasm-loaded-by-its-home',
      comment: 'Each wasm package has one home that loads it: parquet-wasm in arrow/parquet.ts, DuckDB in sql/, QuickJS in sandbox/, hash-wasm in hash.ts.',
      severity: 'error',
      from: { pathNot: ['^src/core/arrow/parquet\\.ts$', '^src/core/sql/', '^src/core/sandbox/', '^src/core/hash\\.ts$', '^(test|bench|scripts)/'] },
      to: { path: '^node_modules/(parquet-wasm|@duckdb/duckdb-wasm|quickjs-emscripten[^/]*|@jitl/quickjs-[^/]+|hash-wasm)/', dependencyTypesNot: ERASED },
    },

    // ── The doors into core ────────────────────────────────────────────────────────────────────
    {
      name: 'outside-core-through-entry-points',
      comment:
        'workers/, src/ui/, src/cli/ and src/demo/ import core only through its entry points: src/core/index.ts, storage/{node-fs,opfs,idb,http}.ts, {sql,sandbox,csv}/index.ts. Export what you need from one of them.',
      severity: 'error',
      from: { path: OUTSIDE_CORE, pathNot: '^workers/error-transfer\\.ts$' },
      to: { path: '^src/core/', pathNot: CORE_ENTRY_POINTS },
    },
    {
      name: 'error-transfer-only-errors',
      comment:
        "workers/error-transfer.ts also runs in the page (through workers/page.ts), so it takes PondError from src/core/errors.ts, a leaf that imports nothing: through index.ts the first screen's bundle would carry core modules that run code when loaded. Nothing else of core.",
      severity: 'error',
      from: { path: '^workers/error-transfer\\.ts$' },
      to: { path: '^src/core/', pathNot: ['^src/core/errors\\.ts$'] },
    },
    {
      name: 'lazy-entry-points-stay-lazy',
      comment:
        'sql/, sandbox/ and csv/ carry big wasm engines or parsers and stay out of the first screen: from outside their folder, load them with `await import(...)` (or `import type`).',
      severity: 'error',
      from: { pathNot: [LAZY_FOLDERS, '^(test|bench|scripts)/'] },
      to: { path: LAZY_FOLDERS, dependencyTypesNot: ['dynamic-import', 'type-only'] },
    },
    {
      name: 'page-only-types-from-workers',
      comment:
        'The page (src/ui/, src/main.ts) talks to the pond worker through the comlink proxy: it imports types from workers/ (api.ts), and at runtime only workers/page.ts, the page end of the protocol (error transfer, PondError test, import target) kept small for the first screen.',
      severity: 'error',
      from: { path: PAGE },
      to: { path: '^workers/', pathNot: '^workers/page\\.ts$', dependencyTypesNot: ERASED },
    },
    {
      name: 'page-only-types-from-core',
      comment: "The page never runs core code (that is the worker's job; workers/page.ts re-exports the little it needs): at most `import type`.",
      severity: 'error',
      from: { path: PAGE },
      to: { path: '^src/core/', dependencyTypesNot: ERASED },
    },
    {
      name: 'workers-not-to-ui',
      comment: 'The worker knows nothing of the page (the UI and its bootstrap) or the CLI.',
      severity: 'error',
      from: { path: '^workers/' },
      to: { path: ['^src/(ui|cli)/', '^src/[^/]+\\.ts$'] },
    },
    {
      name: 'cli-only-to-core',
      comment: 'The command line uses core (and Node), never the UI or the browser worker.',
      severity: 'error',
      from: { path: '^src/cli/' },
      to: { path: '^(workers/|src/ui/)' },
    },

    // ── Layers inside core ─────────────────────────────────────────────────────────────────────
    coreLayer('core-base-is-leaf', BASE, [], 'errors, bytes, hash, schema-record and wasm-assets are leaf helpers: they import nothing else from core.'),
    coreLayer('core-arrow', ARROW, [BASE], 'arrow/ (Arrow <-> Parquet, IPC) sits just above the base helpers.'),
    coreLayer('core-storage', STORAGE, [BASE], 'storage/ holds the object stores: it knows nothing of the filesystem built on it.'),
    coreLayer('core-csv', '^src/core/csv/', [BASE, ARROW], 'csv/ is a self-contained reader: it produces Arrow tables and knows nothing of ponds.'),
    coreLayer('core-sql', '^src/core/sql/', [BASE, ARROW], 'sql/ is the DuckDB engine: it knows nothing of ponds, nodes or factories.'),
    coreLayer('core-sandbox', '^src/core/sandbox/', [BASE], 'sandbox/ is the QuickJS VM: it knows nothing of ponds, and is independent of sql/.'),
    coreLayer(
      'core-tinyfs',
      TINYFS,
      [BASE, ARROW],
      'tinyfs/ is the bottom of the filesystem: no log, no storage, no dynamic nodes (those plug in through interfaces).',
    ),
    coreLayer(
      'core-tlogfs',
      '^src/core/tlogfs/',
      [TINYFS, STORAGE, ARROW, BASE],
      'tlogfs/ persists tinyfs in a Delta-Lake log on an ObjectStore: `tlogfs -> tinyfs, storage`.',
    ),
    coreLayer(
      'core-pond',
      '^src/core/pond\\.ts$',
      [TINYFS, ARROW, BASE],
      'pond.ts is the facade over TinyFs; dynamic nodes reach it through hooks, so it never imports dynamic/, factories/ or tlogfs/.',
    ),
    coreLayer(
      'core-dynamic',
      '^src/core/dynamic/',
      ['^src/core/pond\\.ts$', '^src/core/tlogfs/', TINYFS, '^src/core/storage/object-store\\.ts$', '^src/core/sql/', ARROW, BASE],
      '`dynamic -> tlogfs -> tinyfs`; the result cache sees storage through the ObjectStore interface only; SQL is reached lazily (rule lazy-entry-points-stay-lazy).',
    ),
    coreLayer(
      'core-factories',
      '^src/core/factories/',
      ['^src/core/dynamic/', TINYFS, ARROW, '^src/core/csv/', '^src/core/sql/', '^src/core/sandbox/', BASE],
      'Factories see the pond through the FactoryContext of dynamic/: `factories -> dynamic, sql, sandbox`, never tlogfs, storage or the Pond itself.',
    ),
    coreLayer(
      'core-results',
      '^src/core/results/',
      ['^src/core/pond\\.ts$', TINYFS, BASE],
      "results/ computes a pond's dynamic nodes ahead of publishing through the public Pond API: `results -> pond.ts, tinyfs`, nothing below.",
    ),
  ],

  options: {
    doNotFollow: { path: 'node_modules' },
    // Vite-only module ids: `?raw`/`?url` asset imports, the DuckDB browser build aliased in vite.config.ts, and
    // vite-plugin-pwa's `virtual:pwa-register`.
    exclude: { path: ['\\?(raw|url)$', '^duckdb-wasm-browser-blocking$', '^virtual:'] },
    tsConfig: { fileName: 'tsconfig.json' },
    // Needed to tell `import type` (erased) from runtime imports.
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.svelte', '.js', '.mjs', '.cjs', '.d.ts'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
