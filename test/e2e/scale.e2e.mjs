// A real 3 M-row Parquet file (vega-datasets' flights-3m, 13 MB, written by Polars): imported through
// the Import dialog, opened in the grid, paged to its last row and sorted. While the sort runs the
// worker still answers other calls at once, the grid shows the sort's progress, and the renderer
// (page, pond worker and their wasm memories) stays within its memory bound with the table open.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { openPage, screenshot, workerSession } from './helpers.mjs';

const FLIGHTS = fileURLToPath(new URL('../../node_modules/vega-datasets/data/flights-3m.parquet', import.meta.url));
const MB = 1e6;
/** The renderer's resident memory with the table open, paged and sorted (issue 16's target). */
const RENDERER_LIMIT_MB = 600;
/** The same after a SQL aggregate over it: not yet within the target (see the assertion). */
const QUERIED_LIMIT_MB = 1000;

/**
 * Resident memory (bytes) of the browser's largest renderer process: the one running the page and
 * its pond worker (dedicated workers live in their page's renderer). The pids come from CDP's
 * SystemInfo; the sizes from /proc, so Linux only.
 */
async function rendererRss(cdp) {
  const { processInfo } = await cdp.send('SystemInfo.getProcessInfo');
  let max = 0;
  for (const p of processInfo.filter((x) => x.type === 'renderer')) {
    try {
      const status = await readFile(`/proc/${p.id}/status`, 'utf8');
      max = Math.max(max, Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024);
    } catch {
      /* a renderer that exited since the list was taken */
    }
  }
  return max;
}

test('flights-3m: import, open, page to the end, sort with progress while reads stay quick, memory bounded', async (t) => {
  const { page, context, errors } = await openPage(t);
  const browserCdp = await context
    .browser()
    ?.newBrowserCDPSession?.()
    .catch(() => null);
  const cdp = browserCdp ?? (await context.newCDPSession(page));
  const timings = {};
  const memory = {};
  await page.getByLabel('Pond name').fill('scale');
  await page.getByRole('button', { name: 'Create pond' }).click();
  await page.getByText('This pond is empty').first().waitFor({ timeout: 20_000 });
  memory.emptyMB = (await rendererRss(cdp)) / MB;

  // Import through the dialog, as a user would.
  let started = Date.now();
  await page.getByRole('button', { name: 'Import…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Import files' });
  // By path, as a picked file: a buffer would be copied into the page's heap by the test harness.
  await dialog.getByTestId('import-input').setInputFiles(FLIGHTS);
  await dialog.getByRole('button', { name: /^Import 1 file$/ }).click();
  await dialog.waitFor({ state: 'detached', timeout: 30_000 });
  timings.importMs = Date.now() - started;
  memory.importedMB = (await rendererRss(cdp)) / MB;

  started = Date.now();
  await page.getByRole('treeitem', { name: 'flights-3m', exact: true }).click();
  await page.getByTestId('row-count').filter({ hasText: '3,000,000 rows · 5 columns' }).waitFor({ timeout: 30_000 });
  const grid = page.getByRole('grid', { name: 'Contents of /flights-3m' });
  await grid.locator('[aria-rowindex="2"] [role=gridcell]').first().filter({ hasNotText: '…' }).waitFor();
  timings.firstPageMs = Date.now() - started;

  // The last row, with its data (a LargeUtf8 column past row 190 once failed to page).
  started = Date.now();
  await grid.evaluate((el) => {
    el.scrollTop = el.scrollHeight;
  });
  const last = grid.locator('[aria-rowindex="3000001"]');
  await last.locator('[role=gridcell]').nth(3).filter({ hasNotText: '…' }).waitFor({ timeout: 20_000 });
  timings.lastPageMs = Date.now() - started;
  assert.equal(await last.locator('[role=rowheader]').textContent(), '3000000');
  assert.match(await last.locator('[role=gridcell]').nth(3).textContent(), /^[A-Z]{3}$/, 'an airport code');
  memory.openPagedMB = (await rendererRss(cdp)) / MB;
  await grid.evaluate((el) => {
    el.scrollTop = 0;
  });

  // Sort by origin (a string column, the slowest kind); while it runs, listing and stat answer quickly.
  started = Date.now();
  const header = grid.getByRole('columnheader', { name: /origin/ });
  await header.getByRole('button').click();
  const progress = page.getByTestId('sort-progress');
  const progressShown = progress.waitFor({ timeout: 10_000 });
  const probes = await page.evaluate(async () => {
    const api = globalThis.duckpond.api;
    const times = [];
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 60));
      let t0 = performance.now();
      await api.readdir('/');
      times.push(performance.now() - t0);
      t0 = performance.now();
      await api.stat('/flights-3m');
      times.push(performance.now() - t0);
    }
    return times;
  });
  await progressShown;
  assert.match(await progress.getByRole('progressbar').getAttribute('aria-label'), /Sorting by origin/);
  await grid.locator('[role=columnheader][aria-sort=ascending]').waitFor();
  const first = grid.locator('[aria-rowindex="2"] [role=gridcell]').nth(3);
  await first.filter({ hasNotText: '…' }).waitFor({ timeout: 30_000 });
  timings.sortMs = Date.now() - started;
  timings.slowestReadDuringSortMs = Math.round(Math.max(...probes));
  const firstOrigin = await first.textContent();
  const secondOrigin = await grid.locator('[aria-rowindex="3"] [role=gridcell]').nth(3).textContent();
  assert.ok(firstOrigin <= secondOrigin, `sorted ascending: ${firstOrigin} then ${secondOrigin}`);
  assert.equal(firstOrigin, 'ABE', 'the alphabetically first origin of the data set');
  await screenshot(page, 'scale--01-sorted');

  memory.openSortedMB = (await rendererRss(cdp)) / MB;
  const held = await page.evaluate(() => globalThis.duckpond.api.tableUsage());
  memory.heldMB = held.bytes / MB;
  // What stays once garbage is collected (the figure above also counts garbage not yet collected).
  const workerCdp = await workerSession(context, page);
  const pageCdp = await context.newCDPSession(page);
  for (let i = 0; i < 3; i++) await workerCdp('HeapProfiler.collectGarbage');
  await pageCdp.send('HeapProfiler.collectGarbage');
  memory.openSortedAfterGcMB = (await rendererRss(cdp)) / MB;

  // A SQL aggregate over the open table (loads DuckDB-WASM, which gets its own copy of the input).
  started = Date.now();
  const result = await page.evaluate(async () => {
    const api = globalThis.duckpond.api;
    const r = await api.query('SELECT origin, count(*) AS n, avg(delay) AS mean FROM f GROUP BY origin', { f: '/flights-3m' });
    await api.releaseTable(r.id);
    return r.rows;
  });
  timings.queryMs = Date.now() - started;
  assert.equal(result, 229, 'one row per origin airport');
  memory.queriedMB = (await rendererRss(cdp)) / MB;

  // Sort the other way and cancel: the rows go back to file order, the table stays open.
  await header.getByRole('button').click();
  await progress.getByRole('button', { name: 'Cancel' }).click();
  await progress.waitFor({ state: 'detached' });
  assert.equal(await grid.locator('[aria-sort=ascending], [aria-sort=descending]').count(), 0, 'no column sorted after Cancel');
  assert.deepEqual(
    await page.evaluate(() => globalThis.duckpond.api.tableUsage().then((u) => [u.tables, u.sorting])),
    [1, 0],
    'the table is still held, no sort runs',
  );
  // Ascending again comes from the kept order at once; descending starts over. Leave while it
  // runs: the sort stops and the table is let go.
  await header.getByRole('button').click();
  await grid.locator('[role=columnheader][aria-sort=ascending]').waitFor();
  await header.getByRole('button').click();
  await progress.waitFor({ timeout: 10_000 });
  await page.getByRole('button', { name: 'History', exact: true }).click();
  started = Date.now();
  let usage;
  do {
    usage = await page.evaluate(() => globalThis.duckpond.api.tableUsage());
  } while ((usage.tables > 0 || usage.sorting > 0) && Date.now() - started < 5_000);
  assert.deepEqual(usage, { tables: 0, bytes: 0, sorting: 0 }, 'nothing held after leaving the table');
  timings.releasedAfterLeavingMs = Date.now() - started;
  memory.afterLeavingMB = (await rendererRss(cdp)) / MB;
  console.log(`timings: ${JSON.stringify(timings)}; probes during sort (ms): ${probes.map((x) => Math.round(x)).join(', ')}`);
  console.log(`renderer RSS (MB): ${JSON.stringify(Object.fromEntries(Object.entries(memory).map(([k, v]) => [k, Math.round(v)])))}`);
  // Before the sort ran in slices, a read issued during it waited for the whole sort (3 s). The
  // bounds leave room for a busy machine: the typical read takes ~10 ms.
  const sortedProbes = [...probes].sort((a, b) => a - b);
  assert.ok(sortedProbes[Math.floor(probes.length / 2)] < 100, `the median read during the sort took ${Math.round(sortedProbes[5])} ms`);
  assert.ok(timings.slowestReadDuringSortMs < 250, `a read during the sort took ${timings.slowestReadDuringSortMs} ms`);
  assert.ok(memory.openSortedMB <= RENDERER_LIMIT_MB, `renderer at ${Math.round(memory.openSortedMB)} MB with the table open and sorted`);
  // With DuckDB-WASM loaded and holding its copy of the 3 M rows the target is not met yet (~880 MB
  // measured); this bound catches a regression until SQL inputs are shared (issue 16's SQL part).
  assert.ok(memory.queriedMB <= QUERIED_LIMIT_MB, `renderer at ${Math.round(memory.queriedMB)} MB after a SQL query over the table`);
  assert.deepEqual(errors, []);
});
