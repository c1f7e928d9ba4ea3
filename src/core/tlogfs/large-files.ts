import type { ObjectStore } from '../storage/object-store.ts';
import type { StoredBody } from '../tinyfs/persistence.ts';
import { createSha256, sha256Hex, type IncrementalHash } from '../hash.ts';
import { pondError } from '../errors.ts';
import { concatBytes } from '../bytes.ts';

/** Bodies larger than this go to `_large_files/`; smaller ones are stored inline in the row. */
export const LARGE_THRESHOLD = 64 * 1024;

/** The content-addressed key of a large body. */
export function largeKey(sha256: string): string {
  return `_large_files/sha256=${sha256}`;
}

/**
 * Store a file body: inline when ≤ LARGE_THRESHOLD, else as a large file written before the
 * commit. Streams are hashed while they are written to a temporary key, then moved (or, where the
 * store cannot rename, copied) into place, so the body is never held in memory whole.
 */
export async function putBody(store: ObjectStore, data: Uint8Array | ReadableStream<Uint8Array>, newId: () => string): Promise<StoredBody> {
  if (data instanceof Uint8Array) {
    const sha256 = await sha256Hex(data);
    if (data.length <= LARGE_THRESHOLD) return { content: data, sha256, size: data.length };
    const key = largeKey(sha256);
    if ((await checkLarge(store, sha256, data.length)) !== 'ok') await store.write(key, data);
    return { content: null, sha256, size: data.length };
  }
  const reader = data.getReader();
  const head: Uint8Array[] = [];
  let headSize = 0;
  // Buffer up to the threshold: a small stream becomes an inline body without touching the store.
  for (;;) {
    const { done, value } = await reader.read();
    if (done) {
      const bytes = concatBytes(head, headSize);
      return { content: bytes, sha256: await sha256Hex(bytes), size: bytes.length };
    }
    head.push(value);
    headSize += value.length;
    if (headSize > LARGE_THRESHOLD) break;
  }
  const hash = await createSha256();
  let size = 0;
  const hashed = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const c of head) {
        hash.update(c);
        size += c.length;
        controller.enqueue(c);
      }
      head.length = 0;
    },
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) return controller.close();
      hash.update(value);
      size += value.length;
      controller.enqueue(value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  const tmp = `_large_files/tmp-${newId()}`;
  try {
    await store.writeStream(tmp, hashed);
    const sha256 = hash.hex();
    const key = largeKey(sha256);
    // Content-addressed: an object already there is this body only if its bytes hash to its name.
    // A damaged or missing one is replaced, so writing the file again heals it (verified only
    // when the key exists with the right size: a fresh body costs no second read).
    if ((await checkLarge(store, sha256, size)) !== 'ok') {
      if (store.move) await store.move(tmp, key);
      else await store.writeStream(key, store.readStream(tmp));
    }
    return { content: null, sha256, size };
  } finally {
    await store.delete(tmp).catch(() => undefined);
  }
}

/**
 * Whether the large body `sha256` is intact in the store: 'missing' when absent, 'mismatch' when
 * its size differs from `size` (if given) or its bytes do not hash to its name. Streams, so a big
 * body is never held whole; the hash is only computed when the size matches.
 */
export async function checkLarge(store: ObjectStore, sha256: string, size: number | null): Promise<'ok' | 'missing' | 'mismatch'> {
  const key = largeKey(sha256);
  const actual = await store.size(key);
  if (actual === undefined) return 'missing';
  if (size !== null && actual !== size) return 'mismatch';
  const hash = await createSha256();
  let reader: ReadableStreamDefaultReader<Uint8Array>;
  try {
    reader = store.readStream(key).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      hash.update(value);
    }
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return 'missing';
    throw e;
  }
  return hash.hex() === sha256 ? 'ok' : 'mismatch';
}

/** Read a large body whole and verify its hash; a mismatch or a missing file is ECORRUPT naming `path`. */
export async function readLarge(store: ObjectStore, sha256: string, size: number | null, path: string): Promise<Uint8Array> {
  const key = largeKey(sha256);
  let bytes: Uint8Array;
  try {
    bytes = await store.read(key);
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') throw pondError('ECORRUPT', path, `large file ${key} is missing`, { key });
    throw e;
  }
  if ((size !== null && bytes.length !== size) || (await sha256Hex(bytes)) !== sha256) {
    throw pondError('ECORRUPT', path, `large file ${key} does not match its sha256`, { key });
  }
  return bytes;
}

/**
 * Stream a large body, verifying size and hash as it goes; the last chunk is released only after
 * the hash matched, so a damaged body never reads to its end (the stream errors with ECORRUPT
 * naming `path`). Stores that can verify faster (NodeFsStore hashes on another thread while it
 * reads) do it themselves.
 */
export function streamLarge(store: ObjectStore, sha256: string, size: number | null, path: string): ReadableStream<Uint8Array> {
  const key = largeKey(sha256);
  const corrupt = () => pondError('ECORRUPT', path, `large file ${key} does not match its sha256`, { key });
  const missing = (e: unknown) => pondError('ECORRUPT', path, `large file ${key} is missing`, { key }, e);
  const mapped = (e: unknown) => {
    const code = (e as { code?: string }).code;
    return code === 'ENOENT' ? missing(e) : code === 'ECORRUPT' ? corrupt() : e;
  };
  let hash: IncrementalHash | undefined;
  let seen = 0;
  let held: Uint8Array | undefined;
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  const verified = store.readVerifiedStream !== undefined;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      reader ??= (store.readVerifiedStream ? store.readVerifiedStream(key, { sha256, size }) : store.readStream(key)).getReader();
      if (!verified) hash ??= await createSha256();
      for (;;) {
        let r: ReadableStreamReadResult<Uint8Array>;
        try {
          r = await reader.read();
        } catch (e) {
          throw mapped(e);
        }
        if (verified) return r.done ? controller.close() : controller.enqueue(r.value);
        if (r.done) {
          if ((size !== null && seen !== size) || hash!.hex() !== sha256) return controller.error(corrupt());
          if (held) controller.enqueue(held);
          return controller.close();
        }
        hash!.update(r.value);
        seen += r.value.length;
        if (size !== null && seen > size) return controller.error(corrupt());
        const prev = held;
        held = r.value;
        if (prev) return controller.enqueue(prev);
      }
    },
    cancel(reason) {
      return reader?.cancel(reason);
    },
  });
}
