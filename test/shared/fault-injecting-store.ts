/**
 * FaultInjectingStore: wraps any ObjectStore and makes the k-th write-type call (write,
 * writeStream, putIfAbsent, move) fail, to prove that a commit interrupted at any write leaves the pond
 * consistent (deletes are not write-type calls: a failed commit's cleanup must still work). Count first (`writes` after a fault-free run), then loop k = 1..n with `arm()`.
 *
 * Modes: 'error' throws before anything is written; 'quota' throws a QuotaExceededError
 * DOMException, which the wrapper maps to EQUOTA exactly as the real stores do; 'tear' writes
 * only the first half of the bytes through the inner store and then throws, like a process
 * dying mid-write on a platform without atomic replace.
 */
import type { ObjectStore } from '../../src/core/storage/object-store.ts';
import { mapStoreError } from '../../src/core/storage/common.ts';
import { collectStream } from '../../src/core/bytes.ts';
import { DelegatingStore } from './delegating-store.ts';

export type FaultMode = 'error' | 'quota' | 'tear';

export interface FaultOptions {
  /** 1-based number of the write-type call that fails; undefined disarms. */
  failAt?: number;
  /** What the failing call does (default 'error'). */
  mode?: FaultMode;
  /** The error thrown in 'error' mode (default: new Error('injected fault')). */
  error?: () => unknown;
  /** Fail every write-type call from `failAt` on (a disk that stays full), not just that one. */
  sticky?: boolean;
}

export class FaultInjectingStore extends DelegatingStore {
  #options: FaultOptions;
  #writes = 0;
  #faults = 0;

  /** Wrap `inner`; without `failAt` nothing fails and the wrapper only counts. */
  constructor(inner: ObjectStore, options: FaultOptions = {}) {
    super(inner, 'fault');
    this.#options = options;
  }

  /** Counted; a rename cannot tear, so 'tear' fails before it like 'error'. */
  protected override async moveObject(from: string, to: string): Promise<void> {
    const fault = this.#next();
    if (fault === undefined) return super.moveObject(from, to);
    throw this.#error(fault === 'tear' ? 'error' : fault, to);
  }

  /** Write-type calls seen since construction or the last arm()/reset(), the failed one included. */
  get writes(): number {
    return this.#writes;
  }

  /** Faults injected since construction or the last arm()/reset(). */
  get faults(): number {
    return this.#faults;
  }

  /** Zero the counters and set a new fault plan. */
  arm(options: FaultOptions): void {
    this.#options = options;
    this.#writes = 0;
    this.#faults = 0;
  }

  /** Zero the counters and disarm. */
  reset(): void {
    this.arm({});
  }

  /** Counted; may fail or tear. */
  override async write(key: string, data: Uint8Array): Promise<void> {
    const fault = this.#next();
    if (fault === undefined) return super.write(key, data);
    if (fault === 'tear') await this.inner.write(key, firstHalf(data));
    throw this.#error(fault, key);
  }

  /** Counted; may fail (the stream is cancelled) or tear (the stream is read whole, half is written). */
  override async writeStream(key: string, data: ReadableStream<Uint8Array>): Promise<number> {
    const fault = this.#next();
    if (fault === undefined) return super.writeStream(key, data);
    if (fault === 'tear') {
      const whole = await collectStream(data);
      await this.inner.writeStream(key, streamOf(firstHalf(whole)));
    } else {
      await data.cancel('injected fault').catch(() => undefined);
    }
    throw this.#error(fault, key);
  }

  /** Counted; may fail or tear. */
  override async putIfAbsent(key: string, data: Uint8Array): Promise<boolean> {
    const fault = this.#next();
    if (fault === undefined) return super.putIfAbsent(key, data);
    if (fault === 'tear') await this.inner.putIfAbsent(key, firstHalf(data));
    throw this.#error(fault, key);
  }

  /** Count one write-type call; the fault mode if this call must fail. */
  #next(): FaultMode | undefined {
    const n = ++this.#writes;
    const { failAt, sticky = false, mode = 'error' } = this.#options;
    if (failAt === undefined || (sticky ? n < failAt : n !== failAt)) return undefined;
    this.#faults++;
    return mode;
  }

  #error(fault: FaultMode, key: string): unknown {
    if (fault === 'tear') return new Error(`injected fault: write of ${key} torn after half its bytes`);
    const raw = fault === 'quota' ? quotaExceeded() : (this.#options.error?.() ?? new Error('injected fault'));
    return mapStoreError(raw, key);
  }
}

/** What a browser throws when storage is full (a DOMException named QuotaExceededError). */
function quotaExceeded(): Error {
  if (typeof DOMException === 'function') return new DOMException('injected fault: quota exceeded', 'QuotaExceededError');
  return Object.assign(new Error('injected fault: quota exceeded'), { name: 'QuotaExceededError' });
}

function firstHalf(data: Uint8Array): Uint8Array {
  return data.slice(0, Math.floor(data.length / 2));
}

function streamOf(data: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      if (data.length > 0) controller.enqueue(data);
      controller.close();
    },
  });
}
