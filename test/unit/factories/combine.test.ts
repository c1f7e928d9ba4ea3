import { describe, it, expect } from 'vitest';
import * as arrow from 'apache-arrow';
import { openDynamic, parquet, ints, floats, strs, rows, enc } from '../dynamic/fixtures.ts';

async function pondWithSites() {
  const { pond, resolver } = await openDynamic();
  await pond.transact(async (tx) => {
    await tx.mkdir('/sites/a', { parents: true });
    await tx.mkdir('/sites/b', { parents: true });
    await tx.writeFile('/sites/a/data.parquet', await parquet({ t: ints([1, 2]), v: floats([1.5, 2.5]) }), { type: 'file:table' });
    await tx.writeFile('/sites/b/data.parquet', await parquet({ t: ints([2, 3]), v: floats([2.5, 9]) }), { type: 'file:table' });
  });
  return { pond, resolver };
}

describe('combine', () => {
  it('unions every match in pattern order, then path order', async () => {
    const { pond } = await pondWithSites();
    await pond.transact((tx) => tx.mknod('/all', 'combine', { file_patterns: ['/sites/*/data.parquet'] }));
    expect(rows(await pond.readTable('/all'))).toEqual([
      { t: 1, v: 1.5 },
      { t: 2, v: 2.5 },
      { t: 2, v: 2.5 },
      { t: 3, v: 9 },
    ]);
    // A file matched by two patterns is read once.
    await pond.transact((tx) => tx.mknod('/twice', 'combine', { file_patterns: ['/sites/b/*', '/sites/*/data.parquet'] }));
    expect(rows(await pond.readTable('/twice')).map((r) => r.t)).toEqual([2, 3, 1, 2]);
  });

  it('deduplicates exact rows, or by key keeping the first or the last', async () => {
    const { pond } = await pondWithSites();
    await pond.transact(async (tx) => {
      await tx.writeFile('/sites/c.parquet', await parquet({ t: ints([3]), v: floats([99]) }), { type: 'file:table' });
      await tx.mknod('/rows', 'combine', { file_patterns: ['/sites/*/data.parquet'], deduplication: 'rows' });
      await tx.mknod('/first', 'combine', { file_patterns: ['/sites/*/data.parquet', '/sites/c.parquet'], deduplication: { key: ['t'] } });
      await tx.mknod('/last', 'combine', { file_patterns: ['/sites/*/data.parquet', '/sites/c.parquet'], deduplication: { key: ['t'], keep: 'last' } });
      await tx.mknod('/badkey', 'combine', { file_patterns: ['/sites/*/data.parquet'], deduplication: { key: ['nope'] } });
    });
    expect(rows(await pond.readTable('/rows'))).toEqual([
      { t: 1, v: 1.5 },
      { t: 2, v: 2.5 },
      { t: 3, v: 9 },
    ]);
    expect(rows(await pond.readTable('/first'))).toEqual([
      { t: 1, v: 1.5 },
      { t: 2, v: 2.5 },
      { t: 3, v: 9 },
    ]);
    expect(rows(await pond.readTable('/last'))).toEqual([
      { t: 1, v: 1.5 },
      { t: 2, v: 2.5 },
      { t: 3, v: 99 },
    ]);
    await expect(pond.readTable('/badkey')).rejects.toMatchObject({ code: 'ECONFIG', message: expect.stringContaining('deduplication.key') });
  });

  it('a schema mismatch names the file and the column; output_schema casts instead', async () => {
    const { pond } = await pondWithSites();
    await pond.transact(async (tx) => {
      await tx.writeFile('/sites/z.parquet', await parquet({ t: strs(['4']), v: floats([4]) }), { type: 'file:table' });
      await tx.writeFile('/sites/y.parquet', await parquet({ t: ints([5]) }), { type: 'file:table' });
      await tx.writeFile('/sites/x.parquet', await parquet({ t: ints([6]), v: floats([6]), extra: strs(['e']) }), { type: 'file:table' });
      await tx.mknod('/typed', 'combine', { file_patterns: ['/sites/a/*', '/sites/z.parquet'] });
      await tx.mknod('/missing', 'combine', { file_patterns: ['/sites/a/*', '/sites/y.parquet'] });
      await tx.mknod('/extra', 'combine', { file_patterns: ['/sites/a/*', '/sites/x.parquet'] });
      await tx.mknod('/cast', 'combine', {
        file_patterns: ['/sites/a/*', '/sites/z.parquet', '/sites/y.parquet'],
        output_schema: { t: 'integer', v: 'float', note: 'string' },
      });
    });
    const typed = await pond.readTable('/typed').catch((e) => e);
    expect(typed).toMatchObject({ code: 'EFACTORY', data: { path: '/typed' } });
    expect(typed.message).toMatch(/\/sites\/z\.parquet: column t is Utf8 but Int64 in \/sites\/a\/data\.parquet/);
    expect((await pond.readTable('/missing').catch((e) => e)).message).toMatch(/\/sites\/y\.parquet: column v is missing/);
    expect((await pond.readTable('/extra').catch((e) => e)).message).toMatch(/\/sites\/x\.parquet: column extra is not in \/sites\/a\/data\.parquet/);
    const cast = await pond.readTable('/cast');
    expect(cast.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual(['t:Int64', 'v:Float64', 'note:Utf8']);
    expect(rows(cast)).toEqual([
      { t: 1, v: 1.5, note: null },
      { t: 2, v: 2.5, note: null },
      { t: 4, v: 4, note: null },
      { t: 5, v: null, note: null },
    ]);
  });

  it('a value that does not cast names the file, column and row', async () => {
    const { pond } = await pondWithSites();
    await pond.transact(async (tx) => {
      await tx.writeFile('/sites/w.parquet', await parquet({ t: strs(['7', 'seven']), v: floats([1, 2]) }), { type: 'file:table' });
      await tx.mknod('/c', 'combine', { file_patterns: ['/sites/w.parquet'], output_schema: { t: 'integer' } });
    });
    const err = await pond.readTable('/c').catch((e) => e);
    expect(err.message).toMatch(/EFACTORY: \/c: \/sites\/w\.parquet: column t, row 1: cannot cast "seven"/);
  });

  it('series inputs contribute all their versions; output_type series makes a series', async () => {
    const { pond } = await openDynamic();
    await pond.transact(async (tx) => {
      await tx.writeFile('/s1', await parquet({ v: ints([1]) }), { type: 'file:series' });
      await tx.writeFile('/s2', await parquet({ v: ints([10]) }), { type: 'file:series' });
      await tx.mknod('/both', 'combine', { file_patterns: ['/s*'], output_type: 'file:series' });
    });
    await pond.transact(async (tx) => tx.writeFile('/s1', await parquet({ v: ints([2]) })));
    expect((await pond.stat('/both')).type).toBe('file:series');
    expect(rows(await pond.readTable('/both'))).toEqual([{ v: 1 }, { v: 2 }, { v: 10 }]);
  });

  it('a new matching file shows up on the next read; an unrelated one recomputes nothing', async () => {
    const { pond, resolver } = await pondWithSites();
    await pond.transact((tx) => tx.mknod('/all', 'combine', { file_patterns: ['/sites/*/data.parquet'] }));
    expect((await pond.readTable('/all')).numRows).toBe(4);
    await pond.transact((tx) => tx.writeFile('/sites/readme.txt', enc('not matched')));
    expect((await pond.readTable('/all')).numRows).toBe(4);
    expect(resolver.computeCount).toBe(1);
    await pond.transact(async (tx) => {
      await tx.mkdir('/sites/c');
      await tx.writeFile('/sites/c/data.parquet', await parquet({ t: ints([7]), v: floats([7]) }), { type: 'file:table' });
    });
    expect((await pond.readTable('/all')).numRows).toBe(5);
    expect(resolver.computeCount).toBe(2);
  });

  it('nothing matching, or a non-table match, is EFACTORY naming it', async () => {
    const { pond } = await pondWithSites();
    await pond.transact(async (tx) => {
      await tx.writeFile('/sites/notes.txt', enc('x'));
      await tx.mknod('/none', 'combine', { file_patterns: ['/nowhere/*'] });
      await tx.mknod('/mixed', 'combine', { file_patterns: ['/sites/*'] });
    });
    expect((await pond.readTable('/none').catch((e) => e)).message).toMatch(/EFACTORY: \/none: no table or series matches file_patterns \["\/nowhere\/\*"\]/);
    expect((await pond.readTable('/mixed').catch((e) => e)).message).toMatch(/\/sites\/notes\.txt: matches "\/sites\/\*" but is a file:data/);
  });

  it('passes each input batch through as it comes (one output batch per input batch, no big union)', async () => {
    const { pond } = await pondWithSites();
    await pond.transact((tx) => tx.mknod('/all', 'combine', { file_patterns: ['/sites/*/data.parquet'] }));
    const t = await pond.readTable('/all');
    expect(t.batches.map((b) => b.numRows)).toEqual([2, 2]);
    expect(t.getChild('v')).toBeInstanceOf(arrow.Vector);
  });
});
