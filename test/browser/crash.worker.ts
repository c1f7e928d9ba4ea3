/// <reference lib="webworker" />
// The crash harness's victim: opens a pond in OPFS (sync access handles, as the app's worker
// does) and commits the workload's transactions one after another, announcing each 'begin' and
// 'end', until the page terminates it at a random moment.
import '../../workers/wasm-assets.ts';
import { openPond } from '../../src/core/index.ts';
import { OpfsStore } from '../../src/core/storage/opfs.ts';
import { runStep } from '../shared/crash-workload.ts';

/** What the page asks: run steps from `from` on pond `pond` (created if missing). */
export interface CrashRun {
  pond: string;
  seed: number;
  /** Version the pond is at before step 0. */
  base: number | null;
  maxSteps: number;
  /** A pause after each commit, as a real app has between writes (so some kills land between commits). */
  idleMs: number;
}

/** What the worker reports. */
export type CrashEvent =
  | { type: 'ready'; version: number }
  | { type: 'begin'; step: number }
  | { type: 'end'; step: number; version: number }
  | { type: 'error'; message: string };

const post = (e: CrashEvent) => (self as DedicatedWorkerGlobalScope).postMessage(e);

self.onmessage = async (msg: MessageEvent<CrashRun>) => {
  const { pond: name, seed, maxSteps } = msg.data;
  try {
    const pond = await openPond(new OpfsStore(name), { create: true });
    const base = msg.data.base ?? pond.version;
    post({ type: 'ready', version: pond.version });
    for (let step = pond.version - base; step < maxSteps; step++) {
      post({ type: 'begin', step });
      const version = await pond.transact((tx) => runStep(tx, seed, step), { message: `step ${step}` });
      post({ type: 'end', step, version });
      if (msg.data.idleMs > 0) await new Promise((r) => setTimeout(r, msg.data.idleMs));
    }
  } catch (e) {
    post({ type: 'error', message: e instanceof Error ? `${e.message}\n${e.stack}` : String(e) });
  }
};
