// Copying bytes: the pond copies bodies between stores and into Parquet/Arrow buffers.
// Measured here: the first write into a freshly allocated large buffer pays the page faults
// (≈3 ms/MiB on this sandbox), so set() into `new Uint8Array(n)` can be far slower than slice(),
// whose memory comes pre-faulted from the allocator; reuse buffers on hot paths.
import { suite, MiB } from '../lib/index.ts';

const SIZE = 8 * MiB;

suite('copy 8 MiB', { iterations: 10 }, (s) => {
  const src = new Uint8Array(SIZE).map((_, i) => i & 0xff);
  const bytes = SIZE;
  s.baseline(
    'new Uint8Array(n).set(src)',
    () => {
      const dst = new Uint8Array(src.length);
      dst.set(src);
      return dst;
    },
    { bytes },
  );
  s.bench('src.slice()', () => src.slice(), { bytes, memory: true, target: { maxRatio: 1.5 } });
  s.bench('new Uint8Array(src)', () => new Uint8Array(src), { bytes, target: { maxRatio: 1.5 } });
  s.bench('Buffer.from(src)', () => Buffer.from(src), { bytes });
  // Only set() is timed; the allocation is per-iteration setup. Its page faults still land in the
  // timed section (first touch), which is why this case is no faster than the baseline.
  s.bench(
    'set into a preallocated buffer (timed section)',
    async (ctx) => {
      const dst = new Uint8Array(src.length);
      await ctx.time(() => dst.set(src));
    },
    { bytes },
  );
});
