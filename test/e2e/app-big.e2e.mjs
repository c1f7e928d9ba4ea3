// A million rows: made by a scribble node through the Create form, shown in the grid, scrolled to
// the end and sorted, all without blocking the page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, screenshot } from './helpers.mjs';

const CONFIG = `schema:
  - { name: time, type: timestamp, step_ms: 1000 }
  - { name: value, type: float, distribution: normal, mean: 0, stddev: 1 }
  - { name: sensor, type: string, values: [a, b, c] }
row_count: 1000000
seed: 7
`;

test('a million-row dynamic table: create it, scroll to the end, sort it', async (t) => {
  const { page, errors } = await openPage(t);
  const timings = {};
  await page.getByLabel('Pond name').fill('big');
  await page.getByRole('button', { name: 'Create pond' }).click();
  await page.getByText('This pond is empty').first().waitFor({ timeout: 20_000 });

  // The Create form validates as you type with the factory's own schema.
  await page.getByRole('toolbar', { name: 'Pond actions' }).getByRole('button', { name: '+ Dynamic…' }).click();
  const dialog = page.getByRole('dialog', { name: /New dynamic node/ });
  await dialog.getByLabel('Factory').selectOption('scribble');
  await dialog.getByLabel('Name').fill('million');
  const config = dialog.getByLabel('Config (YAML or JSON)');
  await config.fill('row_count: -1');
  await dialog
    .getByText(/schema/)
    .first()
    .waitFor();
  assert.equal(await dialog.getByRole('button', { name: 'Create node' }).isDisabled(), true);
  await screenshot(page, 'app-big--01-create-invalid');
  await config.fill(CONFIG);
  await dialog.getByText('✓ Valid: makes a Table').waitFor();
  await dialog.getByRole('button', { name: 'Create node' }).click();

  let started = Date.now();
  await page.getByTestId('row-count').filter({ hasText: '1,000,000 rows' }).waitFor({ timeout: 90_000 });
  timings.openMs = Date.now() - started;
  const grid = page.getByRole('grid', { name: 'Contents of /million' });
  await grid.locator('[aria-rowindex="2"] [role=gridcell]').first().filter({ hasNotText: '…' }).waitFor();

  // Scroll to the very end: the last row shows, with its data.
  started = Date.now();
  await grid.evaluate((el) => {
    el.scrollTop = el.scrollHeight;
  });
  const last = grid.locator('[aria-rowindex="1000001"]');
  await last.locator('[role=gridcell]').first().filter({ hasNotText: '…' }).waitFor({ timeout: 30_000 });
  timings.scrollToEndMs = Date.now() - started;
  assert.equal(await last.locator('[role=rowheader]').textContent(), '1000000');
  await screenshot(page, 'app-big--02-scrolled-to-end');

  // Sort by value, descending: the first row holds the largest value.
  await grid.evaluate((el) => {
    el.scrollTop = 0;
  });
  started = Date.now();
  const header = grid.getByRole('columnheader', { name: /value/ });
  await header.getByRole('button').click();
  await header.getByRole('button').click();
  await grid.locator('[role=columnheader][aria-sort=descending]').waitFor();
  const first = grid.locator('[aria-rowindex="2"] [role=gridcell]').nth(1);
  await first.filter({ hasNotText: '…' }).waitFor({ timeout: 60_000 });
  timings.sortMs = Date.now() - started;
  const second = Number(await grid.locator('[aria-rowindex="3"] [role=gridcell]').nth(1).textContent());
  assert.ok(Number(await first.textContent()) >= second, 'sorted descending');
  assert.ok(Number(await first.textContent()) > 4, 'the maximum of a million normal draws is far out');
  // The page stayed responsive: a click on another area answers at once.
  const clickStarted = Date.now();
  await page.getByRole('button', { name: 'History', exact: true }).click();
  await page.getByRole('heading', { name: /History of big/ }).waitFor();
  timings.clickDuringWorkMs = Date.now() - clickStarted;
  await page.getByRole('button', { name: 'Browse', exact: true }).click();
  await screenshot(page, 'app-big--03-sorted');
  console.log(`timings: ${JSON.stringify(timings)}`);
  assert.deepEqual(errors, []);
});
