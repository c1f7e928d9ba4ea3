import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage } from './helpers.mjs';

test('the built page loads and shows the worker ping result', async (t) => {
  const { page, errors } = await openPage(t);
  assert.equal(await page.title(), 'DuckPond');
  assert.equal(await page.locator('h1').textContent(), 'DuckPond');

  const status = page.getByTestId('status');
  await status.filter({ hasText: 'worker: pong' }).waitFor({ timeout: 15_000 });
  assert.match((await status.textContent()) ?? '', /^worker: pong \(\d+ ms\)$/);
  assert.equal(await status.getAttribute('data-ok'), 'true');
  assert.deepEqual(errors, []);
});

test('every asset loads relative to the page when served under a sub-path', async (t) => {
  const { page, errors } = await openPage(t);
  await page.getByTestId('status').filter({ hasText: 'worker: pong' }).waitFor({ timeout: 15_000 });
  const base = new URL(page.url());
  assert.notEqual(base.pathname, '/', 'run.mjs serves the site under a sub-path so that base "./" is exercised');
  const urls = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name));
  const scripts = await page.locator('script[type=module]').evaluateAll((els) => els.map((e) => /** @type {HTMLScriptElement} */ (e).src));
  assert.ok(scripts.length > 0, 'the page has a module script');
  for (const url of [...scripts, ...urls]) assert.ok(url.startsWith(base.href), `${url} is outside ${base.href}`);
  assert.deepEqual(errors, []);
});
