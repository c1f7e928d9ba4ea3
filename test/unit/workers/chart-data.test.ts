// Chart data of a held table: timestamps of every unit read straight from their buffers chart as
// the same milliseconds Arrow's own reader gives, nulls as gaps; y values are those of the sampled
// rows, also split by a column, also when x has to be sorted.
import { describe, it, expect } from 'vitest';
import * as arrow from 'apache-arrow';
import { ResultSets } from '../../../workers/result-sets.ts';

const N = 10_000;
const T0 = Date.UTC(2024, 0, 1);

/** A timestamp vector of `unit` in two chunks, every 7th value null. */
function timestamps(unit: arrow.TimeUnit, perMs: bigint, msPerUnit: bigint): arrow.Vector {
  const values = new BigInt64Array(N);
  for (let i = 0; i < N; i++) values[i] = msPerUnit > 1n ? (BigInt(T0) + BigInt(i) * 61_000n) / msPerUnit : (BigInt(T0) + BigInt(i) * 61_000n) * perMs + 123n;
  const valid = new Uint8Array(Math.ceil(N / 64) * 8); // padded to 64 bits, as Arrow pads
  for (let i = 0; i < N; i++) if (i % 7 !== 3) valid[i >> 3] |= 1 << (i & 7);
  const type = new arrow.Timestamp(unit, 'UTC');
  const whole = arrow.makeData({ type, length: N, nullCount: Math.floor((N + 3) / 7), nullBitmap: valid, data: values });
  return new arrow.Vector([whole.slice(0, 4000), whole.slice(4000, N - 4000)]);
}

describe('chartData', () => {
  const units: [string, arrow.TimeUnit, bigint, bigint][] = [
    ['seconds', arrow.TimeUnit.SECOND, 1n, 1000n],
    ['milliseconds', arrow.TimeUnit.MILLISECOND, 1n, 1n],
    ['microseconds', arrow.TimeUnit.MICROSECOND, 1000n, 1n],
    ['nanoseconds', arrow.TimeUnit.NANOSECOND, 1_000_000n, 1n],
  ];
  for (const [name, unit, perMs, msPerUnit] of units) {
    it(`charts a timestamp in ${name} as Arrow's milliseconds, nulls as NaN`, () => {
      const at = timestamps(unit, perMs, msPerUnit);
      const v = arrow.vectorFromArray(Float64Array.from({ length: N }, (_, i) => i * 2));
      const results = new ResultSets();
      const { id } = results.hold(new arrow.Table({ at, v }), '/t');
      const data = results.chart(id, 'at', ['v'], N);
      expect(data.xIsTime).toBe(true);
      // NaN (null) rows go last, so compare by the rows they came from: v is 2 × the row.
      for (let k = 0; k < N; k++) {
        const row = data.ys[0][k] / 2;
        const want = at.get(row) as number | null;
        if (want === null) expect(data.x[k]).toBeNaN();
        else expect(data.x[k]).toBeCloseTo(want, 3); // nanoseconds since 1970 exceed a double's 53 bits
      }
      expect(data.x.filter((x) => Number.isNaN(x)).length).toBe(Math.floor((N + 3) / 7));
    });
  }

  it('samples y at the chosen rows, split by a column, with x sorted first', async () => {
    const x = Float64Array.from({ length: N }, (_, i) => (i * 7919) % N); // a permutation of 0..N-1
    const y = arrow.vectorFromArray(x.map((v) => v * 10));
    const big = arrow.vectorFromArray(
      Array.from(x, (v) => BigInt(v) * 3n),
      new arrow.Int64(),
    );
    const kind = arrow.vectorFromArray(
      Array.from(x, (v) => (v % 2 ? 'odd' : 'even')),
      new arrow.Utf8(),
    );
    const results = new ResultSets();
    const { id } = results.hold(new arrow.Table({ x: arrow.vectorFromArray(x), y, big, kind }), '/t');
    const data = results.chart(id, 'x', ['y', 'big'], 100);
    expect(data.sampled).toBe(true);
    expect(Array.from(data.x)).toEqual(Array.from({ length: 100 }, (_, k) => k * 100));
    expect(Array.from(data.ys[0])).toEqual(Array.from(data.x, (v) => v * 10));
    expect(Array.from(data.ys[1])).toEqual(Array.from(data.x, (v) => v * 3));
    const split = results.chart(id, 'x', ['y'], 100, 'kind');
    expect(split.labels).toEqual(['even']);
    expect(Array.from(split.ys[0])).toEqual(Array.from(split.x, (v) => v * 10));

    // Sorted ahead in slices (as the worker's chartData does), the chart reads the kept order: same points.
    const before = results.usage().bytes;
    await results.chartOrder(id, 'x');
    expect(results.usage().bytes).toBe(before + N * 4);
    expect(results.chart(id, 'x', ['y', 'big'], 100)).toEqual(data);
    // An ascending x needs no order.
    const { id: asc } = results.hold(new arrow.Table({ t: arrow.vectorFromArray(Float64Array.from({ length: N }, (_, i) => i)) }), '/a');
    await results.chartOrder(asc, 't');
    expect(results.usage().bytes).toBe(before + N * 4 + N * 8);
  });
});
