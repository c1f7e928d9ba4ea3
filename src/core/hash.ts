import { createSHA256 } from 'hash-wasm';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

/**
 * Below this size a body is hashed in JS, on the spot: WebCrypto's digest is a round trip (to
 * Node's thread pool, or the browser's crypto thread) that costs more than hashing a few KiB.
 */
const SMALL_HASH = 4096;

/** The 32-byte sha256 of a buffer (WebCrypto where present: native speed). */
export async function sha256(data: Uint8Array): Promise<Uint8Array> {
  const subtle = globalThis.crypto?.subtle;
  if (subtle && data.length > SMALL_HASH) return new Uint8Array(await subtle.digest('SHA-256', data as Uint8Array<ArrayBuffer>));
  return nobleSha256(data);
}

/** Hex sha256 of a buffer. */
export async function sha256Hex(data: Uint8Array): Promise<string> {
  return bytesToHex(await sha256(data));
}

/** An incremental sha256 for streamed bodies (WebCrypto cannot hash incrementally). */
export interface IncrementalHash {
  update(chunk: Uint8Array): void;
  hex(): string;
}

/**
 * Incremental sha256 in WebAssembly (hash-wasm): several times faster than a JS implementation,
 * which made hashing, not I/O, the bottleneck of streaming large files.
 */
export async function createSha256(): Promise<IncrementalHash> {
  const h = await createSHA256();
  h.init();
  return {
    update: (chunk) => void h.update(chunk),
    hex: () => h.digest('hex'),
  };
}
