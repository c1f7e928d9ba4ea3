// sha256 of 16 MiB: the pond hashes every large file body (_large_files/sha256=<hex>).
// src/core/hash.ts uses WebCrypto when present and @noble/hashes otherwise (and for streams);
// node:crypto (OpenSSL) is the reference.
import { createHash, webcrypto } from 'node:crypto';
import { sha256 } from '@noble/hashes/sha2.js';
import { suite, startMemoryProbe, MiB } from '../lib/index.ts';

const SIZE = 16 * MiB;
const CHUNK = 64 * 1024;

function data(size: number): Uint8Array {
  const d = new Uint8Array(size);
  for (let i = 0; i < size; i += 4096) d[i] = i & 0xff;
  return d;
}

suite('sha256 16 MiB', { iterations: 8, warmup: 1 }, (s) => {
  const input = data(SIZE);
  const bytes = SIZE;
  s.baseline('node:crypto createHash', () => createHash('sha256').update(input).digest(), { bytes });
  s.bench('WebCrypto subtle.digest', () => webcrypto.subtle.digest('SHA-256', input), { bytes, target: { maxRatio: 2 } });
  s.bench('@noble/hashes one-shot', () => sha256(input), { bytes, target: { maxRatio: 12 } });
  s.bench(
    '@noble/hashes 64 KiB chunks',
    () => {
      const h = sha256.create();
      for (let o = 0; o < input.length; o += CHUNK) h.update(input.subarray(o, o + CHUNK));
      return h.digest();
    },
    { bytes, target: { maxRatio: 12 } },
  );
});

// The pattern for "peak memory does not grow with file size": stream a body through an
// incremental hash, one freshly allocated chunk at a time (as a reader hands them out), and compare
// the peaks of two sizes. Garbage counts until V8 collects it, so the peak plateaus (at 16-32 MiB
// here, V8's external-memory GC trigger) rather than staying at one chunk; what must not happen is
// growing with the body: proportional growth would be a ratio of 8.
suite('sha256 streaming peak memory', (s) => {
  const chunk = data(CHUNK);
  async function peakWhileHashing(total: number): Promise<number> {
    const probe = await startMemoryProbe();
    const h = createHash('sha256');
    for (let o = 0; o < total; o += CHUNK) {
      h.update(chunk.slice());
      probe.sample(); // a synchronous loop: Node's background timer cannot fire in here
    }
    h.digest();
    return (await probe.stop()).peakDeltaBytes / MiB;
  }
  s.metric('peak Δ streaming 16 MiB', () => peakWhileHashing(16 * MiB), { unit: 'MiB' });
  s.metric('peak Δ streaming 128 MiB', () => peakWhileHashing(128 * MiB), {
    unit: 'MiB',
    vs: 'peak Δ streaming 16 MiB',
    target: { maxRatio: 3 },
  });
});
