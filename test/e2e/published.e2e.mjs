// Ponds by URL: a pond exported "for publishing" and dropped next to the deployment opens with
// ?pond=<url>, read-only, straight from the static host; a local copy of it can be changed. The
// SQL console's text travels in the link.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { unzipSync } from 'fflate';
import { openPage } from './helpers.mjs';

function distDir() {
  const dir = process.env.E2E_DIST_DIR;
  if (!dir) throw new Error('E2E_DIST_DIR is not set: run e2e tests through test/e2e/run.mjs');
  return dir;
}

/** Unzip a pond export into `<dist>/<folder>/`, as a person publishing it next to the site would. */
async function publish(zipPath, folder) {
  const files = unzipSync(new Uint8Array(await readFile(zipPath)));
  for (const [name, bytes] of Object.entries(files)) {
    if (name.endsWith('/')) continue;
    const target = join(distDir(), folder, name);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, bytes);
  }
  return Object.keys(files);
}

test('an exported pond, published next to the site, opens by ?pond= read-only; a local copy can be edited', async (t) => {
  const { page, errors } = await openPage(t);
  await page.getByLabel('Pond name').fill('field notes');
  await page.getByRole('button', { name: 'Create pond' }).click();
  await page.getByText('This pond is empty').first().waitFor();
  await page.getByRole('toolbar', { name: 'Pond actions' }).getByRole('button', { name: '+ Folder' }).click();
  await page.getByRole('dialog').getByLabel('Name').fill('site-42/readings');
  await page.getByRole('button', { name: 'Create folder' }).click();
  await page.getByRole('treeitem', { name: 'readings' }).waitFor();
  // Creating the first pond asked for persistent storage; headless Chromium says no, and the app says so.
  await page.getByText(/did not make storage persistent/).waitFor();
  await page.getByTestId('not-persistent').waitFor();

  // Export for publishing: the zip carries the pond and its index.
  await page.getByRole('button', { name: 'Storage' }).click();
  const downloads = await mkdtemp(join(tmpdir(), 'duckpond-publish-'));
  t.after(() => rm(downloads, { recursive: true, force: true }));
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /Export “field notes” as \.zip/ }).click()]);
  const zipPath = join(downloads, 'field-notes.zip');
  await download.saveAs(zipPath);
  const names = await publish(zipPath, 'shared/field-notes');
  assert.ok(names.includes('duckpond-index.json'), `the export carries its index: ${names.join(', ')}`);
  assert.ok(names.includes('_delta_log/00000000000000000001.json'));

  // Someone opens the link, in a browser that has never seen the pond.
  const { page: reader, errors: readerErrors } = await openPage(t, '?pond=shared/field-notes/#/field-notes/site-42');
  // The link's path is selected: the folder's listing shows what is in it.
  await reader.getByRole('treeitem', { name: 'site-42' }).waitFor({ timeout: 30_000 });
  await reader.getByRole('cell', { name: 'readings' }).waitFor();
  await reader.getByText('published · read-only').waitFor();
  await reader.getByText('version 1', { exact: true }).waitFor();
  // Actions that would change the pond are off until it is copied.
  const actions = reader.getByRole('toolbar', { name: 'Pond actions' });
  for (const name of ['+ Folder', 'Import…', '+ Dynamic…']) assert.equal(await actions.getByRole('button', { name }).isDisabled(), true, name);

  // Make a local copy: the same pond, now changeable and stored in this browser.
  await reader.getByRole('button', { name: 'Make a local copy' }).click();
  await reader
    .getByRole('dialog', { name: /Make a local copy/ })
    .getByRole('button', { name: 'Copy into this browser' })
    .click();
  await reader.getByText(/“field-notes” is now a pond of this browser/).waitFor({ timeout: 60_000 });
  await reader.getByRole('toolbar', { name: 'Pond actions' }).getByRole('button', { name: '+ Folder' }).click();
  await reader.getByRole('dialog').getByLabel('Name').fill('mine');
  await reader.getByRole('button', { name: 'Create folder' }).click();
  await reader.getByRole('treeitem', { name: 'mine' }).waitFor();
  await reader.getByText('version 2', { exact: true }).waitFor();
  assert.deepEqual(errors, []);
  assert.deepEqual(readerErrors, []);
});

test('a link carries the SQL console and the selected path; a broken ?pond= says what is wrong', async (t) => {
  const sql = 'SELECT count(*) AS days FROM w';
  const hash = `#/demo?view=sql&sql=${encodeURIComponent(sql)}&bind=${encodeURIComponent('w=/data/seattle/*.parquet')}`;
  const { page, errors } = await openPage(t, `?pond=ponds/demo/${hash}`);
  const editor = page.getByTestId('sql-editor');
  await editor.getByText(sql).waitFor({ timeout: 60_000 });
  assert.equal(await page.getByLabel('Pattern for w').inputValue(), '/data/seattle/*.parquet');
  await page.getByRole('button', { name: /^Run/ }).click();
  await page.getByRole('grid', { name: 'Query result' }).getByRole('gridcell', { name: '1461' }).waitFor({ timeout: 60_000 });

  // Typing changes the link (replacing the entry, not adding one per key).
  await editor.fill('SELECT 42 AS answer');
  await page.waitForFunction(() => decodeURIComponent(location.hash.replace(/\+/g, ' ')).includes('sql=SELECT 42 AS answer'));
  assert.match(page.url(), /\?pond=ponds\/demo\//);

  const { page: other, errors: otherErrors } = await openPage(t, '?pond=no-such-pond/');
  await other.getByText(/Could not open pond/).waitFor({ timeout: 30_000 });
  await other
    .getByText(/duckpond-index\.json/)
    .first()
    .waitFor();
  assert.deepEqual(errors, []);
  assert.ok(
    otherErrors.every((e) => e.includes('no-such-pond/duckpond-index.json')),
    otherErrors.join('\n'),
  );
});
