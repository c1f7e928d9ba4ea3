/**
 * Child-process entry for one Node bench file (bench/run.mjs spawns one per file, so every file
 * gets a fresh heap and JIT):
 *   node --expose-gc --import tsx bench/lib/node-entry.ts --out result.json [--quick] [--filter s]... file.bench.ts
 * Writes {"suites": SuiteResult[]} to --out; progress goes to stderr.
 */
import { writeFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { matches, registeredSuites } from './suite.ts';
import { runSuite } from './runner.ts';
import type { RunOptions, SuiteResult } from './types.ts';

async function main(argv: string[]): Promise<void> {
  let out: string | undefined;
  let file: string | undefined;
  const run: RunOptions = { filters: [], quick: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out') out = argv[++i];
    else if (a === '--filter') run.filters.push(argv[++i]);
    else if (a === '--quick') run.quick = true;
    else file = a;
  }
  if (!out || !file) throw new Error('usage: node-entry.ts --out result.json [--quick] [--filter s]... file.bench.ts');
  const rel = relative(process.cwd(), resolve(file)).split('\\').join('/');
  const suites: SuiteResult[] = [];
  try {
    await import(pathToFileURL(resolve(file)).href);
  } catch (e) {
    // A broken file is reported when it was selected; in a filtered run it is only a warning.
    if (matches(run.filters, '', rel)) suites.push(failedFile(rel, e));
    else process.stderr.write(`warning: ${rel} did not load: ${e instanceof Error ? e.message : String(e)}\n`);
  }
  for (const decl of registeredSuites()) {
    if (!matches(run.filters, decl.name, rel)) continue;
    suites.push(await runSuite(decl, { side: 'node', file: rel, log: (l) => process.stderr.write(l + '\n') }, run));
  }
  await writeFile(out, JSON.stringify({ suites }));
}

function failedFile(file: string, e: unknown): SuiteResult {
  const error = `could not load ${file}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`;
  return { name: file, file, side: 'node', rounds: 0, warmup: 0, elapsedMs: 0, cases: [], metrics: [], error };
}

main(process.argv.slice(2)).then(
  () => process.exit(0), // bench code may leave handles open (workers, timers); the results are written
  (e) => {
    process.stderr.write(`node-entry: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(2);
  },
);
