// What a new user tripped over (issue 17, items 2, 3, 5–10): each test walks the path that went
// wrong, on the shipped demo pond (published, read-only) or on a local copy of it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDemo, openDemoCopy, screenshot } from './helpers.mjs';

/** Go to `path` of the open pond by its link (as a reload or a shared link would). */
async function goTo(page, pond, path) {
  await page.evaluate(
    ([p, q]) => {
      location.hash = `#/${encodeURIComponent(p)}${q}`;
    },
    [pond, path],
  );
  await page
    .getByRole('region', { name: 'Inspector' })
    .locator('dd code')
    .filter({ hasText: new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) })
    .first()
    .waitFor({ timeout: 30_000 });
}

test('2: “Query with SQL” on the published demo binds the table in its own console and runs', async (t) => {
  const { page } = await openDemo(t, '/data/stocks.parquet');
  await page.getByRole('button', { name: 'Query with SQL' }).click();
  await page.getByLabel('Pattern for stocks').waitFor({ timeout: 10_000 });
  assert.equal(await page.getByLabel('Pattern for stocks').inputValue(), '/data/stocks.parquet');
  assert.match(await page.locator('.cm-content').innerText(), /SELECT \* FROM stocks LIMIT 1000/);
  await page.getByRole('button', { name: /^Run/ }).click();
  await page
    .getByTestId('sql-stats')
    .filter({ hasText: /^560 rows/ })
    .waitFor({ timeout: 60_000 });
});

test('3: the stocks table charts over its text dates, without an effect loop, also after a reload', async (t) => {
  const { page, errors } = await openDemo(t, '/data/stocks.parquet');
  for (let round = 0; round < 2; round++) {
    await page.getByRole('tab', { name: 'Chart' }).click();
    const xAxis = page.getByLabel('X axis');
    await xAxis.locator('option', { hasText: 'date (time)' }).waitFor({ state: 'attached', timeout: 20_000 });
    assert.equal(await xAxis.inputValue(), 'date');
    assert.equal(await page.getByRole('group', { name: 'Series' }).getByLabel('price').isChecked(), true);
    await page.getByTestId('chart').locator('canvas').first().waitFor({ timeout: 20_000 });
    // The worker sent the x values as time (uPlot then labels the axis with dates).
    await page.locator('[data-testid=chart][data-x-axis=time]').waitFor({ timeout: 10_000 });
    if (round === 0) await page.reload();
    await page.getByRole('treeitem', { name: 'data', exact: true }).waitFor({ timeout: 60_000 });
  }
  assert.deepEqual(
    errors.filter((e) => /effect_update_depth_exceeded|pageerror/.test(e)),
    [],
  );
});

test('5: renaming with .. follows the new path; moving or removing an input names the nodes that read it', async (t) => {
  const { page } = await openDemoCopy(t, 'moves');
  await goTo(page, 'moves', '/data/stocks.parquet');
  const inspector = page.getByRole('region', { name: 'Inspector' });
  await inspector.getByRole('button', { name: 'Rename / move…' }).click();
  // Before anything is moved: the nodes that read it.
  const readers = inspector.getByTestId('readers');
  await readers.getByText('/views/monthly-prices').waitFor({ timeout: 20_000 });
  await inspector.getByLabel('New name or path').fill('../stocks-moved.parquet');
  await inspector.getByRole('button', { name: /^Rename/ }).click();
  await page.waitForFunction(() => location.hash.startsWith('#/moves/stocks-moved.parquet'), null, { timeout: 20_000 });
  await page.getByRole('navigation', { name: 'Breadcrumbs' }).getByRole('button', { name: 'stocks-moved.parquet' }).waitFor();
  await page.getByTestId('row-count').filter({ hasText: '560 rows' }).waitFor({ timeout: 20_000 });

  await goTo(page, 'moves', '/data/seattle/2012.parquet');
  await inspector.getByRole('button', { name: 'Remove…' }).click();
  for (const node of ['/views/yearly-weather', '/views/seattle-all', '/views/by-year']) await readers.getByText(node).first().waitFor({ timeout: 20_000 });
  // The README reads /views/yearly-weather, which reads this file: named as an indirect reader.
  await readers.getByRole('listitem').filter({ hasText: '/README.md' }).filter({ hasText: 'through /views/yearly-weather' }).waitFor();
  await screenshot(page, 'trip-ups--5-remove-names-readers');
  await inspector.getByRole('button', { name: 'Cancel' }).click();
});

test('6: importing over an existing file says it becomes a new version', async (t) => {
  const { page } = await openDemoCopy(t, 'imports');
  const file = { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('first\n') };
  const importInto = async () => {
    await page.getByRole('toolbar', { name: 'Pond actions' }).getByRole('button', { name: 'Import…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import files' });
    await dialog.getByTestId('import-input').setInputFiles(file);
    return dialog;
  };
  let dialog = await importInto();
  await dialog.getByText('new file').waitFor({ timeout: 10_000 });
  await dialog.getByRole('button', { name: /^Import 1 file$/ }).click();
  await dialog.waitFor({ state: 'detached', timeout: 30_000 });
  await goTo(page, 'imports', '/data');
  dialog = await importInto();
  await dialog.getByText('exists: will become version 2').waitFor({ timeout: 10_000 });
});

test('7: the pond picker creates ponds and does not list the open demo twice; Storage shows the pond’s own size', async (t) => {
  const { page } = await openDemo(t);
  const picker = page.getByLabel('Open pond');
  // The open published demo is its shipped entry, selected; no second “(published)” entry beside it.
  assert.match(await picker.locator('option:checked').innerText(), /The demo pond/);
  assert.equal(await picker.locator('option', { hasText: '(published)' }).count(), 0);
  assert.equal(await picker.locator('option', { hasText: 'The demo pond' }).count(), 1);

  await page.getByRole('button', { name: 'Storage' }).click();
  const size = page.getByTestId('pond-size');
  await size.waitFor({ timeout: 20_000 });
  assert.match(await size.innerText(), /“demo” takes [\d.]+ (B|KB|MB) in \d+ files/);

  await picker.selectOption({ label: 'New empty pond…' });
  const dialog = page.getByRole('dialog', { name: 'New pond' });
  await dialog.getByLabel('Name').fill('scratch');
  await dialog.getByRole('button', { name: 'Create pond' }).click();
  await page.getByText('This pond is empty').first().waitFor({ timeout: 20_000 });
  assert.match(await picker.locator('option:checked').innerText(), /^scratch/);
  // Local ponds and published demos are told apart.
  assert.equal(await picker.locator('optgroup[label="In this browser"] option', { hasText: 'scratch' }).count(), 1);
  assert.equal(await picker.locator('optgroup[label="Published demos (read-only)"] option', { hasText: 'The demo pond' }).count(), 1);
});

test('8: the README template reads as a block in the Inspector, its source is the template, its paths are links', async (t) => {
  const { page } = await openDemo(t, '/README.md');
  await page.getByRole('heading', { name: 'The demo pond' }).waitFor({ timeout: 90_000 });
  const config = await page.getByTestId('inspector-config').innerText();
  assert.match(config, /template: \|-?\n {2}# The demo pond\n\n {2}Real public data/);
  assert.doesNotMatch(config, /\n[ \t]*\n[ \t]*\n/, 'no doubled blank lines');

  await page.getByLabel('Show source').check();
  const source = page.getByTestId('text-view');
  await source.filter({ hasText: '{% for r in table("/views/yearly-weather") %}' }).waitFor({ timeout: 10_000 });
  await page.getByLabel('Show source').uncheck();

  await page.getByTestId('markdown-view').getByRole('link', { name: '/views/yearly-weather' }).click();
  await page.waitForFunction(() => location.hash.startsWith('#/demo/views/yearly-weather'), null, { timeout: 10_000 });
  await page.getByTestId('row-count').waitFor({ timeout: 30_000 });
});

test('9: the active header tab keeps its label readable under the pointer', async (t) => {
  const { page } = await openDemo(t);
  const tab = page.getByRole('navigation', { name: 'Areas' }).getByRole('button', { name: 'Browse' });
  assert.equal(await tab.getAttribute('aria-current'), 'page');
  await tab.hover();
  const ratio = await tab.evaluate((el) => {
    const rgb = (s) =>
      s
        .match(/[\d.]+/g)
        .slice(0, 3)
        .map(Number);
    const lum = (c) => {
      const [r, g, b] = c.map((v) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const style = getComputedStyle(el);
    const [a, b] = [lum(rgb(style.color)), lum(rgb(style.backgroundColor))];
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  });
  assert.ok(ratio >= 4.5, `contrast of the hovered active tab is ${ratio.toFixed(2)}:1`);
});

test('10: disabled actions on a published pond say why; a saved query keeps only the tables it uses', async (t) => {
  const { page } = await openDemo(t, '/data');
  const importButton = page.getByRole('toolbar', { name: 'Pond actions' }).getByRole('button', { name: 'Import…' });
  assert.equal(await importButton.isDisabled(), true);
  const described = await importButton.evaluate((el) => document.getElementById(el.getAttribute('aria-describedby') ?? '')?.textContent ?? '');
  for (const [what, text] of [
    ['title', (await importButton.getAttribute('title')) ?? ''],
    ['description', described],
  ]) {
    assert.match(text, /published read-only: make a local copy/, what);
    assert.doesNotMatch(text, / into \//, `${what} names no folder`);
  }
  const rename = page.getByRole('region', { name: 'Inspector' }).getByRole('button', { name: 'Rename / move…' });
  assert.match((await rename.getAttribute('title')) ?? '', /published read-only/);

  // In a local copy: bind two tables, query one, save the query as a node.
  await page.getByRole('button', { name: 'Make a local copy' }).click();
  const copy = page.getByRole('dialog', { name: /Make a local copy/ });
  await copy.getByLabel('Name of the copy').fill('queries');
  await copy.getByRole('button', { name: 'Copy into this browser' }).click();
  await page.getByText(/“queries” is now a pond of this browser/).waitFor({ timeout: 60_000 });
  await goTo(page, 'queries', '/data/seattle/2013.parquet');
  await page.getByRole('button', { name: 'Query with SQL' }).click();
  await page.getByLabel('Pattern for _2013').waitFor();
  await page.getByRole('button', { name: 'Browse' }).click();
  await goTo(page, 'queries', '/data/stocks.parquet');
  await page.getByRole('button', { name: 'Query with SQL' }).click();
  await page.getByLabel('Pattern for stocks').waitFor();
  assert.equal(await page.getByLabel('Pattern for _2013').count(), 1);
  await page.getByRole('button', { name: 'Save as sql_query node…' }).click();
  await page.getByLabel('Path of the new sql_query node').fill('/queries/prices');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  const config = page.getByTestId('inspector-config');
  await config.filter({ hasText: 'stocks: /data/stocks.parquet' }).waitFor({ timeout: 30_000 });
  assert.doesNotMatch(await config.innerText(), /_2013/);
});
