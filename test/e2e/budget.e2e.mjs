// The load budget: the first screen needs at most ~300 KB of gzipped JavaScript (page + pond
// worker), fetches no WebAssembly (DuckDB and parquet-wasm load on demand), and the build ships
// only DuckDB's eh bundle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { openPage, baseURL } from './helpers.mjs';
import { bundleSize, formatBytes } from '../../bench/bundle-size.mjs';

const BUDGET_GZIP = 300_000;

test('the build ships only DuckDB\'s eh bundle, and its first screen is within the budget', async () => {
  const dist = process.env.E2E_DIST_DIR;
  assert.ok(dist, 'E2E_DIST_DIR is set by test/e2e/run.mjs');
  const wasm = (await readdir(`${dist}/assets`)).filter((f) => f.endsWith('.wasm'));
  assert.deepEqual(wasm.map((f) => f.replace(/-[\w-]{8}\.wasm$/, '.wasm')).sort(), ['duckdb-eh.wasm', 'parquet_wasm_bg.wasm']);
  // No other DuckDB bundle hides in JS either (mvp/coi workers or their pthread helpers).
  assert.deepEqual((await readdir(`${dist}/assets`)).filter((f) => /duckdb-(mvp|coi)|pthread/.test(f)), []);

  const report = await bundleSize(dist);
  const group = (name) => report.groups.find((g) => g.name.startsWith(name));
  const firstScreen = group('first screen').gzip;
  console.log(`first screen by the build's graph: ${formatBytes(firstScreen)} gzipped JS; dist ${formatBytes(group('total').raw)} (${formatBytes(group('total').gzip)} gzipped); precache ${report.precache?.entries} entries, ${formatBytes(report.precache?.raw ?? 0)}`);
  assert.ok(firstScreen <= BUDGET_GZIP, `first-screen JS is ${formatBytes(firstScreen)} gzipped`);
});

test('a first visit fetches at most 300 KB of gzipped JS and no wasm', async (t) => {
  // A cold profile (no cache, no service worker), listening from before the navigation.
  const { page, errors } = await openPage(t, 'about:blank');
  const fetched = [];
  page.on('response', async (r) => {
    const url = r.url();
    if (/\.(m?js|wasm)$/.test(new URL(url).pathname)) fetched.push({ url, body: await r.body().catch(() => Buffer.alloc(0)) });
  });
  const started = Date.now();
  await page.goto(baseURL());
  await page.getByRole('heading', { name: 'Welcome to DuckPond' }).waitFor({ timeout: 30_000 });
  console.log(`cold first visit to the welcome screen: ${Date.now() - started} ms`);
  await page.getByTestId('status').filter({ hasText: 'ready' }).waitFor({ timeout: 30_000 });
  await page.waitForLoadState('networkidle');
  const js = fetched.filter((f) => !f.url.endsWith('.wasm'));
  const gz = js.reduce((n, f) => n + gzipSync(f.body, { level: 9 }).length, 0);
  console.log(`first screen as fetched: ${js.length} JS files, ${formatBytes(gz)} gzipped (${js.map((f) => new URL(f.url).pathname.split('/').pop()).join(', ')})`);
  assert.ok(js.some((f) => f.url.includes('pond.worker')), 'the pond worker is part of the first screen');
  assert.deepEqual(fetched.filter((f) => f.url.endsWith('.wasm')).map((f) => f.url), []);
  assert.ok(gz <= BUDGET_GZIP, `fetched ${formatBytes(gz)} gzipped JS`);
  assert.deepEqual(errors, []);
});
