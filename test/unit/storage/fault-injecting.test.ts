import { describe, it, expect } from 'vitest';
import { MemoryStore } from '../../../src/core/storage/memory.ts';
import { FaultInjectingStore } from '../../shared/fault-injecting-store.ts';
import type { ObjectStore } from '../../../src/core/storage/object-store.ts';
import { isPondError } from '../../../src/core/errors.ts';
import { testObjectStore, patternBytes, rejection, drain } from '../../shared/object-store-suite.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const streamOf = (...chunks: Uint8Array[]) => new Blob(chunks as Uint8Array<ArrayBuffer>[]).stream();

// Unarmed, the wrapper must be invisible: it passes the whole contract.
testObjectStore('FaultInjectingStore (unarmed) over MemoryStore', async () => new FaultInjectingStore(new MemoryStore()));

/** A toy commit: data file, large body, then the log entry that publishes them. */
async function commit(store: ObjectStore, n: number): Promise<void> {
  await store.write(`part_id=p/part-${n}.parquet`, patternBytes(100, n));
  await store.writeStream(`_large_files/sha256=${n}`, streamOf(patternBytes(5000, n)));
  if (!(await store.putIfAbsent(`_delta_log/${n}.json`, enc(`{"version":${n}}`)))) throw new Error('lost the race');
}

describe('FaultInjectingStore', () => {
  it('names itself after the store it wraps', () => {
    const store = new FaultInjectingStore(new MemoryStore());
    expect(store.kind).toBe('fault(memory)');
    expect(store.writable).toBe(true);
  });

  it('counts write, writeStream and putIfAbsent, and nothing else', async () => {
    const store = new FaultInjectingStore(new MemoryStore());
    await store.write('a', enc('a'));
    await store.writeStream('b', streamOf(enc('b')));
    await store.putIfAbsent('c', enc('c'));
    await store.putIfAbsent('c', enc('c')); // a lost putIfAbsent is still a write attempt
    await store.read('a');
    await drain(store.readStream('b'));
    await store.list('');
    await store.delete('a');
    await store.exists('b');
    await (
      await store.lock()
    )();
    expect(store.writes).toBe(4);
    expect(store.faults).toBe(0);
  });

  it('fails exactly the k-th write of a transaction, for every k, after counting them', async () => {
    const counting = new FaultInjectingStore(new MemoryStore());
    await commit(counting, 1);
    const n = counting.writes;
    expect(n).toBe(3);
    for (let k = 1; k <= n; k++) {
      const inner = new MemoryStore();
      const store = new FaultInjectingStore(inner, { failAt: k });
      const e = await rejection(commit(store, 1));
      expect((e as Error).message).toBe('injected fault');
      expect(store.writes).toBe(k);
      expect(store.faults).toBe(1);
      // Calls before k went through; the failing one wrote nothing; later ones never ran.
      const expected = ['part_id=p/part-1.parquet', '_large_files/sha256=1', '_delta_log/1.json'].slice(0, k - 1).sort();
      expect(await inner.list('')).toEqual(expected);
      // The next transaction succeeds: the fault fires once.
      await commit(store, 2);
    }
  });

  it('throws a custom error in error mode', async () => {
    const boom = new TypeError('custom');
    const store = new FaultInjectingStore(new MemoryStore(), { failAt: 1, error: () => boom });
    expect(await rejection(store.write('k', enc('x')))).toBe(boom);
  });

  it('maps an injected QuotaExceededError to EQUOTA naming the key, like the real stores', async () => {
    const inner = new MemoryStore();
    const store = new FaultInjectingStore(inner, { failAt: 2, mode: 'quota' });
    await store.write('ok', enc('fits'));
    const e = await rejection(store.putIfAbsent('_delta_log/1.json', enc('{}')));
    expect(isPondError(e, 'EQUOTA')).toBe(true);
    expect((e as { data: { path: string } }).data.path).toBe('_delta_log/1.json');
    expect((e as { cause?: { name?: string } }).cause?.name).toBe('QuotaExceededError');
    expect(await inner.list('')).toEqual(['ok']);
  });

  it('keeps failing from failAt on when sticky (a disk that stays full)', async () => {
    const store = new FaultInjectingStore(new MemoryStore(), { failAt: 2, mode: 'quota', sticky: true });
    await store.write('a', enc('a'));
    for (const key of ['b', 'c', 'd']) expect(isPondError(await rejection(store.write(key, enc(key))), 'EQUOTA')).toBe(true);
    expect(store.faults).toBe(3);
    store.reset();
    await store.write('e', enc('e'));
    expect(await store.list('')).toEqual(['a', 'e']);
  });

  it('tears write, putIfAbsent and writeStream: the first half of the bytes lands, then it throws', async () => {
    const inner = new MemoryStore();
    const store = new FaultInjectingStore(inner);
    const body = patternBytes(1001, 3);
    for (const [k, attempt] of [
      [1, () => store.write('w', body)],
      [1, () => store.putIfAbsent('p', body)],
      [1, () => store.writeStream('s', streamOf(body.subarray(0, 300), body.subarray(300)))],
    ] as const) {
      store.arm({ failAt: k, mode: 'tear' });
      const e = await rejection(attempt());
      expect((e as Error).message).toMatch(/^injected fault: write of \w torn/);
    }
    for (const key of ['w', 'p', 's']) expect(await inner.read(key)).toEqual(body.slice(0, 500));
  });

  it('cancels the source stream of a failed writeStream', async () => {
    let cancelled: unknown;
    const source = new ReadableStream<Uint8Array>({
      pull: (c) => c.enqueue(enc('x')),
      cancel: (reason) => {
        cancelled = reason;
      },
    });
    const store = new FaultInjectingStore(new MemoryStore(), { failAt: 1 });
    await rejection(store.writeStream('k', source));
    expect(cancelled).toBe('injected fault');
  });
});
