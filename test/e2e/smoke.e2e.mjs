import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage } from './helpers.mjs';

test('the built page loads and says when its pond worker is ready', async (t) => {
  const { page, errors } = await openPage(t);
  assert.equal(await page.title(), 'DuckPond');
  assert.equal(await page.locator('h1').textContent(), 'DuckPond');

  const status = page.getByTestId('status');
  await status.filter({ hasText: 'ready' }).waitFor({ timeout: 15_000 });
  assert.equal(await status.textContent(), 'ready');
  assert.match((await status.getAttribute('title')) ?? '', /^The pond worker answered in \d+ ms$/);
  assert.equal(await status.getAttribute('data-ok'), 'true');
  assert.deepEqual(errors, []);
});

test('every asset loads relative to the page when served under a sub-path', async (t) => {
  const { page, errors } = await openPage(t);
  await page.getByTestId('status').filter({ hasText: 'ready' }).waitFor({ timeout: 15_000 });
  const base = new URL(page.url());
  assert.notEqual(base.pathname, '/', 'run.mjs serves the site under a sub-path so that base "./" is exercised');
  const urls = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name));
  const scripts = await page.locator('script[type=module]').evaluateAll((els) => els.map((e) => /** @type {HTMLScriptElement} */ (e).src));
  assert.ok(scripts.length > 0, 'the page has a module script');
  for (const url of [...scripts, ...urls]) assert.ok(url.startsWith(base.href), `${url} is outside ${base.href}`);
  assert.deepEqual(errors, []);
});

test('the Content-Security-Policy blocks inline script in the app origin, and the app still runs', async (t) => {
  const { page, errors } = await openPage(t);
  await page.getByTestId('status').filter({ hasText: 'ready' }).waitFor({ timeout: 15_000 });
  const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  assert.match(csp ?? '', /script-src 'self'(;|$)/);
  const ran = await page.evaluate(async () => {
    const w = /** @type {Window & { __inline?: number; __handler?: number }} */ (window);
    const s = document.createElement('script');
    s.textContent = 'window.__inline = 1';
    document.body.append(s);
    const img = document.createElement('img');
    img.setAttribute('onerror', 'window.__handler = 1');
    img.src = 'data:,not-an-image';
    document.body.append(img);
    await new Promise((r) => setTimeout(r, 300));
    return { inline: w.__inline ?? 0, handler: w.__handler ?? 0 };
  });
  assert.deepEqual(ran, { inline: 0, handler: 0 });
  // The refusals are the only console errors: the app itself needs nothing the policy forbids.
  assert.ok(errors.length > 0 && errors.every((e) => /Content Security Policy/i.test(e)), errors.join('\n'));
});
