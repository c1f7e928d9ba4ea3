/**
 * NodeFsStore: a pond in a folder (Node only). Keys are relative file paths, so the folder is a
 * plain Delta Lake table that other tools can open.
 *
 * Writes land in `<dir>/.duckpond/tmp/` and are fsynced, then rename() replaces the key in one
 * step; putIfAbsent publishes with link(), which fails with EEXIST instead of replacing. The
 * writer lock is the lock file `<dir>/.duckpond/lock` (node-fs-lock.ts). `.duckpond/` is never listed.
 */
import { link, mkdir, open, readFile, readdir, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { ObjectStore, StagedPut } from './object-store.ts';
import { isPondError, pondError } from '../errors.ts';
import {
  RESERVED_DIR,
  STREAM_CHUNK,
  checkKey,
  checkRange,
  closedError,
  erroredStream,
  PULL_ON_DEMAND,
  listBase,
  mapStoreError,
  pullStream,
  unlessAbsent,
} from './common.ts';
import { LockFile } from './node-fs-lock.ts';
import { sharedChunk, threadHash, type ThreadHash } from './node-fs-hash.ts';
import type { StoreLockOptions } from './web-lock.ts';

export type { LockInfo } from './node-fs-lock.ts';

export interface NodeFsStoreOptions {
  /** A lock whose heartbeat (mtime) is older than this is taken over. Default 10 s; refreshed every third of it. */
  staleLockMs?: number;
  /** fsync each file before it becomes visible, so a power cut cannot publish a torn file. Default true. */
  fsync?: boolean;
}

/** Puts a written temp file at a key's path; says whether the temp is gone (renamed) or still to remove. */
type Place<T> = (tmp: string, path: string) => Promise<{ result: T; consumed: boolean }>;

/** Chunk size of verified reads: big enough that the hand-offs to the hashing thread cost little. */
const VERIFY_CHUNK = 1024 * 1024;
/** Temp files older than this are a crashed writer's leftovers and are swept on lock. */
const TEMP_MAX_AGE_MS = 60 * 60 * 1000;
/** Filesystems without hard links answer link() with one of these; putIfAbsent then falls back to O_EXCL. */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);

export class NodeFsStore implements ObjectStore {
  readonly kind = 'node-fs';
  readonly writable = true;
  readonly dir: string;
  readonly #lockFile: LockFile;
  readonly #fsync: boolean;
  readonly #held = new Set<() => Promise<void>>();
  #closed = false;
  #swept = false;

  /** A store rooted at the folder `dir` (created on first write). */
  constructor(dir: string, options: NodeFsStoreOptions = {}) {
    this.dir = dir;
    this.#lockFile = new LockFile(join(dir, RESERVED_DIR, 'lock'), options.staleLockMs ?? 10_000);
    this.#fsync = options.fsync ?? true;
  }

  /** Path of the lock file (for tools and tests). */
  get lockPath(): string {
    return this.#lockFile.path;
  }

  /** Whole object. */
  async read(key: string): Promise<Uint8Array> {
    this.#usable(key);
    try {
      const buf = await readFile(this.#path(key));
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    } catch (e) {
      throw readError(e, key);
    }
  }

  /** `length` bytes from `offset`, fewer at the end. */
  async readRange(key: string, offset: number, length: number): Promise<Uint8Array> {
    this.#usable(key);
    checkRange(key, offset, length);
    let fh: FileHandle | undefined;
    try {
      fh = await open(this.#path(key), 'r');
      const n = Math.max(0, Math.min(length, (await fh.stat()).size - offset));
      const buf = new Uint8Array(n);
      let got = 0;
      while (got < n) {
        const { bytesRead } = await fh.read(buf, got, n - got, offset + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      return got === n ? buf : buf.slice(0, got);
    } catch (e) {
      throw readError(e, key);
    } finally {
      await fh?.close();
    }
  }

  /** Reads the file opened at the first pull; a rename over the key does not disturb an open stream. */
  readStream(key: string): ReadableStream<Uint8Array> {
    try {
      this.#usable(key);
    } catch (e) {
      return erroredStream(e);
    }
    const path = this.#path(key);
    let fh: FileHandle | undefined;
    let pos = 0;
    return new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          try {
            fh ??= await open(path, 'r');
            const buf = new Uint8Array(STREAM_CHUNK);
            const { bytesRead } = await fh.read(buf, 0, STREAM_CHUNK, pos);
            if (bytesRead === 0) {
              await fh.close();
              fh = undefined;
              return controller.close();
            }
            pos += bytesRead;
            controller.enqueue(bytesRead === STREAM_CHUNK ? buf : buf.slice(0, bytesRead));
          } catch (e) {
            await fh?.close().catch(() => undefined);
            fh = undefined;
            controller.error(readError(e, key));
          }
        },
        async cancel() {
          await fh?.close();
          fh = undefined;
        },
      },
      PULL_ON_DEMAND,
    );
  }

  /**
   * The object as a stream checked against its sha256 (and size) while it is read: chunk k is
   * hashed on a worker thread (node-fs-hash.ts) while chunk k+1 is read, and released only once
   * hashed; the last chunk only after the digest matched, so a damaged body never reaches its end.
   * A mismatch errors the stream with ECORRUPT naming the key. Chunks are views of SharedArrayBuffers.
   */
  readVerifiedStream(key: string, expect: { sha256: string; size: number | null }): ReadableStream<Uint8Array> {
    try {
      this.#usable(key);
    } catch (e) {
      return erroredStream(e);
    }
    const path = this.#path(key);
    let fh: FileHandle | undefined;
    let hash: ThreadHash | undefined;
    let held: { chunk: Uint8Array; hashed: Promise<void> } | undefined;
    let pos = 0;
    const mismatch = (why: string) => pondError('ECORRUPT', key, `does not match its sha256 (${why})`);
    const stop = async () => {
      hash?.drop();
      await fh?.close().catch(() => undefined);
      fh = undefined;
    };
    return new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          try {
            fh ??= await open(path, 'r');
            hash ??= threadHash();
            for (;;) {
              const buf = sharedChunk(VERIFY_CHUNK);
              const { bytesRead } = await fh.read(buf, 0, VERIFY_CHUNK, pos);
              if (bytesRead === 0) {
                await fh.close();
                fh = undefined;
                if (expect.size !== null && pos !== expect.size) throw mismatch(`${pos} bytes where ${expect.size} were expected`);
                if ((await hash.hex()) !== expect.sha256) throw mismatch('its bytes hash to another value');
                if (held) controller.enqueue(held.chunk);
                return controller.close();
              }
              pos += bytesRead;
              if (expect.size !== null && pos > expect.size) throw mismatch(`more than the ${expect.size} bytes expected`);
              const chunk = bytesRead === VERIFY_CHUNK ? buf : buf.subarray(0, bytesRead);
              const prev = held;
              held = { chunk, hashed: hash.update(chunk) };
              if (prev) {
                await prev.hashed;
                return controller.enqueue(prev.chunk);
              }
            }
          } catch (e) {
            await stop();
            controller.error(isPondError(e) ? e : readError(e, key));
          }
        },
        cancel: stop,
      },
      PULL_ON_DEMAND,
    );
  }

  /** Temp file (fsynced), then rename over the key. */
  async write(key: string, data: Uint8Array): Promise<void> {
    this.#usable(key);
    await this.#publish(
      key,
      (fh) => writeAll(fh, data, 0),
      async (tmp, path) => {
        await rename(tmp, path);
        return { result: undefined, consumed: true };
      },
    );
  }

  /**
   * A fresh key written in place (O_EXCL, fsynced before it resolves): one round trip fewer than
   * write's temp file and rename, for files nothing reads until a commit names them.
   */
  async writeNew(key: string, data: Uint8Array): Promise<void> {
    this.#usable(key);
    const path = this.#path(key);
    const create = () => open(path, 'wx');
    let fh: FileHandle | undefined;
    try {
      fh = await create().catch(async (e: unknown) => {
        if (errCode(e) !== 'ENOENT' || !key.includes('/')) throw e;
        await this.#mkdirParent(key);
        return create();
      });
      await writeAll(fh, data, 0);
      if (this.#fsync) await fh.datasync();
    } catch (e) {
      if (fh) await unlink(path).catch(() => undefined);
      if (errCode(e) === 'EEXIST') throw pondError('EEXIST', key, 'the object exists', {}, e);
      throw this.#writeError(e, key);
    } finally {
      await fh?.close();
    }
  }

  /** rename() within the pond folder: one step, no copy. */
  async move(from: string, to: string): Promise<void> {
    this.#usable(from);
    this.#usable(to);
    try {
      await this.#mkdirParent(to);
      await rename(this.#path(from), this.#path(to));
    } catch (e) {
      if (isPondError(e)) throw e;
      if (errCode(e) === 'ENOENT') throw pondError('ENOENT', from, 'no such object');
      throw mapStoreError(e, to);
    }
  }

  /** Streams into a temp file, then renames it over the key; a failing stream leaves the old object. */
  async writeStream(key: string, data: ReadableStream<Uint8Array>): Promise<number> {
    this.#usable(key);
    let total = 0;
    return pullStream(data, async (next) => {
      await this.#publish(
        key,
        async (fh) => {
          for (let chunk: Uint8Array | undefined; (chunk = await next()) !== undefined;) {
            await writeAll(fh, chunk, total);
            total += chunk.length;
          }
        },
        async (tmp, path) => {
          await rename(tmp, path);
          return { result: undefined, consumed: true };
        },
      );
      return total;
    });
  }

  /** Temp file, then link() it to the key: the kernel refuses (EEXIST) if the key exists. */
  async putIfAbsent(key: string, data: Uint8Array): Promise<boolean> {
    this.#usable(key);
    return this.#publish(key, (fh) => writeAll(fh, data, 0), this.#linkPlace(key, data));
  }

  /**
   * putIfAbsent in two steps: the fsynced temp file now, the link() on `publish()`. A commit writes
   * its log entry this way while it writes the data files the entry names, and publishes once
   * both are durable: the two writes overlap instead of following each other.
   */
  async stagePut(key: string, data: Uint8Array): Promise<StagedPut> {
    this.#usable(key);
    const tmp = await this.#writeTemp(key, (fh) => writeAll(fh, data, 0));
    let settled = false;
    const once = () => {
      if (settled) throw pondError('EINVAL', key, 'this staged put has already been published or discarded');
      settled = true;
    };
    return {
      publish: async () => {
        once();
        return this.#placeTemp(key, tmp, this.#linkPlace(key, data));
      },
      discard: async () => {
        if (settled) return;
        settled = true;
        await unlink(tmp).catch(() => undefined);
      },
    };
  }

  /** Whether the key names a file. */
  async exists(key: string): Promise<boolean> {
    return (await this.size(key)) !== undefined;
  }

  /** Size in bytes, or undefined when absent. */
  async size(key: string): Promise<number | undefined> {
    this.#usable(key);
    return unlessAbsent(
      async () => {
        const st = await stat(this.#path(key));
        return st.isFile() ? st.size : undefined;
      },
      (e) => readError(e, key),
      undefined,
    );
  }

  /** Walks only the directories that can hold matches; `.duckpond/` is skipped. */
  async list(prefix: string): Promise<string[]> {
    if (this.#closed) throw closedError(this.kind);
    // A base that is not a valid key path ('../', '.duckpond/') holds no keys, and must not be walked.
    const base = listBase(prefix);
    if (base === undefined) return [];
    const out: string[] = [];
    await walk(base === '' ? this.dir : this.#path(base), base === '' ? '' : `${base}/`, prefix, out);
    return out.sort();
  }

  /** Unlink the file; absent keys (and keys that are only directories) are fine. */
  async delete(key: string): Promise<void> {
    this.#usable(key);
    const path = this.#path(key);
    try {
      await unlink(path);
    } catch (e) {
      const code = errCode(e);
      if (code === 'ENOENT' || code === 'ENOTDIR') return;
      if ((code === 'EISDIR' || code === 'EPERM') && (await stat(path).catch(() => undefined))?.isDirectory()) return;
      throw mapStoreError(e, key);
    }
  }

  /** The lock file `.duckpond/lock` (see node-fs-lock.ts); the first lock also sweeps crashed writers' temp files. */
  async lock(options: StoreLockOptions = {}): Promise<() => Promise<void>> {
    if (this.#closed) throw closedError(this.kind);
    const release = await this.#lockFile.acquire(this.kind, options);
    const tracked = async (): Promise<void> => {
      this.#held.delete(tracked);
      await release();
    };
    this.#held.add(tracked);
    if (!this.#swept) {
      this.#swept = true;
      await this.#sweepTemps().catch(() => undefined);
    }
    return tracked;
  }

  /** Release the locks this instance holds; later calls fail with ECLOSED. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#held].map((release) => release()));
  }

  /**
   * Write a temp file through `fill`, fsync it, then `place` it at the key's path; the temp never
   * survives. `place` says whether it consumed the temp (a rename does; a link does not). Folders are
   * created only when an operation finds them missing: each mkdir is a round trip to the thread
   * pool, and a one-file commit made eight of them.
   */
  async #publish<T>(key: string, fill: (fh: FileHandle) => Promise<void>, place: Place<T>): Promise<T> {
    return this.#placeTemp(key, await this.#writeTemp(key, fill), place);
  }

  /** A fresh temp file filled through `fill` and fsynced; removed again if that fails. */
  async #writeTemp(key: string, fill: (fh: FileHandle) => Promise<void>): Promise<string> {
    const tmpDir = join(this.dir, RESERVED_DIR, 'tmp');
    const tmp = join(tmpDir, `${Date.now().toString(36)}-${process.pid}-${randomUUID()}`);
    try {
      const fh = await open(tmp, 'wx').catch(async (e: unknown) => {
        if (errCode(e) !== 'ENOENT') throw e;
        await mkdir(tmpDir, { recursive: true });
        return open(tmp, 'wx');
      });
      try {
        await fill(fh);
        if (this.#fsync) await fh.datasync();
      } finally {
        await fh.close();
      }
      return tmp;
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      throw this.#writeError(e, key);
    }
  }

  /** `place` a written temp file at the key; the temp is removed unless `place` consumed it. */
  async #placeTemp<T>(key: string, tmp: string, place: Place<T>): Promise<T> {
    const path = this.#path(key);
    let consumed = false;
    try {
      this.#usable(key);
      let placed: { result: T; consumed: boolean };
      try {
        placed = await place(tmp, path);
      } catch (e) {
        // A missing parent folder: create it and place again (the temp is still there).
        if (errCode(e) !== 'ENOENT' || !key.includes('/')) throw e;
        await this.#mkdirParent(key);
        placed = await place(tmp, path);
      }
      consumed = placed.consumed;
      return placed.result;
    } catch (e) {
      throw this.#writeError(e, key);
    } finally {
      if (!consumed) await unlink(tmp).catch(() => undefined);
    }
  }

  #writeError(e: unknown, key: string): unknown {
    if (isPondError(e)) return e;
    const code = errCode(e);
    // rename()/link() onto a directory, or a file where a parent directory should be.
    if (code === 'EISDIR' || code === 'ENOTDIR' || code === 'ENOTEMPTY') return collision(key, e);
    return mapStoreError(e, key);
  }

  /** putIfAbsent's last step: link() the temp to the key; the kernel refuses (EEXIST) if the key exists. */
  #linkPlace(key: string, data: Uint8Array): Place<boolean> {
    return async (tmp, path) => {
      try {
        await link(tmp, path);
        return { result: true, consumed: false };
      } catch (e) {
        const code = errCode(e);
        if (code === 'EEXIST') {
          if ((await stat(path)).isDirectory()) throw collision(key, e);
          return { result: false, consumed: false };
        }
        if (code !== undefined && NO_HARD_LINKS.has(code)) return { result: await this.#createExclusive(path, data), consumed: false };
        throw e;
      }
    };
  }

  async #mkdirParent(key: string): Promise<void> {
    const cut = key.lastIndexOf('/');
    if (cut < 0) return;
    try {
      await mkdir(this.#path(key.slice(0, cut)), { recursive: true });
    } catch (e) {
      if (errCode(e) === 'EEXIST' || errCode(e) === 'ENOTDIR') throw collision(key, e);
      throw e;
    }
  }

  /** putIfAbsent without hard links: O_EXCL create, then write (readers may briefly see a short file). */
  async #createExclusive(path: string, data: Uint8Array): Promise<boolean> {
    let fh: FileHandle;
    try {
      fh = await open(path, 'wx');
    } catch (e) {
      if (errCode(e) === 'EEXIST') return false;
      throw e;
    }
    try {
      await writeAll(fh, data, 0);
      if (this.#fsync) await fh.datasync();
    } finally {
      await fh.close();
    }
    return true;
  }

  /** Remove temp files that crashed writers left behind (live ones are young). */
  async #sweepTemps(): Promise<void> {
    const cutoff = Date.now() - TEMP_MAX_AGE_MS;
    const tmpDir = join(this.dir, RESERVED_DIR, 'tmp');
    const names = await readdir(tmpDir).catch(() => [] as string[]);
    for (const name of names) {
      const born = parseInt(name.split('-')[0], 36);
      if (Number.isFinite(born) && born < cutoff) await unlink(join(tmpDir, name)).catch(() => undefined);
    }
  }

  #path(key: string): string {
    return join(this.dir, ...key.split('/'));
  }

  #usable(key: string): void {
    if (this.#closed) throw closedError(this.kind, key);
    checkKey(key);
  }
}

async function walk(dirPath: string, dirKey: string, prefix: string, out: string[]): Promise<void> {
  let entries;
  try {
    entries = await readdir(dirPath, { withFileTypes: true });
  } catch (e) {
    const code = errCode(e);
    if (code === 'ENOENT' || code === 'ENOTDIR') return;
    throw e;
  }
  for (const entry of entries) {
    if (dirKey === '' && entry.name === RESERVED_DIR) continue;
    const key = dirKey + entry.name;
    if (entry.isFile()) {
      if (key.startsWith(prefix)) out.push(key);
    } else if (entry.isDirectory() && `${key}/`.startsWith(prefix)) {
      await walk(join(dirPath, entry.name), `${key}/`, prefix, out);
    }
  }
}

async function writeAll(fh: FileHandle, data: Uint8Array, position: number): Promise<void> {
  for (let done = 0; done < data.length;) {
    const { bytesWritten } = await fh.write(data, done, data.length - done, position + done);
    done += bytesWritten;
  }
}

function errCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Reads: a missing file, a directory, or a file where a directory should be all mean "no such object". */
function readError(e: unknown, key: string): unknown {
  const code = errCode(e);
  if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') return pondError('ENOENT', key, 'no such object', {}, e);
  return mapStoreError(e, key);
}

function collision(key: string, cause: unknown): unknown {
  return pondError('ENOTDIR', key, 'an object cannot also be a directory of other keys', {}, cause);
}
