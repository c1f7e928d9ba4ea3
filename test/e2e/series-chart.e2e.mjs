// Charts that scale: a million-point series (12 days at 1 s, the Rust synthetic-timeseries) with a
// temporal-reduce over it. The chart reads the reduce level that fits the window instead of the
// raw rows, and a drag-zoom loads a finer level, then the raw rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDemo, openPage, screenshot } from './helpers.mjs';

const SERIES = `start: "2024-01-01T00:00:00Z"
end: "2024-01-13T00:00:00Z"
interval: "1s"
points:
  - name: temperature
    components:
      - { type: sine, amplitude: 10.0, period: "24h", offset: 20.0 }
      - { type: square, amplitude: 1.0, period: "1h" }
`;

const REDUCE = `in_pattern: "series:///sources/*"
out_pattern: "$0"
time_column: "timestamp"
resolutions: ["1m", "10m", "1h"]
aggregations:
  - type: avg
    columns: ["temperature"]
  - type: max
    columns: ["temperature"]
`;

/** Create a dynamic node through the Create form in the folder that is open. */
async function mknod(page, factory, name, config, makes) {
  await page.getByRole('toolbar', { name: 'Pond actions' }).getByRole('button', { name: '+ Dynamic…' }).click();
  const dialog = page.getByRole('dialog', { name: /New dynamic node/ });
  await dialog.getByLabel('Factory').selectOption(factory);
  await dialog.getByLabel('Name').fill(name);
  await dialog.getByLabel('Config (YAML or JSON)').fill(config);
  await dialog.getByText(`✓ Valid: makes a ${makes}`).waitFor({ timeout: 20_000 });
  await dialog.getByRole('button', { name: 'Create node' }).click();
  await dialog.waitFor({ state: 'detached' });
}

test('a million-point series charts from the reduce level that fits the window, and a zoom refines it', async (t) => {
  const { page, errors } = await openPage(t);
  const timings = {};
  await page.getByLabel('Pond name').fill('series');
  await page.getByRole('button', { name: 'Create pond' }).click();
  await page.getByText('This pond is empty').first().waitFor({ timeout: 20_000 });

  await page.getByRole('toolbar', { name: 'Pond actions' }).getByRole('button', { name: '+ Folder' }).click();
  await page.getByRole('dialog').getByLabel('Name').fill('sources');
  await page.getByRole('button', { name: 'Create folder' }).click();
  await page.getByRole('treeitem', { name: 'sources' }).waitFor();
  // The new folder is open: the series goes in it, the reduce at the root.
  await mknod(page, 'synthetic-timeseries', 'station', SERIES, 'Series');
  await page.getByRole('navigation', { name: 'Breadcrumbs' }).getByRole('button', { name: 'series' }).click();
  await mknod(page, 'temporal-reduce', 'reduce', REDUCE, 'Folder');

  // The raw series: 12 days at 1 s, both ends included.
  await page.getByRole('treeitem', { name: 'station' }).click();
  await page.getByTestId('row-count').filter({ hasText: '1,036,801 rows' }).waitFor({ timeout: 90_000 });

  let started = Date.now();
  await page.getByRole('tab', { name: 'Chart' }).click();
  const level = page.getByTestId('chart-level');
  // 12 days at 10 min is 1,728 points, more than the ~1,500 a chart wants: the 1h level draws it.
  await level.filter({ hasText: 'the 1h level (/reduce/station/res=1h.series)' }).waitFor({ timeout: 60_000 });
  timings.chartColdMs = Date.now() - started;
  assert.match(await level.textContent(), /289 points/);
  assert.equal(await page.getByTestId('chart').getAttribute('data-points'), '289');
  await screenshot(page, 'series-chart--01-whole-series-1h-level');

  // Warm: leave the chart and come back.
  await page.getByRole('tab', { name: 'Table' }).click();
  started = Date.now();
  await page.getByRole('tab', { name: 'Chart' }).click();
  await level.filter({ hasText: 'the 1h level' }).waitFor({ timeout: 30_000 });
  timings.chartWarmMs = Date.now() - started;

  // Drag across a tenth of the plot: about a day, which the 1m level draws in at most 1,500 points.
  const over = page.getByTestId('chart').locator('.u-over');
  const box = await over.boundingBox();
  assert.ok(box, 'the plot has a drawing area');
  await page.mouse.move(box.x + box.width * 0.45, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  await level.filter({ hasText: /the (1m|10m) level/ }).waitFor({ timeout: 30_000 });
  // The plot itself holds the finer points, not only the note.
  const points = Number(/([\d,]+) points/.exec(await level.textContent())[1].replace(/,/g, ''));
  assert.ok(points > 289, `a finer level has more points in the window (${points})`);
  await page.waitForFunction((n) => document.querySelector('[data-testid=chart]')?.getAttribute('data-points') === String(n), points);
  await screenshot(page, 'series-chart--02-zoomed-finer-level');

  // Back to the whole series.
  await level.getByRole('button', { name: 'Whole series' }).click();
  await level.filter({ hasText: 'the 1h level' }).waitFor({ timeout: 30_000 });
  console.log(`series chart timings: ${JSON.stringify(timings)}`);
  assert.deepEqual(
    errors.filter((e) => !/favicon/.test(e)),
    [],
  );
});

test('the demo’s sensors: a series shows the event times of each version, and charts from its 6h level', async (t) => {
  const { page, errors } = await openDemo(t, '/sensors/seattle/hourly');
  await page.getByTestId('row-count').filter({ hasText: '8,759 rows' }).waitFor({ timeout: 60_000 });
  // Appended a quarter at a time: four versions, each with the span of readings it holds.
  const events = page.getByRole('region', { name: 'Inspector' }).getByTestId('event-time');
  await events.first().waitFor();
  assert.deepEqual(await events.allTextContents().then((all) => all.map((s) => s.trim())), [
    'events 2010-10-01 00:00 UTC → 2010-12-31 23:00 UTC',
    'events 2010-07-01 00:00 UTC → 2010-09-30 23:00 UTC',
    'events 2010-04-01 00:00 UTC → 2010-06-30 23:00 UTC',
    'events 2010-01-01 01:00 UTC → 2010-03-31 23:00 UTC',
  ]);
  // A year of hours: the 6h level of /sensors/reduced draws it in 1,460 points.
  await page.getByRole('tab', { name: 'Chart' }).click();
  await page.getByTestId('chart-level').filter({ hasText: 'the 6h level (/sensors/reduced/hourly/res=6h.series)' }).waitFor({ timeout: 30_000 });
  assert.equal(await page.getByTestId('chart').getAttribute('data-points'), '1460');
  await screenshot(page, 'series-chart--03-demo-sensors-6h-level');
  assert.deepEqual(
    errors.filter((e) => !/favicon/.test(e)),
    [],
  );
});
