// The grid's sort: the order it computes equals a plain stable sort (nulls last both ways) for every
// kind of key it reads from raw buffers; it runs in slices that let other work through, stops when
// cancelled, and the tables held for it stay within their byte budget.
import { describe, it, expect } from 'vitest';
import * as arrow from 'apache-arrow';
import { sortOrder } from '../../../workers/sort-order.ts';
import { ResultSets } from '../../../workers/result-sets.ts';

const N = 20_000; // several 4,096-row runs, so the merges run too

/** A deterministic pseudo-random generator (xorshift32). */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

/** The expected order: a stable sort, nulls last in both directions. */
function reference<T>(values: (T | null)[], desc: boolean): number[] {
  const idx = values.map((_, i) => i);
  return idx.sort((a, b) => {
    const va = values[a];
    const vb = values[b];
    if (va == null || vb == null) return va == null ? (vb == null ? a - b : 1) : -1;
    if (va === vb) return a - b;
    return (va < vb ? -1 : 1) * (desc ? -1 : 1);
  });
}

/** `values` as a column of `type` in several chunks, one of them a slice (offsets into shared buffers). */
function chunked(values: unknown[], type: arrow.DataType): arrow.Vector {
  const whole = arrow.vectorFromArray(values, type);
  const a = Math.floor(values.length / 3);
  const b = Math.floor((2 * values.length) / 3);
  return new arrow.Vector([...whole.slice(0, a).data, ...arrow.vectorFromArray(values.slice(a, b), type).data, ...whole.slice(b).data]);
}

describe('sortOrder', () => {
  const rnd = random(42);
  const words = ['delta', 'Alpha', 'älpha', 'alpha', 'beta', '', 'z', '😀', 'ｚ', 'b'];
  const cases: [string, arrow.DataType, (i: number) => unknown][] = [
    ['Float64 with nulls and duplicates', new arrow.Float64(), (i) => (i % 11 === 0 ? null : Math.round(rnd() * 500) / 4 - 60)],
    ['Int32', new arrow.Int32(), () => Math.floor(rnd() * 1000) - 500],
    ['Int32 with its extremes and nulls', new arrow.Int32(), (i) => [2147483647, -2147483648, 0, null, 7][i % 5]],
    ['Int64 within 2^53', new arrow.Int64(), (i) => (i % 13 === 0 ? null : BigInt(Math.floor(rnd() * 2 ** 52)) - 2n ** 51n)],
    ['Int64 beyond 2^53 (neighbours differ by 1)', new arrow.Int64(), () => 2n ** 60n + BigInt(Math.floor(rnd() * 50))],
    ['Uint64 near 2^64', new arrow.Uint64(), () => 2n ** 64n - 1n - BigInt(Math.floor(rnd() * 50))],
    ['Utf8', new arrow.Utf8(), (i) => (i % 17 === 0 ? null : `${words[Math.floor(rnd() * words.length)]}${Math.floor(rnd() * 30)}`)],
    // More distinct strings than a run, so the ranks' own sort merges too.
    ['Utf8 with mostly distinct values', new arrow.Utf8(), (i) => (i % 29 === 0 ? null : `v${Math.floor(rnd() * 1e6)}`)],
    ['LargeUtf8 (as Polars writes strings)', new arrow.LargeUtf8(), (i) => (i % 19 === 0 ? null : words[Math.floor(rnd() * words.length)])],
    ['Bool', new arrow.Bool(), (i) => (i % 7 === 0 ? null : rnd() < 0.5)],
    [
      'Timestamp in nanoseconds (beyond 2^53)',
      new arrow.Timestamp(arrow.TimeUnit.NANOSECOND, 'UTC'),
      (i) => (i % 23 === 0 ? null : 1.7e12 + Math.floor(rnd() * 1e6)),
    ],
  ];
  for (const [name, type, make] of cases) {
    it(`orders ${name} as a stable sort does, both ways`, async () => {
      const values = Array.from({ length: N }, (_, i) => make(i)) as (string | number | bigint | boolean | null)[];
      const col = chunked(values, type);
      expect(col.data.length).toBe(3);
      for (const desc of [false, true]) {
        const order = await sortOrder(col, desc);
        expect(Array.from(order)).toEqual(reference(values, desc));
      }
    });
  }

  it('sorts a dictionary column by its values, numbers as numbers', async () => {
    const values = Array.from({ length: N }, (_, i) => [9, 10, 100, 2][i % 4]);
    const col = arrow.vectorFromArray(values, new arrow.Dictionary(new arrow.Int32(), new arrow.Int32()));
    expect(Array.from(await sortOrder(col, false))).toEqual(reference(values, false));
  });

  it('lets other work run between its slices', async () => {
    const n = 500_000;
    const rnd = random(7);
    const col = arrow.vectorFromArray(new Float64Array(n).map(() => rnd()));
    let done = false;
    const sorting = sortOrder(col, false).then(() => (done = true));
    // Timers asked for while the sort runs fire while it is still running, each soon after its time.
    const delays: number[] = [];
    for (let i = 0; i < 5 && !done; i++) {
      const asked = performance.now();
      await new Promise((r) => setTimeout(r, 5));
      if (!done) delays.push(performance.now() - asked);
    }
    await sorting;
    // A sort in one piece would let no timer fire before it ends. (The bound is loose: a busy machine stretches slices.)
    expect(delays.length).toBeGreaterThan(0);
    expect(Math.max(...delays)).toBeLessThan(250);
  });

  it('reports progress up to the total and stops when aborted', async () => {
    const rnd = random(9);
    const col = arrow.vectorFromArray(
      Array.from({ length: 100_000 }, () => `k${Math.floor(rnd() * 1e5)}`),
      new arrow.LargeUtf8(),
    );
    const reports: [number, number][] = [];
    await sortOrder(col, true, { progress: (done, total) => reports.push([done, total]) });
    expect(reports.at(-1)).toEqual([1, 1]);
    expect(reports.slice(0, -1).every(([d, t], i, all) => d <= t && (i === 0 || d >= all[i - 1][0]))).toBe(true);

    const controller = new AbortController();
    const started = performance.now();
    const sorting = sortOrder(col, false, { signal: controller.signal, progress: () => controller.abort(new DOMException('stop', 'AbortError')) });
    await expect(sorting).rejects.toThrow('stop');
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('ResultSets memory', () => {
  /** A table of `rows` float64 values: 8 bytes a row. */
  const floats = (rows: number) => new arrow.Table({ v: arrow.vectorFromArray(new Float64Array(rows).map((_, i) => rows - i)) });

  it('drops the least recently used tables beyond its byte budget, never the newest', async () => {
    const budget = 1 << 20;
    const results = new ResultSets(budget);
    const rows = Math.ceil(budget / 8 / 3); // a third of the budget each
    const a = results.hold(floats(rows), 'a');
    const b = results.hold(floats(rows), 'b');
    expect(results.usage().tables).toBe(2);
    results.page(a.id, 0, 1); // a is now the most recently used
    results.hold(floats(rows), 'c');
    results.hold(floats(rows), 'd');
    expect(() => results.page(b.id, 0, 1)).toThrow(/no longer held/);
    expect(results.usage().bytes).toBeLessThanOrEqual(budget);
    // One table bigger than the budget is still held: the UI just asked for it.
    const huge = results.hold(floats(Math.ceil(budget / 8) + 1), 'huge');
    expect(results.usage().tables).toBe(1);
    expect(results.page(huge.id, 0, 1).rows).toBe(1);
  });

  it('counts finished sort orders and stops a running sort when the table is released', async () => {
    const results = new ResultSets();
    const t = results.hold(floats(500_000), 't');
    const before = results.usage().bytes;
    await results.sorted(t.id, { column: 'v', desc: false });
    expect(results.usage().bytes).toBe(before + 500_000 * 4);
    const running = results.sorted(t.id, { column: 'v', desc: true });
    expect(results.usage().sorting).toBe(1);
    results.release(t.id);
    await expect(running).rejects.toThrow('released');
    expect(results.usage()).toEqual({ tables: 0, bytes: 0, sorting: 0 });
  });
});
