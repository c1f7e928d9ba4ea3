/**
 * The bench page: imports every browser bench file, runs 'page' suites here and spawns one
 * dedicated module worker per 'worker' suite. The driver calls `window.__bench.run(options)`.
 */
import '../../../workers/wasm-assets.ts';
import { matches, registeredSuites } from '../suite.ts';
import { runSuite } from '../runner.ts';
import { setMemoryBackend } from '../memory.ts';
import { benchModules, repoPath } from './files.ts';
import { hostMemoryBackend } from './host-memory.ts';
import type { FromWorker, HostReply, HostRequest, HostTarget, OwnHostRequest, ToWorker } from './protocol.ts';
import type { RunOptions, SuiteResult } from '../types.ts';

/** Forward a realm's own request to the driver, naming the realm. */
function toHost(req: OwnHostRequest, target: HostTarget): Promise<HostReply> {
  const host = window.__benchHost;
  if (!host) {
    if (req.op === 'log') console.log(req.line);
    return Promise.resolve(null);
  }
  const full: HostRequest = req.op === 'log' || req.op === 'probe-stop' ? req : { ...req, target };
  return host(full);
}

// Without a driver (page opened by hand) the default backend (performance.memory) stays.
if (window.__benchHost) setMemoryBackend(hostMemoryBackend((req) => toHost(req, 'page')));

const log = (line: string) => void toHost({ op: 'log', line }, 'page');

let workerCount = 0;

/** Run one suite in a fresh dedicated worker; resolves with its result (errors included). */
function runInWorker(key: string, file: string, suite: string, run: RunOptions): Promise<SuiteResult> {
  const name = `duckpond-bench-${++workerCount}`;
  const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name });
  const failed = (error: string): SuiteResult => ({
    name: suite,
    file,
    side: 'worker',
    rounds: 0,
    warmup: 0,
    elapsedMs: 0,
    cases: [],
    metrics: [],
    error,
  });
  return new Promise<SuiteResult>((resolve) => {
    worker.onerror = (ev) => resolve(failed(`worker error: ${ev.message || 'the worker script failed to load'}`));
    worker.onmessageerror = () => resolve(failed('worker message could not be deserialized'));
    worker.onmessage = async (ev: MessageEvent<FromWorker>) => {
      const m = ev.data;
      if (m.type === 'result') resolve(m.result);
      else if (m.type === 'fatal') resolve(failed(m.error));
      else if (m.type === 'host') {
        let reply: ToWorker;
        try {
          reply = { type: 'host-reply', id: m.id, value: await toHost(m.req, { worker: name }) };
        } catch (e) {
          reply = { type: 'host-reply', id: m.id, error: e instanceof Error ? e.message : String(e) };
        }
        worker.postMessage(reply);
      }
    };
    const start: ToWorker = { type: 'run', key, file, suite, run };
    worker.postMessage(start);
  }).finally(() => worker.terminate());
}

/** Tell the driver before a suite starts (so a hang is named) and hand it each result. */
async function runOne(name: string, side: 'page' | 'worker', file: string, go: () => Promise<SuiteResult>): Promise<SuiteResult> {
  await window.__benchHost?.({ op: 'suite-start', name, side, file });
  const result = await go();
  await window.__benchHost?.({ op: 'suite-done', result });
  return result;
}

async function run(options: RunOptions & { files?: string[] }): Promise<SuiteResult[]> {
  const results: SuiteResult[] = [];
  for (const key of options.files ?? files()) {
    const file = repoPath(key);
    const load = benchModules[key];
    const before = registeredSuites().length;
    try {
      if (!load) throw new Error(`not in the bench build: ${key}`);
      await load();
    } catch (e) {
      if (matches(options.filters, '', file)) {
        const error = `could not load ${file}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`;
        const failed: SuiteResult = { name: file, file, side: 'page', rounds: 0, warmup: 0, elapsedMs: 0, cases: [], metrics: [], error };
        results.push(await runOne(file, 'page', file, async () => failed));
      }
      continue;
    }
    for (const decl of registeredSuites().slice(before)) {
      if (!matches(options.filters, decl.name, file)) continue;
      const where = decl.options.where ?? 'page';
      if (where === 'page' || where === 'both') {
        results.push(await runOne(decl.name, 'page', file, () => runSuite(decl, { side: 'page', file, log }, options)));
      }
      if (where === 'worker' || where === 'both') {
        results.push(await runOne(decl.name, 'worker', file, () => runInWorker(key, file, decl.name, options)));
      }
    }
  }
  return results;
}

function files(): string[] {
  return Object.keys(benchModules).sort();
}

window.__bench = { files, run };
window.__benchReady = true;
