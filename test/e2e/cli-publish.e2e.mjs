// A pond built with the `pond` command line and published with `pond publish` into a folder the
// site's host serves opens in the app by the ?pond= link the CLI prints: its tree, a Markdown
// file and a table (Parquet made by `pond cat --sql`, copied back in with host+table://).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openPage } from './helpers.mjs';

const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../bin/pond.mjs');

function distDir() {
  const dir = process.env.E2E_DIST_DIR;
  if (!dir) throw new Error('E2E_DIST_DIR is not set: run e2e tests through test/e2e/run.mjs');
  return dir;
}

/** Run the CLI as a user would (`npx pond` runs bin/pond.mjs); fails the test on a non-zero exit. */
function pond(args, env) {
  const r = spawnSync(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, `pond ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

test('a pond built and published with the CLI opens in the app with the ?pond= link it prints', async (t) => {
  const work = await mkdtemp(join(tmpdir(), 'duckpond-cli-publish-'));
  t.after(() => rm(work, { recursive: true, force: true }));
  const env = { POND: join(work, 'pond') };
  await writeFile(join(work, 'readings.csv'), 'site,temperature\nnorth,21.5\nsouth,24.25\neast,19\n');
  await writeFile(join(work, 'notes.md'), '# Field notes\n\nBuilt with the pond CLI.\n');

  pond(['init', '--birthplace', 'e2e'], env);
  pond(['mkdir', '-p', '/site-7/raw'], env);
  pond(['copy', `host://${join(work, 'readings.csv')}`, `host://${join(work, 'notes.md')}`, '/site-7/raw/'], env);
  const parquet = pond(['cat', 'csv:///site-7/raw/readings.csv', '--sql', 'SELECT site, temperature FROM source WHERE temperature > 20 ORDER BY site'], env);
  await writeFile(join(work, 'warm.parquet'), parquet);
  pond(['copy', `host+table://${join(work, 'warm.parquet')}`, '/site-7/warm.parquet'], env);

  // Published beside the site, as a static host would serve it.
  const folder = join(distDir(), 'cli-ponds', 'field');
  const link = pond(['publish', folder, '--url', 'cli-ponds/field/'], env).toString().trim();
  assert.equal(link, '?pond=cli-ponds/field/');
  const index = JSON.parse(await readFile(join(folder, 'duckpond-index.json'), 'utf8'));
  assert.equal(index.format, 'duckpond-index');

  const { page, errors } = await openPage(t, `${link}#/field/site-7/raw/notes.md`);
  await page.getByText('published · read-only').waitFor({ timeout: 30_000 });
  await page.getByRole('treeitem', { name: 'raw' }).waitFor({ timeout: 30_000 });
  await page.getByTestId('markdown-view').getByRole('heading', { name: 'Field notes' }).waitFor({ timeout: 30_000 });

  await page.getByRole('treeitem', { name: 'warm.parquet' }).click();
  await page.getByTestId('row-count').filter({ hasText: '2 rows · 2 columns' }).waitFor({ timeout: 60_000 });
  const grid = page.getByRole('grid', { name: 'Contents of /site-7/warm.parquet' });
  await grid.getByRole('gridcell', { name: 'south' }).waitFor();
  await grid.getByRole('gridcell', { name: '24.25' }).waitFor();
  assert.deepEqual(errors, []);
});
