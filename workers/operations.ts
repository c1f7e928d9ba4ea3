/**
 * Long operations (imports, queries, pond export/import): each may carry an id so that the UI can
 * cancel it, and reports progress through a comlink-proxied callback at a bounded rate.
 */
import { releaseProxy } from 'comlink';
import type { Progress, ProgressFn } from './api.ts';

/** Progress callbacks fire at most this often (each is a postMessage to the page). */
const PROGRESS_INTERVAL_MS = 50;

/** A running operation: its abort signal and a throttled progress reporter. */
export interface Operation {
  readonly signal: AbortSignal;
  /** Report progress; throttled, except the first and the final (done === total) report. */
  progress(p: Progress): void;
  /** Throw an AbortError if the operation was cancelled. */
  check(): void;
}

export class Operations {
  #running = new Map<string, AbortController>();

  /** Run `fn` as an operation; `opId` lets `cancel(opId)` abort it. Releases the callback proxy afterwards. */
  async run<T>(opId: string | undefined, onProgress: ProgressFn | undefined, fn: (op: Operation) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    if (opId !== undefined) {
      this.#running.get(opId)?.abort();
      this.#running.set(opId, controller);
    }
    let last = 0;
    const op: Operation = {
      signal: controller.signal,
      progress(p) {
        if (!onProgress) return;
        const now = performance.now();
        const final = p.total !== undefined && p.done >= p.total;
        if (!final && last !== 0 && now - last < PROGRESS_INTERVAL_MS) return;
        last = now;
        // A page that went away must not fail the operation.
        Promise.resolve(onProgress(p)).catch(() => {});
      },
      check() {
        controller.signal.throwIfAborted();
      },
    };
    try {
      return await fn(op);
    } finally {
      if (opId !== undefined && this.#running.get(opId) === controller) this.#running.delete(opId);
      release(onProgress);
    }
  }

  /** Abort the operation `opId`; false when none is running under that id. */
  cancel(opId: string): boolean {
    const controller = this.#running.get(opId);
    if (!controller) return false;
    controller.abort(new DOMException('cancelled by the user', 'AbortError'));
    this.#running.delete(opId);
    return true;
  }
}

/** Close the MessagePort behind a comlink-proxied callback (a no-op for a plain function). */
export function release(fn: unknown): void {
  if (typeof fn !== 'function') return;
  const r = (fn as unknown as Record<symbol, unknown>)[releaseProxy];
  if (typeof r === 'function') {
    try {
      (r as () => void).call(fn);
    } catch {
      /* already released */
    }
  }
}
