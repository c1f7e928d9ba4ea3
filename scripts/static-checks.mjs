#!/usr/bin/env node
// The static checks, fast and before any test runs (the `static` stage of `npm test`): types
// (svelte-check), lint (ESLint), formatting (Prettier) and the layer rules (dependency-cruiser).
// Each is the package.json script of the same name, so `npm run <name>` reproduces a failure alone.
// Two run at a time (the machines are small); each tool's output is printed whole when it ends.
// Exit code 1 when any tool reports a violation; `--json <file>` writes {passed, failed, skipped},
// one "test" per tool, for scripts/test-all.mjs.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The checks, slowest first so that the pool finishes early; `script` is the npm script that runs it. */
const CHECKS = [
  { name: 'types', script: 'check' },
  { name: 'lint', script: 'lint' },
  { name: 'format', script: 'format:check' },
  { name: 'layers', script: 'layers' },
];

/** The tools write to a pipe: keep their colours only when ours go to a terminal (any FORCE_COLOR value, even 0, turns colours on). */
function colorEnv() {
  const env = { ...process.env };
  if (process.stdout.isTTY) env.FORCE_COLOR = '1';
  else {
    delete env.FORCE_COLOR;
    env.NO_COLOR = '1';
  }
  return env;
}

/** Run one npm script with its output captured; never rejects. */
function runScript(script) {
  return new Promise((resolvePromise) => {
    const started = performance.now();
    let output = '';
    const child = spawn('npm', ['run', '--silent', script], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: colorEnv() });
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const done = (code, error) => resolvePromise({ code, output: error ? `${output}\n${error}` : output, ms: performance.now() - started });
    child.on('error', (e) => done(null, e.message));
    child.on('close', (code, signal) => done(code, signal ? `killed by ${signal}` : undefined));
  });
}

async function main() {
  const args = process.argv.slice(2);
  const jsonAt = args.indexOf('--json');
  const jsonPath = jsonAt >= 0 ? args[jsonAt + 1] : undefined;

  const results = [];
  const queue = [...CHECKS];
  const worker = async () => {
    for (let check = queue.shift(); check; check = queue.shift()) {
      const run = await runScript(check.script);
      const ok = run.code === 0;
      results.push({ ...check, ok, ms: run.ms });
      const text = run.output.trimEnd();
      console.log(`\n${ok ? 'ok  ' : 'FAIL'} ${check.name} (npm run ${check.script}) in ${(run.ms / 1000).toFixed(1)} s${text ? `\n${text}` : ''}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(2, availableParallelism()) }, worker));

  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  console.log(`\nstatic: ${results.map((r) => `${r.name} ${r.ok ? 'ok' : 'FAILED'}`).join(', ')}`);
  if (jsonPath) await writeFile(jsonPath, JSON.stringify({ passed, failed, skipped: 0, checks: results.map(({ name, ok, ms }) => ({ name, ok, ms })) }));
  return failed ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    console.error(`static-checks crashed: ${e?.stack ?? e}`);
    process.exitCode = 1;
  },
);
