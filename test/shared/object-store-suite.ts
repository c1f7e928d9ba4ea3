// The ObjectStore contract, as one suite: run on memory and node-fs in test/unit and on idb and
// opfs (page and worker) in test/browser. Every case names the contract clause it checks.
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import type { ObjectStore } from '../../src/core/storage/object-store.ts';
import { isPondError, type PondErrorCode } from '../../src/core/errors.ts';
import { rejectionOf } from './rejection.ts';
import { drain } from './streams.ts';

export interface ObjectStoreSuiteOptions {
  /** Another handle on the same pond as `store` (another instance, tab, worker); default: `store` itself. */
  peer?: (store: ObjectStore) => Promise<ObjectStore>;
  /** Size of the large-object cases (default 8 MiB). */
  largeBytes?: number;
  /** When set, also push an object this big through writeStream and readStream, chunk by chunk. */
  hugeBytes?: number;
  /** The largest chunk readStream may yield (default 4 MiB): it must stream, not load the object whole. */
  maxStreamChunk?: number;
  /** Timeout of the large cases (default 60 s). */
  largeTimeoutMs?: number;
}

const MiB = 1024 * 1024;
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Byte `i` of the deterministic test pattern: position-dependent, so a lost, repeated or reordered chunk shows. */
export function patternByte(i: number, seed = 0): number {
  return ((Math.imul(i ^ seed, 0x9e3779b1) >>> 24) ^ (i >>> 20)) & 0xff;
}

/** `n` pattern bytes starting at position `from`. */
export function patternBytes(n: number, seed = 0, from = 0): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = patternByte(from + i, seed);
  return out;
}

/** A stream of `total` pattern bytes in chunks of cycling, awkward sizes (including empty ones), made on demand. */
export function patternStream(total: number, seed = 0, sizes = [1, 0, 4093, 65_536, 3 * 65_536 + 7, MiB + 5]): ReadableStream<Uint8Array> {
  let pos = 0;
  let turn = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pos >= total) return controller.close();
      const n = Math.min(sizes[turn++ % sizes.length], total - pos);
      controller.enqueue(patternBytes(n, seed, pos));
      pos += n;
    },
  });
}

/** Drain a stream, checking every byte against the pattern without keeping it; returns counts. */
export async function checkPatternStream(
  stream: ReadableStream<Uint8Array>,
  seed = 0,
): Promise<{ size: number; chunks: number; maxChunk: number; firstMismatch?: number }> {
  let size = 0;
  let chunks = 0;
  let maxChunk = 0;
  let firstMismatch: number | undefined;
  for await (const chunk of stream) {
    chunks++;
    maxChunk = Math.max(maxChunk, chunk.length);
    if (firstMismatch === undefined) {
      for (let i = 0; i < chunk.length; i++) {
        if (chunk[i] !== patternByte(size + i, seed)) {
          firstMismatch = size + i;
          break;
        }
      }
    }
    size += chunk.length;
  }
  return { size, chunks, maxChunk, firstMismatch };
}

/** All bytes of a stream (kept here too for the store suites' importers). */
export { drain };

/** Asserts byte equality; vitest's deep toEqual takes seconds per MiB, so compare in a loop and show only the first difference. */
export function expectBytes(actual: Uint8Array, expected: Uint8Array): void {
  expect(actual).toBeInstanceOf(Uint8Array);
  let at = -1;
  const n = Math.min(actual.length, expected.length);
  for (let i = 0; i < n; i++) {
    if (actual[i] !== expected[i]) {
      at = i;
      break;
    }
  }
  if (at === -1 && actual.length === expected.length) return;
  const from = Math.max(0, (at === -1 ? n : at) - 8);
  expect({ length: actual.length, firstDiff: at, window: Array.from(actual.slice(from, from + 16)) }).toEqual({
    length: expected.length,
    firstDiff: -1,
    window: Array.from(expected.slice(from, from + 16)),
  });
}

/** The rejection reason of `p` (kept under this name for the store suites). */
export { rejectionOf as rejection };

/** Asserts that `p` rejects with a PondError of `code` whose data.path is `path` (when given). */
async function expectPondError(p: Promise<unknown>, code: PondErrorCode, path?: string): Promise<void> {
  const e = await rejectionOf(p);
  expect(isPondError(e, code), `expected PondError ${code}, got ${String(e)}`).toBe(true);
  if (path !== undefined) expect((e as { data: { path?: string } }).data.path).toBe(path);
}

/** A stream that yields `head` and then fails, like a network body that breaks off. */
function failingStream(head: Uint8Array[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < head.length) controller.enqueue(head[i++]);
      else controller.error(new Error('source broke off'));
    },
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The ObjectStore conformance suite over a fresh, empty store from `make` per test. */
export function testObjectStore(name: string, make: () => Promise<ObjectStore>, opts: ObjectStoreSuiteOptions = {}): void {
  const largeBytes = opts.largeBytes ?? 8 * MiB;
  const maxStreamChunk = opts.maxStreamChunk ?? 4 * MiB;
  const largeTimeout = opts.largeTimeoutMs ?? 60_000;

  describe(`ObjectStore conformance: ${name}`, () => {
    let store: ObjectStore;
    let opened: ObjectStore[] = [];
    const peer = async (): Promise<ObjectStore> => {
      if (!opts.peer) return store;
      const p = await opts.peer(store);
      opened.push(p);
      return p;
    };

    beforeEach(async () => {
      store = await make();
      opened = [store];
    });
    afterEach(async () => {
      for (const s of opened) await s.close();
    });

    describe('reading', () => {
      it('names its backend and accepts writes', () => {
        expect(typeof store.kind).toBe('string');
        expect(store.kind.length).toBeGreaterThan(0);
        expect(store.writable).toBe(true);
      });

      it('reports a missing key as ENOENT naming the key, from every read method', async () => {
        const key = 'part_id=x/missing.parquet';
        await expectPondError(store.read(key), 'ENOENT', key);
        await expectPondError(store.readRange(key, 0, 10), 'ENOENT', key);
        await expectPondError(drain(store.readStream(key)), 'ENOENT', key);
        expect(await store.exists(key)).toBe(false);
        expect(await store.size(key)).toBeUndefined();
      });

      it('treats a key that is only a prefix of other keys as absent', async () => {
        await store.write('dir/leaf', enc('x'));
        await expectPondError(store.read('dir'), 'ENOENT', 'dir');
        expect(await store.exists('dir')).toBe(false);
        expect(await store.size('dir')).toBeUndefined();
      });

      it('round-trips every byte value', async () => {
        const all = Uint8Array.from({ length: 512 }, (_, i) => i % 256);
        await store.write('bin', all);
        expectBytes(await store.read('bin'), all);
        expectBytes(await drain(store.readStream('bin')), all);
        expect(await store.size('bin')).toBe(512);
        expect(await store.exists('bin')).toBe(true);
      });

      it('stores empty objects', async () => {
        await store.write('empty', new Uint8Array(0));
        expect(await store.exists('empty')).toBe(true);
        expect(await store.size('empty')).toBe(0);
        expect((await store.read('empty')).length).toBe(0);
        expect((await drain(store.readStream('empty'))).length).toBe(0);
        expect((await store.readRange('empty', 0, 10)).length).toBe(0);
        expect(await store.list('')).toEqual(['empty']);
        expect(await store.putIfAbsent('empty2', new Uint8Array(0))).toBe(true);
        expect(await store.size('empty2')).toBe(0);
      });

      it('copies bytes in and out, so callers cannot alias stored data', async () => {
        const src = enc('abcdef');
        await store.write('k', src);
        src[0] = 0x7a;
        const got = await store.read('k');
        got[1] = 0x7a;
        expectBytes(await store.read('k'), enc('abcdef'));
        const view = new Uint8Array([9, 9, 1, 2, 3, 9]).subarray(2, 5);
        await store.write('view', view);
        expectBytes(await store.read('view'), new Uint8Array([1, 2, 3]));
      });

      it('readRange returns the window, fewer bytes at the end, none at or past it', async () => {
        const data = patternBytes(1000);
        await store.write('r', data);
        expectBytes(await store.readRange('r', 0, 10), data.slice(0, 10));
        expectBytes(await store.readRange('r', 500, 100), data.slice(500, 600));
        expectBytes(await store.readRange('r', 990, 100), data.slice(990));
        expect((await store.readRange('r', 1000, 10)).length).toBe(0);
        expect((await store.readRange('r', 5000, 10)).length).toBe(0);
        expect((await store.readRange('r', 10, 0)).length).toBe(0);
        expectBytes(await store.readRange('r', 0, Number.MAX_SAFE_INTEGER), data);
      });

      it('readRange refuses negative or fractional arguments with EINVAL', async () => {
        await store.write('r', enc('abc'));
        await expectPondError(store.readRange('r', -1, 2), 'EINVAL', 'r');
        await expectPondError(store.readRange('r', 0, -2), 'EINVAL', 'r');
        await expectPondError(store.readRange('r', 0.5, 1), 'EINVAL', 'r');
      });

      it('a write on one handle is visible through another handle on the same pond', async () => {
        const other = await peer();
        await store.write('_delta_log/00000000000000000000.json', enc('{"commitInfo":{}}'));
        expectBytes(await other.read('_delta_log/00000000000000000000.json'), enc('{"commitInfo":{}}'));
        expect(await other.list('_delta_log/')).toEqual(['_delta_log/00000000000000000000.json']);
      });
    });

    describe('keys', () => {
      const bad = ['', '/abs', 'a/', 'a//b', './a', 'a/./b', 'a/../b', '..', '.duckpond/lock', 'nul\0byte'];
      it.each(bad)('refuses the invalid key %j with EINVAL', async (key) => {
        await expectPondError(store.write(key, enc('x')), 'EINVAL');
        await expectPondError(store.putIfAbsent(key, enc('x')), 'EINVAL');
        await expectPondError(store.read(key), 'EINVAL');
        await expectPondError(store.exists(key), 'EINVAL');
        await expectPondError(store.delete(key), 'EINVAL');
        await expectPondError(drain(store.readStream(key)), 'EINVAL');
        expect(await store.list('')).toEqual([]);
      });

      it('accepts the key shapes a pond uses', async () => {
        const keys = [
          '_delta_log/00000000000000000001.json',
          '_large_files/sha256=' + 'ab'.repeat(32),
          'part_id=0190b3a2-0000-7000-8000-000000000000/part-0190b3a2-1111-7000-8000-000000000000.parquet',
          '_delta_log/00000000000000000001.json.torn-1712345678',
          'name with spaces, ünïcödé & #hash%20',
        ];
        for (const k of keys) await store.write(k, enc(k));
        for (const k of keys) expectBytes(await store.read(k), enc(k));
        expect(await store.list('')).toEqual([...keys].sort());
      });
    });

    describe('listing', () => {
      const keys = [
        '_delta_log/00000000000000000000.json',
        '_delta_log/00000000000000000001.json',
        '_large_files/sha256=ab',
        'part_id=x/part-1.parquet',
        'part_id=x/part-2.parquet',
        'part_id=xy/part-1.parquet',
        'Z',
        'z',
        '~',
        'é',
        'a/b/c/d',
      ];
      beforeEach(async () => {
        // Written out of order, so a store that returns insertion order fails.
        for (const k of [...keys].reverse()) await store.write(k, enc(k));
      });

      it('lists every key with an empty prefix, sorted by UTF-16 code unit', async () => {
        const expected = [...keys].sort();
        expect(expected.indexOf('Z')).toBeLessThan(expected.indexOf('_delta_log/00000000000000000000.json')); // 'Z' < '_' < 'a'
        expect(await store.list('')).toEqual(expected);
      });

      it('treats the prefix as a string prefix, not a directory name', async () => {
        expect(await store.list('part_id=x/')).toEqual(['part_id=x/part-1.parquet', 'part_id=x/part-2.parquet']);
        expect(await store.list('part_id=x')).toEqual(['part_id=x/part-1.parquet', 'part_id=x/part-2.parquet', 'part_id=xy/part-1.parquet']);
        expect(await store.list('part_id=x/part-1')).toEqual(['part_id=x/part-1.parquet']);
        expect(await store.list('_')).toEqual(['_delta_log/00000000000000000000.json', '_delta_log/00000000000000000001.json', '_large_files/sha256=ab']);
        expect(await store.list('_delta_log/00000000000000000001.json')).toEqual(['_delta_log/00000000000000000001.json']);
        expect(await store.list('a/b/')).toEqual(['a/b/c/d']);
        expect(await store.list('z')).toEqual(['z']);
      });

      it('returns nothing for prefixes that match nothing, including ones no key can have', async () => {
        expect(await store.list('nope')).toEqual([]);
        expect(await store.list('part_id=x/part-3')).toEqual([]);
        expect(await store.list('part_id=z/')).toEqual([]);
        expect(await store.list('../')).toEqual([]);
        expect(await store.list('.duckpond')).toEqual([]);
        expect(await store.list('/')).toEqual([]);
      });

      it('no longer lists deleted keys', async () => {
        await store.delete('part_id=x/part-1.parquet');
        expect(await store.list('part_id=x')).toEqual(['part_id=x/part-2.parquet', 'part_id=xy/part-1.parquet']);
      });
    });

    describe('writing', () => {
      it('write replaces the whole object: a shorter body leaves no tail', async () => {
        await store.write('k', patternBytes(3000));
        await store.write('k', enc('short'));
        expectBytes(await store.read('k'), enc('short'));
        expect(await store.size('k')).toBe(5);
      });

      it('delete removes one object, keeps its neighbours, and is idempotent', async () => {
        await store.write('d/a', enc('a'));
        await store.write('d/b', enc('b'));
        await store.delete('d/a');
        await store.delete('d/a');
        await store.delete('never/existed');
        await store.delete('d'); // only a prefix: not an object
        expect(await store.exists('d/a')).toBe(false);
        await expectPondError(store.read('d/a'), 'ENOENT', 'd/a');
        expectBytes(await store.read('d/b'), enc('b'));
        expect(await store.list('')).toEqual(['d/b']);
        await store.write('d/a', enc('again'));
        expectBytes(await store.read('d/a'), enc('again'));
      });

      it('move (where a store has it) renames in one step, replacing the target, into new folders', async (ctx) => {
        if (!store.move) return ctx.skip(); // optional: callers copy instead
        await store.write('_large_files/tmp-1', patternBytes(5000));
        await store.write('_large_files/sha256=abc', enc('old'));
        await store.move('_large_files/tmp-1', '_large_files/sha256=abc');
        expectBytes(await store.read('_large_files/sha256=abc'), patternBytes(5000));
        expect(await store.exists('_large_files/tmp-1')).toBe(false);
        await store.move('_large_files/sha256=abc', 'deep/new/folder/x');
        expect(await store.list('')).toEqual(['deep/new/folder/x']);
        await expectPondError(store.move('missing', 'y'), 'ENOENT', 'missing');
      });

      it('putIfAbsent creates once and never overwrites', async () => {
        const key = '_delta_log/00000000000000000007.json';
        expect(await store.putIfAbsent(key, enc('first'))).toBe(true);
        expect(await store.putIfAbsent(key, enc('second, and longer'))).toBe(false);
        expectBytes(await store.read(key), enc('first'));
        expect(await store.size(key)).toBe(5);
        await store.write('plain', enc('w'));
        expect(await store.putIfAbsent('plain', enc('p'))).toBe(false);
        expectBytes(await store.read('plain'), enc('w'));
      });

      it('writeNew (where offered) creates a fresh key in place, with no temp key left', async () => {
        if (!store.writeNew) return;
        await store.writeNew('part_id=p/part-1.parquet', patternBytes(70_000));
        await store.writeNew('top', enc('t'));
        expectBytes(await store.read('part_id=p/part-1.parquet'), patternBytes(70_000));
        expect(await store.list('')).toEqual(['part_id=p/part-1.parquet', 'top']);
      });

      it('stagePut (where offered) stays invisible until published, then answers as putIfAbsent', async () => {
        if (!store.stagePut) return;
        const key = '_delta_log/00000000000000000008.json';
        const staged = await store.stagePut(key, enc('staged'));
        expect(await store.exists(key)).toBe(false);
        expect(await store.list('_delta_log/')).toEqual([]);
        expect(await staged.publish()).toBe(true);
        expectBytes(await store.read(key), enc('staged'));
        await expectPondError(staged.publish(), 'EINVAL', key);
        const late = await store.stagePut(key, enc('second, and longer'));
        expect(await late.publish()).toBe(false);
        expectBytes(await store.read(key), enc('staged'));
        const dropped = await store.stagePut('_delta_log/00000000000000000009.json', enc('x'));
        await dropped.discard();
        expect(await store.list('')).toEqual([key]);
      });

      it('concurrent putIfAbsent on one key: exactly one wins and its bytes stay', async () => {
        const other = await peer();
        const key = '_delta_log/00000000000000000042.json';
        const bodies = Array.from({ length: 8 }, (_, i) => enc(`writer ${i} `.repeat(i + 1)));
        const results = await Promise.all(bodies.map((b, i) => (i % 2 === 0 ? store : other).putIfAbsent(key, b)));
        expect(results.filter(Boolean)).toHaveLength(1);
        expectBytes(await store.read(key), bodies[results.indexOf(true)]);
      });

      it('putIfAbsent of a large body is all or nothing', async () => {
        const big = patternBytes(3 * MiB + 17, 5);
        expect(await store.putIfAbsent('big', big)).toBe(true);
        expect(await store.putIfAbsent('big', enc('x'))).toBe(false);
        expectBytes(await store.read('big'), big);
      });

      it('writeStream stores the concatenation of many chunks and returns the byte count', async () => {
        const chunks = Array.from({ length: 1500 }, (_, i) => patternBytes(i % 7 === 0 ? 0 : (i * 37) % 3001, 3, i * 3001));
        const expected = await drain(new Blob(chunks as Uint8Array<ArrayBuffer>[]).stream());
        let i = 0;
        const source = new ReadableStream<Uint8Array>({
          pull(controller) {
            if (i < chunks.length) controller.enqueue(chunks[i++]);
            else controller.close();
          },
        });
        expect(await store.writeStream('many', source)).toBe(expected.length);
        expectBytes(await store.read('many'), expected);
        expect(await store.size('many')).toBe(expected.length);
      });

      it('writeStream of an empty stream creates an empty object', async () => {
        expect(await store.writeStream('e', new ReadableStream({ start: (c) => c.close() }))).toBe(0);
        expect(await store.size('e')).toBe(0);
      });

      it('writeStream replaces an existing object', async () => {
        await store.write('k', patternBytes(5000, 1));
        expect(await store.writeStream('k', patternStream(70_000, 2))).toBe(70_000);
        expectBytes(await store.read('k'), patternBytes(70_000, 2));
      });

      it('a writeStream whose source fails leaves the old object and nothing new', async () => {
        const old = patternBytes(2 * MiB + 3, 9);
        await store.write('k', old);
        const before = await store.list('');
        const e = await rejectionOf(store.writeStream('k', failingStream([patternBytes(MiB, 1), patternBytes(MiB, 2), patternBytes(MiB, 3)])));
        expect(String((e as Error).message ?? e)).toContain('source broke off');
        expectBytes(await store.read('k'), old);
        await rejectionOf(store.writeStream('fresh', failingStream([enc('partial')])));
        expect(await store.exists('fresh')).toBe(false);
        expect(await store.list('')).toEqual(before);
      });

      it('an object being streamed in is invisible until it is complete', async () => {
        await store.write('other', enc('o'));
        let open!: () => void;
        const gate = new Promise<void>((r) => (open = r));
        let pulled = 0;
        const source = new ReadableStream<Uint8Array>({
          async pull(controller) {
            pulled++;
            if (pulled === 3) await gate;
            if (pulled > 4) return controller.close();
            controller.enqueue(patternBytes(600_000, 4, (pulled - 1) * 600_000));
          },
        });
        const done = store.writeStream('slow', source);
        while (pulled < 3) await sleep(5);
        expect(await store.list('')).toEqual(['other']);
        expect(await store.exists('slow')).toBe(false);
        await expectPondError(store.read('slow'), 'ENOENT', 'slow');
        open();
        expect(await done).toBe(4 * 600_000);
        expectBytes(await store.read('slow'), patternBytes(4 * 600_000, 4));
        expect(await store.list('')).toEqual(['other', 'slow']);
      });

      it('a reader sees the old or the new bytes, never a mix', async () => {
        const size = 2 * MiB + 100;
        const a = new Uint8Array(size).fill(0x11);
        const b = new Uint8Array(size).fill(0x22);
        await store.write('flip', a);
        const uniform = (x: Uint8Array) => x.length === size && (x.every((v) => v === 0x11) || x.every((v) => v === 0x22));
        const writer = (async () => {
          for (let i = 0; i < 8; i++) await store.write('flip', i % 2 ? a : b);
        })();
        const reads: boolean[] = [];
        const reader = (async () => {
          for (let i = 0; i < 8; i++) reads.push(uniform(await store.read('flip')));
        })();
        await Promise.all([writer, reader]);
        expect(reads).toEqual(Array(8).fill(true));
      });
    });

    describe('large objects', () => {
      it(`reads back ${largeBytes / MiB} MiB whole, by range and as a bounded stream`, { timeout: largeTimeout }, async () => {
        const big = patternBytes(largeBytes, 7);
        await store.write('big', big);
        expect(await store.size('big')).toBe(largeBytes);
        expectBytes(await store.read('big'), big);
        for (const [offset, length] of [
          [MiB - 3, 7],
          [MiB, MiB],
          [3 * MiB - 1, 2 * MiB + 2],
          [largeBytes - 5, 100],
        ]) {
          expectBytes(await store.readRange('big', offset, length), big.slice(offset, offset + length));
        }
        const r = await checkPatternStream(store.readStream('big'), 7);
        expect(r).toEqual({ size: largeBytes, chunks: r.chunks, maxChunk: r.maxChunk, firstMismatch: undefined });
        expect(r.chunks).toBeGreaterThan(1);
        expect(r.maxChunk).toBeLessThanOrEqual(maxStreamChunk);
      });

      it(`writeStream of ${largeBytes / MiB} MiB and readStream back are equal`, { timeout: largeTimeout }, async () => {
        expect(await store.writeStream('streamed', patternStream(largeBytes, 8))).toBe(largeBytes);
        expect(await store.size('streamed')).toBe(largeBytes);
        const r = await checkPatternStream(store.readStream('streamed'), 8);
        expect(r.firstMismatch).toBeUndefined();
        expect(r.size).toBe(largeBytes);
        expect(r.maxChunk).toBeLessThanOrEqual(maxStreamChunk);
        expectBytes(await store.readRange('streamed', largeBytes - MiB - 1, 2), patternBytes(2, 8, largeBytes - MiB - 1));
      });

      it('a cancelled readStream lets go of the object', async () => {
        await store.write('c', patternBytes(3 * MiB, 1));
        const reader = store.readStream('c').getReader();
        expect((await reader.read()).done).toBe(false);
        await reader.cancel();
        await store.write('c', enc('replaced'));
        expectBytes(await store.read('c'), enc('replaced'));
        await store.delete('c');
        expect(await store.exists('c')).toBe(false);
      });

      if (opts.hugeBytes !== undefined) {
        const huge = opts.hugeBytes;
        it(`streams ${huge / MiB} MiB in and out chunk by chunk`, { timeout: Math.max(largeTimeout, 180_000) }, async () => {
          expect(await store.writeStream('huge', patternStream(huge, 11))).toBe(huge);
          expect(await store.size('huge')).toBe(huge);
          const r = await checkPatternStream(store.readStream('huge'), 11);
          expect(r.firstMismatch).toBeUndefined();
          expect(r.size).toBe(huge);
          expect(r.maxChunk).toBeLessThanOrEqual(maxStreamChunk);
          expectBytes(await store.readRange('huge', huge / 2 - 3, 6), patternBytes(6, 11, huge / 2 - 3));
          await store.delete('huge');
          expect(await store.exists('huge')).toBe(false);
        });
      }
    });

    describe('writer lock', () => {
      it('a second lock with wait:false fails with ECONFLICT while the first is held', async () => {
        const other = await peer();
        const release = await store.lock();
        await expectPondError(other.lock({ wait: false }), 'ECONFLICT');
        await expectPondError(store.lock({ wait: false }), 'ECONFLICT');
        await release();
        // Across contexts a release reaches the lock manager a moment later: allow a short wait.
        const again = await other.lock({ timeoutMs: 2000 });
        await again();
      });

      it('a waiting lock is granted once the holder releases, not before', async () => {
        const other = await peer();
        const release = await store.lock();
        let granted = false;
        const waiting = other.lock({ timeoutMs: 10_000 }).then((r) => {
          granted = true;
          return r;
        });
        await sleep(150);
        expect(granted).toBe(false);
        await release();
        const second = await waiting;
        expect(granted).toBe(true);
        await expectPondError(store.lock({ wait: false }), 'ECONFLICT');
        await second();
      });

      it('a waiting lock gives up after timeoutMs with ECONFLICT', async () => {
        const other = await peer();
        const release = await store.lock();
        const t0 = Date.now();
        await expectPondError(other.lock({ timeoutMs: 200 }), 'ECONFLICT');
        const waited = Date.now() - t0;
        expect(waited).toBeGreaterThanOrEqual(150);
        expect(waited).toBeLessThan(5000);
        await release();
        // The timed-out request must not linger and grab the lock later.
        const next = await store.lock({ wait: false });
        await next();
      });

      it('release is idempotent and never frees a later holder', async () => {
        const first = await store.lock();
        await first();
        const second = await store.lock({ wait: false });
        await first();
        await expectPondError(store.lock({ wait: false }), 'ECONFLICT');
        await second();
      });

      it('holders never overlap under contention', async () => {
        const other = await peer();
        let inside = 0;
        let overlaps = 0;
        const order: number[] = [];
        await Promise.all(
          Array.from({ length: 6 }, async (_, i) => {
            const release = await (i % 2 ? other : store).lock({ timeoutMs: 20_000 });
            inside++;
            if (inside > 1) overlaps++;
            order.push(i);
            await sleep(10);
            inside--;
            await release();
          }),
        );
        expect(overlaps).toBe(0);
        expect([...order].sort()).toEqual([0, 1, 2, 3, 4, 5]);
      });
    });

    describe('closing', () => {
      it('a closed store refuses calls with ECLOSED and frees its lock', async () => {
        const other = await peer();
        await store.write('k', enc('v'));
        if (other !== store) {
          await store.lock();
          await store.close();
          const release = await other.lock({ timeoutMs: 2000 });
          await release();
        } else {
          await store.close();
        }
        await expectPondError(store.read('k'), 'ECLOSED');
        await expectPondError(store.write('k', enc('w')), 'ECLOSED');
        await expectPondError(store.lock({ wait: false }), 'ECLOSED');
        await store.close(); // idempotent
      });
    });
  });
}
