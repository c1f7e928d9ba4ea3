/**
 * Rules every ObjectStore shares: which keys are valid, how platform errors map to PondError
 * codes, and the chunk size of streamed reads. Kept apart so the stores agree byte for byte.
 */
import { isPondError, pondError, type PondError } from '../errors.ts';

/** First key component reserved for a store's own artifacts (temp files, lock files). */
export const RESERVED_DIR = '.duckpond';

/** Size of the chunks a readStream yields; big enough to amortise calls, small enough to bound memory. */
export const STREAM_CHUNK = 256 * 1024;

/** Why `key` is not a valid object key, or undefined when it is. */
export function keyProblem(key: string): string | undefined {
  if (typeof key !== 'string' || key === '') return 'a key must be a non-empty string';
  if (key.startsWith('/')) return 'a key is relative and must not start with "/"';
  if (key.includes('\0')) return 'a key must not contain NUL';
  const parts = key.split('/');
  for (const part of parts) {
    if (part === '') return 'a key must not contain empty components ("//" or a trailing "/")';
    if (part === '.' || part === '..') return 'a key must not contain "." or ".." components';
  }
  if (parts[0] === RESERVED_DIR) return `"${RESERVED_DIR}/" is reserved for the store's own files`;
  return undefined;
}

/** Throws EINVAL naming `key` unless it is a valid object key. */
export function checkKey(key: string): void {
  const problem = keyProblem(key);
  if (problem !== undefined) throw pondError('EINVAL', String(key), problem);
}

/**
 * The folder a listing of `prefix` walks (up to its last '/'; '' for the top), or undefined when no
 * key can lie below it: a base that is not itself a valid key path (e.g. '../' or '.duckpond/').
 */
export function listBase(prefix: string): string | undefined {
  const cut = prefix.lastIndexOf('/');
  const base = cut < 0 ? '' : prefix.slice(0, cut);
  return base !== '' && keyProblem(base) !== undefined ? undefined : base;
}

/** `op()`, or `absent` when it fails with an error `mapError` turns into ENOENT; other failures throw mapped. */
export async function unlessAbsent<T, A>(op: () => Promise<T>, mapError: (e: unknown) => unknown, absent: A): Promise<T | A> {
  try {
    return await op();
  } catch (e) {
    const mapped = mapError(e);
    if (isPondError(mapped, 'ENOENT')) return absent;
    throw mapped;
  }
}

/** Throws EINVAL unless offset and length are non-negative safe integers. */
export function checkRange(key: string, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0) throw pondError('EINVAL', key, `bad range offset ${offset}`);
  if (!Number.isSafeInteger(length) || length < 0) throw pondError('EINVAL', key, `bad range length ${length}`);
}

/** True for a browser QuotaExceededError (any realm) or a Node ENOSPC/EDQUOT. */
export function isQuotaError(e: unknown): boolean {
  if (e === null || typeof e !== 'object') return false;
  const o = e as { name?: unknown; code?: unknown };
  return o.name === 'QuotaExceededError' || o.code === 'ENOSPC' || o.code === 'EDQUOT';
}

/** PondErrors pass through; quota errors become EQUOTA naming `key`; anything else is returned unchanged. */
export function mapStoreError(e: unknown, key: string): unknown {
  if (isPondError(e)) return e;
  if (isQuotaError(e)) return pondError('EQUOTA', key, 'storage is full', {}, e);
  return e;
}

/** The error every call on a closed store raises. */
export function closedError(kind: string, key = '/'): PondError {
  return pondError('ECLOSED', key, `the ${kind} store is closed`);
}

/** The ECONFLICT raised when the writer lock cannot be had (at once, or before the timeout). */
export function lockConflict(kind: string, waitedMs: number | undefined, extra: Record<string, unknown> = {}): PondError {
  const reason =
    waitedMs === undefined ? `another writer holds the ${kind} store's lock` : `timed out after ${waitedMs} ms waiting for the ${kind} store's lock`;
  return pondError('ECONFLICT', '/', reason, extra);
}

/** Copy `data` into a buffer of its own, so a caller mutating its array cannot change stored bytes. */
export function ownCopy(data: Uint8Array): Uint8Array {
  return data.slice();
}

/** A stream that fails on its first pull: how readStream reports a bad key or a closed store. */
export function erroredStream(error: unknown): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.error(error);
    },
  });
}

/** The largest delay setTimeout honours; longer (or infinite) lock timeouts mean "wait forever". */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A lock timeout as a timer delay: undefined for "no timeout", never negative. */
export function timerDelay(timeoutMs: number): number | undefined {
  if (Number.isNaN(timeoutMs)) return 0;
  return timeoutMs > MAX_TIMER_MS ? undefined : Math.max(0, timeoutMs);
}

/**
 * Run a write that pulls `data` chunk by chunk through `next` (undefined at the end). If the write
 * fails, the stream is cancelled (its source stops) and the error rethrown; the reader is always released.
 */
export async function pullStream<T>(data: ReadableStream<Uint8Array>, run: (next: () => Promise<Uint8Array | undefined>) => Promise<T>): Promise<T> {
  const reader = data.getReader();
  try {
    return await run(async () => {
      const { done, value } = await reader.read();
      return done ? undefined : value;
    });
  } catch (e) {
    await reader.cancel(e).catch(() => undefined);
    throw e;
  } finally {
    reader.releaseLock();
  }
}

/** Streams pull only when their reader asks, so an unread stream holds no file open. */
export const PULL_ON_DEMAND: QueuingStrategy<Uint8Array> = { highWaterMark: 0 };

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
