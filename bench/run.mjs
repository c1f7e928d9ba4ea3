#!/usr/bin/env node
// `npm run bench [-- options] [filter ...]`: run the benchmarks, print one table per suite to
// stdout (progress to stderr), write everything to bench/results/latest.json.
//
//   filter ...     case-insensitive substrings of a suite name or bench file path (any matches)
//   --node         only bench/node/*.bench.ts (each file in its own `node --import tsx` process)
//   --browser      only bench/browser/*.bench.ts (vite build + headless Chromium)
//   --bundle       only the bundle-size section (sizes of dist/, when it exists)
//   --crash        only the long crash-harness run (kill the pond's worker 120 times, in Chromium)
//   --hostile      only the whole hostile-pond corpus (test/unit/hostile, csv/hostile, test/browser/hostile-*)
//   --quick        smoke run: 3 rounds, 1 warmup, no minimum time
//   --strict       exit 1 when a target is OVER (errors always exit 1)
//   --json <path>  where the JSON goes (default bench/results/latest.json)
// Sides combine (--node --bundle); with none, all run. The bundle, crash and hostile sections run
// in an unfiltered run, with their option, or when a filter contains "bundle" / "crash" / "hostile".
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { formatSuite, tally } from './lib/report.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
/** Per bench file (Node) and for the whole browser side: a hung bench must not stall the run. */
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS) || 300_000;

const USAGE = `usage: npm run bench -- [--node] [--browser] [--bundle] [--crash] [--hostile] [--quick] [--strict] [--json path] [filter ...]`;

class UsageError extends Error {}

function parseArgs(argv) {
  const o = {
    filters: [],
    node: false,
    browser: false,
    bundle: false,
    crash: false,
    hostile: false,
    quick: false,
    strict: false,
    json: join(here, 'results', 'latest.json'),
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--node') o.node = true;
    else if (a === '--browser') o.browser = true;
    else if (a === '--bundle') o.bundle = true;
    else if (a === '--crash') o.crash = true;
    else if (a === '--hostile') o.hostile = true;
    else if (a === '--quick') o.quick = true;
    else if (a === '--strict') o.strict = true;
    else if (a === '--json') o.json = resolve(argv[++i] ?? '');
    else if (a === '--help' || a === '-h') o.help = true;
    else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}\n${USAGE}`);
    else o.filters.push(a);
  }
  if (!o.node && !o.browser && !o.bundle && !o.crash && !o.hostile) {
    o.node = o.browser = true;
    const named = (word) => o.filters.length === 0 || o.filters.some((f) => f.toLowerCase().includes(word));
    o.bundle = named('bundle');
    o.crash = named('crash');
    o.hostile = named('hostile');
  }
  return o;
}

const log = (line) => process.stderr.write(line + '\n');

async function benchFiles(dir) {
  if (!existsSync(dir)) return [];
  return (await readdir(dir))
    .filter((f) => f.endsWith('.bench.ts'))
    .sort()
    .map((f) => join(dir, f));
}

/** One child process per file: fresh heap and JIT, gc exposed, TypeScript through tsx. */
async function runNodeFile(file, opts, tmp) {
  const out = join(tmp, `${Math.random().toString(36).slice(2)}.json`);
  const args = ['--expose-gc', '--import', 'tsx', join(here, 'lib', 'node-entry.ts'), '--out', out];
  for (const f of opts.filters) args.push('--filter', f);
  if (opts.quick) args.push('--quick');
  args.push(file);
  const rel = file
    .slice(root.length + 1)
    .split('\\')
    .join('/');
  const code = await new Promise((resolvePromise, reject) => {
    // Bench code's own console output goes to stderr so stdout stays tables only.
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.pipe(process.stderr);
    const timer = setTimeout(() => {
      log(`${rel}: no result after ${TIMEOUT_MS / 1000} s (BENCH_TIMEOUT_MS), killing it`);
      child.kill('SIGKILL');
    }, TIMEOUT_MS);
    child.on('error', reject);
    child.on('exit', (c, signal) => {
      clearTimeout(timer);
      resolvePromise(signal ? signal : c);
    });
  });
  try {
    return JSON.parse(await readFile(out, 'utf8')).suites;
  } catch {
    const error = `node ${rel} exited with ${code} before writing results`;
    return [{ name: rel, file: rel, side: 'node', rounds: 0, warmup: 0, elapsedMs: 0, cases: [], metrics: [], error }];
  }
}

/**
 * The long crash-harness run: test/browser/crash-harness.test.ts in vitest's Chromium with more
 * kills (VITE_CRASH_KILLS reaches the page through vite's env). Returns its summary line.
 */
function runCrashHarness(kills) {
  return new Promise((resolvePromise) => {
    const args = [join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'vitest.browser.config.ts', 'test/browser/crash-harness.test.ts'];
    const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, VITE_CRASH_KILLS: String(kills) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60 * 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const summary = /crash harness \(seed[^\n]*/.exec(stripVTControlCharacters(out))?.[0];
      resolvePromise(code === 0 && summary ? summary : `crash harness failed (exit ${code}):\n${out.slice(-4000)}`);
    });
  });
}

/**
 * The whole hostile-pond corpus: the same test files `npm test` samples, with HOSTILE_FULL=1 (Node)
 * and VITE_HOSTILE_FULL=1 (reaches the Chromium pages through vite's env). Returns one summary line
 * per stage.
 */
async function runHostileCorpus() {
  const env = { ...process.env, HOSTILE_FULL: '1', VITE_HOSTILE_FULL: '1' };
  const stages = [
    ['node', ['vitest.config.ts', 'test/unit/hostile', 'test/unit/csv/hostile']],
    ['chromium', ['vitest.browser.config.ts', 'test/browser/hostile-']],
  ];
  const lines = [];
  for (const [name, [config, ...filters]] of stages) {
    const started = Date.now();
    const args = [join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--config', config, ...filters];
    const { code, out } = await new Promise((resolvePromise) => {
      const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      child.stdout.on('data', (d) => (text += d));
      child.stderr.on('data', (d) => (text += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), 60 * 60_000);
      child.on('exit', (c) => {
        clearTimeout(timer);
        resolvePromise({ code: c, out: stripVTControlCharacters(text) });
      });
    });
    const tests = /Tests\s+([^\n]*)/.exec(out)?.[1]?.trim() ?? 'no summary';
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    lines.push(code === 0 ? `hostile corpus (${name}): ${tests}, ${secs} s` : `hostile corpus (${name}) FAILED (exit ${code}), ${tests}:\n${out.slice(-4000)}`);
  }
  return lines;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.help) {
    console.log(USAGE);
    return 0;
  }
  const startedAt = new Date().toISOString();
  const result = {
    startedAt,
    argv: process.argv.slice(2),
    env: { node: process.version, platform: process.platform, arch: process.arch, cpus: cpus().length, cpu: cpus()[0]?.model },
    suites: [],
  };
  const notes = [];
  const print = (suite) => {
    result.suites.push(suite);
    console.log(formatSuite(suite) + '\n');
  };

  if (opts.node) {
    const files = await benchFiles(join(here, 'node'));
    log(`node: ${files.length} bench file(s)${opts.filters.length ? `, filter ${opts.filters.join(' | ')}` : ''}`);
    const tmp = await mkdtemp(join(tmpdir(), 'duckpond-bench-node-'));
    try {
      for (const f of files) (await runNodeFile(f, opts, tmp)).forEach(print);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  if (opts.browser) {
    const { runBrowserBenches } = await import('./lib/browser-driver.mjs');
    log(`browser: building the bench page…`);
    let r;
    try {
      r = await runBrowserBenches({ root, filters: opts.filters, quick: opts.quick, timeoutMs: TIMEOUT_MS, log });
    } catch (e) {
      r = {
        suites: [
          {
            name: 'browser side',
            file: 'bench/lib/browser-driver.mjs',
            side: 'page',
            rounds: 0,
            warmup: 0,
            elapsedMs: 0,
            cases: [],
            metrics: [],
            error: e?.stack ?? String(e),
          },
        ],
      };
    }
    if (r.chromium) result.env.chromium = r.chromium;
    if (r.skipped) {
      notes.push(`browser benches skipped: ${r.skipped}`);
      result.browserSkipped = r.skipped;
    }
    r.suites.forEach(print);
  }

  if (opts.bundle) {
    const dist = join(root, 'dist');
    if (existsSync(join(dist, 'index.html'))) {
      const { bundleSize, formatBundle } = await import('./bundle-size.mjs');
      const report = await bundleSize(dist);
      result.bundle = report;
      console.log(formatBundle(report) + '\n');
    } else {
      const msg = 'bundle size: skipped, no dist/index.html (run `npm run build` first)';
      result.bundle = { skipped: msg };
      notes.push(msg);
    }
  }

  if (opts.crash) {
    const kills = opts.quick ? 16 : 120;
    log(`crash harness: ${kills} kills of the pond's worker in Chromium…`);
    const line = await runCrashHarness(kills);
    result.crash = line;
    console.log(`${line}\n`);
    if (!line.startsWith('crash harness')) notes.push('crash harness: FAILED (see above)');
  }

  if (opts.hostile) {
    log('hostile corpus: every template, SQL, stored-bytes and tree case, in Node and Chromium…');
    const lines = await runHostileCorpus();
    result.hostile = lines;
    for (const line of lines) {
      console.log(`${line}\n`);
      if (!line.startsWith('hostile corpus (') || line.includes(') FAILED')) notes.push(`${line.split('\n')[0]} (see above)`);
    }
  }

  result.finishedAt = new Date().toISOString();
  await mkdir(dirname(opts.json), { recursive: true });
  await writeFile(opts.json, JSON.stringify(result, null, 2) + '\n');

  const t = tally(result.suites);
  for (const n of notes) console.log(n);
  if (t.suites === 0 && (opts.node || opts.browser) && !result.browserSkipped) {
    console.log(`no suite matched${opts.filters.length ? ` ${opts.filters.map((f) => `"${f}"`).join(', ')}` : ''}`);
  }
  console.log(
    `${t.suites} suite(s), ${t.cases} case(s): ${t.pass} PASS, ${t.over} OVER, ${t.errors} error(s); JSON in ${opts.json.startsWith(root) ? opts.json.slice(root.length + 1) : opts.json}`,
  );
  if (t.errors > 0) return 1;
  if (opts.strict && (t.over > 0 || result.browserSkipped)) return 1;
  if (opts.browser && result.browserSkipped && process.argv.includes('--browser')) return 1;
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    console.error(e instanceof UsageError ? e.message : `bench: ${e?.stack ?? e}`);
    process.exitCode = e instanceof UsageError ? 2 : 1;
  },
);
