/**
 * The crash harness: kill a worker that is committing transactions to a pond in OPFS, reopen the
 * pond after each kill and check it. The kills cycle through four kinds, each with random
 * parameters:
 *  - 'hold-data': the worker parks its commit right after data write k (k random; or just before
 *    the log publish when the commit has fewer writes) and is killed there: the commit's data is
 *    in OPFS (the page checks the last key written exists) but its log entry is not, so the reopen
 *    must be at the version before it;
 *  - 'hold-publish': parked right after the commit's log entry was published, before transact()
 *    returned: the reopen must include that commit;
 *  - 'race': killed 0-3 ms after data write k of a commit began, wherever that lands (in a write,
 *    between two, after the publish);
 *  - 'anytime': killed at a random time, between commits or in one.
 * The worker's messages are only a lower bound on its progress (see crash.worker.ts), so only the
 * held kills are claimed to have landed at a given point; after each kill the page waits until the
 * worker is really gone (its Web Lock is released) before it looks. Every reopen must be at the
 * last committed version or the one in flight (never before a publish the page saw complete),
 * equal the workload's model of that version byte for byte (file bodies and each series version),
 * and fsck must find nothing but (at most) a torn newest commit; the next writer carries on.
 * Used by test/browser/crash-harness.test.ts: a short run in `npm test`, a long one in
 * `npm run bench -- --crash` (bench/run.mjs runs that test with VITE_CRASH_KILLS).
 */
import { openPond, fsck } from '../../src/core/index.ts';
import { OpfsStore, deleteOpfsPond } from '../../src/core/storage/opfs.ts';
import { Prng } from '../../src/core/factories/prng.ts';
import { actualManifest, ManifestModel } from './crash-workload.ts';
import type { CrashEvent, CrashHold, CrashRun } from '../browser/crash.worker.ts';

export interface CrashOptions {
  kills: number;
  seed: number;
  /** Stop a run after this many steps (keeps the pond small). */
  maxSteps?: number;
  /** Start a worker; the caller decides where the worker script comes from. */
  startWorker: () => Worker;
  log?: (line: string) => void;
}

export type KillKind = 'hold-data' | 'anytime' | 'hold-publish' | 'race';
const KINDS: KillKind[] = ['hold-data', 'anytime', 'hold-publish', 'race'];

export interface CrashReport {
  seed: number;
  kills: number;
  /** Kills with a commit in flight: begun and not reported done, or found landed on reopen. */
  midCommit: number;
  /** Kills proven to fall after ≥ 1 data write of a commit and before its log entry was published (all rolled back). */
  midWrite: number;
  /** In-flight commits found committed on reopen (the held-after-publish ones included). */
  landedInFlight: number;
  /** In-flight commits found absent on reopen (the mid-write ones included). */
  rolledBack: number;
  /** Commits the worker reported done. */
  commits: number;
  /** Reopens that found a torn newest commit (ignored, then set aside by the next writer). */
  tornTails: number;
  byKind: Record<KillKind, number>;
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
  const report: CrashReport = {
    seed,
    kills: 0,
    midCommit: 0,
    midWrite: 0,
    landedInFlight: 0,
    rolledBack: 0,
    commits: 0,
    tornTails: 0,
    byKind: { 'hold-data': 0, anytime: 0, 'hold-publish': 0, race: 0 },
    finalVersion: 0,
    ms: 0,
  };
  let base: number | null = null;
  let committed = 0;
  const model = new ManifestModel(seed);
  try {
    for (let kill = 0; kill < kills; kill++) {
      const kind = KINDS[kill % KINDS.length];
      const where = `seed ${seed}, kill ${kill} (${kind})`;
      // The commit a kill aims at: this worker's first, second or third (the first pays the wasm
      // start-up; the later ones keep the pond growing, past compactions and checkpoints).
      const target = (base === null ? 0 : committed - base) + Math.floor(prng.next() * 3);
      const k = 1 + Math.floor(prng.next() * 4);
      const hold: CrashHold | undefined =
        kind === 'hold-data' ? { step: target, after: 'data', k } : kind === 'hold-publish' ? { step: target, after: 'publish' } : undefined;
      const aliveLock = `${name}:alive:${kill}`;
      const t0 = performance.now();
      const worker = options.startWorker();
      const state = {
        ready: -1,
        begun: -1,
        ended: -1,
        endedVersion: -1,
        /** Data writes of the begun step begun, and the newest log version seen published. */
        dataBegun: 0,
        publishBegun: -1,
        published: -1,
        held: undefined as Extract<CrashEvent, { type: 'held' }> | undefined,
        error: '',
      };
      let dead = false;
      let waiters: (() => void)[] = [];
      worker.onmessage = (m: MessageEvent<CrashEvent>) => {
        if (dead) return;
        const e = m.data;
        if (e.type === 'ready') state.ready = e.version;
        else if (e.type === 'begin') {
          state.begun = e.step;
          state.dataBegun = 0;
        } else if (e.type === 'data') {
          if (!e.done) state.dataBegun = e.k;
        } else if (e.type === 'publish') {
          if (e.done) state.published = Math.max(state.published, e.version);
          else state.publishBegun = Math.max(state.publishBegun, e.version);
        } else if (e.type === 'held') state.held = e;
        else if (e.type === 'end') {
          state.ended = e.step;
          state.endedVersion = e.version;
          report.commits++;
        } else state.error = e.message;
        const w = waiters;
        waiters = [];
        for (const f of w) f();
      };
      const until = (cond: () => boolean, ms = 60_000) =>
        new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`${where}: the worker stalled (${JSON.stringify(state)})`)), ms);
          const check = () => {
            if (state.error) {
              clearTimeout(timer);
              reject(new Error(`${where}: the worker failed: ${state.error}`));
            } else if (cond()) {
              clearTimeout(timer);
              resolve();
            } else waiters.push(check);
          };
          check();
        });
      worker.postMessage({ pond: name, seed, base, maxSteps, idleMs: 60, aliveLock, hold } satisfies CrashRun);
      await until(() => state.ready >= 0);
      const tReady = performance.now();
      if (base === null) {
        base = state.ready;
        committed = base;
      }
      if (hold) {
        await until(() => state.held !== undefined);
      } else if (kind === 'race') {
        // Data write k of the target commit begins, or its publish when it has fewer writes.
        await until(() => state.begun > target || (state.begun === target && (state.dataBegun >= k || state.publishBegun > base! + target)));
        const delay = Math.floor(prng.next() * 4);
        if (delay > 0) await sleep(delay);
      } else {
        await sleep(Math.floor(prng.next() * 1000));
      }
      const tKill = performance.now();
      worker.terminate();
      dead = true;
      const seen = { ...state };
      // Until the browser has released the worker's lock it may still be running; then it is gone.
      await navigator.locks
        .request(aliveLock, { signal: AbortSignal.timeout(15_000) }, () => {})
        .catch((e) => {
          throw new Error(`${where}: the worker did not die within 15 s (${(e as Error).message})`);
        });
      const tDead = performance.now();
      report.kills++;
      report.byKind[kind]++;
      const lastEnded = seen.endedVersion >= 0 ? seen.endedVersion : committed;

      const store = new OpfsStore(name);
      if (seen.held?.after === 'data') {
        // Parked after its last data write: that write is on disk, so the kill is inside the commit's write.
        if (seen.held.dataWrites < 1) throw new Error(`${where}: held before any data write`);
        if (!(await store.exists(seen.held.lastKey))) throw new Error(`${where}: data write ${seen.held.dataWrites} (${seen.held.lastKey}) is not in OPFS`);
      }
      const pond = await openPond(store, { create: false });
      const v = pond.version;
      let check: Awaited<ReturnType<typeof fsck>>;
      try {
        let allowed: number[];
        if (seen.held?.after === 'data')
          allowed = [lastEnded]; // its log entry was never written
        else if (seen.held?.after === 'publish')
          allowed = [lastEnded + 1]; // its log entry was
        else allowed = [lastEnded, lastEnded + 1].filter((x) => x >= seen.published); // a publish seen done must be visible
        if (!allowed.includes(v)) throw new Error(`${where}: reopened at version ${v}, expected ${allowed.join(' or ')} (seen ${JSON.stringify(seen)})`);
        // Read-only, so the three run side by side (their OPFS reads overlap).
        const [expected, actual, checked] = await Promise.all([model.at(v - base).then(canonical), actualManifest(pond).then(canonical), fsck(store)]);
        if (actual !== expected) {
          throw new Error(`${where}: the pond at version ${v} is not the committed state\nexpected ${expected}\nactual   ${actual}`);
        }
        check = checked;
      } finally {
        await pond.close();
      }
      const others = check.problems.filter((p) => p.kind !== 'torn-commit');
      if (others.length) throw new Error(`${where}: fsck found ${JSON.stringify(others)}`);
      if (check.problems.length) report.tornTails++;
      const inFlight = seen.held !== undefined || seen.begun > seen.ended || v > lastEnded;
      if (inFlight) {
        report.midCommit++;
        if (v > lastEnded) report.landedInFlight++;
        else report.rolledBack++;
      }
      if (seen.held?.after === 'data') report.midWrite++;
      await store.close();
      committed = v;
      const tChecked = performance.now();
      const at = seen.held
        ? `held after ${seen.held.after === 'data' ? `data write ${seen.held.dataWrites}` : 'the log publish'}`
        : inFlight
          ? `in flight (${seen.dataBegun} data writes seen begun)`
          : 'between commits';
      options.log?.(
        `kill ${kill + 1}/${kills} (${kind}): ${at}, reopened at ${v}${inFlight ? (v > lastEnded ? ', the commit landed' : ', rolled back') : ''} ` +
          `(${Math.round(tReady - t0)} ms to ready, ${Math.round(tKill - tReady)} to the kill, ${Math.round(tDead - tKill)} to its death, ${Math.round(tChecked - tDead)} ms of checks)`,
      );
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

/** The one-line summary the test prints and `npm run bench -- --crash` stores. */
export function formatCrashReport(r: CrashReport): string {
  return (
    `crash harness (seed ${r.seed}): ${r.kills} kills survived, ${r.midCommit} mid-commit: ${r.midWrite} held after ≥1 data write and before the log publish (all rolled back), ` +
    `${r.landedInFlight} in-flight commits landed, ${r.rolledBack} rolled back; ${r.commits} commits (version ${r.finalVersion} at the end), ${r.tornTails} torn tails, ${Math.round(r.ms)} ms`
  );
}

function canonical(m: Record<string, string>): string {
  return JSON.stringify(Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
