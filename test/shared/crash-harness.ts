/**
 * The crash harness: kill a worker that is committing transactions to a pond in OPFS at random
 * moments (some at random times, some a few milliseconds after a commit began, to land inside the
 * write), reopen the pond after each kill and check it: it is at the last committed version or at
 * the one that was in flight, it equals the workload's model of that version byte for byte, fsck
 * finds nothing but (at most) a torn newest commit, and the next writer carries on. Used by
 * test/browser/crash-harness.test.ts (a short run) and bench/browser/crash.bench.ts (a long one).
 */
import { openPond, fsck } from '../../src/core/index.ts';
import { OpfsStore, deleteOpfsPond } from '../../src/core/storage/opfs.ts';
import { Prng } from '../../src/core/factories/prng.ts';
import { actualManifest, ManifestModel } from './crash-workload.ts';
import type { CrashEvent, CrashRun } from '../browser/crash.worker.ts';

export interface CrashOptions {
  kills: number;
  seed: number;
  /** Stop a run after this many steps (keeps the pond small). */
  maxSteps?: number;
  /** Start a worker; the caller decides where the worker script comes from. */
  startWorker: () => Worker;
  log?: (line: string) => void;
}

export interface CrashReport {
  seed: number;
  kills: number;
  /** Kills that happened while a commit was in progress. */
  midCommit: number;
  /** Commits that landed although the worker was killed before it said so. */
  landedInFlight: number;
  commits: number;
  /** Reopens that found a torn newest commit (ignored, then set aside by the next writer). */
  tornTails: number;
  finalVersion: number;
  ms: number;
}

/** Run the harness; throws (naming the seed and the kill) at the first pond that is not a committed state. */
export async function runCrashHarness(options: CrashOptions): Promise<CrashReport> {
  const started = performance.now();
  const { seed, kills } = options;
  const maxSteps = options.maxSteps ?? 10_000;
  const name = `crash-${seed}-${Date.now().toString(36)}`;
  const prng = new Prng(seed, 'kills');
  const report: CrashReport = { seed, kills: 0, midCommit: 0, landedInFlight: 0, commits: 0, tornTails: 0, finalVersion: 0, ms: 0 };
  let base: number | null = null;
  let committed = 0;
  const model = new ManifestModel(seed);
  try {
    for (let kill = 0; kill < kills; kill++) {
      const worker = options.startWorker();
      const state = { ready: -1, begun: -1, ended: -1, endedVersion: -1, error: '' };
      let waiters: (() => void)[] = [];
      worker.onmessage = (m: MessageEvent<CrashEvent>) => {
        const e = m.data;
        if (e.type === 'ready') state.ready = e.version;
        else if (e.type === 'begin') state.begun = e.step;
        else if (e.type === 'end') {
          state.ended = e.step;
          state.endedVersion = e.version;
          report.commits++;
        } else state.error = e.message;
        const w = waiters;
        waiters = [];
        for (const f of w) f();
      };
      const until = (cond: () => boolean, ms = 30_000) => new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`seed ${seed}, kill ${kill}: the worker stalled (${JSON.stringify(state)})`)), ms);
        const check = () => {
          if (state.error) {
            clearTimeout(timer);
            reject(new Error(`seed ${seed}, kill ${kill}: the worker failed: ${state.error}`));
          } else if (cond()) {
            clearTimeout(timer);
            resolve();
          } else waiters.push(check);
        };
        check();
      });
      worker.postMessage({ pond: name, seed, base, maxSteps, idleMs: 60 } satisfies CrashRun);
      await until(() => state.ready >= 0);
      if (base === null) {
        base = state.ready;
        committed = base;
      }
      // Half the kills aim inside a commit: a few ms after a commit began, once this worker has
      // committed 1-3 times (so its wasm is warm and the kill lands in the write, not the start-up).
      if (prng.next() < 0.5) {
        const warm = committed - base + Math.floor(prng.next() * 3);
        await until(() => state.ended >= warm, 60_000);
        await until(() => state.begun > state.ended, 60_000);
        await sleep(Math.floor(prng.next() * 40));
      } else {
        await sleep(Math.floor(prng.next() * 1500));
      }
      const inFlight = state.begun > state.ended;
      worker.terminate();
      report.kills++;
      if (inFlight) report.midCommit++;
      const lastEnded = state.endedVersion >= 0 ? state.endedVersion : committed;

      const store = new OpfsStore(name);
      const pond = await openPond(store, { create: false });
      const v = pond.version;
      try {
        const allowed = inFlight ? [lastEnded, lastEnded + 1] : [lastEnded];
        if (!allowed.includes(v)) throw new Error(`seed ${seed}, kill ${kill}: reopened at version ${v}, expected ${allowed.join(' or ')}`);
        if (inFlight && v === lastEnded + 1) report.landedInFlight++;
        const expected = canonical(await model.at(v - base));
        const actual = canonical(await actualManifest(pond));
        if (actual !== expected) {
          throw new Error(`seed ${seed}, kill ${kill}: the pond at version ${v} is not the committed state\nexpected ${JSON.stringify(expected)}\nactual   ${JSON.stringify(actual)}`);
        }
      } finally {
        await pond.close();
      }
      const check = await fsck(store);
      const others = check.problems.filter((p) => p.kind !== 'torn-commit');
      if (others.length) throw new Error(`seed ${seed}, kill ${kill}: fsck found ${JSON.stringify(others)}`);
      if (check.problems.length) report.tornTails++;
      await store.close();
      committed = v;
      options.log?.(`kill ${kill + 1}/${kills}: ${inFlight ? 'mid-commit' : 'between commits'}, reopened at ${v}`);
      if (v - base >= maxSteps) break;
    }
    // The next writer carries on, and afterwards the pond is entirely clean.
    const store = new OpfsStore(name);
    const pond = await openPond(store, { create: false });
    await pond.transact((tx) => tx.writeFile('/after-the-kills.txt', new TextEncoder().encode('ok')));
    report.finalVersion = pond.version;
    await pond.close();
    const final = await fsck(store);
    await store.close();
    if (final.problems.length) throw new Error(`seed ${seed}: fsck after the last kill found ${JSON.stringify(final.problems)}`);
  } finally {
    await deleteOpfsPond(name).catch(() => {});
  }
  report.ms = performance.now() - started;
  return report;
}

function canonical(m: Record<string, string>): string {
  return JSON.stringify(Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
