/// <reference lib="webworker" />
// The crash harness's victim: opens a pond in OPFS (sync access handles, as the app's worker
// does) and commits the workload's transactions one after another until the page terminates it.
//
// The OpfsStore is wrapped in a TracingStore that announces every write of a commit: data write k
// (data and large files, and their temp files) begins and is done, the log entry's publish begins
// and is done. These messages are only a lower bound on how far the worker got when it was
// killed: postMessage is asynchronous, so the worker may have run on after its last message the
// page saw (there is no SharedArrayBuffer to share progress synchronously: the test page is not
// cross-origin isolated). Claims about *where* a kill landed therefore rest on holds, not on
// timing: a run may name one point (after data write k of step s, or after step s's log entry was
// published), and the wrapper parks the commit there (an await that never resolves, inside the
// write path, so nothing of the commit runs after it) and says 'held'; the page then terminates a
// worker whose position is exact. The other kills land wherever timing puts them.
//
// The worker also holds the Web Lock `aliveLock` for its whole life. The browser releases a dead
// worker's locks, so the page, after terminate(), waits for that lock: once it is granted the
// worker is gone and OPFS no longer changes under the checks.
import '../../workers/wasm-assets.ts';
// The pond without the factory registry (openPond's dynamic services): the workload writes only
// static files, and the smaller module graph starts each of the many workers faster.
import type { ObjectStore, StagedPut } from '../../src/core/storage/object-store.ts';
import { TlogPersistence } from '../../src/core/tlogfs/tlog-persistence.ts';
import { Pond } from '../../src/core/pond.ts';
import { OpfsStore } from '../../src/core/storage/opfs.ts';
import { DelegatingStore } from '../shared/delegating-store.ts';
import { runStep } from '../shared/crash-workload.ts';

/** Where a run parks its commit of `step` (0-based, relative to the page's base version). */
export type CrashHold =
  /** After data write `k` (1-based) is done, or just before the log publish if the commit has fewer. */
  | { step: number; after: 'data'; k: number }
  /** After the log entry is published, before transact() returns. */
  | { step: number; after: 'publish' };

/** What the page asks: run steps on pond `pond` (created if missing). */
export interface CrashRun {
  pond: string;
  seed: number;
  /** Version the pond is at before step 0 (null: the version it opens at). */
  base: number | null;
  maxSteps: number;
  /** A pause after each commit, as a real app has between writes (so some kills land between commits). */
  idleMs: number;
  /** Web Lock held until the worker dies. */
  aliveLock: string;
  hold?: CrashHold;
}

/** What the worker reports. */
export type CrashEvent =
  | { type: 'ready'; version: number }
  | { type: 'begin'; step: number }
  /** Data write `k` of the step's commit begins (`done: false`) or has returned (`done: true`); `key` is what it leaves behind. */
  | { type: 'data'; step: number; k: number; key: string; done: boolean }
  /** The log entry `key` (version `version`) is being published (`done: false`) or has been (`done: true`). */
  | { type: 'publish'; step: number; version: number; key: string; done: boolean }
  /** Parked at the run's hold point after `dataWrites` data writes; the page terminates now. */
  | { type: 'held'; step: number; after: 'data' | 'publish'; dataWrites: number; lastKey: string }
  | { type: 'end'; step: number; version: number }
  | { type: 'error'; message: string };

const post = (e: CrashEvent) => (self as DedicatedWorkerGlobalScope).postMessage(e);
const COMMIT_KEY = /^_delta_log\/(\d{20})\.json$/;

/** Delegates to `inner` and announces each write of the current step; parks at `hold`. */
class TracingStore extends DelegatingStore {
  /** The step being committed (-1 outside a transaction: open, create). */
  step = -1;
  #dataWrites = 0;
  #lastKey = '';
  #held = false;

  constructor(
    inner: ObjectStore,
    readonly hold: CrashHold | undefined,
  ) {
    super(inner, 'tracing');
  }

  /** Called before each step's transaction. */
  beginStep(step: number): void {
    this.step = step;
    this.#dataWrites = 0;
    this.#lastKey = '';
  }

  override write(key: string, data: Uint8Array): Promise<void> {
    return this.#traced(key, kindOf(key), () => super.write(key, data));
  }
  override writeStream(key: string, data: ReadableStream<Uint8Array>): Promise<number> {
    return this.#traced(key, kindOf(key), () => super.writeStream(key, data));
  }
  override putIfAbsent(key: string, data: Uint8Array): Promise<boolean> {
    return this.#traced(key, COMMIT_KEY.test(key) ? 'publish' : kindOf(key), () => super.putIfAbsent(key, data));
  }
  protected override moveObject(from: string, to: string): Promise<void> {
    return this.#traced(to, kindOf(to), () => super.moveObject(from, to));
  }
  // The commit's fast paths (data files written in place, the log entry staged beside them and
  // published after): traced as data writes and as the publish, so holds land on them too.
  writeNew(key: string, data: Uint8Array): Promise<void> {
    return this.#traced(key, kindOf(key), () => this.inner.writeNew!(key, data));
  }
  async stagePut(key: string, data: Uint8Array): Promise<StagedPut> {
    const staged = await this.inner.stagePut!(key, data);
    return {
      publish: () => this.#traced(key, COMMIT_KEY.test(key) ? 'publish' : 'other', () => staged.publish()),
      discard: () => staged.discard(),
    };
  }

  async #traced<T>(key: string, kind: 'data' | 'publish' | 'other', write: () => Promise<T>): Promise<T> {
    // Once parked, the commit writes nothing more (were any of its writes concurrent, they stop here too).
    if (this.#held) return new Promise<never>(() => {});
    const step = this.step;
    if (step < 0 || kind === 'other') return write();
    const hold = this.hold?.step === step ? this.hold : undefined;
    if (kind === 'data') {
      const k = ++this.#dataWrites;
      post({ type: 'data', step, k, key, done: false });
      const result = await write();
      this.#lastKey = key;
      post({ type: 'data', step, k, key, done: true });
      if (hold?.after === 'data' && k >= hold.k) await this.#park(step, 'data');
      return result;
    }
    // The log publish. A commit with fewer data writes than the hold's k parks just before it.
    if (hold?.after === 'data') await this.#park(step, 'data');
    const version = Number(COMMIT_KEY.exec(key)![1]);
    post({ type: 'publish', step, version, key, done: false });
    const result = await write();
    // false: a torn leftover is set aside and the publish retried (announced again).
    if (result === true) {
      post({ type: 'publish', step, version, key, done: true });
      if (hold?.after === 'publish') await this.#park(step, 'publish');
    }
    return result;
  }

  /** Announce the hold and never return: the commit stops here until the page kills the worker. */
  #park(step: number, after: 'data' | 'publish'): Promise<never> {
    this.#held = true;
    post({ type: 'held', step, after, dataWrites: this.#dataWrites, lastKey: this.#lastKey });
    return new Promise<never>(() => {});
  }
}

/** Checkpoints and set-aside torn commits are log housekeeping, neither data nor the publish. */
function kindOf(key: string): 'data' | 'other' {
  return key.startsWith('_delta_log/') ? 'other' : 'data';
}

self.onmessage = async (msg: MessageEvent<CrashRun>) => {
  const { pond: name, seed, maxSteps } = msg.data;
  try {
    await new Promise<void>((held) => {
      void navigator.locks.request(msg.data.aliveLock, () => {
        held();
        return new Promise<never>(() => {});
      });
    });
    const store = new TracingStore(new OpfsStore(name), msg.data.hold);
    const pond = new Pond(await TlogPersistence.open(store, { create: true }));
    const base = msg.data.base ?? pond.version;
    post({ type: 'ready', version: pond.version });
    for (let step = pond.version - base; step < maxSteps; step++) {
      store.beginStep(step);
      post({ type: 'begin', step });
      const version = await pond.transact((tx) => runStep(tx, seed, step), { message: `step ${step}` });
      post({ type: 'end', step, version });
      store.beginStep(-1);
      if (msg.data.idleMs > 0) await new Promise((r) => setTimeout(r, msg.data.idleMs));
    }
  } catch (e) {
    post({ type: 'error', message: e instanceof Error ? `${e.message}\n${e.stack}` : String(e) });
  }
};
