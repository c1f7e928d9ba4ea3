// Issue 17, item 1: a malformed CSV used to import silently as one text column named after the
// header line. Now the import dialog reads it first (nothing written), says what the strict CSV
// reader found — rows read, rejected rows with their lines, the inferred schema — and writes
// only when the user confirms: Cancel writes nothing, "Import anyway" writes only the good rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, screenshot } from './helpers.mjs';

const MALFORMED =
  [
    'id,name,score', //     line 1
    '1,alice,3.5', //       line 2
    '2,bob,4.0,EXTRA', //   line 3: an extra field
    '3,carol,2.5', //       line 4
    '4,"dave,1.0', //       line 5: a quote that never closes
    '5,erin,4.5', //        line 6
    '6,frank,3.0', //       line 7
  ].join('\n') + '\n';

test('a malformed CSV: the dialog reports rejected lines and the schema; Cancel writes nothing; Import anyway writes only the good rows', async (t) => {
  const { page, errors } = await openPage(t);
  await page.getByLabel('Pond name').fill('csv');
  await page.getByRole('button', { name: 'Create pond' }).click();
  await page.getByText('This pond is empty').first().waitFor({ timeout: 20_000 });
  const api = (fn, arg) => page.evaluate(fn, arg);
  const openImport = async () => {
    await page.getByRole('button', { name: 'Import…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import files' });
    await dialog.getByLabel('Into folder').fill('/data');
    await dialog.getByTestId('import-input').setInputFiles({ name: 'scores.csv', mimeType: 'text/csv', buffer: Buffer.from(MALFORMED) });
    return dialog;
  };

  let dialog = await openImport();
  const summary = dialog.getByTestId('csv-summary');
  await summary.waitFor({ timeout: 30_000 });
  assert.match(await summary.innerText(), /6 rows read, 2 rows rejected: 4 will be imported/);
  const rejected = await dialog.getByRole('list', { name: 'Rejected rows of scores.csv' }).getByRole('listitem').allInnerTexts();
  assert.equal(rejected.length, 2);
  assert.match(rejected[0], /^line 3: 4 fields where 3 are expected/);
  assert.match(rejected[1], /^line 5: unclosed quote/);
  const schema = await dialog
    .getByRole('table', { name: 'Schema of scores.csv' })
    .locator('tbody tr')
    .evaluateAll((rows) =>
      rows.map((r) =>
        [...r.querySelectorAll('td')]
          .slice(0, 2)
          .map((td) => td.textContent.trim())
          .join(' '),
      ),
    );
  assert.deepEqual(schema, ['id integer', 'name text', 'score number']);
  await screenshot(page, 'csv-import--report');

  // Cancel: no transaction, no file.
  const commitsBefore = await api(() => globalThis.duckpond.api.history().then((h) => h.length));
  await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
  await dialog.waitFor({ state: 'detached', timeout: 10_000 });
  assert.equal(await api(() => globalThis.duckpond.api.history().then((h) => h.length)), commitsBefore);
  assert.equal(
    await api(() =>
      globalThis.duckpond.api.stat('/data/scores').then(
        () => 'exists',
        (e) => e.code,
      ),
    ),
    'ENOENT',
  );

  // Import anyway: the four good rows, typed.
  dialog = await openImport();
  await dialog.getByRole('button', { name: 'Import anyway, skipping 2 rejected rows' }).click();
  await dialog.waitFor({ state: 'detached', timeout: 60_000 });
  const csv = await api(() => globalThis.duckpond.api.exportFile('/data/scores', 'csv').then((b) => new TextDecoder().decode(b)));
  assert.deepEqual(csv.trim().split(/\r?\n/), ['id,name,score', '1,alice,3.5', '3,carol,2.5', '5,erin,4.5', '6,frank,3']);
  const handle = await api(() => globalThis.duckpond.api.openTable('/data/scores'));
  assert.equal(handle.rows, 4);
  assert.deepEqual(
    handle.columns.map((c) => c.name),
    ['id', 'name', 'score'],
  );
  assert.deepEqual(errors, []);
});

test('a CSV whose header does not match its rows says so and cannot be imported as a table', async (t) => {
  const { page } = await openPage(t);
  await page.getByLabel('Pond name').fill('csv2');
  await page.getByRole('button', { name: 'Create pond' }).click();
  await page.getByText('This pond is empty').first().waitFor({ timeout: 20_000 });
  await page.getByRole('button', { name: 'Import…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Import files' });
  // A title line over comma-separated rows: formerly one text column named after it.
  await dialog
    .getByTestId('import-input')
    .setInputFiles({ name: 'report.csv', mimeType: 'text/csv', buffer: Buffer.from('Monthly report\na,b,c\n1,2,3\n4,5,6\n') });
  await dialog
    .getByRole('alert')
    .filter({ hasText: /line 1.*1 field but most rows have 3/ })
    .waitFor({ timeout: 30_000 });
  assert.equal(await dialog.getByRole('button', { name: /^Import/ }).isDisabled(), true);
  // Stored as bytes instead, it imports.
  await dialog.getByLabel('Store report.csv as').selectOption('file:data');
  await dialog.getByRole('button', { name: /^Import 1 file$/ }).click();
  await dialog.waitFor({ state: 'detached', timeout: 30_000 });
});
