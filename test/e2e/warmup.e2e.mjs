// Warm up in idle time, after the first screen (issue 16): DuckDB starts loading once the first
// page of a pond is on screen and the page is idle, when a SQL node of the pond has no valid stored
// result, or when the SQL console opens; never before the first page, and never for a pond whose
// results are all stored (the published demo ships them). Requests are logged from the page's
// (and its workers') responses; the app marks each warm-up (`duckpond:warm-up`, the worker's report).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { baseURL, openDemoCopy, openPage } from './helpers.mjs';

/** DuckDB's JS and wasm. */
const DUCKDB = /duckdb/;
const file = (url) => new URL(url).pathname.split('/').pop();

/** Every response's URL and when it came. */
function recordRequests(page) {
  const seen = [];
  page.on('response', (r) => seen.push({ url: r.url(), at: Date.now() }));
  return seen;
}

/** The warm-ups the page asked for, with the worker's reports. */
function warmUps(page) {
  return page.evaluate(() => performance.getEntriesByName('duckpond:warm-up').map((m) => /** @type {PerformanceMark} */ (m).detail));
}

/** Wait until the page has marked a warm-up for `reason`; returns its report. */
async function warmedUp(page, reason, timeoutMs = 60_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const report = (await warmUps(page)).find((r) => r.reason === reason);
    if (report) return report;
    if (Date.now() > until) throw new Error(`no ${reason} warm-up within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The file computations the pond worker ran (listings of dynamic directories left out). */
async function fileComputes(page) {
  const worker = page.workers().find((w) => w.url().includes('pond.worker'));
  assert.ok(worker, 'the pond worker is running');
  return worker.evaluate(() =>
    performance
      .getEntriesByName('duckpond:compute')
      .map((m) => /** @type {{ path: string; type: string }} */ (/** @type {PerformanceMark} */ (m).detail))
      .filter((d) => d.type !== 'directory')
      .map((d) => d.path),
  );
}

test('a pond with SQL nodes whose results are not stored loads DuckDB at idle after its first page, unasked', async (t) => {
  const { page } = await openDemoCopy(t, 'warm', '/data');
  await page.waitForLoadState('networkidle');
  // Forget the copy's stored results: every SQL node of it would now compute on its first read.
  await page.evaluate(async () => {
    const pond = await (await (await navigator.storage.getDirectory()).getDirectoryHandle('duckpond')).getDirectoryHandle('warm');
    await pond.removeEntry('_results', { recursive: true }).catch(() => {});
  });

  // When the first page (the /data folder, which needs no SQL) is in the document, by the page's clock.
  await page.context().addInitScript(() => {
    new MutationObserver((_, observer) => {
      const folder = document.querySelector('[aria-label="Folder /data"]');
      if (!folder || !/seattle/.test(folder.textContent ?? '')) return;
      /** @type {any} */ (window).firstPageAt = Date.now();
      observer.disconnect();
    }).observe(document, { childList: true, subtree: true, characterData: true });
  });

  const seen = recordRequests(page);
  const started = Date.now();
  await page.reload();
  await page.getByRole('region', { name: 'Folder /data' }).getByText('seattle', { exact: true }).waitFor({ timeout: 60_000 });
  const firstPageAt = await page.evaluate(() => /** @type {any} */ (window).firstPageAt);
  assert.equal(typeof firstPageAt, 'number', 'the page saw its first page come');
  const worker = page.workers().find((w) => w.url().includes('pond.worker'));
  assert.ok(worker, 'the pond worker is running');
  // How long the worker's event loop stalls while DuckDB starts (calls from the page wait that long).
  await worker.evaluate(() => {
    const w = /** @type {any} */ (self);
    w.longestStallMs = 0;
    w.probeFrom = performance.timeOrigin + performance.now();
    let last = performance.now();
    setInterval(() => {
      const now = performance.now();
      w.longestStallMs = Math.max(w.longestStallMs, now - last - 20);
      last = now;
    }, 20);
  });

  const report = await warmedUp(page, 'pond');
  const stall = Math.round(await worker.evaluate(() => /** @type {any} */ (self).longestStallMs));
  const probeFrom = await worker.evaluate(() => /** @type {any} */ (self).probeFrom);
  // When the pond worker started each DuckDB fetch, by its own clock (Resource Timing): no IPC delay in between.
  const fetches = await worker.evaluate(() =>
    performance
      .getEntriesByType('resource')
      .filter((e) => /duckdb/.test(e.name))
      .map((e) => ({ name: e.name, at: performance.timeOrigin + e.startTime })),
  );
  const duckdb = seen.filter((r) => r.at >= started && DUCKDB.test(r.url));
  console.log(
    `first page after ${firstPageAt - started} ms; warm-up ${JSON.stringify(report)}; DuckDB fetched from ${fetches.length ? Math.round(fetches[0].at - firstPageAt) : '-'} ms after it: ${duckdb.map((r) => file(r.url)).join(', ')}; ${fetches.length && probeFrom < fetches[0].at ? `the worker's longest stall while DuckDB started: ${stall} ms` : 'the stall probe started too late'}`,
  );
  assert.equal(report.loaded, true, 'the warm-up loaded DuckDB');
  assert.ok(report.needs, 'it names the SQL node that needs DuckDB');
  assert.ok(
    duckdb.some((r) => r.url.endsWith('.wasm')),
    "DuckDB's wasm was fetched without anyone asking for SQL",
  );
  assert.ok(fetches.length > 0, 'the pond worker fetched DuckDB');
  assert.deepEqual(
    fetches.filter((f) => f.at <= firstPageAt).map((f) => file(f.name)),
    [],
    'no DuckDB fetch started before the first page was in the document',
  );
  assert.deepEqual(await fileComputes(page), [], 'the warm-up computed nothing');
});

test('the published demo (results shipped) loads no DuckDB while idle; opening the SQL console does', async (t) => {
  const { page, errors } = await openPage(t, 'about:blank');
  const seen = recordRequests(page);
  await page.goto(new URL('?pond=ponds/demo/#/demo/README.md', baseURL()).href);
  await page.getByRole('heading', { name: 'The demo pond' }).waitFor({ timeout: 60_000 });
  await page.getByRole('cell', { name: '2012', exact: true }).first().waitFor({ timeout: 30_000 });

  const report = await warmedUp(page, 'pond');
  await page.waitForLoadState('networkidle');
  console.log(`demo warm-up: ${JSON.stringify(report)}`);
  assert.equal(report.loaded, false, `no SQL node of the demo needs computing (${report.needs ?? ''})`);
  assert.ok(report.checked > 0, 'the SQL nodes were looked at');
  assert.deepEqual(
    seen.filter((r) => DUCKDB.test(r.url)).map((r) => file(r.url)),
    [],
    'no DuckDB request while the page is idle',
  );

  const opened = Date.now();
  await page.getByRole('button', { name: 'SQL', exact: true }).click();
  const consoleReport = await warmedUp(page, 'console');
  const duckdb = seen.filter((r) => DUCKDB.test(r.url));
  console.log(`console warm-up: ${JSON.stringify(consoleReport)}; DuckDB ${duckdb.length ? duckdb[0].at - opened : '-'} ms after opening the console`);
  assert.equal(consoleReport.loaded, true);
  assert.ok(
    duckdb.some((r) => r.url.endsWith('.wasm')),
    "opening the SQL console fetched DuckDB's wasm before any query ran",
  );
  assert.deepEqual(errors, []);
});
