/**
 * The single-writer lock of NodeFsStore: a lock file created with O_EXCL that holds
 * {pid, host, time, token}. Its mtime is the heartbeat, refreshed while held. A lock whose pid is
 * dead (on this host) is stale at once; any lock whose mtime is older than `staleMs` is stale
 * (a holder on another host, or a hung one). Stale locks are taken over; waiters poll.
 */
import { mkdir, open, readFile, stat, unlink, utimes, type FileHandle } from 'node:fs/promises';
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
  ino: number;
}

/** A breaker's turn file older than this belongs to a breaker that died mid-turn (a turn takes milliseconds). */
const BREAK_STALE_MS = 5_000;

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
      const created = await this.#tryCreate(token);
      if (created) return this.#hold(token, created.fh, created.raw);
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

  /** Create the lock file (O_EXCL) and write our info; the handle stays open while held, to tell our file from a successor's. */
  async #tryCreate(token: string): Promise<{ fh: FileHandle; raw: string } | undefined> {
    let fh: FileHandle;
    try {
      fh = await open(this.path, 'wx+'); // readable too: release reads our info back through it
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (code === 'EEXIST') return undefined;
      if (code !== 'ENOENT') throw mapStoreError(e, '/');
      // The first lock of a fresh folder: its `.duckpond/` does not exist yet.
      await mkdir(dirname(this.path), { recursive: true });
      return this.#tryCreate(token);
    }
    const raw = JSON.stringify({ pid: process.pid, host: hostname(), time: Date.now(), token } satisfies LockInfo);
    try {
      await fh.write(raw, 0, 'utf8');
    } catch (e) {
      await fh.close().catch(() => undefined);
      await unlink(this.path).catch(() => undefined);
      throw mapStoreError(e, '/');
    }
    return { fh, raw };
  }

  /** The lock file's content (info is undefined while its creator has not written it yet) and mtime; undefined when absent. */
  async #inspect(path: string): Promise<Holder | undefined> {
    try {
      const [raw, st] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
      return { info: parseLockInfo(raw), raw, mtimeMs: st.mtimeMs, ino: st.ino };
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
   * Remove a stale lock file. Breakers take turns through a second O_EXCL file (`<lock>.break`);
   * the one whose turn it is removes the lock only if it is still the file judged stale (same
   * inode, content and mtime), so a writer that created a fresh lock meanwhile keeps it. Renaming
   * the lock aside and linking a fresh one back, as before, left a window in which a third writer
   * created its own lock: two winners. A turn file left by a breaker that died mid-turn is removed
   * once older than BREAK_STALE_MS. True when the caller should look again.
   */
  async #breakStale(judged: Holder): Promise<boolean> {
    const turn = `${this.path}.break`;
    let fh: FileHandle;
    try {
      fh = await open(turn, 'wx');
    } catch (e) {
      if ((e as { code?: unknown }).code !== 'EEXIST') throw mapStoreError(e, '/');
      const st = await stat(turn).catch(() => undefined);
      if (st && Date.now() - st.mtimeMs > BREAK_STALE_MS) await unlink(turn).catch(() => undefined);
      else await sleep(2); // another breaker's turn: it takes milliseconds
      return true;
    }
    try {
      const now = await this.#inspect(this.path);
      if (now && now.ino === judged.ino && now.raw === judged.raw && now.mtimeMs === judged.mtimeMs) await unlink(this.path).catch(() => undefined);
      return true;
    } finally {
      await fh.close().catch(() => undefined);
      await unlink(turn).catch(() => undefined);
    }
  }

  /**
   * Keep the lock's mtime fresh while held; release removes the file only if it is still ours. "Ours"
   * is checked through the handle kept open since creation: the path must still name that file
   * (a takeover moves it aside and creates another) and the file must still hold our info (one
   * rewritten in place is someone else's). Reading through the open handle and stat'ing both in
   * parallel costs one round trip, where re-reading the file by name cost four.
   */
  #hold(token: string, fh: FileHandle, raw: string): () => Promise<void> {
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
    const expected = new TextEncoder().encode(raw);
    const stillOurs = async (): Promise<boolean> => {
      const buf = new Uint8Array(expected.length + 1);
      const [mine, named, read] = await Promise.all([fh.stat(), stat(this.path), fh.read(buf, 0, buf.length, 0)]);
      if (mine.ino !== named.ino || mine.dev !== named.dev || read.bytesRead !== expected.length) return false;
      return buf.subarray(0, expected.length).every((b, i) => b === expected[i]);
    };
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      clearInterval(timer);
      try {
        if (await stillOurs()) await unlink(this.path);
      } catch {
        // Gone already (taken over and removed): nothing of ours to remove.
      } finally {
        await fh.close().catch(() => undefined);
      }
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
