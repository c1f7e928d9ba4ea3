import type { Deadline } from './deadline.ts';

/** Gives the holder exclusive use of the engine until called (idempotent). */
export type Release = () => void;

/**
 * A FIFO lock: one engine operation at a time, so a query never sees another caller's tables.
 * Waiting honours the caller's deadline and abort signal; `failAll` rejects everyone waiting.
 */
export class SerialQueue {
  #busy = false;
  readonly #waiters: Array<{ grant: () => void; fail: (e: unknown) => void }> = [];

  /** Wait for exclusive use. Rejects with the deadline's error if it expires while waiting. */
  acquire(deadline: Deadline): Promise<Release> {
    deadline.check('waiting for the SQL engine');
    if (!this.#busy) {
      this.#busy = true;
      return Promise.resolve(this.#makeRelease());
    }
    return new Promise<Release>((resolve, reject) => {
      const waiter = {
        grant: () => {
          stop();
          resolve(this.#makeRelease());
        },
        fail: (e: unknown) => {
          stop();
          reject(e);
        },
      };
      const stop = deadline.onExpire(() => {
        const i = this.#waiters.indexOf(waiter);
        if (i >= 0) this.#waiters.splice(i, 1);
        reject(deadline.error('waiting for the SQL engine'));
      });
      this.#waiters.push(waiter);
    });
  }

  /** Reject every waiter with `e` (the engine is closing). */
  failAll(e: unknown): void {
    for (const w of this.#waiters.splice(0)) w.fail(e);
  }

  #makeRelease(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiters.shift();
      if (next) next.grant();
      else this.#busy = false;
    };
  }
}
