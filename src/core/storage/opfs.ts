/**
 * OpfsStore: a pond in the Origin Private File System, under `duckpond/<name>/`, one OPFS
 * directory per '/'-separated key component.
 *
 * Writes go to a temp file in `duckpond/<name>/.duckpond/tmp/` and are then moved over the key
 * (Chromium's move() replaces the target in one step), so a reader sees the old or the new bytes.
 * In a dedicated worker files are written and read through FileSystemSyncAccessHandles, each
 * opened for one operation and closed in `finally`; elsewhere through createWritable()/getFile().
 * readStream reads a getFile() snapshot: it holds no handle between pulls, and a snapshot whose
 * file is replaced mid-stream fails (NotReadableError) instead of yielding a mix of old and new.
 */
import type { ObjectStore, StagedPut } from './object-store.ts';
import { isPondError, pondError } from '../errors.ts';
import { RESERVED_DIR, STREAM_CHUNK, checkKey, checkRange, closedError, erroredStream, PULL_ON_DEMAND, listBase, pullStream, unlessAbsent } from './common.ts';
import {
  SNAPSHOT_RETRIES,
  hasSyncAccessHandles,
  isReplacedWhileReading,
  openReadOnly,
  openSink,
  opfsError,
  readSnapshot,
  readSync,
  walk,
  whenNotBusy,
  type MovableFileHandle,
  type Sink,
} from './opfs-io.ts';
import { HeldWebLocks, requestWebLock, type StoreLockOptions } from './web-lock.ts';

export { hasSyncAccessHandles } from './opfs-io.ts';

/** Top-level OPFS directory that holds every pond. */
const ROOT_DIR = 'duckpond';
/** Temp files older than this are leftovers of a crashed writer and are swept on lock. */
const TEMP_MAX_AGE_MS = 60 * 60 * 1000;

export class OpfsStore implements ObjectStore {
  readonly kind = 'opfs';
  readonly writable = true;
  readonly name: string;
  /** How bytes move: sync access handles (dedicated worker) or writable streams and File snapshots (page). */
  readonly access: 'sync-handle' | 'writable';
  readonly #locks: HeldWebLocks;
  readonly #dirs = new Map<string, Promise<FileSystemDirectoryHandle>>();
  /**
   * Keys a read found missing while this instance held the writer lock, and that nothing has
   * written since. Under that lock no one else publishes a commit, so a commit's own key, found
   * missing by the catch-up read, is still missing at its publish: the check is one round trip saved.
   */
  readonly #absentUnderLock = new Set<string>();
  #closed = false;

  /** A store for the pond `name` (a single OPFS directory name). */
  constructor(name: string) {
    checkPondName(name);
    this.name = name;
    this.access = hasSyncAccessHandles() ? 'sync-handle' : 'writable';
    this.#locks = new HeldWebLocks(`duckpond:opfs:${name}`, this.kind, () => this.#sweepTemps());
  }

  /** Whole object. */
  async read(key: string): Promise<Uint8Array> {
    return this.#readAt(key, 0, Number.MAX_SAFE_INTEGER);
  }

  /** `length` bytes from `offset`, fewer at the end. */
  async readRange(key: string, offset: number, length: number): Promise<Uint8Array> {
    checkRange(key, offset, length);
    return this.#readAt(key, offset, length);
  }

  /** Chunks of a File snapshot taken at the first pull. */
  readStream(key: string): ReadableStream<Uint8Array> {
    try {
      this.#usable(key);
    } catch (e) {
      return erroredStream(e);
    }
    let file: File | undefined;
    let pos = 0;
    return new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          try {
            let chunk: Uint8Array;
            if (file === undefined) {
              // Until the first byte is out, a snapshot replaced under us can simply be taken again.
              const handle = await this.#fileHandle(key);
              for (let attempt = 1; ; attempt++) {
                file = await handle.getFile();
                try {
                  chunk = new Uint8Array(await file.slice(0, STREAM_CHUNK).arrayBuffer());
                  break;
                } catch (e) {
                  if (!isReplacedWhileReading(e) || attempt >= SNAPSHOT_RETRIES) throw e;
                }
              }
            } else {
              chunk = new Uint8Array(await file.slice(pos, pos + STREAM_CHUNK).arrayBuffer());
            }
            if (chunk.length === 0) return controller.close();
            pos += chunk.length;
            controller.enqueue(chunk);
          } catch (e) {
            // Mid-stream the snapshot cannot be retaken without mixing two versions.
            const replaced = pos > 0 && isReplacedWhileReading(e);
            controller.error(replaced ? pondError('ECONFLICT', key, 'the object was replaced or deleted while being read', {}, e) : opfsError(e, key, 'read'));
          }
        },
      },
      PULL_ON_DEMAND,
    );
  }

  /** Temp file, then move over the key. */
  async write(key: string, data: Uint8Array): Promise<void> {
    this.#usable(key);
    await this.#replace(key, async (sink) => {
      await sink.write(data);
      return data.length;
    });
  }

  /** Chunk by chunk into a temp file, then move over the key; a failing stream leaves the old object. */
  async writeStream(key: string, data: ReadableStream<Uint8Array>): Promise<number> {
    this.#usable(key);
    return pullStream(data, (next) =>
      this.#replace(key, async (sink) => {
        let total = 0;
        for (let chunk: Uint8Array | undefined; (chunk = await next()) !== undefined;) {
          await sink.write(chunk);
          total += chunk.length;
        }
        return total;
      }),
    );
  }

  /**
   * A fresh key written in place (no temp file, no move): one round trip fewer than write, for files
   * nothing reads until a commit names them. The sync handle is flushed before it resolves.
   */
  async writeNew(key: string, data: Uint8Array): Promise<void> {
    this.#usable(key);
    this.#absentUnderLock.delete(key);
    const parts = key.split('/');
    const leaf = parts.pop()!;
    let dir: FileSystemDirectoryHandle | undefined;
    try {
      dir = await this.#dir(parts, true);
      const sink = await openSink(await dir.getFileHandle(leaf, { create: true }), this.access);
      try {
        await sink.write(data);
      } catch (e) {
        await sink.abort().catch(() => undefined);
        throw e;
      }
      await sink.close();
    } catch (e) {
      await dir?.removeEntry(leaf).catch(() => undefined);
      throw opfsError(e, key, 'write');
    }
  }

  /** FileSystemHandle.move(): one step, no copy. */
  async move(from: string, to: string): Promise<void> {
    this.#usable(from);
    this.#usable(to);
    this.#absentUnderLock.delete(to);
    try {
      const handle = (await this.#fileHandle(from)) as MovableFileHandle;
      const parts = to.split('/');
      const leaf = parts.pop()!;
      const dir = await this.#dir(parts, true);
      await whenNotBusy(() => handle.move(dir, leaf));
    } catch (e) {
      throw opfsError(e, from, 'write');
    }
  }

  /** Exists-check and move under a per-key Web Lock, so concurrent callers in any tab or worker see one winner. */
  async putIfAbsent(key: string, data: Uint8Array): Promise<boolean> {
    this.#usable(key);
    const release = await requestWebLock(`duckpond:opfs:${this.name}:put:${key}`, this.kind, { timeoutMs: 60_000 });
    try {
      if (await this.exists(key)) return false;
      await this.write(key, data);
      return true;
    } finally {
      await release();
    }
  }

  /**
   * putIfAbsent in two steps: the temp file now, the exists-check and move on `publish()`, under
   * the per-key Web Lock unless this instance holds the pond's writer lock. A commit writes its log entry this way while it writes the data files the
   * entry names, and publishes once both are durable: the round trips overlap.
   */
  async stagePut(key: string, data: Uint8Array): Promise<StagedPut> {
    this.#usable(key);
    const parts = key.split('/');
    const leaf = parts.pop()!;
    const temp = await this.#writeTemp(key, async (sink) => {
      await sink.write(data);
      return data.length;
    });
    let settled = false;
    return {
      publish: async () => {
        if (settled) throw pondError('EINVAL', key, 'this staged put has already been published or discarded');
        settled = true;
        let moved = false;
        try {
          // Under the pond's writer lock, which every publisher of a commit holds, no one else can
          // publish this key: the per-key lock would be two more round trips for nothing.
          const release = this.#locks.held
            ? async () => undefined
            : await requestWebLock(`duckpond:opfs:${this.name}:put:${key}`, this.kind, { timeoutMs: 60_000 });
          try {
            const known = this.#locks.held && this.#absentUnderLock.delete(key);
            if (!known && (await this.exists(key))) return false;
            const dir = await this.#dir(parts, true);
            this.#usable(key);
            await whenNotBusy(() => temp.handle.move(dir, leaf));
            moved = true;
            return true;
          } finally {
            await release();
          }
        } catch (e) {
          throw opfsError(e, key, 'write');
        } finally {
          if (!moved) await temp.remove();
        }
      },
      discard: async () => {
        if (settled) return;
        settled = true;
        await temp.remove();
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
      async () => (await (await this.#fileHandle(key)).getFile()).size,
      (e) => opfsError(e, key, 'read'),
      undefined,
    );
  }

  /** Walks only the directories that can hold matches; internal files are never listed. */
  async list(prefix: string): Promise<string[]> {
    if (this.#closed) throw closedError(this.kind);
    // No key lives below a base that is not itself a valid key path (e.g. '../' or '.duckpond/').
    const base = listBase(prefix);
    if (base === undefined) return [];
    const dir = await unlessAbsent(
      () => this.#dir(base === '' ? [] : base.split('/'), false),
      (e) => opfsError(e, prefix, 'read'),
      undefined,
    );
    if (dir === undefined) return [];
    const out: string[] = [];
    await walk(dir, base === '' ? '' : `${base}/`, prefix, out);
    return out.sort();
  }

  /** Remove the file; absent keys (and keys that are only directories) are fine. */
  async delete(key: string): Promise<void> {
    this.#usable(key);
    const parts = key.split('/');
    const leaf = parts.pop()!;
    try {
      const dir = await this.#dir(parts, false);
      await dir.getFileHandle(leaf);
      await whenNotBusy(() => dir.removeEntry(leaf));
    } catch (e) {
      const mapped = opfsError(e, key, 'read');
      if (isPondError(mapped, 'ENOENT')) return;
      throw opfsError(e, key, 'write');
    }
  }

  /** The pond's Web Lock 'duckpond:opfs:<name>'. */
  async lock(options: StoreLockOptions = {}): Promise<() => Promise<void>> {
    if (this.#closed) throw closedError(this.kind);
    const release = await this.#locks.acquire(options);
    this.#absentUnderLock.clear();
    return async () => {
      this.#absentUnderLock.clear();
      await release();
    };
  }

  /** Release locks this instance holds; later calls fail with ECLOSED. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#locks.releaseAll();
  }

  async #readAt(key: string, offset: number, length: number): Promise<Uint8Array> {
    this.#usable(key);
    try {
      const handle = await this.#fileHandle(key);
      const sync = this.access === 'sync-handle' ? await openReadOnly(handle) : undefined;
      return sync !== undefined ? readSync(sync, offset, length) : await readSnapshot(handle, offset, length);
    } catch (e) {
      const mapped = opfsError(e, key, 'read');
      if (isPondError(mapped, 'ENOENT') && this.#locks.held) this.#absentUnderLock.add(key);
      throw mapped;
    }
  }

  /** Fill a fresh temp file through `fill`, then move it over `key`; the temp is removed on failure. */
  async #replace(key: string, fill: (sink: Sink) => Promise<number>): Promise<number> {
    this.#absentUnderLock.delete(key);
    const parts = key.split('/');
    const leaf = parts.pop()!;
    const temp = await this.#writeTemp(key, fill);
    try {
      const dir = await this.#dir(parts, true);
      this.#usable(key);
      await whenNotBusy(() => temp.handle.move(dir, leaf));
      return temp.size;
    } catch (e) {
      await temp.remove();
      throw opfsError(e, key, 'write');
    }
  }

  /** A fresh temp file in `.duckpond/tmp/`, filled through `fill` and closed; removed again if that fails. */
  async #writeTemp(key: string, fill: (sink: Sink) => Promise<number>): Promise<{ handle: MovableFileHandle; size: number; remove(): Promise<void> }> {
    let tmpDir: FileSystemDirectoryHandle | undefined;
    const tmpName = `${Date.now().toString(36)}-${crypto.randomUUID()}`;
    const remove = async () => {
      await tmpDir?.removeEntry(tmpName).catch(() => undefined);
    };
    try {
      tmpDir = await this.#dir([RESERVED_DIR, 'tmp'], true);
      const handle = (await tmpDir.getFileHandle(tmpName, { create: true })) as MovableFileHandle;
      const sink = await openSink(handle, this.access);
      let size: number;
      try {
        size = await fill(sink);
      } catch (e) {
        await sink.abort().catch(() => undefined);
        throw e;
      }
      await sink.close();
      return { handle, size, remove };
    } catch (e) {
      await remove();
      throw opfsError(e, key, 'write');
    }
  }

  async #fileHandle(key: string): Promise<FileSystemFileHandle> {
    const parts = key.split('/');
    const leaf = parts.pop()!;
    return (await this.#dir(parts, false)).getFileHandle(leaf);
  }

  /**
   * The directory `parts` below the pond root; reads never create directories. Handles are cached:
   * every lookup is a round trip to the browser process, and walking from the OPFS root on each
   * call made a small write cost a dozen of them. This store never removes directories, so a
   * cached handle stays valid until the pond is deleted (then the lookup fails and is retried).
   */
  async #dir(parts: string[], create: boolean): Promise<FileSystemDirectoryHandle> {
    const key = parts.join('/');
    const hit = this.#dirs.get(key);
    if (hit) {
      try {
        return await hit;
      } catch {
        this.#dirs.delete(key);
      }
    }
    const opened = (async () => {
      if (parts.length === 0) {
        const opfs = await navigator.storage.getDirectory();
        return (await opfs.getDirectoryHandle(ROOT_DIR, { create })).getDirectoryHandle(this.name, { create });
      }
      const parent = await this.#dir(parts.slice(0, -1), create);
      return parent.getDirectoryHandle(parts[parts.length - 1], { create });
    })();
    this.#dirs.set(key, opened);
    opened.catch(() => {
      if (this.#dirs.get(key) === opened) this.#dirs.delete(key);
    });
    return opened;
  }

  /** Remove temp files a crashed writer left behind (the live ones are young). */
  async #sweepTemps(): Promise<void> {
    const tmpDir = await this.#dir([RESERVED_DIR, 'tmp'], false);
    const cutoff = Date.now() - TEMP_MAX_AGE_MS;
    const stale: string[] = [];
    for await (const name of tmpDir.keys()) {
      const born = parseInt(name.split('-')[0], 36);
      if (Number.isFinite(born) && born < cutoff) stale.push(name);
    }
    for (const name of stale) await tmpDir.removeEntry(name).catch(() => undefined);
  }

  #usable(key: string): void {
    if (this.#closed) throw closedError(this.kind, key);
    checkKey(key);
  }
}

/** Every pond name in this origin's OPFS, sorted. */
export async function listOpfsPonds(): Promise<string[]> {
  const opfs = await navigator.storage.getDirectory();
  let root: FileSystemDirectoryHandle;
  try {
    root = await opfs.getDirectoryHandle(ROOT_DIR);
  } catch (e) {
    if ((e as { name?: unknown }).name === 'NotFoundError') return [];
    throw e;
  }
  const names: string[] = [];
  for await (const [name, handle] of root.entries()) if (handle.kind === 'directory') names.push(name);
  return names.sort();
}

/** Delete a pond and all its files; ECONFLICT while a writer holds its lock. Absent ponds are fine. */
export async function deleteOpfsPond(name: string): Promise<void> {
  checkPondName(name);
  const release = await requestWebLock(`duckpond:opfs:${name}`, 'opfs', { wait: false });
  try {
    const opfs = await navigator.storage.getDirectory();
    const root = await opfs.getDirectoryHandle(ROOT_DIR);
    await whenNotBusy(() => root.removeEntry(name, { recursive: true }));
  } catch (e) {
    if ((e as { name?: unknown }).name === 'NotFoundError') return;
    throw opfsError(e, name, 'write');
  } finally {
    await release();
  }
}

/** Throws EINVAL unless `name` can be one OPFS directory name. */
function checkPondName(name: string): void {
  if (typeof name !== 'string' || name === '' || name === '.' || name === '..' || /[/\\\0]/.test(name)) {
    throw pondError('EINVAL', String(name), 'a pond name must be one non-empty directory name');
  }
}
