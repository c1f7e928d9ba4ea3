// The load budget: the first screen needs at most ~300 KB of gzipped JavaScript (page + pond
// worker), fetches no WebAssembly (DuckDB and parquet-wasm load on demand), and the build ships
// only DuckDB's eh bundle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { openPage } from './helpers.mjs';
import { bundleSize, formatBytes } from '../../bench/bundle-size.mjs';

const BUDGET_GZIP = 300 * 1024;

test('the first screen stays within 300 KB of gzipped JS and loads no wasm', async (t) => {
  const dist = process.env.E2E_DIST_DIR;
  assert.ok(dist, 'E2E_DIST_DIR is set by test/e2e/run.mjs');
  const report = await bundleSize(dist);
  const group = (name) => report.groups.find((g) => g.name.startsWith(name));
  const firstScreen = group('initial JS').gzip + group('workers the initial JS can start').gzip;
  console.log(`first screen by the build's graph: ${formatBytes(firstScreen)} gzipped JS; dist total ${formatBytes(group('total').raw)}`);
  assert.ok(firstScreen <= BUDGET_GZIP, `first-screen JS is ${formatBytes(firstScreen)} gzipped`);

  const wasm = (await readdir(`${dist}/assets`)).filter((f) => f.endsWith('.wasm'));
  assert.deepEqual(wasm.map((f) => f.replace(/-[\w-]{8}\.wasm$/, '.wasm')).sort(), ['duckdb-eh.wasm', 'parquet_wasm_bg.wasm']);

  // What a real first screen fetches (a returning visitor with no ponds: the welcome screen).
  const { page, errors } = await openPage(t);
  // Once the service worker finished precaching (a reload would abort its downloads otherwise).
  await page.getByTestId('offline-ready').waitFor({ timeout: 120_000 });
  const fetched = [];
  page.on('response', async (r) => {
    const url = r.url();
    if (/\.(m?js|wasm)$/.test(new URL(url).pathname)) fetched.push({ url, body: await r.body().catch(() => Buffer.alloc(0)) });
  });
  await page.reload();
  await page.getByRole('heading', { name: 'Welcome to DuckPond' }).waitFor({ timeout: 30_000 });
  await page.getByTestId('status').filter({ hasText: 'pong' }).waitFor();
  await page.waitForLoadState('networkidle');
  const js = fetched.filter((f) => !f.url.endsWith('.wasm'));
  const gz = js.reduce((n, f) => n + gzipSync(f.body, { level: 9 }).length, 0);
  console.log(`first screen as fetched: ${js.length} JS files, ${formatBytes(gz)} gzipped`);
  assert.deepEqual(fetched.filter((f) => f.url.endsWith('.wasm')).map((f) => f.url), []);
  assert.ok(gz <= BUDGET_GZIP, `fetched ${formatBytes(gz)} gzipped JS`);
  assert.deepEqual(errors, []);
});
