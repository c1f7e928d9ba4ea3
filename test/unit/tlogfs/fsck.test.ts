import { describe, it, expect } from 'vitest';
import { openPond, MemoryStore } from '../../../src/core/index.ts';
import { fsck } from '../../../src/core/tlogfs/fsck.ts';
import { logKey, parseCommit } from '../../../src/core/tlogfs/delta-log.ts';

const enc = (s: string) => new TextEncoder().encode(s);

async function pondWithData(store: MemoryStore) {
  const pond = await openPond(store);
  await pond.transact(async (tx) => { await tx.mkdir('/keep'); await tx.writeFile('/keep/a', enc('a')); });
  await pond.transact(async (tx) => { await tx.mkdir('/hurt'); await tx.writeFile('/hurt/b', enc('b')); });
  await pond.transact((tx) => tx.writeFile('/keep/big', new Uint8Array(70_000).fill(7)));
  return pond;
}

describe('fsck', () => {
  it('reports a healthy pond as clean, having read every file and verified every body', async () => {
    const store = new MemoryStore();
    await pondWithData(store);
    const r = await fsck(store);
    expect(r.problems).toEqual([]);
    expect(r.version).toBe(3);
    expect(r.commits).toBe(4);
    expect(r.bodiesVerified).toBe(3);
    expect(r.rows).toBeGreaterThanOrEqual(8);
  });

  it('finds changed bytes in a large file, by its key', async () => {
    const store = new MemoryStore();
    await pondWithData(store);
    const key = (await store.list('_large_files/'))[0];
    const bad = await store.read(key);
    bad[10] ^= 0xff;
    await store.write(key, bad);
    const r = await fsck(store);
    expect(r.problems).toEqual([expect.objectContaining({ kind: 'hash-mismatch', path: key })]);
  });

  it('repairs a torn newest commit by setting it aside', async () => {
    const store = new MemoryStore();
    await pondWithData(store);
    const full = await store.read(logKey(3));
    await store.write(logKey(3), full.subarray(0, 40));
    const r = await fsck(store, { repair: true });
    expect(r.problems[0]).toMatchObject({ kind: 'torn-commit', path: logKey(3), repaired: expect.stringContaining('.torn-') });
    expect(await fsck(store)).toMatchObject({ problems: [] });
    const pond = await openPond(store);
    expect(pond.version).toBe(2);
    expect(pond.warnings).toEqual([]);
  });

  it('repairs an unreadable data file: keeps its bytes, removes it from the table, and the rest opens', async () => {
    const store = new MemoryStore();
    const pond = await pondWithData(store);
    const hurtId = (await pond.stat('/hurt')).nodeId;
    const add = parseCommit(await store.read(logKey(2)), logKey(2)).actions
      .map((a) => (a as { add?: { path: string } }).add).find((a) => a?.path.startsWith(`part_id=${hurtId}`))!;
    await store.write(add.path, enc('definitely not parquet'));
    const found = await fsck(store);
    expect(found.problems).toEqual([
      expect.objectContaining({ kind: 'bad-parquet', path: add.path }),
      expect.objectContaining({ kind: 'dangling-entry', path: '/hurt' }),
    ]);
    await expect((await openPond(store)).readdir('/hurt')).rejects.toMatchObject({ code: 'ECORRUPT' });

    const repaired = await fsck(store, { repair: true });
    expect(repaired.repairedAt).toBe(4);
    expect(new TextDecoder().decode(await store.read(`_lost+found/${add.path}`))).toBe('definitely not parquet');
    const after = await openPond(store);
    expect(new TextDecoder().decode(await after.readFile('/keep/a'))).toBe('a');
    expect((await after.history())[0].message).toContain('fsck');
    // The directory whose partition was lost now reports its node as dangling: data loss is visible, not silent.
    expect((await fsck(store)).problems).toEqual([expect.objectContaining({ kind: 'dangling-entry', path: '/hurt' })]);
  });
});
