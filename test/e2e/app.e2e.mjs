// The app as a user meets it: first visit, a pond, a CSV import, browsing, SQL, a saved query that
// follows its input, a reload, time travel, and the pond as a zip out and back in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPage, screenshot } from './helpers.mjs';

/** Hourly readings of two stations: `offset` shifts every temperature (a "new version" of the data). */
function readingsCsv(hours, offset = 0) {
  const lines = ['time,station,temperature'];
  for (let h = 0; h < hours; h++) {
    const time = new Date(Date.UTC(2024, 0, 1, h)).toISOString();
    lines.push(`${time},north,${(10 + offset + Math.sin(h / 4) * 5).toFixed(2)}`);
    lines.push(`${time},south,${(18 + offset + Math.cos(h / 5) * 3).toFixed(2)}`);
  }
  return Buffer.from(lines.join('\n') + '\n');
}

/** The tree item for `name` (exact). */
const treeItem = (page, name) => page.getByRole('treeitem', { name, exact: true });

/** Import one file through the toolbar's Import dialog into `dir`. */
async function importFile(page, dir, name, buffer) {
  await page.getByRole('button', { name: 'Import…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Import files' });
  await dialog.getByLabel('Into folder').fill(dir);
  await dialog.getByTestId('import-input').setInputFiles({ name, mimeType: 'text/csv', buffer });
  await dialog.getByRole('button', { name: /^Import 1 file$/ }).click();
  await dialog.waitFor({ state: 'detached', timeout: 60_000 });
}

/** Put `sql` into the CodeMirror editor. */
async function typeSql(page, sql) {
  const editor = page.getByTestId('sql-editor');
  await editor.waitFor();
  await editor.fill(sql);
}

test('a pond from first visit to zip: import, browse, SQL, saved query, reload, history, export/import', async (t) => {
  const { page, errors } = await openPage(t);
  const timings = {};

  // No ponds yet (a returning visitor; a first visit opens the demo): the welcome screen offers one step.
  await page.getByRole('heading', { name: 'Welcome to DuckPond' }).waitFor({ timeout: 20_000 });
  await screenshot(page, 'app--01-welcome');
  await page.getByLabel('Pond name').fill('demo');
  await page.getByRole('button', { name: 'Create pond' }).click();
  await page.getByText('This pond is empty').first().waitFor();
  await screenshot(page, 'app--02-empty-pond');

  // Import a CSV: it becomes a table at /data/readings.
  await page.getByRole('button', { name: 'Import…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Import files' });
  await dialog.getByLabel('Into folder').fill('/data');
  await dialog.getByTestId('import-input').setInputFiles({ name: 'readings.csv', mimeType: 'text/csv', buffer: readingsCsv(48) });
  await dialog.getByText('/data/readings').waitFor();
  await screenshot(page, 'app--03-import-dialog');
  await dialog.getByRole('button', { name: /^Import 1 file$/ }).click();
  await dialog.waitFor({ state: 'detached', timeout: 60_000 });

  // Browse to it: the grid shows rows, column names and types.
  await treeItem(page, 'readings').click();
  await page.getByTestId('row-count').filter({ hasText: '96 rows · 3 columns' }).waitFor();
  const grid = page.getByRole('grid', { name: 'Contents of /data/readings' });
  await grid.getByRole('columnheader', { name: /temperature/ }).waitFor();
  assert.match(await grid.getByRole('columnheader', { name: /time/ }).first().textContent(), /Timestamp/);
  assert.equal(
    await page
      .getByTestId('inspector-type')
      .textContent()
      .then((s) => s.trim().startsWith('Table')),
    true,
  );
  // Sorting by temperature, descending (two clicks), puts the warmest reading first.
  await grid
    .getByRole('columnheader', { name: /temperature/ })
    .getByRole('button')
    .click();
  await grid
    .getByRole('columnheader', { name: /temperature/ })
    .getByRole('button')
    .click();
  await grid.locator('[aria-rowindex="2"] [role=gridcell]').nth(1).filter({ hasText: 'south' }).waitFor();
  await screenshot(page, 'app--04-table-grid');

  // The chart of the numeric column over time.
  await page.getByRole('tab', { name: 'Chart' }).click();
  await page.getByTestId('chart').locator('canvas').waitFor();
  // One line per station instead of one zigzag through both.
  await page.getByLabel('One line per').selectOption('station');
  await page.getByTestId('chart').getByText('south').waitFor();
  await screenshot(page, 'app--05-chart');
  await page.getByRole('tab', { name: 'Table' }).click();

  // SQL: "Query with SQL" binds the table; run an aggregate; time the first (cold DuckDB) query.
  await page.getByRole('button', { name: 'Query with SQL' }).click();
  await page.getByLabel('Pattern for readings').waitFor();
  assert.equal(await page.getByLabel('Pattern for readings').inputValue(), '/data/readings');
  await typeSql(page, 'SELECT station, round(avg(temperature), 2) AS mean_temp FROM readings GROUP BY station ORDER BY station');
  const started = Date.now();
  await page.getByRole('button', { name: /^Run/ }).click();
  await page.getByTestId('sql-stats').filter({ hasText: '2 rows' }).waitFor({ timeout: 60_000 });
  timings.firstQueryMs = Date.now() - started;
  const result = page.getByRole('grid', { name: 'Query result' });
  await result.getByRole('gridcell', { name: 'north' }).waitFor();
  await screenshot(page, 'app--06-sql');
  const northBefore = await result.locator('[aria-rowindex="2"] [role=gridcell]').nth(1).textContent();

  // Save the query as a sql_query node and open it.
  await page.getByRole('button', { name: 'Save as sql_query node…' }).click();
  await page.getByLabel('Path of the new sql_query node').fill('/queries/mean_by_station');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByTestId('row-count').filter({ hasText: '2 rows · 2 columns' }).waitFor({ timeout: 30_000 });
  await page.getByTestId('inspector-config').filter({ hasText: 'mean_temp' }).waitFor();
  assert.ok(await treeItem(page, 'mean_by_station sql_query').isVisible());
  const nodeGrid = page.getByRole('grid', { name: 'Contents of /queries/mean_by_station' });
  assert.equal(await nodeGrid.locator('[aria-rowindex="2"] [role=gridcell]').nth(1).textContent(), northBefore);
  await screenshot(page, 'app--07-sql-node');

  // Change the input (a new version of /data/readings, 100 degrees warmer): the node follows.
  await importFile(page, '/data', 'readings.csv', readingsCsv(48, 100));
  await treeItem(page, 'mean_by_station sql_query').click();
  const northAfter = String((Number(northBefore) + 100).toFixed(2)).replace(/\.?0+$/, '');
  await nodeGrid.locator('[aria-rowindex="2"] [role=gridcell]').nth(1).filter({ hasText: northAfter }).waitFor({ timeout: 30_000 });

  // Reload: the pond, the selection and the saved query are all still there.
  const reloadStarted = Date.now();
  await page.reload();
  await treeItem(page, 'data').waitFor({ timeout: 20_000 });
  timings.firstListingAfterReloadMs = Date.now() - reloadStarted;
  await treeItem(page, 'mean_by_station sql_query').waitFor();
  await nodeGrid.locator('[aria-rowindex="2"] [role=gridcell]').nth(1).filter({ hasText: northAfter }).waitFor({ timeout: 30_000 });
  timings.nodeAfterReloadMs = Date.now() - reloadStarted;

  // History: view the version before the second import, read-only and clearly marked.
  await page.getByRole('button', { name: 'History', exact: true }).click();
  const rows = page.locator('.history tbody tr');
  await rows.first().waitFor();
  const saveRow = rows.filter({ hasText: 'mean_by_station' }).first();
  await screenshot(page, 'app--08-history');
  await saveRow.getByRole('button', { name: 'View this version' }).click();
  await page.getByTestId('travel-banner').waitFor();
  await treeItem(page, 'mean_by_station sql_query').click();
  await nodeGrid.locator('[aria-rowindex="2"] [role=gridcell]').nth(1).filter({ hasText: northBefore }).waitFor({ timeout: 30_000 });
  assert.equal(await page.getByRole('button', { name: 'Import…' }).isDisabled(), true);
  await screenshot(page, 'app--09-time-travel');
  await page.getByRole('button', { name: 'Back to latest' }).click();
  await page.getByTestId('travel-banner').waitFor({ state: 'detached' });

  // Export the pond as a zip, then import it as a new pond and find the data there.
  await page.getByRole('button', { name: 'Storage', exact: true }).click();
  const downloadDir = await mkdtemp(join(tmpdir(), 'duckpond-zip-'));
  t.after(() => rm(downloadDir, { recursive: true, force: true }));
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /Export “demo” as \.zip/ }).click()]);
  const zipPath = join(downloadDir, 'demo.zip');
  await download.saveAs(zipPath);
  const zip = await readFile(zipPath);
  assert.equal(zip.subarray(0, 2).toString('latin1'), 'PK');
  await screenshot(page, 'app--10-storage');
  await page.getByTestId('pond-zip-input').setInputFiles(zipPath);
  await page.getByLabel('Name of the imported pond').fill('demo-copy');
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await page
    .getByLabel('Open pond')
    .filter({ has: page.locator('option:checked', { hasText: 'demo-copy' }) })
    .waitFor({ timeout: 30_000 });
  await treeItem(page, 'queries').waitFor();
  await treeItem(page, 'queries').click();
  await treeItem(page, 'mean_by_station sql_query').click();
  await page
    .getByRole('grid', { name: 'Contents of /queries/mean_by_station' })
    .locator('[aria-rowindex="2"] [role=gridcell]')
    .nth(1)
    .filter({ hasText: northAfter })
    .waitFor({ timeout: 30_000 });
  await screenshot(page, 'app--11-imported-copy');

  console.log(`timings: ${JSON.stringify(timings)}`);
  assert.deepEqual(errors, []);
});

test('files dropped on a folder open the import with them; the tree works from the keyboard', async (t) => {
  const { page, errors } = await openPage(t);
  await page.getByLabel('Pond name').fill('keys');
  await page.getByRole('button', { name: 'Create pond' }).click();
  const region = page.getByRole('region', { name: 'Folder /' });
  await region.waitFor({ timeout: 20_000 });

  // A drop carries real File objects; Playwright cannot drag from the desktop, so build the event.
  await region.evaluate((el) => {
    const data = new DataTransfer();
    data.items.add(new File(['# Notes\n\nSome *markdown*.\n'], 'notes.md', { type: 'text/markdown' }));
    el.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
  });
  const dialog = page.getByRole('dialog', { name: 'Import files' });
  await dialog.getByText('notes.md').first().waitFor();
  await dialog.getByRole('button', { name: /^Import 1 file$/ }).click();
  await dialog.waitFor({ state: 'detached', timeout: 30_000 });
  await page.getByTestId('markdown-view').getByRole('heading', { name: 'Notes' }).waitFor();

  await page.getByRole('toolbar', { name: 'Pond actions' }).getByRole('button', { name: '+ Folder' }).click();
  await page.getByRole('dialog').getByLabel('Name').fill('a/b');
  await page.getByRole('button', { name: 'Create folder' }).click();
  await page.getByRole('treeitem', { name: 'b' }).waitFor();

  // Keyboard: Left collapses 'a', Down moves to notes.md, Enter opens it, Up + Right expands 'a' again.
  const a = page.getByRole('treeitem', { name: 'a', exact: true });
  await a.focus();
  await page.keyboard.press('ArrowLeft');
  await page.getByRole('treeitem', { name: 'b' }).waitFor({ state: 'detached' });
  assert.equal(await a.getAttribute('aria-expanded'), 'false');
  await page.keyboard.press('ArrowDown');
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-path')), '/notes.md');
  await page.keyboard.press('Enter');
  await page.getByRole('treeitem', { name: 'notes.md', selected: true }).waitFor();
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowRight');
  await page.getByRole('treeitem', { name: 'b' }).waitFor();

  // A template node rendering HTML shows in a sandboxed iframe: no scripts run.
  await page.getByRole('treeitem', { name: 'a', exact: true }).click();
  await page.getByRole('toolbar', { name: 'Pond actions' }).getByRole('button', { name: '+ Dynamic…' }).click();
  const create = page.getByRole('dialog', { name: /New dynamic node/ });
  await create.getByLabel('Factory').selectOption('template');
  await create.getByLabel('Name').fill('page.html');
  await create
    .getByLabel('Config (YAML or JSON)')
    .fill('template: "<h1>{{ title }}</h1><script>parent.document.title = \'pwned\'</script>"\nvariables: { title: Hello }\noutput_format: html\n');
  await create.getByText('✓ Valid').waitFor();
  await create.getByRole('button', { name: 'Create node' }).click();
  const frame = page.getByTestId('html-view');
  await frame.waitFor({ timeout: 30_000 });
  assert.equal(await frame.getAttribute('sandbox'), '');
  await page.frameLocator('[data-testid=html-view]').getByRole('heading', { name: 'Hello' }).waitFor();
  assert.equal(await page.title(), 'DuckPond');
  await screenshot(page, 'app--12-template-html');
  // Chromium reports the blocked script on the console: that is the sandbox at work, not a failure.
  const blocked = errors.filter((e) => e.includes('Blocked script execution') && e.includes('sandboxed'));
  assert.equal(blocked.length, 1);
  assert.deepEqual(
    errors.filter((e) => !blocked.includes(e)),
    [],
  );
});
