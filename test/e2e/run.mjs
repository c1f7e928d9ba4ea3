#!/usr/bin/env node
// End-to-end runner: `vite build` into a private directory, serve it with `vite preview` on a free
// port under a sub-path (so the relative base is exercised), then run every test/e2e/*.e2e.mjs with
// node:test. Usage: node test/e2e/run.mjs [--json counts.json] [name-filter ...]
// Counts go to --json as {"passed","failed","skipped"} for scripts/test-all.mjs to sum.
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import { readdir, writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumProblem, chromiumPath } from '../../scripts/require-chromium.mjs';
import { buildDemoPonds } from '../../scripts/demo-ponds.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
/** The site is served below this path; a build that assumes '/' fails the smoke test. */
const SUB_PATH = '/duckpond/';
/** Per-test limit: a hung page must fail, not stall the whole run. */
const TEST_TIMEOUT_MS = Number(process.env.E2E_TEST_TIMEOUT_MS) || 120_000;

const args = process.argv.slice(2);
let jsonOut;
const filters = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--json') jsonOut = args[++i];
  else filters.push(args[i]);
}

/** Write the machine-readable counts (also on a crash, so the caller never reads stale data). */
async function report(counts) {
  if (jsonOut) await writeFile(jsonOut, JSON.stringify(counts) + '\n');
}

async function main() {
  const problem = chromiumProblem();
  if (problem) {
    console.error(problem);
    await report({ passed: 0, failed: 0, skipped: 0, error: problem });
    return 1;
  }

  const files = (await readdir(here))
    .filter((f) => f.endsWith('.e2e.mjs') && (filters.length === 0 || filters.some((p) => f.includes(p))))
    .sort()
    .map((f) => join(here, f));
  if (files.length === 0) {
    const error = `no e2e test files in ${here}${filters.length ? ` matching ${filters.join(', ')}` : ''}`;
    console.error(error);
    await report({ passed: 0, failed: 0, skipped: 0, error });
    return 1;
  }

  // The demo ponds go into public/ before the build copies it (skipped when they are current).
  await buildDemoPonds();
  // Imported late so a missing chromium is reported before vite spends time loading.
  const { build, preview } = await import('vite');
  // A private outDir: parallel runs (and a developer's own `npm run build`) must not clobber it.
  const outDir = await mkdtemp(join(tmpdir(), 'duckpond-e2e-dist-'));
  let server;
  try {
    const t0 = performance.now();
    await build({ root, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
    console.log(`e2e: built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    // base only affects how preview mounts the files; the build itself used base './'.
    server = await preview({
      root,
      logLevel: 'warn',
      base: SUB_PATH,
      build: { outDir },
      preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false },
    });
    const address = server.httpServer.address();
    if (!address || typeof address === 'string') throw new Error('vite preview did not bind a TCP port');
    const baseURL = `http://127.0.0.1:${address.port}${SUB_PATH}`;
    console.log(`e2e: serving the build at ${baseURL}, ${files.length} file(s), chromium ${chromiumPath()}`);

    // Test files run as child processes and inherit this environment.
    process.env.E2E_BASE_URL = baseURL;
    // The served directory: tests may drop files into it (a published pond next to the deployment).
    process.env.E2E_DIST_DIR = outDir;
    process.env.CHROME_PATH = chromiumPath();

    const counts = await runTests(files);
    await report(counts);
    console.log(`e2e: ${counts.passed} passed, ${counts.failed} failed${counts.skipped ? `, ${counts.skipped} skipped` : ''}`);
    return counts.failed > 0 || counts.passed + counts.failed === 0 ? 1 : 0;
  } finally {
    await server?.close();
    await rm(outDir, { recursive: true, force: true });
  }
}

/** Run the files one at a time (each launches its own Chromium; 2 cores) and count results. */
async function runTests(files) {
  // Counted from events; node's own summary diagnostics win when present (they also count
  // tests cancelled by a failing hook, which produce no test:fail of their own in some versions).
  const seen = { passed: 0, failed: 0, skipped: 0 };
  const summary = {};
  const stream = run({ files, concurrency: 1, timeout: TEST_TIMEOUT_MS });
  stream.on('test:pass', (d) => {
    if (d.details?.type === 'suite') return;
    if (d.skip || d.todo) seen.skipped++;
    else seen.passed++;
  });
  stream.on('test:fail', (d) => {
    // A suite fails because a child or a hook did; hook failures have no child event, so count those.
    if (d.details?.type === 'suite' && d.details?.error?.failureType !== 'hookFailed') return;
    seen.failed++;
  });
  stream.on('test:diagnostic', (d) => {
    const m = /^(tests|pass|fail|cancelled|skipped|todo) (\d+)$/.exec(d.message);
    if (m && d.nesting === 0) summary[m[1]] = Number(m[2]);
  });
  await new Promise((resolvePromise, reject) => {
    stream.compose(spec).pipe(process.stdout, { end: false }).on('error', reject);
    stream.on('end', resolvePromise);
    stream.on('error', reject);
  });
  if (summary.pass === undefined) return seen;
  return {
    passed: summary.pass,
    failed: Math.max((summary.fail ?? 0) + (summary.cancelled ?? 0), seen.failed),
    skipped: (summary.skipped ?? 0) + (summary.todo ?? 0),
  };
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  async (e) => {
    console.error(`e2e: runner crashed: ${e?.stack ?? e}`);
    await report({ passed: 0, failed: 0, skipped: 0, error: String(e?.message ?? e) });
    process.exitCode = 1;
  },
);
