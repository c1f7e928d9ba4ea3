// Two tabs writing to one pond at once, through the app's real workers (OPFS, Web Locks, the tab
// channel): every commit lands exactly once, and a tab closed in the middle of a commit does not
// keep the next writer waiting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage } from './helpers.mjs';

const N = 50;

/** Commit `n` files under `dir` from a page, one transaction each, as fast as the page can. */
function commitMany(page, dir, n) {
  return page.evaluate(
    async ({ dir, n }) => {
      const api = globalThis.duckpond.api;
      const versions = [];
      for (let i = 0; i < n; i++) {
        const name = String(i).padStart(3, '0');
        versions.push(await api.writeFile(`${dir}/${name}`, new TextEncoder().encode(`${dir} ${name}`)));
      }
      return versions;
    },
    { dir, n },
  );
}

test('two tabs each commit 50 transactions at once: all 100 land, none lost or interleaved', async (t) => {
  const { page: a, context, errors } = await openPage(t);
  await a.getByLabel('Pond name').fill('shared');
  await a.getByRole('button', { name: 'Create pond' }).click();
  await a.getByText('This pond is empty').first().waitFor();
  await a.evaluate(async () => {
    await globalThis.duckpond.api.mkdir('/a');
    await globalThis.duckpond.api.mkdir('/b');
  });
  const b = await context.newPage();
  await b.goto(a.url());
  await b.getByRole('treeitem', { name: 'b' }).waitFor({ timeout: 30_000 });
  const before = await a.evaluate(() => globalThis.duckpond.api.info().then((i) => i.latest));

  const started = Date.now();
  const [va, vb] = await Promise.all([commitMany(a, '/a', N), commitMany(b, '/b', N)]);
  console.log(`100 commits from two tabs: ${Date.now() - started} ms`);

  // Every commit got its own version; together they are exactly the next 100.
  const all = [...va, ...vb].sort((x, y) => x - y);
  assert.deepEqual(
    all,
    Array.from({ length: 2 * N }, (_, i) => before + 1 + i),
  );
  assert.ok(
    va.some((v, i) => i > 0 && v - va[i - 1] > 1),
    'the tabs interleaved their commits (each waited for the other)',
  );

  // Each tab reads all 100 files, and the history has each transaction once.
  for (const page of [a, b]) {
    const seen = await page.evaluate(async () => {
      const api = globalThis.duckpond.api;
      const out = {};
      for (const dir of ['/a', '/b']) {
        for (const e of await api.readdir(dir)) out[e.path] = new TextDecoder().decode(await api.readFile(e.path));
      }
      const history = await api.history();
      return { out, messages: history.map((h) => h.message), latest: (await api.info()).latest };
    });
    assert.equal(Object.keys(seen.out).length, 2 * N);
    for (const [path, body] of Object.entries(seen.out)) assert.equal(body, `${path.slice(0, 2)} ${path.slice(3)}`);
    assert.equal(seen.latest, before + 2 * N);
    const writes = seen.messages.filter((m) => /\/[ab]\/\d{3}/.test(m));
    assert.equal(writes.length, 2 * N);
    assert.equal(new Set(writes).size, 2 * N);
  }
  // Both tabs end showing the same newest version.
  for (const page of [a, b]) await page.getByText(`version ${before + 2 * N}`, { exact: true }).waitFor({ timeout: 20_000 });
  assert.deepEqual(errors, []);
});

test('a tab closed in the middle of a commit leaves no lock behind', async (t) => {
  const { page: a, context } = await openPage(t);
  await a.getByLabel('Pond name').fill('abandoned');
  await a.getByRole('button', { name: 'Create pond' }).click();
  await a.getByText('This pond is empty').first().waitFor();
  const b = await context.newPage();
  await b.goto(a.url());
  await b.getByText('This pond is empty').first().waitFor({ timeout: 30_000 });

  // Tab A starts a long commit (a 150 MiB file) and is closed while it holds the lock.
  void a.evaluate(() => globalThis.duckpond.api.writeFile('/big.bin', new Uint8Array(150 * 1024 * 1024).fill(7))).catch(() => {});
  // Wait until A's worker holds the pond's write lock (Web Locks are visible origin-wide).
  const heldByA = () => b.evaluate(async () => (await navigator.locks.query()).held.some((l) => l.name.includes('abandoned')));
  for (const until = Date.now() + 30_000; !(await heldByA());) {
    assert.ok(Date.now() < until, 'tab A never took the lock');
    await new Promise((r) => setTimeout(r, 20));
  }
  const write = b.evaluate(() => globalThis.duckpond.api.mkdir('/after'));
  await b.getByTestId('lock-waiting').waitFor({ timeout: 30_000 });
  const closed = Date.now();
  await a.close();
  const version = await write;
  const waited = Date.now() - closed;
  console.log(`next writer got the lock ${waited} ms after the tab closed`);
  assert.ok(waited < 5000, `waited ${waited} ms`);

  // The pond is at a committed state: B's folder, and A's file either whole or absent.
  const state = await b.evaluate(async () => {
    const api = globalThis.duckpond.api;
    const names = (await api.readdir('/')).map((e) => e.name);
    const big = names.includes('big.bin') ? (await api.stat('/big.bin')).size : null;
    return { names, big, latest: (await api.info()).latest };
  });
  assert.ok(state.names.includes('after'));
  assert.ok(state.big === null || state.big === 150 * 1024 * 1024, `big.bin is ${state.big} bytes`);
  assert.equal(state.latest, version);
});
