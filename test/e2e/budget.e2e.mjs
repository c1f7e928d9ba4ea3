// The load budget: the app's first screen needs at most ~300 KB of gzipped JavaScript (page + pond
// worker) and fetches no WebAssembly; DuckDB and parquet-wasm load on demand, when something needs
// SQL or Parquet (on a first visit that is at once: the demo's README is computed with SQL). The
// build ships only DuckDB's eh bundle (and the template VM's QuickJS wasm).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { openPage, baseURL } from './helpers.mjs';
import { bundleSize, formatBytes } from '../../bench/bundle-size.mjs';

const BUDGET_GZIP = 300_000;

test("the build ships only DuckDB's eh bundle and the template VM, and its first screen is within the budget", async () => {
  const dist = process.env.E2E_DIST_DIR;
  assert.ok(dist, 'E2E_DIST_DIR is set by test/e2e/run.mjs');
  const wasm = (await readdir(`${dist}/assets`)).filter((f) => f.endsWith('.wasm'));
  assert.deepEqual(wasm.map((f) => f.replace(/-[\w-]{8}\.wasm$/, '.wasm')).sort(), ['duckdb-eh.wasm', 'emscripten-module.wasm', 'parquet_wasm_bg.wasm']);
  // No other DuckDB bundle hides in JS either (mvp/coi workers or their pthread helpers).
  assert.deepEqual(
    (await readdir(`${dist}/assets`)).filter((f) => /duckdb-(mvp|coi)|pthread/.test(f)),
    [],
  );

  const report = await bundleSize(dist);
  const group = (name) => report.groups.find((g) => g.name.startsWith(name));
  // The pond worker must be found as part of the first screen, or the figure below would shrink unnoticed.
  assert.ok(
    group('workers the initial JS can start').files.some((f) => f.file.includes('pond.worker')),
    'the analysis finds the pond worker',
  );
  const firstScreen = group('first screen').gzip;
  console.log(
    `first screen by the build's graph: ${formatBytes(firstScreen)} gzipped JS; dist ${formatBytes(group('total').raw)} (${formatBytes(group('total').gzip)} gzipped); precache ${report.precache?.entries} entries, ${formatBytes(report.precache?.raw ?? 0)}`,
  );
  assert.ok(firstScreen <= BUDGET_GZIP, `first-screen JS is ${formatBytes(firstScreen)} gzipped`);
});

/** Record every JS and wasm response of `page` (the page's and its workers'), with its body. */
function recordScripts(page) {
  const fetched = [];
  page.on('response', async (r) => {
    const url = r.url();
    if (/\.(m?js|wasm)$/.test(new URL(url).pathname)) fetched.push({ url, at: Date.now(), body: await r.body().catch(() => Buffer.alloc(0)) });
  });
  return fetched;
}

const gzipped = (files) => files.reduce((n, f) => n + gzipSync(f.body, { level: 9 }).length, 0);
const names = (files) => files.map((f) => new URL(f.url).pathname.split('/').pop()).join(', ');
/** DuckDB's, parquet-wasm's and the template VM's JS glue and binaries (QuickJS, nunjucks): what "on demand" is about. */
const ON_DEMAND = /duckdb|parquet_wasm|Arrow\.dom|emscripten-module|sandbox-|nunjucks\.min|ffi-|loader-/;

test("a returning visitor's first screen fetches at most 300 KB of gzipped JS and no wasm", async (t) => {
  // A cold profile (no cache, no service worker), listening from before the navigation.
  const { page, errors } = await openPage(t, 'about:blank');
  const fetched = recordScripts(page);
  const started = Date.now();
  await page.goto(baseURL());
  await page.getByRole('heading', { name: 'Welcome to DuckPond' }).waitFor({ timeout: 30_000 });
  console.log(`cold start to the welcome screen: ${Date.now() - started} ms`);
  await page.getByTestId('status').filter({ hasText: 'ready' }).waitFor({ timeout: 30_000 });
  await page.waitForLoadState('networkidle');
  const js = fetched.filter((f) => !f.url.endsWith('.wasm'));
  const gz = gzipped(js);
  console.log(`first screen as fetched: ${js.length} JS files, ${formatBytes(gz)} gzipped (${names(js)})`);
  assert.ok(
    js.some((f) => f.url.includes('pond.worker')),
    'the pond worker is part of the first screen',
  );
  assert.deepEqual(
    fetched.filter((f) => f.url.endsWith('.wasm')).map((f) => f.url),
    [],
  );
  assert.ok(gz <= BUDGET_GZIP, `fetched ${formatBytes(gz)} gzipped JS`);
  assert.deepEqual(errors, []);
});

test('a first visit: the app is within the budget, and the demo README ships computed (no DuckDB, no template VM)', async (t) => {
  const { page, errors } = await openPage(t, 'about:blank', { firstVisit: true });
  const fetched = recordScripts(page);
  const started = Date.now();
  await page.goto(baseURL());
  await page.getByRole('heading', { name: 'The demo pond' }).waitFor({ timeout: 90_000 });
  const shown = Date.now() - started;
  await page.waitForLoadState('networkidle');
  const app = fetched.filter((f) => !ON_DEMAND.test(f.url));
  const demand = fetched.filter((f) => ON_DEMAND.test(f.url));
  console.log(
    `first visit: demo README after ${shown} ms; app ${app.length} JS files, ${formatBytes(gzipped(app))} gzipped; on demand ${demand.length} files, ${formatBytes(gzipped(demand))} gzipped (${names(demand)})`,
  );
  assert.ok(gzipped(app) <= BUDGET_GZIP, `the app fetched ${formatBytes(gzipped(app))} gzipped JS`);
  // The README is a template over sql_query, and the demo ships its result (`_results/`, see
  // results.e2e.mjs): only parquet-wasm (the Delta log is Parquet) loads on demand, not the engines.
  assert.deepEqual(
    demand.filter((f) => !/parquet_wasm|Arrow\.dom/.test(f.url)).map((f) => new URL(f.url).pathname.split('/').pop()),
    [],
  );
  assert.deepEqual(errors, []);
});
