// The app's CSV import path (workers/importer.ts) on the strict reader: the preview reports what
// it found without writing, and rows it rejected are imported only when the user said so.
import { describe, it, expect } from 'vitest';
import { prepareImport, previewImport } from '../../../workers/importer.ts';
import { parquetToTable } from '../../../src/core/arrow/parquet.ts';
import { isPondError } from '../../../src/core/errors.ts';

const MALFORMED = 'id,name,score\n1,alice,3.5\n2,bob,4.0,EXTRA\n3,carol,2.5\n4,"dave,1.0\n5,erin,4.5\n6,frank,3.0\n';
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('CSV import', () => {
  it('the preview reports rows read, rejected lines and the schema', async () => {
    const p = await previewImport({ name: 'scores.csv', data: new Blob([MALFORMED]) }, '/data/scores');
    expect(p.error).toBeNull();
    expect(p.csv).toMatchObject({ rowsRead: 6, rows: 4, rejectedCount: 2, delimiter: ',', header: true });
    expect(p.csv!.rejected.map((r) => r.line)).toEqual([3, 5]);
    expect(p.csv!.schema).toEqual([
      { name: 'id', type: 'Int64', nullable: false },
      { name: 'name', type: 'Utf8', nullable: false },
      { name: 'score', type: 'Float64', nullable: false },
    ]);
  });

  it('rejected rows stop the import unless skipping them was confirmed', async () => {
    const err = await prepareImport({ name: 'scores.csv', data: enc(MALFORMED) }, '/data/scores').catch((e: unknown) => e);
    expect(isPondError(err, 'EINVAL')).toBe(true);
    expect((err as Error).message).toMatch(/2 rows were rejected \(line 3: 4 fields where 3 are expected\); nothing was written/);
    expect((err as { data: { path: string } }).data.path).toBe('/data/scores');

    const ok = await prepareImport({ name: 'scores.csv', data: enc(MALFORMED), csv: { skipRejected: true } }, '/data/scores');
    expect(ok).toMatchObject({ name: 'scores', type: 'file:table', rows: 4 });
    const t = await parquetToTable(ok.bytes, '/data/scores');
    expect(t.getChild('name')!.toArray()).toEqual(['alice', 'carol', 'erin', 'frank']);
  });

  it('a header that does not match the rows is a preview error, and a typed error on import', async () => {
    const bad = 'Monthly report\na,b,c\n1,2,3\n';
    const p = await previewImport({ name: 'r.csv', data: enc(bad) }, '/r');
    expect(p.csv).toBeNull();
    expect(p.error?.message).toMatch(/line 1.*1 field but most rows have 3/);
    await expect(prepareImport({ name: 'r.csv', data: enc(bad), csv: { skipRejected: true } }, '/r')).rejects.toThrow(/line 1/);
    // Stored as bytes, nothing is parsed.
    expect(await previewImport({ name: 'r.csv', data: enc(bad), as: 'file:data' }, '/r')).toMatchObject({ csv: null, error: null, type: 'file:data' });
  });

  it('the delimiter and header the user picked are used', async () => {
    const p = await previewImport({ name: 'x.csv', data: enc('a;b\n1;2\n'), csv: { delimiter: ',', header: false } }, '/x');
    expect(p.csv).toMatchObject({ delimiter: ',', header: false, rows: 2 });
    expect(p.csv!.schema.map((c) => c.name)).toEqual(['column1']);
  });
});
