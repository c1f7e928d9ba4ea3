// Shared plumbing for *.e2e.mjs files: a fresh Chromium profile per page against the preview
// server that run.mjs started. Each test file runs in its own process (node:test), so nothing
// but the environment is shared: E2E_BASE_URL and CHROME_PATH.
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, basename, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright';
import { CHROMIUM_ARGS, chromiumPath } from '../../scripts/require-chromium.mjs';

export const SCREENSHOT_DIR = join(dirname(fileURLToPath(import.meta.url)), 'screenshots');

/** The preview server's URL (ends with '/'; includes the sub-path the site is served under). */
export function baseURL() {
  const url = process.env.E2E_BASE_URL;
  if (!url) throw new Error('E2E_BASE_URL is not set: run e2e tests through `npm run test:e2e` (test/e2e/run.mjs)');
  return url.endsWith('/') ? url : `${url}/`;
}

/**
 * Open `path` (relative to the site root) in a fresh persistent Chromium profile, so OPFS and
 * IndexedDB start empty for every test. Closed and screenshotted automatically when `t` ends.
 * Returns the page plus `errors` (uncaught exceptions, console errors, failed or >= 400 requests,
 * collected from before navigation) for tests to assert on.
 * The profile is that of a returning visitor with no ponds (the welcome screen) unless
 * `firstVisit` is set: a first visit opens the shipped demo pond.
 * @param {import('node:test').TestContext} t
 * @param {string} [path]
 * @param {{ firstVisit?: boolean }} [options]
 */
export async function openPage(t, path = '', options = {}) {
  // A persistent context because Playwright rejects --user-data-dir in launch().
  const profile = await mkdtemp(join(tmpdir(), 'duckpond-e2e-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 800 },
  });
  if (!options.firstVisit) {
    await context.addInitScript(() => {
      try {
        if (!localStorage.getItem('duckpond:visited')) localStorage.setItem('duckpond:visited', 'e2e');
      } catch {
        /* sandboxed frames have no storage */
      }
    });
  }
  const page = context.pages()[0] ?? (await context.newPage());
  /** @type {string[]} */
  const errors = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => errors.push(`requestfailed: ${r.url()} ${r.failure()?.errorText ?? ''}`.trim()));
  page.on('response', (r) => {
    if (r.status() >= 400) errors.push(`http ${r.status()}: ${r.url()}`);
  });
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}${m.location().url ? ` (${m.location().url})` : ''}`);
  });

  t.after(async () => {
    try {
      await screenshot(page, `${basename(testFile(t) ?? 'e2e', '.e2e.mjs')}--${t.name}`);
    } catch {
      /* the page may already be gone; a missing screenshot must not fail the test */
    }
    await context.close();
    await rm(profile, { recursive: true, force: true });
  });

  await page.goto(new URL(path, baseURL()).href);
  return { page, context, errors };
}

/** Open the published demo pond at `path` and wait until its tree shows. */
export async function openDemo(t, path = '/data') {
  const opened = await openPage(t, `?pond=ponds/demo/#/demo${path}`);
  await opened.page.getByRole('treeitem', { name: 'data', exact: true }).waitFor({ timeout: 60_000 });
  return opened;
}

/** Make the open published pond a pond of this browser named `name`, through the "Make a local copy" dialog. */
export async function makeLocalCopy(page, name) {
  await page.getByRole('button', { name: 'Make a local copy' }).click();
  const copy = page.getByRole('dialog', { name: /Make a local copy/ });
  await copy.getByLabel('Name of the copy').fill(name);
  await copy.getByRole('button', { name: 'Copy into this browser' }).click();
  await page.getByText(new RegExp(`“${name}” is now a pond of this browser`)).waitFor({ timeout: 60_000 });
}

/** Open the published demo at `path` and make a local copy of it named `name` (the path stays selected). */
export async function openDemoCopy(t, name, path = '/data') {
  const opened = await openDemo(t, path);
  await makeLocalCopy(opened.page, name);
  return opened;
}

/** Save a full-page PNG under test/e2e/screenshots/ (gitignored); returns its path. */
export async function screenshot(page, name) {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const file = join(SCREENSHOT_DIR, `${name.replace(/[^\w.-]+/g, '_').slice(0, 120)}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

function testFile(t) {
  // node:test does not expose the test's file in Node 20; argv[1] is the file of this process.
  return t.filePath ?? process.argv[1];
}

/**
 * A CDP `send(method, params)` to the page's pond worker (non-flat: Playwright cannot address a
 * worker's child session), for heap and timing probes inside the worker.
 */
export async function workerSession(context, page) {
  const cdp = await context.newCDPSession(page);
  const pending = new Map();
  let nextId = 1;
  cdp.on('Target.receivedMessageFromTarget', (e) => {
    const msg = JSON.parse(e.message);
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.error) p.reject(new Error(msg.error.message));
    else p.resolve(msg.result);
  });
  for (let attempt = 0; attempt < 100; attempt++) {
    const { targetInfos } = await cdp.send('Target.getTargets');
    const t = targetInfos.find((x) => x.type === 'worker' && (x.title === 'pond' || x.url.includes('pond.worker')));
    if (t) {
      const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: t.targetId, flatten: false });
      return (method, params = {}) =>
        new Promise((resolve, reject) => {
          const id = nextId++;
          pending.set(id, { resolve, reject });
          cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) }).catch(reject);
        });
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('no CDP target for the pond worker');
}
