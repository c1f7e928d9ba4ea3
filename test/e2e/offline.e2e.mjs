// Offline: after one visit the service worker has cached the app, its worker, DuckDB's and
// parquet-wasm's wasm and the demo pond, so with the network off the app starts, opens the demo,
// runs SQL and creates ponds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage } from './helpers.mjs';

/** Wait until a service worker controls the page (installed = everything precached). */
async function waitForOfflineReady(page) {
  await page.waitForFunction(async () => {
    const reg = await navigator.serviceWorker.getRegistration();
    return Boolean(reg?.active && navigator.serviceWorker.controller);
  }, null, { timeout: 120_000, polling: 250 });
  await page.getByTestId('offline-ready').waitFor({ timeout: 60_000 });
}

test('after one visit the app works with the network off: start, demo, SQL, a new pond', async (t) => {
  const { page, context, errors } = await openPage(t);
  await page.getByRole('heading', { name: 'Welcome to DuckPond' }).waitFor({ timeout: 30_000 });
  await waitForOfflineReady(page);

  await context.setOffline(true);
  const failed = [];
  page.on('requestfailed', (r) => failed.push(r.url()));
  const started = Date.now();
  await page.reload();
  await page.getByRole('heading', { name: 'Welcome to DuckPond' }).waitFor({ timeout: 30_000 });
  console.log(`offline reload to the welcome screen: ${Date.now() - started} ms`);

  // The demo comes from the precache; its README is computed (template over SQL: DuckDB's wasm too).
  await page.getByRole('button', { name: 'Explore the demo pond' }).click();
  await page.getByRole('heading', { name: 'The demo pond' }).waitFor({ timeout: 90_000 });
  await page.getByRole('cell', { name: '2015', exact: true }).waitFor({ timeout: 30_000 });

  await page.getByRole('button', { name: 'SQL' }).click();
  const editor = page.getByTestId('sql-editor');
  await editor.fill('SELECT 6 * 7 AS answer');
  await page.getByRole('button', { name: /^Run/ }).click();
  await page.getByRole('grid', { name: 'Query result' }).getByRole('gridcell', { name: '42' }).waitFor({ timeout: 60_000 });

  // A pond of this browser, created offline.
  await page.getByRole('button', { name: 'Storage' }).click();
  await page.getByLabel('New pond name').fill('offline notes');
  await page.getByRole('button', { name: 'Create pond' }).click();
  await page.getByText('This pond is empty').first().waitFor({ timeout: 30_000 });

  assert.deepEqual(failed, [], 'nothing had to come from the network');
  // Offline, the worker-ping and everything else worked; the only errors allowed are none.
  assert.deepEqual(errors.filter((e) => !e.includes('ERR_INTERNET_DISCONNECTED')), []);
});
