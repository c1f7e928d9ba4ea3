/**
 * Low-level OPFS I/O for OpfsStore: temp-file writers (sync access handle or writable stream),
 * snapshot reads that survive a concurrent replace, retries around busy files, directory walks,
 * and the mapping of OPFS DOMExceptions to PondErrors. Each platform quirk is explained where met.
 */
import { isPondError, pondError } from '../errors.ts';
import { RESERVED_DIR, isQuotaError, sleep } from './common.ts';

/** How long a move or remove retries while a short-lived read handle holds the file. */
const BUSY_RETRY_MS = 3000;
/** Writable-stream writes are batched up to this size. */
const WRITE_BATCH = 1024 * 1024;
/** How often a read retries when the file it snapshotted is replaced before its bytes are read. */
export const SNAPSHOT_RETRIES = 5;

// Not (yet) in TypeScript's DOM lib: move() and the sync-handle `mode` option.
export interface MovableFileHandle extends FileSystemFileHandle {
  move(parent: FileSystemDirectoryHandle, name: string): Promise<void>;
}
type SyncHandleMode = 'readwrite' | 'read-only' | 'readwrite-unsafe';
export interface SyncOpenable {
  createSyncAccessHandle(options?: { mode?: SyncHandleMode }): Promise<FileSystemSyncAccessHandle>;
}

/** A temp-file writer: sync access handle in a worker, writable stream elsewhere. */
export interface Sink {
  write(chunk: Uint8Array): Promise<void>;
  close(): Promise<void>;
  abort(): Promise<void>;
}

/** True where FileSystemSyncAccessHandle exists (dedicated workers only). */
export function hasSyncAccessHandles(): boolean {
  return typeof FileSystemFileHandle !== 'undefined' && 'createSyncAccessHandle' in FileSystemFileHandle.prototype;
}

/** A writer for a fresh temp file: a sync access handle in a worker, a batching writable stream elsewhere. */
export async function openSink(file: FileSystemFileHandle, access: 'sync-handle' | 'writable'): Promise<Sink> {
  if (access === 'sync-handle') {
    const h = await (file as unknown as SyncOpenable).createSyncAccessHandle();
    let at = 0;
    return {
      async write(chunk) {
        const n = h.write(chunk as Uint8Array<ArrayBuffer>, { at });
        // A sync handle reports a full disk as a short write; the caller maps it to EQUOTA naming the key.
        if (n !== chunk.length) throw new DOMException(`short write (${n} of ${chunk.length} bytes)`, 'QuotaExceededError');
        at += n;
      },
      async close() {
        try {
          h.flush();
        } finally {
          h.close();
        }
      },
      async abort() {
        h.close();
      },
    };
  }
  const w = await file.createWritable();
  // Each write() on a writable stream is a round trip to the browser process: batch small chunks.
  let batch = new Uint8Array(WRITE_BATCH);
  let fill = 0;
  const flush = async (): Promise<void> => {
    if (fill === 0) return;
    await w.write(batch.subarray(0, fill));
    batch = new Uint8Array(WRITE_BATCH);
    fill = 0;
  };
  return {
    async write(chunk) {
      if (chunk.length >= WRITE_BATCH) {
        await flush();
        await w.write(chunk as Uint8Array<ArrayBuffer>);
        return;
      }
      if (fill + chunk.length > WRITE_BATCH) await flush();
      batch.set(chunk, fill);
      fill += chunk.length;
    },
    async close() {
      await flush();
      await w.close();
    },
    abort: () => w.abort(),
  };
}

/** Collect into `out` the file keys under `dir` (whose key prefix is `dirKey`) that start with `prefix`. */
export async function walk(dir: FileSystemDirectoryHandle, dirKey: string, prefix: string, out: string[]): Promise<void> {
  for await (const [name, handle] of dir.entries()) {
    if (dirKey === '' && name === RESERVED_DIR) continue;
    const key = dirKey + name;
    if (handle.kind === 'file') {
      if (key.startsWith(prefix)) out.push(key);
    } else if (`${key}/`.startsWith(prefix) || prefix.startsWith(`${key}/`)) {
      await walk(handle as FileSystemDirectoryHandle, `${key}/`, prefix, out);
    }
  }
}

/**
 * Bytes of a File snapshot. A replace (move over the file) between getFile() and reading the
 * bytes fails the read with NotFoundError or NotReadableError; then a fresh snapshot is taken.
 */
export async function readSnapshot(handle: FileSystemFileHandle, offset: number, length: number): Promise<Uint8Array> {
  for (let attempt = 1; ; attempt++) {
    const file = await handle.getFile();
    try {
      return new Uint8Array(await file.slice(offset, Math.min(file.size, offset + length)).arrayBuffer());
    } catch (e) {
      if (!isReplacedWhileReading(e) || attempt >= SNAPSHOT_RETRIES) throw e;
    }
  }
}

/** True for the errors a File snapshot raises once its file was replaced or removed. */
export function isReplacedWhileReading(e: unknown): boolean {
  const name = (e as { name?: unknown } | null)?.name;
  return name === 'NotFoundError' || name === 'NotReadableError';
}

/** Up to `length` bytes from `offset` through an open sync handle, which this closes. */
export function readSync(sync: FileSystemSyncAccessHandle, offset: number, length: number): Uint8Array {
  try {
    const n = Math.max(0, Math.min(length, sync.getSize() - offset));
    const buf = new Uint8Array(n);
    let got = 0;
    while (got < n) {
      const r = sync.read(buf.subarray(got), { at: offset + got });
      if (r === 0) break;
      got += r;
    }
    return got === n ? buf : buf.slice(0, got);
  } finally {
    sync.close();
  }
}

/** A read-only sync handle, or undefined when the file is busy (then the caller reads a File snapshot). */
export async function openReadOnly(handle: FileSystemFileHandle): Promise<FileSystemSyncAccessHandle | undefined> {
  try {
    return await (handle as unknown as SyncOpenable).createSyncAccessHandle({ mode: 'read-only' });
  } catch (e) {
    if ((e as { name?: unknown }).name === 'NoModificationAllowedError') return undefined;
    throw e;
  }
}

/** Run `op`, retrying while a short-lived handle elsewhere holds the file (NoModificationAllowedError). */
export async function whenNotBusy<T>(op: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + BUSY_RETRY_MS;
  for (let delay = 2; ; delay = Math.min(delay * 2, 100)) {
    try {
      return await op();
    } catch (e) {
      if ((e as { name?: unknown }).name !== 'NoModificationAllowedError' || Date.now() > deadline) throw e;
      await sleep(delay);
    }
  }
}

/** Map an OPFS DOMException to a PondError naming `key`. */
export function opfsError(e: unknown, key: string, op: 'read' | 'write'): unknown {
  if (isPondError(e)) return e;
  if (isQuotaError(e)) return pondError('EQUOTA', key, 'storage is full', {}, e);
  switch ((e as { name?: unknown } | null)?.name) {
    case 'NotFoundError':
      return pondError('ENOENT', key, 'no such object', {}, e);
    case 'TypeMismatchError':
      return op === 'read'
        ? pondError('ENOENT', key, 'no such object', {}, e)
        : pondError('ENOTDIR', key, 'an object cannot also be a directory of other keys', {}, e);
    case 'InvalidModificationError':
      return pondError('ENOTDIR', key, 'an object cannot also be a directory of other keys', {}, e);
    case 'NotReadableError':
      return pondError('ECONFLICT', key, 'the object was replaced or deleted while being read', {}, e);
    case 'NoModificationAllowedError':
      return pondError('ECONFLICT', key, 'the object is open in another context', {}, e);
    case 'TypeError':
      return pondError('EINVAL', key, 'not a valid OPFS file name', {}, e);
    default:
      return e;
  }
}
