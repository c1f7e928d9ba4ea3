/**
 * The single-writer lock of NodeFsStore: a lock file created with O_EXCL that holds
 * {pid, host, time, token}. Its mtime is the heartbeat, refreshed while held. A lock whose pid is
 * dead (on this host) is stale at once; any lock whose mtime is older than `staleMs` is stale
 * (a holder on another host, or a hung one). Stale locks are taken over; waiters poll.
 */
import { link, mkdir, open, readFile, rename, stat, unlink, utimes, type FileHandle } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { lockConflict, mapStoreError, sleep, timerDelay } from './common.ts';
import type { StoreLockOptions } from './web-lock.ts';

/** What a lock file holds. */
export interface LockInfo {
  pid: number;
  host: string;
  time: number;
  token: string;
}

interface Holder {
  info?: LockInfo;
  raw: string;
  mtimeMs: number;
}

export class LockFile {
  readonly path: string;
  readonly #staleMs: number;

  /** A lock at `path`; a holder whose heartbeat is older than `staleMs` is taken over. */
  constructor(path: string, staleMs: number) {
    this.path = path;
    this.#staleMs = staleMs;
  }

  /** Take the lock (polling until free, stale, or the timeout); resolves to an idempotent release. */
  async acquire(kind: string, options: StoreLockOptions = {}): Promise<() => Promise<void>> {
    const { wait = true, timeoutMs = 30_000 } = options;
    const delay = timerDelay(timeoutMs);
    const deadline = delay === undefined ? Infinity : Date.now() + delay;
    for (let pause = 5; ; pause = Math.min(pause * 2, 100)) {
      const token = randomUUID();
      if (await this.#tryCreate(token)) return this.#hold(token);
      const holder = await this.#inspect(this.path);
      if (holder === undefined) continue; // released between our attempt and our look: try again
      if (this.#isStale(holder) && (await this.#breakStale(holder))) continue;
      const extra = { lockFile: this.path, holder: holder.info };
      if (!wait) throw lockConflict(kind, undefined, extra);
      const left = deadline - Date.now();
      if (left <= 0) throw lockConflict(kind, timeoutMs, extra);
      await sleep(Math.min(pause, left));
    }
  }

  async #tryCreate(token: string): Promise<boolean> {
    await mkdir(dirname(this.path), { recursive: true });
    let fh: FileHandle;
    try {
      fh = await open(this.path, 'wx');
    } catch (e) {
      if ((e as { code?: unknown }).code === 'EEXIST') return false;
      throw mapStoreError(e, '/');
    }
    try {
      const info: LockInfo = { pid: process.pid, host: hostname(), time: Date.now(), token };
      await fh.writeFile(JSON.stringify(info));
    } finally {
      await fh.close();
    }
    return true;
  }

  /** The lock file's content (info is undefined while its creator has not written it yet) and mtime; undefined when absent. */
  async #inspect(path: string): Promise<Holder | undefined> {
    try {
      const [raw, st] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
      return { info: parseLockInfo(raw), raw, mtimeMs: st.mtimeMs };
    } catch (e) {
      if ((e as { code?: unknown }).code === 'ENOENT') return undefined;
      throw mapStoreError(e, '/');
    }
  }

  #isStale(holder: Holder): boolean {
    if (Date.now() - holder.mtimeMs > this.#staleMs) return true;
    return holder.info !== undefined && holder.info.host === hostname() && !pidAlive(holder.info.pid);
  }

  /**
   * Take a stale lock file out of the way. It is renamed to a private name first and compared with
   * what was judged stale, so two breakers can never both delete a fresh lock; a fresh lock caught
   * by mistake is linked back (unless someone has taken the name meanwhile).
   */
  async #breakStale(judged: Holder): Promise<boolean> {
    const aside = `${this.path}.stale-${randomUUID()}`;
    try {
      await rename(this.path, aside);
    } catch (e) {
      return (e as { code?: unknown }).code === 'ENOENT'; // someone else broke it: just retry
    }
    const caught = await this.#inspect(aside).catch(() => undefined);
    if (caught !== undefined && (caught.raw !== judged.raw || caught.mtimeMs !== judged.mtimeMs)) {
      await link(aside, this.path).catch(() => undefined);
    }
    await unlink(aside).catch(() => undefined);
    return true;
  }

  /** Keep the lock's mtime fresh while held; release removes the file only if it is still ours. */
  #hold(token: string): () => Promise<void> {
    const ours = async (): Promise<boolean> => (await this.#inspect(this.path).catch(() => undefined))?.info?.token === token;
    const timer = setInterval(
      () => {
        const now = new Date();
        void ours()
          .then((mine) => (mine ? utimes(this.path, now, now) : clearInterval(timer)))
          .catch(() => undefined);
      },
      Math.max(10, Math.floor(this.#staleMs / 3)),
    );
    // The heartbeat must not keep a finished process alive.
    timer.unref?.();
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      clearInterval(timer);
      if (await ours()) await unlink(this.path).catch(() => undefined);
    };
  }
}

function parseLockInfo(raw: string): LockInfo | undefined {
  try {
    const o = JSON.parse(raw) as Partial<LockInfo>;
    if (typeof o.pid === 'number' && typeof o.host === 'string' && typeof o.token === 'string') {
      return { pid: o.pid, host: o.host, time: Number(o.time), token: o.token };
    }
  } catch {
    // Empty or half-written: judged by age alone.
  }
  return undefined;
}

/** Signal 0 probes a pid without touching it: ESRCH means gone, EPERM means alive but not ours. */
function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: unknown }).code === 'EPERM';
  }
}
