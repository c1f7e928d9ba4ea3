import { describe, it, expect } from 'vitest';
import { openPond, MemoryStore } from '../../../src/core/index.ts';
import { fsck, LOST_AND_FOUND, type FsckReport } from '../../../src/core/tlogfs/fsck.ts';
import { logKey, parseCommit } from '../../../src/core/tlogfs/delta-log.ts';
import { largeKey } from '../../../src/core/tlogfs/large-files.ts';
import { rowsToTable, tableToRows } from '../../../src/core/tlogfs/oplog-schema.ts';
import { parquetToTable, tableToParquet } from '../../../src/core/arrow/parquet.ts';
import { sha256Hex } from '../../../src/core/hash.ts';
import type { NodeVersion } from '../../../src/core/tinyfs/node.ts';
import { LogState } from '../../../src/core/tlogfs/log-state.ts';
import { Prng } from '../../../src/core/factories/prng.ts';
import { runStep, actualManifest } from '../../shared/crash-workload.ts';
import { TlogPersistence } from '../../../src/core/tlogfs/tlog-persistence.ts';
import { decodeDirectory, encodeDirectory } from '../../../src/core/tinyfs/dir-codec.ts';
import { ROOT_ID } from '../../../src/core/tinyfs/entry-type.ts';
import type { DirEntry } from '../../../src/core/tinyfs/node.ts';
import { writeCheckpoint } from '../../../src/core/tlogfs/checkpoint.ts';
import { addActions, lieAboutRows, replaceDataFile, rewriteCommit } from '../../shared/hostile-stored.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const BIG = new Uint8Array(70_000).fill(7);

async function pondWithData(store: MemoryStore) {
  const pond = await openPond(store);
  await pond.transact(async (tx) => {
    await tx.mkdir('/keep');
    await tx.writeFile('/keep/a', enc('a'));
  });
  await pond.transact(async (tx) => {
    await tx.mkdir('/hurt');
    await tx.writeFile('/hurt/b', enc('b'));
  });
  await pond.transact((tx) => tx.writeFile('/keep/big', BIG));
  return pond;
}

/** Every file's bytes, read through a fresh handle (a reopened pond sees only what is stored). */
async function contents(store: MemoryStore, paths: string[]): Promise<Record<string, string>> {
  const pond = await openPond(store);
  const out: Record<string, string> = {};
  for (const p of paths) out[p] = await sha256Hex(await pond.readFile(p));
  return out;
}

/** The data file holding node `nodeId` version `version`, among the live files of partition `partId`. */
async function fileOf(store: MemoryStore, partId: string, nodeId: string, version: number): Promise<string> {
  for (const key of await store.list(`part_id=${partId}/`)) {
    const rows = tableToRows(await parquetToTable(await store.read(key), key), partId, key);
    if (rows.some((r) => r.nodeId === nodeId && r.version === version)) return key;
  }
  throw new Error(`no file holds ${nodeId} v${version}`);
}

/** Re-write one row of a data file in place, the way a bit flip or a buggy tool would. */
async function tamper(store: MemoryStore, key: string, nodeId: string, version: number, change: (r: NodeVersion) => void): Promise<void> {
  const partId = /part_id=([^/]+)\//.exec(key)![1];
  const rows = tableToRows(await parquetToTable(await store.read(key), key), partId, key);
  const row = rows.find((r) => r.nodeId === nodeId && r.version === version)!;
  change(row);
  // As a consistent writer would: the add action's size follows the new bytes (fsck checks it).
  await replaceDataFile(store, key, await tableToParquet(rowsToTable(rows)));
}

async function expectClean(store: MemoryStore): Promise<FsckReport> {
  const r = await fsck(store);
  expect(r.problems).toEqual([]);
  const pond = await openPond(store);
  expect(pond.warnings).toEqual([]);
  return r;
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

  it('repairs a torn newest commit by setting it aside', async () => {
    const store = new MemoryStore();
    await pondWithData(store);
    const full = await store.read(logKey(3));
    await store.write(logKey(3), full.subarray(0, 40));
    const r = await fsck(store, { repair: true });
    expect(r.problems[0]).toMatchObject({ kind: 'torn-commit', path: logKey(3), repairable: true, repaired: expect.stringContaining('.torn-') });
    await expectClean(store);
    expect((await openPond(store)).version).toBe(2);
  });

  it('a large file whose bytes changed: named by key and pond path; repair keeps the bytes, removes the file, the rest is untouched', async () => {
    const store = new MemoryStore();
    await pondWithData(store);
    const before = await contents(store, ['/keep/a', '/hurt/b']);
    const key = largeKey(await sha256Hex(BIG));
    const bad = await store.read(key);
    bad[10] ^= 0xff;
    await store.write(key, bad);
    const r = await fsck(store);
    expect(r.problems).toEqual([expect.objectContaining({ kind: 'hash-mismatch', path: key, pondPaths: ['/keep/big'], repairable: true })]);

    const repaired = await fsck(store, { repair: true });
    expect(repaired.repairedAt).toBe(4);
    expect(repaired.problems[0].repaired).toContain(`bytes kept at ${LOST_AND_FOUND}${key}`);
    expect(repaired.problems[0].repaired).toContain('/keep/big removed from /keep');
    expect(await store.read(`${LOST_AND_FOUND}${key}`)).toEqual(bad);
    expect(await store.exists(key)).toBe(false);
    await expectClean(store);
    const pond = await openPond(store);
    expect((await pond.readdir('/keep')).map((e) => e.name)).toEqual(['a']);
    expect(await contents(store, ['/keep/a', '/hurt/b'])).toEqual(before);
    expect((await pond.history())[0].message).toMatch(/^fsck repair: .*\/keep\/big/);
    // The same content written again is stored afresh.
    await pond.transact((tx) => tx.writeFile('/keep/big', BIG));
    expect(await (await openPond(store)).readFile('/keep/big')).toEqual(BIG);
    await expectClean(store);
  });

  it('writing the same content again heals a damaged large file (putBody verifies an existing body)', async () => {
    const store = new MemoryStore();
    const pond = await pondWithData(store);
    const key = largeKey(await sha256Hex(BIG));
    const bad = await store.read(key);
    bad[0] ^= 1; // same size, other bytes
    await store.write(key, bad);
    expect((await fsck(store)).problems).toHaveLength(1);
    await pond.transact((tx) => tx.writeFile('/keep/copy', BIG));
    await expectClean(store);
    expect(await (await openPond(store)).readFile('/keep/big')).toEqual(BIG);

    // A stream writes through a temporary key: the same holds.
    await store.write(key, bad);
    expect((await fsck(store)).problems.map((p) => p.kind)).toEqual(['hash-mismatch']);
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(BIG.subarray(0, 40_000));
        c.enqueue(BIG.subarray(40_000));
        c.close();
      },
    });
    await pond.transact((tx) => tx.writeFile('/keep/streamed', stream as never));
    await expectClean(store);
  });

  it('a missing large file: named by key and pond path; repair removes the node and the pond is clean', async () => {
    const store = new MemoryStore();
    await pondWithData(store);
    const before = await contents(store, ['/keep/a', '/hurt/b']);
    const key = largeKey(await sha256Hex(BIG));
    await store.delete(key);
    const r = await fsck(store);
    expect(r.problems).toEqual([expect.objectContaining({ kind: 'missing-large-file', path: key, pondPaths: ['/keep/big'], repairable: true })]);
    await expect((await openPond(store)).readFile('/keep/big')).rejects.toMatchObject({ code: 'ECORRUPT' });

    const repaired = await fsck(store, { repair: true });
    expect(repaired.problems[0].repaired).toContain('/keep/big removed from /keep');
    await expectClean(store);
    expect((await (await openPond(store)).readdir('/keep')).map((e) => e.name)).toEqual(['a']);
    expect(await contents(store, ['/keep/a', '/hurt/b'])).toEqual(before);
  });

  it('two nodes sharing one damaged large file: one problem naming both pond paths, the body hashed once', async () => {
    const store = new MemoryStore();
    const pond = await pondWithData(store);
    await pond.transact((tx) => tx.writeFile('/hurt/same', BIG));
    const key = largeKey(await sha256Hex(BIG));
    expect((await fsck(store)).bodiesVerified).toBe(3); // a, b, and the shared large body once
    const bad = await store.read(key);
    bad[5] ^= 0xff;
    await store.write(key, bad);
    const r = await fsck(store);
    expect(r.problems).toEqual([expect.objectContaining({ kind: 'hash-mismatch', path: key, pondPaths: ['/keep/big', '/hurt/same'] })]);
    expect(r.problems[0].message).toContain('/keep/big (version 1)');
    expect(r.problems[0].message).toContain('/hurt/same (version 1)');

    const repaired = await fsck(store, { repair: true });
    expect(repaired.problems[0].repaired).toContain('/keep/big removed from /keep');
    expect(repaired.problems[0].repaired).toContain('/hurt/same removed from /hurt');
    await expectClean(store);
    const after = await openPond(store);
    expect((await after.readdir('/hurt')).map((e) => e.name)).toEqual(['b']);
    expect(dec(await after.readFile('/keep/a'))).toBe('a');
  });

  it('an inline body that does not match its sha256: repair drops that version, the file reads as the one before', async () => {
    const store = new MemoryStore();
    const pond = await pondWithData(store);
    await pond.transact(async (tx) => {
      await tx.writeFile('/keep/a', enc('a, second version'));
      await tx.writeFile('/keep/c', enc('c'));
    });
    const keep = await pond.stat('/keep');
    const a = await pond.stat('/keep/a');
    const key = await fileOf(store, keep.nodeId, a.nodeId, 2);
    await tamper(store, key, a.nodeId, 2, (r) => {
      r.content = enc('a, SECOND version');
    });
    const r = await fsck(store);
    expect(r.problems).toEqual([expect.objectContaining({ kind: 'hash-mismatch', path: key, pondPaths: ['/keep/a'], repairable: true })]);
    expect(r.problems[0].message).toContain('/keep/a (version 2)');

    const repaired = await fsck(store, { repair: true });
    expect(repaired.problems[0].repaired).toContain('it now reads as version 1');
    expect(repaired.problems[0].repaired).toContain(`row kept in ${LOST_AND_FOUND}${key}`);
    expect(await store.exists(`${LOST_AND_FOUND}${key}`)).toBe(true);
    await expectClean(store);
    const after = await openPond(store);
    expect(dec(await after.readFile('/keep/a'))).toBe('a');
    // The other rows of the re-written data file are intact.
    expect(dec(await after.readFile('/keep/c'))).toBe('c');
    expect(await after.readFile('/keep/big')).toEqual(BIG);
    expect((await after.readdir('/keep')).map((e) => e.name)).toEqual(['a', 'big', 'c']);
  });

  it('a damaged series version: repair drops it and the series reads without it', async () => {
    const store = new MemoryStore();
    const pond = await pondWithData(store);
    await pond.transact((tx) => tx.writeFile('/keep/s', enc('one;'), { type: 'file:series' }));
    await pond.transact((tx) => tx.writeFile('/keep/s', enc('two;'), { type: 'file:series' }));
    const keep = await pond.stat('/keep');
    const s = await pond.stat('/keep/s');
    const key = await fileOf(store, keep.nodeId, s.nodeId, 1);
    await tamper(store, key, s.nodeId, 1, (r) => {
      r.content = enc('ONE;');
    });
    expect((await fsck(store)).problems).toEqual([expect.objectContaining({ kind: 'hash-mismatch', path: key, pondPaths: ['/keep/s'] })]);
    const repaired = await fsck(store, { repair: true });
    expect(repaired.problems[0].repaired).toContain('/keep/s v1 dropped; the series reads without it');
    await expectClean(store);
    expect(dec(await (await openPond(store)).readFile('/keep/s'))).toBe('two;');
  });

  it('a newest directory snapshot that does not decode: repair falls back to the version before and links back what it added', async () => {
    const store = new MemoryStore();
    const pond = await pondWithData(store);
    const before = await contents(store, ['/keep/a', '/keep/big', '/hurt/b']);
    const hurt = await pond.stat('/hurt');
    await pond.transact((tx) => tx.writeFile('/hurt/later', enc('later')));
    const later = await pond.stat('/hurt/later');
    expect((await pond.versions('/hurt')).map((v) => v.version)).toEqual([1, 2]);
    const key = await fileOf(store, hurt.nodeId, hurt.nodeId, 2);
    await tamper(store, key, hurt.nodeId, 2, (r) => {
      r.content = enc('not arrow');
    });
    const r = await fsck(store);
    expect(r.problems).toEqual([expect.objectContaining({ kind: 'bad-directory', path: key, pondPaths: ['/hurt'], repairable: true })]);
    expect(r.problems[0].message).toContain('snapshot version 2');
    await expect((await openPond(store)).readdir('/hurt')).rejects.toMatchObject({ code: 'ECORRUPT' });

    const repaired = await fsck(store, { repair: true });
    expect(repaired.problems[0].repaired).toContain('/hurt lists as its version 1 did');
    expect(repaired.problems[0].repaired).toContain(`/hurt/lost+found-${later.nodeId} linked back`);
    await expectClean(store);
    const after = await openPond(store);
    // Version 1 of /hurt named b; 'later', which only the damaged version 2 named, is linked back.
    expect((await after.readdir('/hurt')).map((e) => e.name)).toEqual(['b', `lost+found-${later.nodeId}`]);
    expect(dec(await after.readFile(`/hurt/lost+found-${later.nodeId}`))).toBe('later');
    expect(await contents(store, ['/keep/a', '/keep/big', '/hurt/b'])).toEqual(before);
  });

  it('a directory whose only snapshot is damaged is re-created from its partition', async () => {
    const store = new MemoryStore();
    const pond = await pondWithData(store);
    const hurt = await pond.stat('/hurt');
    const b = await pond.stat('/hurt/b');
    const key = await fileOf(store, hurt.nodeId, hurt.nodeId, 1);
    await tamper(store, key, hurt.nodeId, 1, (r) => {
      r.content = enc('not arrow');
    });
    expect((await fsck(store)).problems).toEqual([expect.objectContaining({ kind: 'bad-directory', pondPaths: ['/hurt'] })]);
    const repaired = await fsck(store, { repair: true });
    expect(repaired.problems[0].repaired).toContain('/hurt is re-created');
    await expectClean(store);
    const after = await openPond(store);
    expect((await after.readdir('/hurt')).map((e) => e.name)).toEqual([`lost+found-${b.nodeId}`]);
    expect(dec(await after.readFile(`/hurt/lost+found-${b.nodeId}`))).toBe('b');
  });

  it('checks every directory version, not only the newest: an older damaged snapshot is found and dropped', async () => {
    const store = new MemoryStore();
    const pond = await pondWithData(store);
    const before = await contents(store, ['/keep/a', '/keep/big', '/hurt/b']);
    const keep = await pond.stat('/keep');
    const key = await fileOf(store, keep.nodeId, keep.nodeId, 1);
    await tamper(store, key, keep.nodeId, 1, (r) => {
      r.content = enc('garbage');
    });
    const r = await fsck(store);
    expect(r.problems).toEqual([expect.objectContaining({ kind: 'bad-directory', path: key, pondPaths: ['/keep'] })]);
    expect(r.problems[0].message).toContain('snapshot version 1');
    await fsck(store, { repair: true });
    await expectClean(store);
    expect(await contents(store, ['/keep/a', '/keep/big', '/hurt/b'])).toEqual(before);
    expect((await (await openPond(store)).readdir('/keep')).map((e) => e.name)).toEqual(['a', 'big']);
  });

  it('a missing data file: named with the pond path and the commit that wrote it; repair removes it and the entry that named it', async () => {
    const store = new MemoryStore();
    const pond = await pondWithData(store);
    const before = await contents(store, ['/keep/a', '/keep/big']);
    const hurt = await pond.stat('/hurt');
    const [key] = await store.list(`part_id=${hurt.nodeId}/`);
    await store.delete(key);
    const r = await fsck(store);
    expect(r.problems).toEqual([
      expect.objectContaining({ kind: 'missing-file', path: key, pondPaths: ['/hurt'], repairable: true }),
      expect.objectContaining({ kind: 'dangling-entry', pondPaths: ['/hurt'] }),
    ]);
    expect(r.problems[0].message).toContain('write /hurt/b');

    const repaired = await fsck(store, { repair: true });
    expect(repaired.problems[0].repaired).toContain('/hurt removed from /');
    expect(repaired.problems[1].repaired).toContain('entry removed from /');
    await expectClean(store);
    const after = await openPond(store);
    expect((await after.readdir('/')).map((e) => e.name)).toEqual(['keep']);
    expect(await contents(store, ['/keep/a', '/keep/big'])).toEqual(before);
    expect((await after.history())[0].message).toContain('/hurt');
  });

  it('repairs an unreadable data file: keeps its bytes, removes it from the table, and the rest opens', async () => {
    const store = new MemoryStore();
    const pond = await pondWithData(store);
    const hurtId = (await pond.stat('/hurt')).nodeId;
    const add = parseCommit(await store.read(logKey(2)), logKey(2))
      .actions.map((a) => (a as { add?: { path: string } }).add)
      .find((a) => a?.path.startsWith(`part_id=${hurtId}`))!;
    await store.write(add.path, enc('definitely not parquet'));
    const found = await fsck(store);
    expect(found.problems).toEqual([
      expect.objectContaining({ kind: 'bad-parquet', path: add.path, pondPaths: ['/hurt'] }),
      expect.objectContaining({ kind: 'dangling-entry', pondPaths: ['/hurt'] }),
    ]);
    await expect((await openPond(store)).readdir('/hurt')).rejects.toMatchObject({ code: 'ECORRUPT' });

    const repaired = await fsck(store, { repair: true });
    expect(repaired.repairedAt).toBe(4);
    expect(repaired.problems[0].repaired).toContain(`bytes kept at ${LOST_AND_FOUND}${add.path}`);
    expect(dec(await store.read(`${LOST_AND_FOUND}${add.path}`))).toBe('definitely not parquet');
    const after = await openPond(store);
    expect(dec(await after.readFile('/keep/a'))).toBe('a');
    expect((await after.history())[0].message).toContain('fsck');
    await expectClean(store);
  });

  it('a lost data file of a directory that keeps older versions: the directory lists as of the commit before', async () => {
    const store = new MemoryStore();
    const pond = await openPond(store);
    await pond.transact((tx) => tx.mkdir('/doomed'));
    await pond.transact((tx) => tx.writeFile('/doomed/b.txt', enc('will be lost')));
    const doomed = await pond.stat('/doomed');
    const files = await store.list(`part_id=${doomed.nodeId}/`);
    const key = await fileOf(store, doomed.nodeId, doomed.nodeId, 2);
    expect(files).toHaveLength(2);
    await store.write(key, enc('PAR1 not parquet PAR1'));
    const r = await fsck(store);
    expect(r.problems).toEqual([expect.objectContaining({ kind: 'bad-parquet', path: key, pondPaths: ['/doomed'] })]);
    expect(r.problems[0].message).toContain('write /doomed/b.txt');
    const repaired = await fsck(store, { repair: true });
    expect(repaired.problems[0].repaired).toContain('/doomed lists as of commit 1');
    await expectClean(store);
    expect(await (await openPond(store)).readdir('/doomed')).toEqual([]);
  });

  for (const damage of ['garbage', 'missing'] as const) {
    it(`a ${damage === 'missing' ? 'missing commit before later ones' : 'damaged older commit'}: not repairable, says what to do, and repair changes nothing`, async () => {
      const store = new MemoryStore();
      await pondWithData(store);
      if (damage === 'missing') await store.delete(logKey(1));
      else await store.write(logKey(1), enc('{"add": not json\n'));
      const keys = await store.list('');
      const r = await fsck(store);
      expect(r.problems).toEqual([
        expect.objectContaining({ kind: 'bad-commit', path: logKey(1), repairable: false, nextStep: expect.stringContaining('Export the pond') }),
      ]);
      expect(r.problems[0].message).toContain(damage === 'missing' ? 'missing' : 'does not parse');
      const repaired = await fsck(store, { repair: true });
      expect(repaired.repairedAt).toBeUndefined();
      expect(repaired.problems.some((p) => p.repaired)).toBe(false);
      expect(await store.list('')).toEqual(keys);
      const pond = await openPond(store);
      expect(pond.version).toBe(0);
      await expect(pond.transact((tx) => tx.mkdir('/x'))).rejects.toMatchObject({ code: 'ECORRUPT' });
    });
  }

  it('a complete but damaged newest commit is a damaged commit, not set aside as torn: same advice as an older one', async () => {
    const store = new MemoryStore();
    await pondWithData(store);
    // Written whole (final newline, commitInfo last), and wrong: what a hostile or buggy writer leaves.
    await rewriteCommit(store, 3, (lines) => [{ add: null }, ...lines]);
    const damaged = await store.read(logKey(3));
    const r = await fsck(store, { repair: true });
    expect(r.problems).toEqual([expect.objectContaining({ kind: 'bad-commit', path: logKey(3), repairable: false })]);
    expect(r.problems[0].nextStep).toContain(`restore ${logKey(3)} from a backup`);
    expect(r.problems[0].nextStep).toContain('Export the pond');
    expect(r.problems[0].repaired).toBeUndefined();
    // Nothing moved: the commit is where it was, byte for byte, and no *.torn-* file appeared.
    expect(await store.read(logKey(3))).toEqual(damaged);
    expect((await store.list('_delta_log/')).filter((k) => k.includes('.torn-'))).toEqual([]);
    // Open agrees: the pond stops before it and refuses writes.
    const pond = await openPond(store);
    expect(pond.version).toBe(2);
    expect(pond.warnings[0]).toMatchObject({ code: 'ECORRUPT', path: logKey(3) });
    await expect(pond.transact((tx) => tx.mkdir('/x'))).rejects.toMatchObject({ code: 'ECORRUPT' });
  });

  it('a newest commit cut short at a line boundary (no commitInfo) is still torn and set aside', async () => {
    const store = new MemoryStore();
    await pondWithData(store);
    await rewriteCommit(store, 3, (lines) => lines.slice(0, -1));
    const r = await fsck(store, { repair: true });
    expect(r.problems).toEqual([
      expect.objectContaining({ kind: 'torn-commit', path: logKey(3), repairable: true, repaired: expect.stringContaining('.torn-') }),
    ]);
    await expectClean(store);
  });

  it('a gap of two or more versions is a damaged commit naming every missing version', async () => {
    const store = new MemoryStore();
    const pond = await pondWithData(store);
    await pond.transact((tx) => tx.writeFile('/keep/d', enc('d')));
    await pond.close();
    await store.delete(logKey(1));
    await store.delete(logKey(2));
    const r = await fsck(store, { repair: true });
    expect(r.problems).toEqual([
      expect.objectContaining({ kind: 'bad-commit', path: logKey(1), repairable: false, nextStep: expect.stringContaining('Export the pond') }),
    ]);
    expect(r.problems[0].message).toBe('commits 1 and 2 are missing but commit 3 exists; later commits cannot be applied');
    expect(r.version).toBe(0);
    expect(r.repairedAt).toBeUndefined();
    // A longer gap is named as a range.
    await store.delete(logKey(3));
    expect((await fsck(store)).problems[0].message).toContain('commits 1 to 3 are missing but commit 4 exists');
    const reopened = await openPond(store);
    expect(reopened.version).toBe(0);
    expect(reopened.warnings[0]).toMatchObject({ code: 'ECORRUPT', path: logKey(1) });
  });

  it('versions at or before the last checkpoint may be gone: fsck reads from the checkpoint; one missing after it is a problem', async () => {
    const store = new MemoryStore();
    const pond = await openPond(store);
    for (let i = 1; i <= 103; i++) await pond.transact((tx) => tx.writeFile(`/f${i % 3}`, enc(`v${i}`)));
    await pond.close();
    expect(await store.exists('_delta_log/00000000000000000100.checkpoint.parquet')).toBe(true);
    const healthy = await fsck(store);
    expect(healthy.problems).toEqual([]);
    for (const v of [0, 1, 50, 100]) await store.delete(logKey(v));
    const r = await fsck(store);
    expect(r.problems).toEqual([]);
    expect(r.version).toBe(103);
    expect(r.dataFiles).toBe(healthy.dataFiles);
    expect(r.bodiesVerified).toBe(healthy.bodiesVerified);
    await store.delete(logKey(101));
    const gap = await fsck(store);
    expect(gap.problems).toEqual([expect.objectContaining({ kind: 'bad-commit', path: logKey(101), repairable: false })]);
    expect(gap.problems[0].message).toContain('commit 101 is missing but commit 102 exists');
    expect(gap.version).toBe(100);
  });

  it('a damaged commit covered by the checkpoint is reported but blocks nothing: the pond opens from the checkpoint', async () => {
    const store = new MemoryStore();
    const pond = await openPond(store);
    for (let i = 1; i <= 4; i++) await pond.transact((tx) => tx.writeFile(`/f${i % 2}`, enc(`v${i}`)));
    await pond.close();
    // A checkpoint at version 4 (the pond writes one every 100 versions; built here directly).
    const state = new LogState();
    for (let v = 0; v <= 4; v++) {
      const c = parseCommit(await store.read(logKey(v)), logKey(v));
      state.apply(v, c.actions, c.commitInfo);
    }
    await writeCheckpoint(store, state);
    await store.write(logKey(2), enc('{"add": not json\n'));
    const opened = await openPond(store);
    expect(opened.version).toBe(4);
    expect(opened.warnings).toEqual([]);
    const r = await fsck(store);
    expect(r.version).toBe(4);
    expect(r.problems).toEqual([expect.objectContaining({ kind: 'bad-commit', path: logKey(2), repairable: false })]);
    expect(r.problems[0].message).toContain('the checkpoint of version 4 covers it');
    // Other problems are still repaired: the damaged commit is history the pond no longer reads.
    const root = (await store.list('part_id=00000000-0000-7000-8000-000000000000/')).sort();
    await store.write(root.at(-1)!, enc('not parquet'));
    const repaired = await fsck(store, { repair: true });
    expect(repaired.problems.map((p) => [p.kind, p.repairable])).toEqual([
      ['bad-commit', false],
      ['bad-parquet', true],
    ]);
    expect(repaired.repairedAt).toBe(5);
  });

  it('a data file swapped for another valid one (its size differs from the add action) is reported with its key and pond path', async () => {
    const store = new MemoryStore();
    await pondWithData(store);
    const root = (await addActions(store)).filter((a) => a.partId === ROOT_ID);
    expect(root.length).toBeGreaterThanOrEqual(2);
    // The root's first file (an empty root) in place of a later one: the old fsck read '/' as it.
    await store.write(root[1].path, await store.read(root[0].path));
    const r = await fsck(store);
    const p = r.problems.find((x) => x.path === root[1].path);
    expect(p).toMatchObject({ kind: 'bad-parquet', pondPaths: ['/'], repairable: true });
    expect(p!.message).toMatch(/holds \d+ bytes; its add action says \d+/);
  });

  it('a data file holding fewer rows than its add action declares, or rows from a later commit, is reported with its key and pond path', async () => {
    const store = new MemoryStore();
    const pond = await openPond(store);
    await pond.transact(async (tx) => {
      await tx.mkdir('/d');
      for (let i = 0; i < 3; i++) await tx.writeFile(`/d/f${i}`, enc(`${i}`));
    });
    await pond.transact((tx) => tx.writeFile('/d/g', enc('g')));
    const dirId = (await pond.stat('/d')).nodeId;
    await pond.close();
    const adds = (await addActions(store)).filter((a) => a.partId === dirId);
    const first = adds.find((a) => a.version === 1)!;
    const table = await parquetToTable(await store.read(first.path));
    // A consistent, valid file with one row: only the log's numRecords knows.
    await replaceDataFile(store, first.path, await tableToParquet(table.slice(0, 1)));
    const r = await fsck(store);
    const p = r.problems.find((x) => x.path === first.path);
    expect(p).toMatchObject({ kind: 'bad-parquet', pondPaths: ['/d'] });
    expect(p!.message).toMatch(/holds 1 rows; its add action declares 4/);
    await fsck(store, { repair: true });
    await expectClean(store);

    // A file whose rows claim a later transaction than the commit that added it (a file of commit 2 under commit 1).
    const store2 = new MemoryStore();
    const pond2 = await openPond(store2);
    await pond2.transact(async (tx) => {
      await tx.mkdir('/d');
      await tx.writeFile('/d/a', enc('a'));
    });
    await pond2.transact((tx) => tx.writeFile('/d/a', enc('b')));
    const d2 = (await pond2.stat('/d')).nodeId;
    await pond2.close();
    const [one, two] = (await addActions(store2)).filter((a) => a.partId === d2);
    const later = await parquetToTable(await store2.read(two.path));
    await replaceDataFile(store2, one.path, await tableToParquet(later.slice(0, 1)));
    await rewriteCommit(store2, one.version, (lines) =>
      lines.map((l) => {
        const add = (l as { add?: { path: string; stats?: string } }).add;
        return add?.path === one.path ? { add: { ...add, stats: JSON.stringify({ numRecords: 1 }) } } : l;
      }),
    );
    const r2 = await fsck(store2);
    const p2 = r2.problems.find((x) => x.path === one.path);
    expect(p2).toMatchObject({ kind: 'bad-parquet', pondPaths: ['/d'] });
    expect(p2!.message).toContain('later than the commit (1)');
  });

  it('a data file whose footer lies about its row count is reported, never read as a short table', async () => {
    const store = new MemoryStore();
    await pondWithData(store);
    const add = (await addActions(store)).at(-1)!;
    await replaceDataFile(store, add.path, lieAboutRows(await store.read(add.path), 0, 'file'));
    const r = await fsck(store);
    expect(r.problems.find((x) => x.path === add.path)).toMatchObject({ kind: 'bad-parquet', pondPaths: ['/keep'] });
  });

  it('other problems found behind a damaged commit are reported as blocked, not repaired', async () => {
    const store = new MemoryStore();
    await pondWithData(store);
    const [rootFile] = await store.list('part_id=00000000-0000-7000-8000-000000000000/');
    await store.write(rootFile, enc('not parquet'));
    await store.write(logKey(2), enc('broken\n'));
    const r = await fsck(store, { repair: true });
    expect(r.problems.map((p) => [p.kind, p.repairable])).toEqual([
      ['bad-commit', false],
      ['bad-parquet', false],
    ]);
    expect(r.problems[1].nextStep).toContain(logKey(2));
    expect(r.repairedAt).toBeUndefined();
  });

  // The crash harness's workload (folders, renames, removes, large files, a series), damaged at random.
  const DAMAGE = [
    'delete data file',
    'garbage data file',
    'delete large file',
    'flip a large file byte',
    'tamper an inline body',
    'tamper a directory snapshot',
  ] as const;
  it('random damage of every kind to a varied pond: repair leaves it clean, and every path outside the reported ones is unchanged', async () => {
    for (let trial = 0; trial < 2 * DAMAGE.length; trial++) {
      const kind = DAMAGE[trial % DAMAGE.length];
      const prng = new Prng(trial, 'fsck');
      const pick = <T>(a: T[]): T => a[Math.floor(prng.next() * a.length)];
      const store = new MemoryStore();
      const pond = await openPond(store);
      for (let s = 0; s < 24; s++) await pond.transact((tx) => runStep(tx, trial, s));
      if (trial === 0) {
        const healthy = await fsck(store, { repair: true });
        expect(healthy.problems).toEqual([]);
        expect(healthy.repairedAt).toBeUndefined();
      }
      const before = await actualManifest(pond);
      const state = new LogState();
      for (let v = 0; v <= pond.version; v++) {
        const c = parseCommit(await store.read(logKey(v)), logKey(v));
        state.apply(v, c.actions, c.commitInfo);
      }
      const live = state.liveFiles().map((f) => f.path);
      const large = await store.list('_large_files/');
      if (kind === 'delete data file') await store.delete(pick(live));
      else if (kind === 'garbage data file') await store.write(pick(live), enc('garbage'));
      else if (kind === 'delete large file') await store.delete(pick(large));
      else if (kind === 'flip a large file byte') {
        const key = pick(large);
        const b = await store.read(key);
        b[3] ^= 1;
        await store.write(key, b);
      } else {
        for (;;) {
          const key = pick(live);
          const partId = /part_id=([^/]+)\//.exec(key)![1];
          const rows = tableToRows(await parquetToTable(await store.read(key), key), partId, key);
          const candidates = rows.filter((r) => (kind === 'tamper an inline body' ? r.content && r.sha256 : r.type === 'directory' && r.nodeId === partId));
          if (candidates.length === 0) continue;
          pick(candidates).content = enc('tampered');
          await replaceDataFile(store, key, await tableToParquet(rowsToTable(rows)));
          break;
        }
      }
      expect((await fsck(store)).problems.length, kind).toBeGreaterThan(0);
      const repaired = await fsck(store, { repair: true });
      expect(
        repaired.problems.every((p) => p.repaired),
        kind,
      ).toBe(true);
      await expectClean(store);
      const after = await actualManifest(await openPond(store));
      const affected = repaired.problems.flatMap((p) => p.pondPaths);
      const touched = (path: string) => affected.some((a) => a === '/' || path === a || path.startsWith(`${a}/`));
      for (const [path, v] of Object.entries(before)) if (!touched(path)) expect(after[path], `${kind}: ${path}`).toBe(v);
    }
  }, 120_000);
});

/**
 * Commit directory snapshots as given, below Transaction (which refuses these states): `edit` maps a
 * directory id to its new entry list. This is what the old rename and hostile ponds left behind.
 */
async function commitListings(store: MemoryStore, edit: Record<string, (entries: DirEntry[]) => DirEntry[]>): Promise<void> {
  const p = await TlogPersistence.open(store, { create: false });
  const w = await p.beginWrite();
  const rows: NodeVersion[] = [];
  for (const [id, change] of Object.entries(edit)) {
    const last = (await p.loadNode(id, id)).at(-1)!;
    rows.push({ ...last, version: last.version + 1, txnSeq: w.txnSeq, content: encodeDirectory(change(decodeDirectory(last.content, id))) });
  }
  await w.commit(rows, { message: 'crafted', operation: 'WRITE' });
  await w.release();
  await p.close();
}

describe('fsck: the shape of the tree', () => {
  async function treePond(store: MemoryStore) {
    const pond = await openPond(store);
    await pond.transact(async (tx) => {
      await tx.mkdir('/a/b/c', { parents: true });
      await tx.writeFile('/a/b/c/f.txt', enc('deep'));
      await tx.writeFile('/a/top.txt', enc('top'));
      await tx.mkdir('/keep');
    });
    const id = async (p: string) => (await pond.stat(p)).nodeId;
    return { pond, a: await id('/a'), b: await id('/a/b') };
  }

  it('a subtree moved into itself (what the old rename through a symlink left) is reported and relinked under /lost+found-<id>', async () => {
    const store = new MemoryStore();
    const { a, b } = await treePond(store);
    // The old rename('/a', '/link/x') with /link -> /a/b: /a leaves the root and becomes /a/b/x.
    await commitListings(store, {
      [ROOT_ID]: (es) => es.filter((e) => e.name !== 'a'),
      [b]: (es) => [...es, { name: 'x', nodeId: a, type: 'directory', factory: 'tlogfs' }],
    });
    expect((await (await openPond(store)).readdir('/')).map((e) => e.name)).toEqual(['keep']);
    const r = await fsck(store);
    expect(r.problems).toEqual([
      expect.objectContaining({
        kind: 'unreachable-directory',
        pondPaths: ['/a'],
        repairable: true,
        message: expect.stringContaining(a),
      }),
    ]);
    expect(r.problems[0].path).toMatch(new RegExp(`^part_id=${b}/`));

    const repaired = await fsck(store, { repair: true });
    expect(repaired.problems[0].repaired).toContain(`/lost+found-${a}`);
    await expectClean(store);
    const pond = await openPond(store);
    expect((await pond.readdir('/')).map((e) => e.name)).toEqual(['keep', `lost+found-${a}`]);
    expect(dec(await pond.readFile(`/lost+found-${a}/b/c/f.txt`))).toBe('deep');
    expect(dec(await pond.readFile(`/lost+found-${a}/top.txt`))).toBe('top');
    // The back-link that closed the cycle is gone: the subtree is reachable exactly once.
    expect((await pond.readdir(`/lost+found-${a}/b`)).map((e) => e.name)).toEqual(['c']);
  });

  it('a removed directory is history, not damage: fsck stays clean', async () => {
    const store = new MemoryStore();
    const { pond } = await treePond(store);
    await pond.transact((tx) => tx.remove('/a', { recursive: true }));
    await expectClean(store);
  });

  it('NFC/NFD twins written by old code are reported, not repaired, and stay readable under each spelling', async () => {
    const store = new MemoryStore();
    const pond = await openPond(store);
    await pond.transact((tx) => tx.writeFile('/caf\u00e9', enc('nfc')));
    const nfd = 'cafe\u0301';
    const twin = '019000000000-0000-7000-8000-00000000beef';
    const p = await TlogPersistence.open(store, { create: false });
    const w = await p.beginWrite();
    const root = (await p.loadNode(ROOT_ID, ROOT_ID)).at(-1)!;
    const nfcFile = (await p.loadNode(ROOT_ID, (await pond.stat('/caf\u00e9')).nodeId)).at(-1)!;
    await w.commit(
      [
        { ...nfcFile, nodeId: twin, version: 1, txnSeq: w.txnSeq, content: enc('nfd'), sha256: await sha256Hex(enc('nfd')), size: 3 },
        {
          ...root,
          version: root.version + 1,
          txnSeq: w.txnSeq,
          content: encodeDirectory([...decodeDirectory(root.content, '/'), { name: nfd, nodeId: twin, type: 'file:data', factory: 'tlogfs' }]),
        },
      ],
      { message: 'old code', operation: 'WRITE' },
    );
    await w.release();
    await p.close();

    const reopened = await openPond(store);
    expect(dec(await reopened.readFile('/caf\u00e9'))).toBe('nfc');
    expect(dec(await reopened.readFile(`/${nfd}`))).toBe('nfd');
    const r = await fsck(store, { repair: true });
    expect(r.problems).toEqual([
      expect.objectContaining({
        kind: 'name-twins',
        pondPaths: ['/caf\u00e9', `/${nfd}`],
        repairable: false,
        nextStep: expect.stringContaining('rename'),
      }),
    ]);
    expect(r.repairedAt).toBeUndefined();
    // Renaming one twin away is the fix fsck suggests.
    await reopened.transact((tx) => tx.rename(`/${nfd}`, '/cafe-old'));
    await expectClean(store);
    expect(dec(await (await openPond(store)).readFile('/cafe-old'))).toBe('nfd');
  });

  it('an old NFD-only name is found under either spelling, written through, and respelled to NFC by rename', async () => {
    const store = new MemoryStore();
    const pond = await openPond(store);
    await pond.transact(async (tx) => {
      await tx.mkdir('/cafe');
      await tx.writeFile('/cafe/x', enc('1'));
    });
    const nfd = 'cafe\u0301';
    await commitListings(store, { [ROOT_ID]: (es) => es.map((e) => (e.name === 'cafe' ? { ...e, name: nfd } : e)) });
    const old = await openPond(store);
    expect(dec(await old.readFile('/caf\u00e9/x'))).toBe('1');
    await old.transact((tx) => tx.writeFile('/caf\u00e9/x', enc('2'))); // no twin directory appears
    await old.transact((tx) => tx.mkdir('/caf\u00e9/sub'));
    expect((await old.readdir('/')).map((e) => e.name)).toEqual([nfd]);
    await expectClean(store);
    await old.transact((tx) => tx.rename(`/${nfd}`, '/caf\u00e9'));
    expect((await old.readdir('/')).map((e) => e.name)).toEqual(['caf\u00e9']);
    expect(dec(await old.readFile(`/${nfd}/x`))).toBe('2');
    await old.transact((tx) => tx.remove(`/${nfd}/sub`));
    expect((await old.readdir('/caf\u00e9')).map((e) => e.name)).toEqual(['x']);
    await expectClean(store);
  });

  it('a directory named twice (a hostile back-link to the root) is reported', async () => {
    const store = new MemoryStore();
    const { b } = await treePond(store);
    await commitListings(store, { [b]: (es) => [...es, { name: 'up', nodeId: ROOT_ID, type: 'directory', factory: 'tlogfs' }] });
    const r = await fsck(store);
    expect(r.problems).toEqual([expect.objectContaining({ kind: 'duplicate-link', pondPaths: ['/a/b/up', '/'], repairable: false })]);
  });
});
