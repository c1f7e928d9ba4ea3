// Updates: a new deployment at the same URL is picked up on the next visit — the page says a new
// version is ready, reloading switches to it, and the ponds of this browser are untouched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, extname, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openPage } from './helpers.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const TYPES = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.webmanifest': 'application/manifest+json',
};

/** A static host whose served folder can be swapped, as a redeploy does. */
async function host(dir) {
  const state = { dir, requested: [] };
  const server = createServer(async (req, res) => {
    state.requested.push(req.url);
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname).replace(/^\/app\//, '') || 'index.html';
    try {
      if (path.includes('..')) throw new Error('no');
      const body = await readFile(join(state.dir, path));
      res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}/app/`, state, close: () => new Promise((r) => server.close(r)) };
}

/** Build the site again, as the next release; only its build id differs from the first. */
async function buildRelease(id, outDir) {
  const { build } = await import('vite');
  process.env.DUCKPOND_BUILD_ID = id;
  await build({ root, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
}

test('a new deployment is offered on the next visit, and local ponds survive the update', async (t) => {
  // Release A is the build run.mjs made; release B is built here (a few seconds, a real second build).
  const releaseA = process.env.E2E_DIST_DIR;
  assert.ok(releaseA, 'E2E_DIST_DIR is set by test/e2e/run.mjs');
  const scratch = await mkdtemp(join(tmpdir(), 'duckpond-update-'));
  t.after(() => rm(scratch, { recursive: true, force: true }));
  const idB = `e2e-next-${Date.now()}`;
  const started = Date.now();
  await buildRelease(idB, join(scratch, 'b'));
  console.log(`second build: ${Date.now() - started} ms`);
  const site = await host(releaseA);
  t.after(site.close);

  const { page, errors } = await openPage(t, site.url);
  await page.getByLabel('Pond name').fill('kept');
  await page.getByRole('button', { name: 'Create pond' }).click();
  await page.getByText('This pond is empty').first().waitFor();
  await page.getByRole('toolbar', { name: 'Pond actions' }).getByRole('button', { name: '+ Folder' }).click();
  await page.getByRole('dialog').getByLabel('Name').fill('before-update');
  await page.getByRole('button', { name: 'Create folder' }).click();
  await page.getByRole('treeitem', { name: 'before-update' }).waitFor();
  await page.getByTestId('offline-ready').waitFor({ timeout: 120_000 });
  const idA = /Build (\S+):/.exec(await page.getByTestId('offline-ready').getAttribute('title'))?.[1];
  assert.ok(idA && idA !== idB, `release A has its own build id (${idA})`);

  // Redeploy; the next visit still runs A (from the cache) and finds B, which installs and waits.
  site.state.dir = join(scratch, 'b');
  site.state.requested = [];
  await page.reload();
  await page.getByTestId('update-ready').waitFor({ timeout: 120_000 });
  // Only what changed is downloaded again: not DuckDB's 33 MB, not the unchanged chunks.
  const fetched = site.state.requested.filter((u) => u.includes('/assets/'));
  console.log(`the update downloaded ${fetched.length} asset(s): ${fetched.join(', ')}`);
  assert.deepEqual(
    fetched.filter((u) => u.endsWith('.wasm')),
    [],
  );
  assert.match(await page.getByTestId('offline-ready').getAttribute('title'), new RegExp(`Build ${idA}:`));
  await page.getByRole('treeitem', { name: 'before-update' }).waitFor();
  const updating = Date.now();
  await page.getByRole('button', { name: 'Reload to update' }).click();

  await page.getByText(`DuckPond was updated (build ${idB}, was ${idA})`).waitFor({ timeout: 60_000 });
  console.log(`reload into the new release: ${Date.now() - updating} ms`);
  await page.getByRole('treeitem', { name: 'before-update' }).waitFor({ timeout: 30_000 });
  await page.getByTestId('offline-ready').waitFor({ timeout: 30_000 });
  assert.match(await page.getByTestId('offline-ready').getAttribute('title'), new RegExp(`Build ${idB}:`));
  assert.equal(await page.getByRole('button', { name: 'Reload to update' }).count(), 0);
  // The next visit starts B straight away, with no notice left over.
  await page.reload();
  await page.getByRole('treeitem', { name: 'before-update' }).waitFor({ timeout: 30_000 });
  assert.equal(await page.getByText(/DuckPond was updated/).count(), 0);
  assert.equal(await page.getByTestId('update-ready').count(), 0);
  assert.deepEqual(errors, []);
});
