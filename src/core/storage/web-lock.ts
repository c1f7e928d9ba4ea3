/**
 * The writer lock of the browser stores: one Web Lock per pond. The browser releases a Web Lock
 * when the tab or worker holding it dies, so a crashed writer never blocks the next one.
 */
import { pondError } from '../errors.ts';
import { lockConflict, timerDelay } from './common.ts';

/** Options of ObjectStore.lock(). */
export interface StoreLockOptions {
  wait?: boolean;
  timeoutMs?: number;
}

/** Take the exclusive Web Lock `name`; resolves to an idempotent release that settles once the lock is free. */
export function requestWebLock(name: string, kind: string, options: StoreLockOptions = {}): Promise<() => Promise<void>> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  if (locks === undefined) return Promise.reject(pondError('EUNSUPPORTED', '/', 'Web Locks are not available in this context'));
  const { wait = true, timeoutMs = 30_000 } = options;
  const delay = timerDelay(timeoutMs);
  const request: LockOptions = !wait
    ? { mode: 'exclusive', ifAvailable: true }
    : delay === undefined
      ? { mode: 'exclusive' }
      : { mode: 'exclusive', signal: AbortSignal.timeout(delay) };
  return new Promise((resolve, reject) => {
    let letGo!: () => void;
    const held = new Promise<void>((r) => (letGo = r));
    const granted: Promise<void> = locks.request(name, request, async (lock) => {
      if (lock === null) {
        reject(lockConflict(kind, undefined, { lock: name }));
        return;
      }
      let released = false;
      resolve(async () => {
        if (!released) {
          released = true;
          letGo();
        }
        await granted;
      });
      // The lock is held for as long as this callback's promise is pending.
      await held;
    });
    granted.catch((e: unknown) => {
      const errorName = (e as { name?: unknown } | null)?.name;
      reject(errorName === 'TimeoutError' || errorName === 'AbortError' ? lockConflict(kind, timeoutMs, { lock: name }) : e);
    });
  });
}

/**
 * The Web Locks one browser store instance holds, so that close() releases them all; the first
 * lock it is granted also runs `sweep` once (what a crashed writer left behind; a failed sweep is
 * ignored).
 */
export class HeldWebLocks {
  readonly #held = new Set<() => Promise<void>>();
  #swept = false;

  constructor(
    private readonly name: string,
    private readonly kind: string,
    private readonly sweep: () => Promise<void>,
  ) {}

  /** Take the lock; the release it returns also forgets it. */
  async acquire(options: StoreLockOptions): Promise<() => Promise<void>> {
    const release = await requestWebLock(this.name, this.kind, options);
    if (!this.#swept) {
      this.#swept = true;
      await this.sweep().catch(() => undefined);
    }
    const tracked = async (): Promise<void> => {
      this.#held.delete(tracked);
      await release();
    };
    this.#held.add(tracked);
    return tracked;
  }

  /** Whether this instance holds the lock now. */
  get held(): boolean {
    return this.#held.size > 0;
  }

  /** Release every lock still held. */
  async releaseAll(): Promise<void> {
    await Promise.all([...this.#held].map((release) => release()));
  }
}
