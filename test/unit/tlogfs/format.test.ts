// The pond on disk is a Delta Lake table other engines can read: check what they rely on.
import { describe, it, expect } from 'vitest';
import * as arrow from 'apache-arrow';
import { openPond, MemoryStore } from '../../../src/core/index.ts';
import type { ObjectStore } from '../../../src/core/storage/object-store.ts';
import { parquetToTable, tableToParquet } from '../../../src/core/arrow/parquet.ts';
import { parseCommit, logKey } from '../../../src/core/tlogfs/delta-log.ts';
import { sha256Hex } from '../../../src/core/hash.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const json = async (store: ObjectStore, key: string) => parseCommit(await store.read(key), key);

async function samplePond(store: ObjectStore) {
  const pond = await openPond(store);
  await pond.transact(async (tx) => {
    await tx.mkdir('/data/raw', { parents: true });
    await tx.writeFile('/data/raw/a.txt', enc('hello'));
    await tx.writeFile('/data/t.parquet', await tableToParquet(arrow.tableFromArrays({ x: Int32Array.from([1, 2, 3]) })), { type: 'file:table' });
  }, { message: 'load data' });
  await pond.transact((tx) => tx.writeFile('/data/raw/a.txt', enc('hello again')));
  return pond;
}

describe('Delta Lake format', () => {
  it('version 0 carries protocol (1, 2), metaData with the OplogEntry schema, the root, and commitInfo', async () => {
    const store = new MemoryStore();
    await samplePond(store);
    const v0 = await json(store, logKey(0));
    const protocol = v0.actions.find((a) => 'protocol' in a) as { protocol: { minReaderVersion: number; minWriterVersion: number } };
    expect(protocol.protocol).toEqual({ minReaderVersion: 1, minWriterVersion: 2 });
    const meta = (v0.actions.find((a) => 'metaData' in a) as { metaData: { schemaString: string; partitionColumns: string[]; format: { provider: string } } }).metaData;
    expect(meta.partitionColumns).toEqual(['part_id']);
    expect(meta.format.provider).toBe('parquet');
    const schema = JSON.parse(meta.schemaString) as { type: string; fields: { name: string; type: string }[] };
    expect(schema.type).toBe('struct');
    expect(schema.fields.map((f) => f.name)).toEqual(['part_id', 'node_id', 'file_type', 'timestamp', 'version', 'content', 'sha256', 'size', 'min_event_time', 'max_event_time', 'extended_attributes', 'factory', 'txn_seq']);
    expect(Object.fromEntries(schema.fields.map((f) => [f.name, f.type]))).toMatchObject({ timestamp: 'timestamp', version: 'long', content: 'binary', txn_seq: 'long' });
    expect(v0.actions.filter((a) => 'add' in a)).toHaveLength(1);
    expect(v0.commitInfo).toMatchObject({ txn_seq: 0, operation: 'CREATE' });
  });

  it('every add.path exists, is valid Parquet, and its partition value matches its folder', async () => {
    const store = new MemoryStore();
    await samplePond(store);
    const keys = (await store.list('_delta_log/')).filter((k) => k.endsWith('.json'));
    expect(keys).toHaveLength(3);
    let adds = 0;
    for (const key of keys) {
      const { actions, commitInfo } = await json(store, key);
      expect(commitInfo).toMatchObject({ txn_seq: Number(key.slice(11, 31)) });
      expect(typeof commitInfo!.timestamp).toBe('number');
      for (const a of actions) {
        if (!('add' in a)) continue;
        adds++;
        const add = a.add as { path: string; partitionValues: { part_id: string }; size: number };
        expect(add.path).toMatch(/^part_id=[0-9a-f-]{36}\/part-[0-9a-f-]{36}\.parquet$/);
        expect(add.path.split('/')[0]).toBe(`part_id=${add.partitionValues.part_id}`);
        const bytes = await store.read(add.path);
        expect(bytes.length).toBe(add.size);
        const t = await parquetToTable(bytes, add.path);
        expect(t.schema.fields.map((f) => f.name)).toContain('node_id');
        expect(t.schema.fields.find((f) => f.name === 'timestamp')!.type.toString()).toBe('Timestamp<MICROSECOND, UTC>');
        for (const seq of t.getChild('txn_seq')!.toArray()) expect(Number(seq)).toBe(Number(key.slice(11, 31)));
      }
    }
    expect(adds).toBeGreaterThanOrEqual(4);
    const second = await json(store, logKey(1));
    expect(second.commitInfo!.message).toBe('load data');
  });

  it('stores bodies over 64 KiB as content-addressed large files and verifies them on read', async () => {
    const store = new MemoryStore();
    const pond = await openPond(store);
    const big = new Uint8Array(100_000).map((_, i) => (i * 7) % 256);
    await pond.transact((tx) => tx.writeFile('/big.bin', big));
    const sha = await sha256Hex(big);
    const key = `_large_files/sha256=${sha}`;
    expect(await store.read(key)).toEqual(big);
    expect((await pond.stat('/big.bin')).sha256).toBe(sha);
    expect(await pond.readFile('/big.bin')).toEqual(big);
    // Streams in go through the same path.
    const stream = new ReadableStream<Uint8Array>({ start(c) { for (let i = 0; i < 10; i++) c.enqueue(big.subarray(i * 10_000, (i + 1) * 10_000)); c.close(); } });
    await pond.transact((tx) => tx.writeFile('/big2.bin', stream));
    expect((await pond.stat('/big2.bin')).sha256).toBe(sha);
    expect((await store.list('_large_files/')).filter((k) => k.includes('tmp-'))).toEqual([]);
    // Flip one byte: reads fail with ECORRUPT naming the pond path.
    const bad = big.slice();
    bad[5] ^= 1;
    await store.write(key, bad);
    const reopened = await openPond(store);
    await expect(reopened.readFile('/big.bin')).rejects.toMatchObject({ code: 'ECORRUPT', data: { path: '/big.bin' } });
    const reader = reopened.createReadStream('/big.bin').getReader();
    await expect((async () => { for (;;) { if ((await reader.read()).done) break; } })()).rejects.toMatchObject({ code: 'ECORRUPT' });
  });
});

describe('time travel and history', () => {
  it('opens any past version read-only', async () => {
    const store = new MemoryStore();
    const pond = await samplePond(store);
    expect(pond.version).toBe(2);
    const past = await openPond(store, { asOf: 1 });
    expect(past.version).toBe(1);
    expect(past.readOnly).toBe(true);
    expect(new TextDecoder().decode(await past.readFile('/data/raw/a.txt'))).toBe('hello');
    await expect(past.transact((tx) => tx.mkdir('/x'))).rejects.toMatchObject({ code: 'EROFS' });
    const empty = await openPond(store, { asOf: 0 });
    expect(await empty.readdir('/')).toEqual([]);
    expect((await past.history()).map((h) => h.txnSeq)).toEqual([1, 0]);
    await expect(openPond(store, { asOf: 9 })).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses to open an empty store without create', async () => {
    await expect(openPond(new MemoryStore(), { create: false })).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('corrupt inputs', () => {
  it('ignores a torn newest commit on open, reports it, and the next commit replaces it', async () => {
    const store = new MemoryStore();
    await samplePond(store);
    const full = await store.read(logKey(2));
    await store.delete(logKey(2));
    await store.write(logKey(2), full.subarray(0, Math.floor(full.length / 2)));
    const pond = await openPond(store);
    expect(pond.version).toBe(1);
    expect(pond.warnings.map((w) => w.path)).toContain(logKey(2));
    expect(new TextDecoder().decode(await pond.readFile('/data/raw/a.txt'))).toBe('hello');
    expect(await pond.transact((tx) => tx.mkdir('/after'))).toBe(2);
    expect((await openPond(store)).version).toBe(2);
    expect((await store.list('_delta_log/')).some((k) => k.includes('.torn-'))).toBe(true);
  });

  it('reports garbage in an older commit and opens at the version before it', async () => {
    const store = new MemoryStore();
    await samplePond(store);
    await store.write(logKey(1), enc('{"add": not json\n'));
    const pond = await openPond(store);
    expect(pond.version).toBe(0);
    expect(pond.warnings[0]).toMatchObject({ code: 'ECORRUPT', path: logKey(1) });
    await expect(pond.transact((tx) => tx.mkdir('/x'))).rejects.toMatchObject({ code: 'ECORRUPT', data: { path: logKey(1) } });
  });

  it('a truncated Parquet file fails reads of its partition with ECORRUPT naming the file; other directories still read', async () => {
    const store = new MemoryStore();
    const pond = await openPond(store);
    await pond.transact(async (tx) => { await tx.mkdir('/good'); await tx.writeFile('/good/f', enc('ok')); });
    await pond.transact(async (tx) => { await tx.mkdir('/bad'); await tx.writeFile('/bad/f', enc('x')); });
    const v2 = await json(store, logKey(2));
    const badId = (await pond.stat('/bad')).nodeId;
    const add = v2.actions.map((a) => (a as { add?: { path: string } }).add).find((a) => a?.path.startsWith(`part_id=${badId}`))!;
    const bytes = await store.read(add.path);
    await store.write(add.path, bytes.subarray(0, bytes.length - 10));
    const reopened = await openPond(store);
    await expect(reopened.readdir('/bad')).rejects.toMatchObject({ code: 'ECORRUPT', data: { path: add.path } });
    expect(new TextDecoder().decode(await reopened.readFile('/good/f'))).toBe('ok');
  });
});

describe('checkpoints', () => {
  it('writes a Parquet checkpoint every 100 versions and opens from it with the same content', async () => {
    const store = new MemoryStore();
    const pond = await openPond(store);
    await pond.transact((tx) => tx.mkdir('/d'));
    for (let i = 1; i < 105; i++) await pond.transact((tx) => tx.writeFile(`/d/f${i % 7}`, enc(`v${i}`)));
    expect(pond.version).toBe(105);
    const last = JSON.parse(new TextDecoder().decode(await store.read('_delta_log/_last_checkpoint')));
    expect(last.version).toBe(100);
    const cp = await parquetToTable(await store.read('_delta_log/00000000000000000100.checkpoint.parquet'));
    expect(cp.schema.fields.map((f) => f.name)).toEqual(['protocol', 'metaData', 'add']);
    // Count JSON commits read on open: only the ones after the checkpoint.
    const reads: string[] = [];
    const spy = new Proxy(store, { get(t, p, r) { if (p === 'read') return (k: string) => { reads.push(k); return t.read(k); }; const v = Reflect.get(t, p, r); return typeof v === 'function' ? v.bind(t) : v; } });
    const reopened = await openPond(spy);
    expect(reads.filter((k) => k.endsWith('.json')).length).toBe(6); // commits 101..105, plus the probe that finds no 106
    expect(reopened.version).toBe(105);
    for (let i = 0; i < 7; i++) expect(await reopened.readFile(`/d/f${i}`)).toEqual(await pond.readFile(`/d/f${i}`));
    expect((await reopened.history()).length).toBe(106);
    // Time travel before the checkpoint replays JSON instead.
    const old = await openPond(store, { asOf: 50 });
    expect(new TextDecoder().decode(await old.readFile('/d/f1'))).toBe('v43'); // version 50 = loop step 49; f1 was last written at step 43
  });
});

describe('schema evolution', () => {
  it('reads rows without a factory column as tlogfs, and keeps unknown columns', async () => {
    const store = new MemoryStore();
    const pond = await openPond(store);
    await pond.transact((tx) => tx.writeFile('/f', enc('x')));
    // Rewrite the commit's data file as an older writer (no factory) plus a newer one (an extra column) would.
    const { actions } = await json(store, logKey(1));
    const path = (actions.find((a) => 'add' in a) as { add: { path: string } }).add.path;
    const t = await parquetToTable(await store.read(path));
    const cols: Record<string, arrow.Vector> = {};
    for (const f of t.schema.fields) if (f.name !== 'factory') cols[f.name] = t.getChild(f.name)!;
    cols.future_column = arrow.vectorFromArray(Array.from({ length: t.numRows }, () => 'kept'), new arrow.Utf8());
    await store.write(path, await tableToParquet(new arrow.Table(cols)));
    const reopened = await openPond(store);
    const s = await reopened.stat('/f');
    expect(s.factory).toBe('tlogfs');
    expect(new TextDecoder().decode(await reopened.readFile('/f'))).toBe('x');
    const rows = await reopened.persistence.loadNode(s.partId, s.nodeId);
    expect(rows[0].extra).toEqual({ future_column: 'kept' });
    // Appending keeps the old file untouched.
    await reopened.transact((tx) => tx.writeFile('/g', enc('y')));
    expect((await parquetToTable(await store.read(path))).getChild('future_column')).not.toBeNull();
  });
});

describe('compaction', () => {
  it('folds a partition that reaches 32 files into one, in the same commit, keeping history and time travel', async () => {
    const store = new MemoryStore();
    const pond = await openPond(store);
    await pond.transact((tx) => tx.mkdir('/d'));
    for (let i = 1; i <= 40; i++) await pond.transact((tx) => tx.writeFile(`/d/f${i % 5}`, enc(`v${i}`)));
    expect(pond.version).toBe(41);
    const dirId = (await pond.stat('/d')).nodeId;
    // Replay the log: live files of the partition stay bounded.
    const live = new Set<string>();
    let removes = 0;
    for (let v = 0; v <= 41; v++) {
      for (const a of (await json(store, logKey(v))).actions) {
        const add = (a as { add?: { path: string } }).add;
        const rm = (a as { remove?: { path: string; dataChange: boolean } }).remove;
        if (add) live.add(add.path);
        if (rm) { expect(rm.dataChange).toBe(false); live.delete(rm.path); removes++; }
      }
    }
    expect(removes).toBeGreaterThan(0);
    expect([...live].filter((p) => p.startsWith(`part_id=${dirId}/`)).length).toBeLessThan(32);
    const reopened = await openPond(store);
    for (let i = 0; i < 5; i++) expect(await reopened.readFile(`/d/f${i}`)).toEqual(await pond.readFile(`/d/f${i}`));
    expect((await reopened.versions('/d/f1')).length).toBe(8);
    expect(new TextDecoder().decode(await (await openPond(store, { asOf: 20 })).readFile('/d/f1'))).toBe('v16');
  });
});
