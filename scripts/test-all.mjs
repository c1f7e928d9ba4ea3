#!/usr/bin/env node
// `npm test`: static (types, lint, formatting, layer rules: scripts/static-checks.mjs, each tool one
// test), unit (vitest, Node), browser (vitest, Chromium), e2e (built site in Chromium).
// Every stage runs even when an earlier one fails; one summary at the end, whose last line is
// `N passed, N failed[, N skipped]` over all stages. Exit code 1 when any test failed, or a stage
// crashed, timed out or ran no tests (each such stage counts as one failure in that line, so the
// line never reads "0 failed" on a red run).
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumProblem } from './require-chromium.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const vitest = join(root, 'node_modules/vitest/vitest.mjs');
/** A stage that hangs (a browser that never answers) is killed after this long. */
const STAGE_TIMEOUT_MS = Number(process.env.STAGE_TIMEOUT_MS) || 20 * 60_000;

/**
 * @typedef {{ passed: number, failed: number, skipped: number }} Counts
 * @typedef {{ name: string, needsChromium: boolean, command: (json: string) => string[], parse: (text: string) => Counts }} Stage
 */

/** @type {Stage[]} */
const STAGES = [
  {
    name: 'static',
    needsChromium: false,
    command: (json) => [join(root, 'scripts/static-checks.mjs'), '--json', json],
    parse: parseCountsJson,
  },
  {
    name: 'unit',
    needsChromium: false,
    command: (json) => [vitest, 'run', '--config', 'vitest.config.ts', '--reporter=default', '--reporter=json', `--outputFile.json=${json}`],
    parse: parseVitestJson,
  },
  {
    name: 'browser',
    needsChromium: true,
    command: (json) => [vitest, 'run', '--config', 'vitest.browser.config.ts', '--reporter=default', '--reporter=json', `--outputFile.json=${json}`],
    parse: parseVitestJson,
  },
  {
    name: 'e2e',
    needsChromium: true,
    command: (json) => [join(root, 'test/e2e/run.mjs'), '--json', json],
    parse: parseCountsJson,
  },
];

/** Counts from vitest's JSON reporter; a file that failed to load (no test ran in it) is one failure. */
function parseVitestJson(text) {
  const report = JSON.parse(text);
  if (!Array.isArray(report.testResults)) throw new Error('vitest JSON report has no testResults');
  const counts = { passed: 0, failed: 0, skipped: 0 };
  for (const file of report.testResults) {
    const results = file.assertionResults ?? [];
    for (const r of results) {
      if (r.status === 'passed') counts.passed++;
      else if (r.status === 'failed') counts.failed++;
      else counts.skipped++; // skipped, pending, todo
    }
    if (file.status === 'failed' && !results.some((r) => r.status === 'failed')) counts.failed++;
  }
  return counts;
}

/** Counts written by scripts/static-checks.mjs --json and test/e2e/run.mjs --json. */
function parseCountsJson(text) {
  const report = JSON.parse(text);
  for (const k of ['passed', 'failed', 'skipped']) {
    if (!Number.isInteger(report[k])) throw new Error(`JSON report has no integer "${k}"`);
  }
  return { passed: report.passed, failed: report.failed, skipped: report.skipped };
}

/** Run a node script with inherited stdio in its own process group, so a timeout kills browsers too. */
function runNode(args) {
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit', detached: true });
    current = child;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child);
    }, STAGE_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      current = undefined;
      resolvePromise({ code: null, error: error.message, timedOut });
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      current = undefined;
      resolvePromise({ code, error: signal ? `killed by ${signal}` : undefined, timedOut });
    });
  });
}

/** @type {import('node:child_process').ChildProcess | undefined} */
let current;

function killGroup(child) {
  try {
    process.kill(-child.pid, 'SIGTERM');
    setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, 5000).unref();
  } catch {
    /* already gone */
  }
}

// The stage runs in its own process group, so Ctrl-C must be forwarded by hand.
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    if (current) killGroup(current);
    process.exit(130);
  });
}

/** Run one stage; never throws. */
async function runStage(stage, scratch) {
  const started = performance.now();
  const result = { name: stage.name, passed: 0, failed: 0, skipped: 0, problem: undefined, ms: 0 };
  const bar = `── ${stage.name} ${'─'.repeat(Math.max(0, 60 - stage.name.length))}`;
  console.log(`\n${bar}`);
  try {
    const missing = stage.needsChromium ? chromiumProblem() : null;
    if (missing) {
      console.error(missing);
      result.problem = 'Chromium missing';
      return result;
    }
    const json = join(scratch, `${stage.name}.json`);
    const run = await runNode(stage.command(json));
    let counts;
    try {
      counts = stage.parse(await readFile(json, 'utf8'));
    } catch (e) {
      result.problem = `no test report (${e.code === 'ENOENT' ? 'not written' : e.message})`;
    }
    if (counts) Object.assign(result, counts);
    if (run.timedOut) result.problem = `timed out after ${STAGE_TIMEOUT_MS / 1000} s`;
    else if (run.error) result.problem = `crashed: ${run.error}`;
    else if (!result.problem && result.passed + result.failed === 0) result.problem = 'ran no tests';
    else if (!result.problem && run.code !== 0 && result.failed === 0) {
      // e.g. vitest's "unhandled errors" after all tests passed
      result.problem = `exited with code ${run.code} although no test failed`;
    }
    return result;
  } catch (e) {
    result.problem = `crashed: ${e.message}`;
    return result;
  } finally {
    result.ms = performance.now() - started;
    console.log(`${stage.name}: ${describe(result)} in ${seconds(result.ms)}`);
  }
}

function describe(r) {
  const base = `${r.passed} passed, ${r.failed} failed${r.skipped ? `, ${r.skipped} skipped` : ''}`;
  return r.problem ? `${base}; ${r.problem}` : base;
}

function seconds(ms) {
  return `${(ms / 1000).toFixed(1)} s`;
}

async function main() {
  const only = process.argv.slice(2);
  const stages = only.length ? STAGES.filter((s) => only.includes(s.name)) : STAGES;
  if (stages.length === 0) {
    console.error(`unknown stage(s) ${only.join(', ')}; known: ${STAGES.map((s) => s.name).join(', ')}`);
    return 2;
  }
  const scratch = await mkdtemp(join(tmpdir(), 'duckpond-test-'));
  const started = performance.now();
  const results = [];
  try {
    for (const stage of stages) results.push(await runStage(stage, scratch));
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }

  const total = { passed: 0, failed: 0, skipped: 0 };
  console.log(`\n${'═'.repeat(64)}\nSummary`);
  for (const r of results) {
    // A stage that produced no trustworthy verdict counts as one failure, even if some tests passed.
    const failed = r.failed + (r.problem && r.failed === 0 ? 1 : 0);
    total.passed += r.passed;
    total.failed += failed;
    total.skipped += r.skipped;
    const mark = r.problem || r.failed ? 'FAIL' : 'ok  ';
    console.log(`  ${mark} ${r.name.padEnd(8)} ${seconds(r.ms).padStart(8)}  ${describe(r)}`);
  }
  console.log(`  total    ${seconds(performance.now() - started).padStart(8)}`);
  console.log(`${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ''}`);
  return total.failed > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    console.error(`test-all crashed: ${e?.stack ?? e}`);
    console.log('0 passed, 1 failed');
    process.exitCode = 1;
  },
);
