// Results that last: the demo pond ships its dynamic results (`_results/`), so a first visit and a
// reload show the computed README without running a factory, and without loading DuckDB or the
// template VM (QuickJS). Factory runs are counted from the pond worker's `duckpond:compute`
// performance marks; requests from the page's (and its workers') responses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, baseURL } from './helpers.mjs';

/** DuckDB's JS and wasm, and the template VM's (QuickJS wasm, its sandbox chunk, nunjucks). */
const ENGINES = /duckdb|emscripten-module|sandbox-|nunjucks\.min|ffi-|loader-/;
const PARQUET = /parquet_wasm/;

/** Every response's URL and when it came. */
function recordRequests(page) {
  const seen = [];
  page.on('response', (r) => seen.push({ url: r.url(), at: Date.now() }));
  return seen;
}

const file = (url) => new URL(url).pathname.split('/').pop();

/** The file computations the pond worker ran (dynamic directories are listings: counted apart). */
async function factoryRuns(page) {
  const worker = page.workers().find((w) => w.url().includes('pond.worker'));
  assert.ok(
    worker,
    `the pond worker is running (${page
      .workers()
      .map((w) => w.url())
      .join(', ')})`,
  );
  return worker.evaluate(() =>
    performance.getEntriesByName('duckpond:compute').map((m) => {
      const d = /** @type {{ path: string; type: string; factory: string }} */ (/** @type {PerformanceMark} */ (m).detail);
      return { path: d.path, type: d.type, factory: d.factory };
    }),
  );
}

/** Wait for the computed README (its table row of 2012 comes from a sql_query) and return when; logs when the tree showed. */
async function readmeShown(page, since) {
  await page.getByRole('treeitem', { name: 'data', exact: true }).waitFor({ timeout: 90_000 });
  console.log(`  tree after ${Date.now() - since} ms`);
  await page.getByRole('heading', { name: 'The demo pond' }).waitFor({ timeout: 90_000 });
  await page.getByRole('cell', { name: '2012', exact: true }).first().waitFor({ timeout: 30_000 });
  return Date.now();
}

function check(label, seen, since, shownAt, runs) {
  const before = seen.filter((r) => r.at >= since && r.at <= shownAt);
  const engines = before.filter((r) => ENGINES.test(r.url));
  const parquet = before.some((r) => PARQUET.test(r.url));
  const files = runs.filter((r) => r.type !== 'directory');
  const dirs = runs.filter((r) => r.type === 'directory');
  console.log(
    `${label}: computed README after ${shownAt - since} ms; factory runs ${files.length} (listings of dynamic directories ${dirs.length}${dirs.length ? `: ${dirs.map((d) => d.path).join(', ')}` : ''}); ` +
      `engine requests before it ${engines.length}${parquet ? '; parquet-wasm fetched (the Delta log is Parquet)' : ''}`,
  );
  assert.deepEqual(
    engines.map((r) => file(r.url)),
    [],
    `${label}: no DuckDB or template-VM request before the README is shown`,
  );
  assert.deepEqual(files, [], `${label}: no factory ran for a file`);
}

test('a first visit and a reload show the computed demo README without computing it', async (t) => {
  const { page, errors } = await openPage(t, 'about:blank', { firstVisit: true });
  const seen = recordRequests(page);
  const started = Date.now();
  await page.goto(baseURL());
  const shown = await readmeShown(page, started);
  check('first visit', seen, started, shown, await factoryRuns(page));
  const readme = await page
    .getByRole('row')
    .filter({ has: page.getByRole('cell', { name: '2012', exact: true }) })
    .first()
    .allTextContents();
  // Reloaded once the page is settled (a reload mid-fetch aborts requests, which the error list counts).
  await page.waitForLoadState('networkidle');

  const reloaded = Date.now();
  await page.reload();
  const shownAgain = await readmeShown(page, reloaded);
  check('reload', seen, reloaded, shownAgain, await factoryRuns(page));
  assert.deepEqual(
    await page
      .getByRole('row')
      .filter({ has: page.getByRole('cell', { name: '2012', exact: true }) })
      .first()
      .allTextContents(),
    readme,
    'the same README after the reload',
  );
  // Later, nothing has to load the engines either: the README is the whole first screen.
  await page.waitForLoadState('networkidle');
  console.log(
    `after the first screen: ${seen.filter((r) => ENGINES.test(r.url)).length} engine requests (${[...new Set(seen.filter((r) => ENGINES.test(r.url)).map((r) => file(r.url)))].join(', ') || 'none'})`,
  );
  assert.deepEqual(errors, []);
});
