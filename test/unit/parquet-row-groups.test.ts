// Parquet files of many row groups (Polars and DuckDB write them; flights-3m has 11) decode one
// group at a time: the same table as one piece, in order, with or without a column selection; the
// import's row count decodes every group and keeps none, and a damaged group is still refused.
import { describe, it, expect } from 'vitest';
import * as arrow from 'apache-arrow';
import { loadParquet, parquetRowCount, parquetToTable } from '../../src/core/arrow/parquet.ts';
import { checkParquetCounts } from '../../src/core/arrow/parquet-footer.ts';

const ROWS = 1_000;

/** `ROWS` rows as Parquet with row groups of `groupRows` rows. */
async function grouped(groupRows: number): Promise<Uint8Array> {
  const pq = await loadParquet();
  const table = arrow.tableFromArrays({
    id: Int32Array.from({ length: ROWS }, (_, i) => i),
    name: Array.from({ length: ROWS }, (_, i) => (i % 9 === 0 ? null : `row ${i}`)),
    v: Float64Array.from({ length: ROWS }, (_, i) => i / 4),
  });
  const props = new pq.WriterPropertiesBuilder().setMaxRowGroupSize(groupRows).build();
  return pq.writeParquet(pq.Table.fromIPCStream(arrow.tableToIPC(table, 'stream')), props);
}

describe('Parquet of many row groups', () => {
  it('decodes group by group into the same rows, in order, also for selected columns', async () => {
    const bytes = await grouped(128);
    expect(checkParquetCounts(bytes).rowGroups).toBe(8);
    const t = await parquetToTable(bytes, '/t');
    expect(t.numRows).toBe(ROWS);
    expect(t.schema.fields.map((f) => f.name)).toEqual(['id', 'name', 'v']);
    for (const i of [0, 127, 128, 500, ROWS - 1]) expect(t.get(i)?.toJSON()).toEqual({ id: i, name: i % 9 === 0 ? null : `row ${i}`, v: i / 4 });
    const some = await parquetToTable(bytes, '/t', { columns: ['v'] });
    expect(some.schema.fields.map((f) => f.name)).toEqual(['v']);
    expect(Array.from(some.getChild('v')!.toArray() as Float64Array)).toEqual(Array.from({ length: ROWS }, (_, i) => i / 4));
  });

  it('counts the rows of an import by decoding every group, and refuses a damaged one', async () => {
    const bytes = await grouped(100);
    expect(await parquetRowCount(bytes, '/in')).toBe(ROWS);
    // Garble the middle of the data section (a later group's pages): the footer still parses.
    const bad = bytes.slice();
    for (let i = Math.floor(bytes.length / 2); i < Math.floor(bytes.length / 2) + 64; i++) bad[i] ^= 0xa5;
    await expect(parquetRowCount(bad, '/in')).rejects.toMatchObject({ code: 'ECORRUPT' });
    await expect(parquetToTable(bad, '/in')).rejects.toMatchObject({ code: 'ECORRUPT' });
  });
});
