import { isPondError, pondError } from '../errors.ts';

/**
 * The time limit and abort signal of one engine call. DuckDB runs synchronously on our thread, so
 * nothing can fire while it works: callers check the deadline between polls (`check`) and, while
 * suspended (queue wait, a consumer between batches), get woken by `onExpire`.
 */
export class Deadline {
  readonly path: string;
  readonly timeoutMs: number | undefined;
  readonly signal: AbortSignal | undefined;
  readonly #end: number;

  constructor(path: string, timeoutMs?: number, signal?: AbortSignal) {
    if (timeoutMs !== undefined && !(timeoutMs >= 0)) {
      throw pondError('EINVAL', path, `timeoutMs must be a number >= 0, got ${String(timeoutMs)}`);
    }
    this.path = path;
    this.timeoutMs = timeoutMs;
    this.signal = signal;
    this.#end = timeoutMs === undefined ? Infinity : performance.now() + timeoutMs;
  }

  /** Milliseconds left (Infinity without a limit). */
  remaining(): number {
    return Math.max(0, this.#end - performance.now());
  }

  /** True once the signal aborted or the time is up. */
  expired(): boolean {
    return this.signal?.aborted === true || performance.now() >= this.#end;
  }

  /** Throw the call's failure if it is over; `stage` says where it stopped. */
  check(stage: string): void {
    if (this.expired()) throw this.error(stage);
  }

  /** The error a call that ran out of time (or was aborted) fails with. */
  error(stage: string): unknown {
    if (this.signal?.aborted) {
      const reason: unknown = this.signal.reason;
      if (isPondError(reason)) return reason;
      // AbortSignal.timeout() is a time limit too: give it the same code as ours.
      if (reason instanceof Error && reason.name === 'TimeoutError') {
        return pondError('ETIMEOUT', this.path, `query timed out (${stage})`, { stage }, reason);
      }
      return reason ?? new DOMException('The operation was aborted.', 'AbortError');
    }
    return pondError('ETIMEOUT', this.path, `query exceeded its time limit of ${this.timeoutMs} ms (${stage})`, { timeoutMs: this.timeoutMs, stage });
  }

  /** Call `fn` once when the deadline passes or the signal aborts; returns an unsubscribe function. */
  onExpire(fn: () => void): () => void {
    let done = false;
    const fire = (): void => {
      if (done) return;
      done = true;
      unsubscribe();
      fn();
    };
    const ms = this.remaining();
    const timer = Number.isFinite(ms) ? setTimeout(fire, Math.ceil(ms)) : undefined;
    this.signal?.addEventListener('abort', fire, { once: true });
    const unsubscribe = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      this.signal?.removeEventListener('abort', fire);
    };
    if (this.signal?.aborted) queueMicrotask(fire);
    return () => {
      done = true;
      unsubscribe();
    };
  }
}

type Scheduler = (fn: () => void) => void;

/** A macrotask scheduler: lets timers, abort events and worker messages run between DuckDB polls. */
function makeScheduler(): Scheduler {
  const g = globalThis as { setImmediate?: (fn: () => void) => unknown };
  if (typeof g.setImmediate === 'function') {
    const setImmediate = g.setImmediate;
    return (fn) => void setImmediate(fn);
  }
  // setTimeout(0) is clamped to 4 ms after a few nested calls; a MessageChannel post is not.
  if (typeof MessageChannel === 'function') {
    const channel = new MessageChannel();
    const queue: Array<() => void> = [];
    channel.port1.onmessage = () => queue.shift()?.();
    return (fn) => {
      queue.push(fn);
      channel.port2.postMessage(null);
    };
  }
  return (fn) => void setTimeout(fn, 0);
}

let scheduler: Scheduler | undefined;

/** Resolve after pending macrotasks (timers, messages, abort events) had a chance to run. */
export function yieldMacrotask(): Promise<void> {
  scheduler ??= makeScheduler();
  const schedule = scheduler;
  return new Promise((resolve) => schedule(resolve));
}
