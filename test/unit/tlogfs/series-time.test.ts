// Series event time: time-column detection (Rust's names, or the attribute), min/max_event_time per
// version, and readTable's timeRange (skips versions outside it unread, filters rows at the edges).
import * as arrow from 'apache-arrow';
import { describe, expect, it, vi } from 'vitest';
import { MemoryStore, openPond, tableToParquet, TIMESTAMP_CANDIDATES, TIMESTAMP_COLUMN_ATTR, type Pond } from '../../../src/core/index.ts';
import { eventTimeRange, timeColumn } from '../../../src/core/arrow/event-time.ts';

/** A table with a `name` column of the given Arrow type holding `raw` values, plus a value column. */
function table(name: string, type: arrow.DataType, raw: (number | bigint)[]): arrow.Table {
  const col = arrow.vectorFromArray(
    raw.map((r) => (arrow.DataType.isTimestamp(type) ? Number(r) : r)),
    type,
  );
  return new arrow.Table({
    [name]: col,
    v: arrow.vectorFromArray(
      raw.map((_, i) => i),
      new arrow.Float64(),
    ),
  });
}

const msTable = (ms: number[], name = 'timestamp') => table(name, new arrow.TimestampMillisecond('UTC'), ms);

async function boundsOf(pond: Pond, path: string): Promise<[number | null, number | null][]> {
  const st = await pond.stat(path);
  return (await pond.persistence.loadNode(st.partId, st.nodeId)).map((r) => [r.minEventTime, r.maxEventTime]);
}

describe('time column detection', () => {
  it('finds each of the Rust names, as Timestamp or Int64', () => {
    for (const name of TIMESTAMP_CANDIDATES) {
      expect(timeColumn(msTable([1], name).schema)).toBe(name);
      expect(timeColumn(table(name, new arrow.Int64(), [1n]).schema)).toBe(name);
    }
  });

  it('takes the first candidate in Rust order, and ignores other types', () => {
    const t = new arrow.Table({
      ts: arrow.vectorFromArray([1n], new arrow.Int64()),
      time: arrow.vectorFromArray([1], new arrow.TimestampMillisecond()),
      timestamp: arrow.vectorFromArray(['x'], new arrow.Utf8()),
    });
    expect(timeColumn(t.schema)).toBe('time'); // 'timestamp' is Utf8, 'time' outranks 'ts'
    expect(timeColumn(table('time', new arrow.Float64(), [1]).schema)).toBeUndefined();
    expect(timeColumn(table('time', new arrow.Int32(), [1]).schema)).toBeUndefined();
    expect(timeColumn(msTable([1], 'when').schema)).toBeUndefined(); // a Timestamp under another name needs the attribute
    expect(timeColumn(msTable([1], 'TIME').schema)).toBeUndefined(); // names are case-sensitive, as in Rust
  });

  it('prefers the column the attribute names, and finds none when it names a missing one', () => {
    const t = new arrow.Table({
      timestamp: arrow.vectorFromArray([1], new arrow.TimestampMillisecond()),
      when: arrow.vectorFromArray([2], new arrow.TimestampMillisecond()),
    });
    expect(timeColumn(t.schema, 'when')).toBe('when');
    expect(timeColumn(t.schema, 'nope')).toBeUndefined();
  });

  it('converts every Timestamp unit to ms, and reads a raw Int64 as microseconds (as Rust does)', () => {
    expect(eventTimeRange(table('ts', new arrow.TimestampSecond(), [3000, 1000]))).toEqual([1000, 3000]);
    expect(eventTimeRange(table('ts', new arrow.TimestampMillisecond(), [1500, 2500]))).toEqual([1500, 2500]);
    expect(eventTimeRange(table('ts', new arrow.TimestampMicrosecond(), [1500, 2500]))).toEqual([1500, 2500]);
    expect(eventTimeRange(table('ts', new arrow.TimestampNanosecond(), [1500, 2500]))).toEqual([1500, 2500]);
    expect(eventTimeRange(table('ts', new arrow.Int64(), [1_500_000n, 2_500_000n]))).toEqual([1500, 2500]);
    // Bounds are whole ms that cover the rows: min rounds down, max up.
    expect(eventTimeRange(table('ts', new arrow.Int64(), [1_500_400n, 2_500_400n]))).toEqual([1500, 2501]);
  });
});

describe('min/max_event_time of series versions', () => {
  it('are stored for each version, by name or by attribute, and stay null without a time column', async () => {
    const pond = await openPond(new MemoryStore());
    await pond.transact(async (tx) =>
      tx.writeFile('/a', await tableToParquet(table('event_time', new arrow.Int64(), [2_000_000n, 1_000_000n])), { type: 'file:series' }),
    );
    await pond.transact(async (tx) => tx.writeFile('/a', await tableToParquet(table('event_time', new arrow.Int64(), [5_000_000n]))));
    expect(await boundsOf(pond, '/a')).toEqual([
      [1000, 2000],
      [5000, 5000],
    ]);

    await pond.transact(async (tx) => {
      await tx.writeFile('/b', await tableToParquet(msTable([10, 20], 'when')), { type: 'file:series' });
      await tx.setAttributes('/b', { [TIMESTAMP_COLUMN_ATTR]: 'when' });
    });
    await pond.transact(async (tx) => tx.writeFile('/b', await tableToParquet(msTable([30, 40], 'when'))));
    const b = await boundsOf(pond, '/b');
    expect(b[0]).toEqual([null, null]); // written before the attribute existed
    expect(b[b.length - 1]).toEqual([30, 40]);

    await pond.transact(async (tx) => tx.writeFile('/c', await tableToParquet(table('x', new arrow.Float64(), [1, 2])), { type: 'file:series' }));
    expect(await boundsOf(pond, '/c')).toEqual([[null, null]]);
  });
});

describe('readTable with timeRange', () => {
  async function threeVersions(): Promise<Pond> {
    const pond = await openPond(new MemoryStore());
    await pond.transact(async (tx) => tx.writeFile('/s', await tableToParquet(msTable([1000, 1100, 1200])), { type: 'file:series' }));
    await pond.transact(async (tx) => tx.writeFile('/s', await tableToParquet(msTable([2000, 2100, 2200]))));
    await pond.transact(async (tx) => tx.writeFile('/s', await tableToParquet(msTable([3000, 3100, 3200]))));
    return pond;
  }
  const times = (t: arrow.Table) => [...t.getChild('timestamp')!].map(Number);

  it('reads only the versions whose bounds meet the range', async () => {
    const pond = await threeVersions();
    const reads = vi.spyOn(pond.persistence, 'readBody');
    expect(times(await pond.readTable('/s', { timeRange: { start: 2000, end: 2200 } }))).toEqual([2000, 2100, 2200]);
    expect(reads).toHaveBeenCalledTimes(1);
    reads.mockClear();
    expect(times(await pond.readTable('/s', { timeRange: { start: 2150 } }))).toEqual([2200, 3000, 3100, 3200]);
    expect(reads).toHaveBeenCalledTimes(2);
    reads.mockClear();
    expect(times(await pond.readTable('/s', { timeRange: { end: 1000 } }))).toEqual([1000]);
    expect(reads).toHaveBeenCalledTimes(1);
    reads.mockClear();
    // Nothing in range: no rows decoded, only the newest version's footer for the columns.
    const none = await pond.readTable('/s', { timeRange: { start: 5000 } });
    expect([none.numRows, none.schema.fields.map((f) => f.name)]).toEqual([0, ['timestamp', 'v']]);
    expect(reads).toHaveBeenCalledTimes(1);
    reads.mockClear();
    expect((await pond.readTable('/s', { timeRange: {} })).numRows).toBe(9);
    expect(reads).toHaveBeenCalledTimes(3);
  });

  it('filters rows at the edges, both ends inclusive, and drops a gap between versions', async () => {
    const pond = await threeVersions();
    expect(times(await pond.readTable('/s', { timeRange: { start: 1100, end: 3100 } }))).toEqual([1100, 1200, 2000, 2100, 2200, 3000, 3100]);
    expect(times(await pond.readTable('/s', { timeRange: { start: 1101, end: 1199 } }))).toEqual([]);
    expect(times(await pond.readTable('/s', { timeRange: { start: 1300, end: 1900 } }))).toEqual([]);
    const t = await pond.readTable('/s', { timeRange: { start: 1200, end: 2000 } });
    expect(times(t)).toEqual([1200, 2000]);
    expect([...t.getChild('v')!]).toEqual([2, 0]);
  });

  it('keeps unsorted rows in order and reads versions without bounds', async () => {
    const pond = await openPond(new MemoryStore());
    await pond.transact(async (tx) =>
      tx.writeFile('/u', await tableToParquet(table('ts', new arrow.Int64(), [3_000n, 1_000n, 2_000n, 5_000n])), { type: 'file:series' }),
    );
    expect([...(await pond.readTable('/u', { timeRange: { start: 2, end: 3 } })).getChild('ts')!]).toEqual([3_000n, 2_000n]);
  });

  it('uses the attribute-named column', async () => {
    const pond = await openPond(new MemoryStore());
    await pond.transact(async (tx) => {
      await tx.writeFile('/w', await tableToParquet(msTable([10, 20, 30], 'when')), { type: 'file:series' });
      await tx.setAttributes('/w', { [TIMESTAMP_COLUMN_ATTR]: 'when' });
    });
    expect([...(await pond.readTable('/w', { timeRange: { start: 15 } })).getChild('when')!].map(Number)).toEqual([20, 30]);
  });

  it('is EINVAL naming the path on a series without a time column', async () => {
    const pond = await openPond(new MemoryStore());
    await pond.transact(async (tx) => tx.writeFile('/n', await tableToParquet(table('x', new arrow.Float64(), [1, 2])), { type: 'file:series' }));
    await expect(pond.readTable('/n', { timeRange: { start: 0 } })).rejects.toMatchObject({ code: 'EINVAL', data: { path: '/n' } });
    await expect(pond.readTable('/n', { timeRange: { start: Number.NaN } })).rejects.toMatchObject({ code: 'EINVAL', data: { path: '/n' } });
    expect((await pond.readTable('/n')).numRows).toBe(2);
  });
});
