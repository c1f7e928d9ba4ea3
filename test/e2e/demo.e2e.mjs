// The shipped demo pond: opened on the first visit straight from the site (read-only, no build
// step in the browser), explored, then copied into the browser to be changed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeLocalCopy, openPage } from './helpers.mjs';

test('a first visit opens the demo pond: real data, each factory, a README computed from the data', async (t) => {
  const started = Date.now();
  const { page, errors } = await openPage(t, '', { firstVisit: true });
  // The README is a template node: its table comes from a sql_query over the per-year weather tables.
  await page.getByRole('heading', { name: 'The demo pond' }).waitFor({ timeout: 90_000 });
  console.log(`first visit to the demo README rendered: ${Date.now() - started} ms`);
  assert.match(page.url(), /\?pond=ponds\/demo\/#\/demo\/README\.md$/);
  await page.getByText('published · read-only').waitFor();
  for (const year of ['2012', '2015']) await page.getByRole('cell', { name: year, exact: true }).waitFor({ timeout: 30_000 });
  const cells = await page
    .getByRole('row')
    .filter({ has: page.getByRole('cell', { name: '2012', exact: true }) })
    .getByRole('cell')
    .allTextContents();
  assert.equal(cells.length, 4);
  for (const c of cells.slice(1)) assert.ok(Number(c) > 0, `a computed number, got ${c}`);
  for (const name of ['data', 'sensors', 'views', 'README.md']) {
    await page
      .getByRole('treeitem', { name: new RegExp(`^${name.replace('.', '\\.')}\\b`) })
      .first()
      .waitFor({ timeout: 10_000 });
  }
  await page.getByRole('button', { name: 'History' }).click();
  await page.getByText('Append CO₂ readings of the 1950s').waitFor({ timeout: 10_000 });
  await page.getByText('Add views: SQL, combine, directory and scribble').waitFor();
  await page.getByText(/^Add time-series views: hourly readings reduced to 6h, 1d and 7d/).waitFor();
  await page.getByText('Add the README, a template computed from the data').waitFor();
  await page.screenshot({ path: new URL('./screenshots/demo--history.png', import.meta.url).pathname });

  // Reloading keeps the demo (the URL names it) and does not reopen the welcome screen.
  await page.reload();
  await page.getByText('published · read-only').waitFor({ timeout: 30_000 });
  assert.deepEqual(errors, []);
});

test('a local copy of the demo can be edited, then reset to the shipped version', async (t) => {
  const { page, errors } = await openPage(t);
  await page.getByRole('button', { name: 'Explore the demo pond' }).click();
  await page.getByRole('heading', { name: 'The demo pond' }).waitFor({ timeout: 90_000 });

  await makeLocalCopy(page, 'my demo');
  assert.equal(await page.getByText('published · read-only').count(), 0);
  assert.doesNotMatch(page.url(), /\?pond=/);

  // Edit a dynamic node's config in the Inspector: a new version, and the node recomputes.
  await page.getByRole('treeitem', { name: 'views', exact: true }).click();
  await page.getByRole('treeitem', { name: 'yearly-weather sql_query', exact: true }).click();
  await page.getByText(/^4 rows/).waitFor({ timeout: 30_000 });
  await page.getByRole('button', { name: 'Edit config…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Edit config of /views/yearly-weather' });
  await dialog
    .getByLabel('Config (YAML or JSON)')
    .fill('query: SELECT year(date) AS year FROM w GROUP BY ALL ORDER BY year LIMIT 2\ntables:\n  w: /data/seattle/*.parquet\n');
  await dialog.getByText(/Valid/).waitFor();
  await dialog.getByRole('button', { name: 'Save as a new version' }).click();
  await page.getByText(/^2 rows/).waitFor({ timeout: 30_000 });
  await page.getByText(/^v2 · txn/).waitFor();

  // Reset: the copy goes back to what the site ships.
  await page.getByRole('button', { name: 'Storage' }).click();
  page.once('dialog', (d) => void d.accept());
  await page.getByRole('button', { name: 'Reset to the published version' }).click();
  await page.getByText(/“my demo” is back at the published version/).waitFor({ timeout: 60_000 });
  await page.getByRole('button', { name: 'Browse' }).click();
  await page.getByRole('treeitem', { name: 'views', exact: true }).click();
  await page.getByRole('treeitem', { name: 'yearly-weather sql_query', exact: true }).click();
  await page.getByText(/^4 rows/).waitFor({ timeout: 30_000 });
  assert.deepEqual(errors, []);
});
