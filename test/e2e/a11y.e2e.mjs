// Accessibility of every main screen, in light and dark mode: axe-core runs on each screen as a
// user reaches it and no serious or critical violation may remain (minor and moderate ones are
// printed). Each screen is also saved as test/e2e/screenshots/<screen>-<light|dark>.png, so a
// change to the visual language can be looked at in both modes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { openPage, screenshot } from './helpers.mjs';

const require = createRequire(import.meta.url);
const AXE_SOURCE = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
const BLOCKING = new Set(['serious', 'critical']);

/** All violations found on `screen`, by scheme: { scheme, id, impact, help, targets }. */
const found = [];

/**
 * Run axe on what `page` shows now, in light and then dark mode, and screenshot both.
 * The app's CSP (script-src 'self') refuses an injected <script>; page.evaluate goes through the
 * DevTools protocol, which the CSP does not govern, so axe is evaluated as source.
 */
async function check(page, screen) {
  for (const scheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: scheme });
    // Let transitions settle and canvases (uPlot) redraw in the new colours.
    await page.waitForTimeout(250);
    if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
    const violations = await page.evaluate(async () => {
      // The sandboxed template iframe is the pond's content, not the app: axe cannot enter it anyway.
      const result = await window.axe.run(document, { resultTypes: ['violations'], iframes: false });
      return result.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        targets: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')}${n.any[0]?.message ? ` — ${n.any[0].message}` : ''}`),
      }));
    });
    for (const v of violations) found.push({ screen, scheme, ...v });
    await screenshot(page, `${screen}-${scheme}`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

test('every main screen passes axe (0 serious or critical) in light and dark mode', async (t) => {
  const { page } = await openPage(t);

  await page.getByRole('heading', { name: 'Welcome to DuckPond' }).waitFor({ timeout: 30_000 });
  await check(page, 'welcome');

  await page.getByLabel('Pond name').fill('scratch');
  await page.getByRole('button', { name: 'Create pond' }).click();
  await page.getByText('This pond is empty').first().waitFor({ timeout: 30_000 });
  await check(page, 'empty-pond');

  await page.getByRole('button', { name: 'Import…' }).click();
  const importDialog = page.getByRole('dialog', { name: 'Import files' });
  await importDialog.getByTestId('import-input').setInputFiles({
    name: 'readings.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from('time,station,temperature\n2024-01-01T00:00:00Z,north,10.5\n2024-01-01T01:00:00Z,south,12.25\n'),
  });
  await importDialog.getByText('/readings').first().waitFor({ timeout: 30_000 });
  await check(page, 'import-dialog');
  await page.keyboard.press('Escape');
  await importDialog.waitFor({ state: 'detached' });

  await page.getByRole('button', { name: '+ Dynamic…' }).click();
  const nodeDialog = page.getByRole('dialog', { name: /New dynamic node/ });
  await nodeDialog.waitFor();
  await check(page, 'create-node-dialog');
  await page.keyboard.press('Escape');
  await nodeDialog.waitFor({ state: 'detached' });

  // The published demo: README (tree, rendered template, Inspector), a table, its chart, SQL.
  await page.goto(new URL('?pond=ponds/demo/#/demo/README.md', page.url()).href);
  await page.getByRole('heading', { name: 'The demo pond' }).waitFor({ timeout: 90_000 });
  await page.getByRole('cell', { name: '2012', exact: true }).waitFor({ timeout: 30_000 });
  await check(page, 'tree-readme');

  await page.evaluate(() => {
    location.hash = '#/demo/data/stocks.parquet';
  });
  await page.getByTestId('row-count').filter({ hasText: '560 rows' }).waitFor({ timeout: 30_000 });
  await check(page, 'table-grid');

  await page.getByRole('tab', { name: 'Chart' }).click();
  await page.getByTestId('chart').locator('canvas').first().waitFor({ timeout: 30_000 });
  await check(page, 'chart');
  await page.getByRole('tab', { name: 'Table' }).click();

  await page.evaluate(() => {
    location.hash = '#/demo/views/yearly-weather';
  });
  await page.getByTestId('inspector-config').waitFor({ timeout: 30_000 });
  await page.getByText(/^4 rows/).waitFor({ timeout: 30_000 });
  await check(page, 'inspector-sql-node');

  await page.evaluate(() => {
    location.hash = '#/demo/data/stocks.parquet';
  });
  await page.getByTestId('row-count').filter({ hasText: '560 rows' }).waitFor({ timeout: 30_000 });
  await page.getByRole('button', { name: 'Query with SQL' }).click();
  await page.getByLabel('Pattern for stocks').waitFor({ timeout: 10_000 });
  await page.getByRole('button', { name: /^Run/ }).click();
  await page
    .getByTestId('sql-stats')
    .filter({ hasText: /^560 rows/ })
    .waitFor({ timeout: 60_000 });
  await check(page, 'sql-console');

  await page.getByRole('button', { name: 'History', exact: true }).click();
  await page.getByText('Append CO₂ readings of the 1950s').waitFor({ timeout: 20_000 });
  await check(page, 'history');

  await page.getByRole('button', { name: 'Storage', exact: true }).click();
  await page
    .getByRole('button', { name: /Export .* as \.zip/ })
    .first()
    .waitFor({ timeout: 20_000 });
  await check(page, 'storage');

  // An error state: a ?pond= link to nothing.
  await page.goto(new URL('?pond=no-such-pond/', page.url()).href);
  await page.getByText(/Could not open pond/).waitFor({ timeout: 30_000 });
  await check(page, 'error-state');

  for (const v of found) {
    console.log(`${BLOCKING.has(v.impact) ? 'VIOLATION' : 'note'} [${v.impact}] ${v.screen}/${v.scheme} ${v.id}: ${v.help}\n    ${v.targets.join('\n    ')}`);
  }
  const counts = {};
  for (const v of found) counts[v.impact] = (counts[v.impact] ?? 0) + 1;
  console.log(`axe: ${JSON.stringify(counts)} rule violations over ${new Set(found.map((v) => `${v.screen}/${v.scheme}`)).size} screen/scheme pairs`);
  const blocking = found.filter((v) => BLOCKING.has(v.impact)).map((v) => `${v.screen}/${v.scheme} ${v.id} (${v.impact})`);
  assert.deepEqual(blocking, []);
});
