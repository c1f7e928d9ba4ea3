/**
 * MemoryStore: an ObjectStore in a Map, for tests and scratch ponds. Every write replaces the
 * stored array in one step, so readers never see a mix; bytes are copied in and out so callers
 * cannot alias stored data. The writer lock is an in-process FIFO queue.
 */
import type { ObjectStore } from './object-store.ts';
import { pondError } from '../errors.ts';
import { STREAM_CHUNK, checkKey, checkRange, closedError, erroredStream, lockConflict, ownCopy, timerDelay } from './common.ts';

interface Waiter {
  grant(): void;
  fail(e: unknown): void;
}

export class MemoryStore implements ObjectStore {
  readonly kind = 'memory';
  readonly writable = true;
  readonly #objects = new Map<string, Uint8Array>();
  readonly #waiters: Waiter[] = [];
  #locked = false;
  #closed = false;

  /** Whole object (a copy). */
  async read(key: string): Promise<Uint8Array> {
    return ownCopy(this.#get(key));
  }

  /** `length` bytes from `offset`, fewer at the end. */
  async readRange(key: string, offset: number, length: number): Promise<Uint8Array> {
    const data = this.#get(key);
    checkRange(key, offset, length);
    return data.slice(offset, offset + length);
  }

  /** The object as it was when the stream was created, in STREAM_CHUNK pieces. */
  readStream(key: string): ReadableStream<Uint8Array> {
    let data: Uint8Array;
    try {
      data = this.#get(key);
    } catch (e) {
      return erroredStream(e);
    }
    let pos = 0;
    return new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pos >= data.length) return controller.close();
        controller.enqueue(data.slice(pos, pos + STREAM_CHUNK));
        pos += STREAM_CHUNK;
      },
    });
  }

  /** Create or replace an object. */
  async write(key: string, data: Uint8Array): Promise<void> {
    this.#usable(key);
    this.#objects.set(key, ownCopy(data));
  }

  /** Rename an object, replacing `to`. */
  async move(from: string, to: string): Promise<void> {
    this.#usable(from);
    this.#usable(to);
    const data = this.#objects.get(from);
    if (data === undefined) throw pondError('ENOENT', from, 'no such object');
    this.#objects.set(to, data);
    this.#objects.delete(from);
  }

  /** Collect the stream, then replace the object in one step; a failing stream leaves the old object. */
  async writeStream(key: string, data: ReadableStream<Uint8Array>): Promise<number> {
    this.#usable(key);
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of data) {
      chunks.push(chunk.slice());
      size += chunk.length;
    }
    this.#usable(key);
    const whole = new Uint8Array(size);
    let at = 0;
    for (const c of chunks) {
      whole.set(c, at);
      at += c.length;
    }
    this.#objects.set(key, whole);
    return size;
  }

  /** Check and set happen in one synchronous step, so exactly one concurrent caller wins. */
  async putIfAbsent(key: string, data: Uint8Array): Promise<boolean> {
    this.#usable(key);
    if (this.#objects.has(key)) return false;
    this.#objects.set(key, ownCopy(data));
    return true;
  }

  /** Whether the object exists. */
  async exists(key: string): Promise<boolean> {
    this.#usable(key);
    return this.#objects.has(key);
  }

  /** Size in bytes, or undefined when absent. */
  async size(key: string): Promise<number | undefined> {
    this.#usable(key);
    return this.#objects.get(key)?.length;
  }

  /** Keys starting with `prefix`, in code-unit order. */
  async list(prefix: string): Promise<string[]> {
    if (this.#closed) throw closedError(this.kind);
    return [...this.#objects.keys()].filter((k) => k.startsWith(prefix)).sort();
  }

  /** Remove an object; absent keys are fine. */
  async delete(key: string): Promise<void> {
    this.#usable(key);
    this.#objects.delete(key);
  }

  /** FIFO in-process lock: `wait: false` fails at once, otherwise waits up to `timeoutMs`. */
  lock(options: { wait?: boolean; timeoutMs?: number } = {}): Promise<() => Promise<void>> {
    if (this.#closed) return Promise.reject(closedError(this.kind));
    const { wait = true, timeoutMs = 30_000 } = options;
    if (!this.#locked) return Promise.resolve(this.#grant());
    if (!wait) return Promise.reject(lockConflict(this.kind, undefined));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        grant: () => {
          clearTimeout(timer);
          resolve(this.#grant());
        },
        fail: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      const delay = timerDelay(timeoutMs);
      const timer =
        delay === undefined
          ? undefined
          : setTimeout(() => {
              this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
              reject(lockConflict(this.kind, timeoutMs));
            }, delay);
      this.#waiters.push(waiter);
    });
  }

  /** Drop all objects and fail pending lock waiters with ECLOSED. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#objects.clear();
    for (const w of this.#waiters.splice(0)) w.fail(closedError(this.kind));
  }

  #grant(): () => Promise<void> {
    this.#locked = true;
    let released = false;
    // Idempotent: a second call must not hand away a lock that now belongs to someone else.
    return async () => {
      if (released) return;
      released = true;
      const next = this.#waiters.shift();
      if (next) next.grant();
      else this.#locked = false;
    };
  }

  #get(key: string): Uint8Array {
    this.#usable(key);
    const data = this.#objects.get(key);
    if (data === undefined) throw pondError('ENOENT', key, 'no such object');
    return data;
  }

  #usable(key: string): void {
    if (this.#closed) throw closedError(this.kind, key);
    checkKey(key);
  }
}
