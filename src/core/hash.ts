import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

/** Hex sha256 of a buffer (WebCrypto where present: it is several times faster than JS). */
export async function sha256Hex(data: Uint8Array): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (subtle) return bytesToHex(new Uint8Array(await subtle.digest('SHA-256', data as Uint8Array<ArrayBuffer>)));
  return bytesToHex(nobleSha256(data));
}

/** Incremental sha256 for streamed bodies. */
export function createSha256(): { update(chunk: Uint8Array): void; hex(): string } {
  const h = nobleSha256.create();
  return {
    update: (chunk) => void h.update(chunk),
    hex: () => bytesToHex(h.digest()),
  };
}
