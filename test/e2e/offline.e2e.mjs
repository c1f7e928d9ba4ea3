// Offline: after one visit the service worker has cached the app, its worker, DuckDB's and
// parquet-wasm's wasm and the demo pond, so with the network off the app starts, opens the demo,
// runs SQL over it and creates ponds and folders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { openPage, baseURL } from './helpers.mjs';

/** Every file under `dir`, as site-relative posix paths (dot-files left out, as the precache does). */
async function files(dir, root = dir) {
  const out = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await files(p, root)));
    else out.push(relative(root, p).split(sep).join('/'));
  }
  return out;
}

/** What the browser's Cache Storage holds, as site-relative paths (Workbox's revision query dropped). */
async function cachedPaths(page, base) {
  const urls = await page.evaluate(async () => {
    const out = [];
    for (const name of await caches.keys()) {
      for (const req of await (await caches.open(name)).keys()) out.push(req.url);
    }
    return out;
  });
  return new Set(urls.map((u) => decodeURIComponent(new URL(u).pathname).slice(new URL(base).pathname.length)));
}

/**
 * Open the shipped demo: from the welcome screen, or as it is when the app opened it by itself.
 * Returns once its README (a template over SQL, so DuckDB ran) is rendered.
 */
async function openDemo(page) {
  const welcome = page.getByRole('heading', { name: 'Welcome to DuckPond' });
  const demo = page.getByRole('heading', { name: 'The demo pond' });
  await welcome.or(demo).first().waitFor({ timeout: 60_000 });
  if (await welcome.isVisible()) await page.getByRole('button', { name: 'Explore the demo pond' }).click();
  await demo.waitFor({ timeout: 90_000 });
  await page.getByRole('cell', { name: '2015', exact: true }).waitFor({ timeout: 60_000 });
}

test('after one visit the app works with the network off: start, demo, SQL, a new pond and folder', async (t) => {
  const { page, context, errors } = await openPage(t, 'about:blank');
  const base = baseURL();
  const started = Date.now();
  await page.goto(base);
  await page
    .getByRole('heading', { name: 'Welcome to DuckPond' })
    .or(page.getByRole('heading', { name: 'The demo pond' }))
    .first()
    .waitFor({ timeout: 60_000 });
  console.log(`first visit to the first screen: ${Date.now() - started} ms`);
  // "works offline" appears once the service worker installed, i.e. once everything is precached.
  await page.getByTestId('offline-ready').waitFor({ timeout: 120_000 });
  console.log(`first visit until everything is precached: ${Date.now() - started} ms`);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 30_000 });

  // What the service worker holds is what the build ships: the shell, every asset (the pond
  // worker's chunks, DuckDB and parquet-wasm), and every file of every shipped pond.
  const dist = process.env.E2E_DIST_DIR;
  assert.ok(dist, 'E2E_DIST_DIR is set by test/e2e/run.mjs');
  const { ponds } = JSON.parse(await readFile(join(dist, 'ponds/ponds.json'), 'utf8'));
  const shipped = ['index.html', 'ponds/ponds.json', ...(await files(join(dist, 'assets'), dist))];
  for (const p of ponds) shipped.push(...(await files(join(dist, p.path), dist)));
  const cached = await cachedPaths(page, base);
  assert.deepEqual(
    shipped.filter((f) => !cached.has(f)),
    [],
    'every shipped file is precached',
  );
  assert.ok(shipped.some((f) => f.endsWith('.wasm')) && shipped.some((f) => f.includes('pond.worker')));

  await context.setOffline(true);
  const failed = [];
  page.on('requestfailed', (r) => failed.push(r.url()));
  const offlineStart = Date.now();
  await page.reload();
  await page
    .getByRole('heading', { name: 'Welcome to DuckPond' })
    .or(page.getByRole('heading', { name: 'The demo pond' }))
    .first()
    .waitFor({ timeout: 30_000 });
  console.log(`offline reload to the first screen: ${Date.now() - offlineStart} ms`);

  await openDemo(page);
  console.log(`offline reload to the demo README (computed with DuckDB): ${Date.now() - offlineStart} ms`);

  // SQL over the demo's Parquet files: parquet-wasm and DuckDB, both from the precache.
  await page.getByRole('button', { name: 'SQL', exact: true }).click();
  await page.getByRole('button', { name: 'Add table' }).click();
  const name = page.getByLabel('Table name').last();
  await name.fill('w');
  await name.press('Tab');
  const pattern = page.getByLabel('Pattern for w');
  await pattern.fill('/data/seattle/*.parquet');
  await pattern.press('Tab');
  await page.getByTestId('sql-editor').fill('SELECT count(*) AS days FROM w');
  await page.getByRole('button', { name: /^Run/ }).click();
  await page.getByRole('grid', { name: 'Query result' }).getByRole('gridcell', { name: '1461' }).waitFor({ timeout: 60_000 });

  // A pond of this browser, and a folder in it, created offline.
  await page.getByRole('button', { name: 'Storage' }).click();
  await page.getByLabel('New pond name').fill('offline notes');
  await page.getByRole('button', { name: 'Create pond' }).click();
  await page.getByText('This pond is empty').first().waitFor({ timeout: 30_000 });
  await page.getByRole('toolbar', { name: 'Pond actions' }).getByRole('button', { name: '+ Folder' }).click();
  await page.getByRole('dialog').getByLabel('Name').fill('made-offline');
  await page.getByRole('button', { name: 'Create folder' }).click();
  await page.getByRole('treeitem', { name: 'made-offline' }).waitFor({ timeout: 30_000 });

  assert.deepEqual(failed, [], 'nothing had to come from the network');
  assert.deepEqual(errors, []);
});
