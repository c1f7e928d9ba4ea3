// Issue 17 item 4: a sql_query's query is parsed and bound against its inputs before it is saved;
// editing a node others read warns first, and a broken edit can be undone with "Restore version N".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDemoCopy, screenshot } from './helpers.mjs';

const WEATHER = 'tables:\n  w: /data/seattle/*.parquet\n';

/** Open the create dialog in /views with a sql_query named `name` and `config` typed in. */
async function draft(page, name, config) {
  await page.getByRole('button', { name: '+ Dynamic…' }).click();
  const dialog = page.getByRole('dialog', { name: 'New dynamic node in /views' });
  await dialog.getByLabel('Factory').selectOption('sql_query');
  await dialog.getByLabel('Name').fill(name);
  await dialog.getByLabel('Config (YAML or JSON)').fill(config);
  return dialog;
}

test('4: a syntax error, a missing column or an unmatched pattern is caught before saving', async (t) => {
  const { page } = await openDemoCopy(t, 'sqlcheck', '/views');
  const dialog = await draft(page, 'broken', `query: SELECT year(date) AS year FROM w WHERE\n${WEATHER}`);
  const check = dialog.getByTestId('config-check');
  await check.getByText(/syntax error at end of input/).waitFor({ timeout: 60_000 });
  assert.equal(await check.getByText(/Valid/).count(), 0);
  assert.equal(await dialog.getByRole('button', { name: 'Create node' }).isDisabled(), true);
  assert.equal(await dialog.getByRole('button', { name: 'Save anyway' }).count(), 0, 'a syntax error never saves');
  await screenshot(page, 'sql-check--syntax-error');

  // Binding: a column the input does not have, with the line and column of the mistake.
  await dialog.getByLabel('Config (YAML or JSON)').fill(`query: |\n  SELECT year(date) AS year,\n    nope FROM w\n${WEATHER}`);
  await check.getByText(/Referenced column "nope" not found.*line 2, column 3/).waitFor({ timeout: 30_000 });
  assert.equal(await dialog.getByRole('button', { name: 'Create node' }).isDisabled(), true);

  // A pattern that matches nothing names the pattern, as a read would.
  await dialog.getByLabel('Config (YAML or JSON)').fill('query: SELECT * FROM w\ntables:\n  w: /data/nowhere/*.parquet\n');
  await check.getByText(/no file matches the pattern "\/data\/nowhere\/\*\.parquet"/).waitFor({ timeout: 30_000 });

  // A good query is valid and saves.
  await dialog.getByLabel('Config (YAML or JSON)').fill(`query: SELECT year(date) AS year FROM w GROUP BY ALL ORDER BY year\n${WEATHER}`);
  await check.getByText(/✓ Valid/).waitFor({ timeout: 30_000 });
  await dialog.getByRole('button', { name: 'Create node' }).click();
  await page
    .getByTestId('row-count')
    .filter({ hasText: /^4 rows/ })
    .waitFor({ timeout: 30_000 });
});

test('4: editing a node others read names them; a broken edit is undone with “Restore version 1”', async (t) => {
  const { page } = await openDemoCopy(t, 'sqlrestore', '/views');
  await page.getByRole('region', { name: 'Viewer' }).getByText('yearly-weather', { exact: true }).click();
  await page
    .getByTestId('row-count')
    .filter({ hasText: /^4 rows/ })
    .waitFor({ timeout: 30_000 });
  await page.getByRole('button', { name: 'Edit config…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Edit config of /views/yearly-weather' });
  // The README template reads this node: the dialog says so before anything is saved.
  await dialog.getByTestId('readers').getByText('/README.md').waitFor({ timeout: 30_000 });

  // A column that does not exist (yet): caught, and saved only on an explicit "Save anyway".
  await dialog.getByLabel('Config (YAML or JSON)').fill(`query: SELECT humidity FROM w\n${WEATHER}`);
  await dialog
    .getByTestId('config-check')
    .getByText(/Referenced column "humidity" not found/)
    .waitFor({ timeout: 60_000 });
  assert.equal(await dialog.getByRole('button', { name: 'Save as a new version' }).isDisabled(), true);
  await dialog.getByRole('button', { name: 'Save anyway' }).click();

  // The node now fails on read; its view offers the way back.
  const viewer = page.getByRole('region', { name: 'Viewer' });
  await viewer
    .getByText(/humidity/)
    .first()
    .waitFor({ timeout: 30_000 });
  await screenshot(page, 'sql-check--restore-offered');
  await viewer.getByRole('button', { name: 'Restore version 1' }).click();
  await page
    .getByTestId('row-count')
    .filter({ hasText: /^4 rows/ })
    .waitFor({ timeout: 30_000 });
  // History keeps all three versions: the original, the broken edit, the restore.
  await page.getByText(/^v3 · txn/).waitFor({ timeout: 10_000 });
  assert.match(await page.getByTestId('inspector-config').innerText(), /avg_high/);

  // The Inspector offers the same for any older version.
  const inspector = page.getByRole('region', { name: 'Inspector' });
  await inspector.getByRole('button', { name: 'Restore version 2' }).click();
  await page.getByText(/^v4 · txn/).waitFor({ timeout: 10_000 });
  assert.match(await page.getByTestId('inspector-config').innerText(), /humidity/);
});
