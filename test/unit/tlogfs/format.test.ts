// The pond on disk is a Delta Lake table other engines can read: check what they rely on.
import { describe, it, expect } from 'vitest';
import * as arrow from 'apache-arrow';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPond, MemoryStore } from '../../../src/core/index.ts';
import { NodeFsStore } from '../../../src/core/storage/node-fs.ts';
import type { ObjectStore } from '../../../src/core/storage/object-store.ts';
import { parquetToTable, tableToParquet } from '../../../src/core/arrow/parquet.ts';
import { parseCommit, logKey } from '../../../src/core/tlogfs/delta-log.ts';
import { sha256Hex } from '../../../src/core/hash.ts';
import { addActions, commitLines, lieAboutRows, replaceDataFile, rewriteCommit } from '../../shared/hostile-stored.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const json = async (store: ObjectStore, key: string) => parseCommit(await store.read(key), key);

async function samplePond(store: ObjectStore) {
  const pond = await openPond(store);
  await pond.transact(
    async (tx) => {
      await tx.mkdir('/data/raw', { parents: true });
      await tx.writeFile('/data/raw/a.txt', enc('hello'));
      await tx.writeFile('/data/t.parquet', await tableToParquet(arrow.tableFromArrays({ x: Int32Array.from([1, 2, 3]) })), { type: 'file:table' });
    },
    { message: 'load data' },
  );
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
    const meta = (v0.actions.find((a) => 'metaData' in a) as { metaData: { schemaString: string; partitionColumns: string[]; format: { provider: string } } })
      .metaData;
    expect(meta.partitionColumns).toEqual(['part_id']);
    expect(meta.format.provider).toBe('parquet');
    const schema = JSON.parse(meta.schemaString) as { type: string; fields: { name: string; type: string }[] };
    expect(schema.type).toBe('struct');
    expect(schema.fields.map((f) => f.name)).toEqual([
      'part_id',
      'node_id',
      'file_type',
      'timestamp',
      'version',
      'content',
      'sha256',
      'size',
      'min_event_time',
      'max_event_time',
      'extended_attributes',
      'factory',
      'txn_seq',
    ]);
    expect(Object.fromEntries(schema.fields.map((f) => [f.name, f.type]))).toMatchObject({
      timestamp: 'timestamp',
      version: 'long',
      content: 'binary',
      txn_seq: 'long',
    });
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
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 10; i++) c.enqueue(big.subarray(i * 10_000, (i + 1) * 10_000));
        c.close();
      },
    });
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
    await expect(
      (async () => {
        for (;;) {
          if ((await reader.read()).done) break;
        }
      })(),
    ).rejects.toMatchObject({ code: 'ECORRUPT' });
  });
});

describe('verified streams over node-fs (hashed on another thread while read)', () => {
  it('a damaged large body read as a stream fails with ECORRUPT naming the pond path, before its last chunk', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'duckpond-verify-'));
    try {
      const store = new NodeFsStore(dir);
      const pond = await openPond(store);
      const big = new Uint8Array(1_500_000);
      for (let i = 0; i < big.length; i++) big[i] = (i * 13) % 251;
      await pond.transact((tx) => tx.writeFile('/big.bin', big));
      const read = async (p: typeof pond) => {
        const chunks: Uint8Array[] = [];
        const reader = p.createReadStream('/big.bin').getReader();
        try {
          for (let x = await reader.read(); !x.done; x = await reader.read()) chunks.push(x.value.slice());
        } catch (error) {
          return { got: chunks.reduce((n, c) => n + c.length, 0), error };
        }
        return { got: chunks.reduce((n, c) => n + c.length, 0), bytes: new Uint8Array(Buffer.concat(chunks)) };
      };
      // Buffer.equals: a deep equality over 1.5 million elements takes vitest seconds.
      expect(Buffer.from((await read(pond)).bytes!).equals(Buffer.from(big))).toBe(true);
      const key = `_large_files/sha256=${await sha256Hex(big)}`;
      const bad = big.slice();
      bad[big.length - 3] ^= 1;
      await writeFile(join(dir, ...key.split('/')), bad);
      const reopened = await openPond(new NodeFsStore(dir));
      const { got, error } = await read(reopened);
      expect(error).toMatchObject({ code: 'ECORRUPT', data: { path: '/big.bin' } });
      expect(got).toBeLessThan(big.length);
      await reopened.close();
      await pond.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
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
    await pond.transact(async (tx) => {
      await tx.mkdir('/good');
      await tx.writeFile('/good/f', enc('ok'));
    });
    await pond.transact(async (tx) => {
      await tx.mkdir('/bad');
      await tx.writeFile('/bad/f', enc('x'));
    });
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
    const spy = new Proxy(store, {
      get(t, p, r) {
        if (p === 'read')
          return (k: string) => {
            reads.push(k);
            return t.read(k);
          };
        const v = Reflect.get(t, p, r);
        return typeof v === 'function' ? v.bind(t) : v;
      },
    });
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
    cols.future_column = arrow.vectorFromArray(
      Array.from({ length: t.numRows }, () => 'kept'),
      new arrow.Utf8(),
    );
    const rewritten = await tableToParquet(new arrow.Table(cols));
    await store.write(path, rewritten);
    // That writer's add action names the file's real size (the reader checks it).
    const log = new TextDecoder().decode(await store.read(logKey(1))).replace(/("path":"[^"]*\.parquet"[^\n]*?"size":)\d+/, `$1${rewritten.length}`);
    await store.write(logKey(1), enc(log));
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
        if (rm) {
          expect(rm.dataChange).toBe(false);
          live.delete(rm.path);
          removes++;
        }
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

// Issue 12, class 6: a stranger's pond is untrusted bytes. Each case below failed on the code before
// the fix (an untyped TypeError/URIError, a silent open, or a silently short table).
describe('stored bytes are not trusted', () => {
  const addLine = async (store: ObjectStore, v: number) =>
    (await commitLines(store, v)).find((l) => 'add' in (l as object)) as { add: Record<string, unknown> };

  const badLines: Array<[string, (add: Record<string, unknown>) => unknown]> = [
    ['{"add":null}', () => ({ add: null })],
    ['an empty action {}', () => ({})],
    ['two actions on one line', (add) => ({ add, remove: { path: add.path, dataChange: false } })],
    ['add.size as a string', (add) => ({ add: { ...add, size: String(add.size) } })],
    ['add.size absurd', (add) => ({ add: { ...add, size: 2 ** 60 } })],
    ['add.path missing', (add) => ({ add: { ...add, path: undefined } })],
    ['add.partitionValues null', (add) => ({ add: { ...add, partitionValues: null } })],
    ['a bad % escape in add.path', (add) => ({ add: { ...add, path: String(add.path).replace('part_id=', 'part_id=%E0%A4%A') } })],
    ['add.path climbing out', (add) => ({ add: { ...add, path: `../${String(add.path)}` } })],
    [
      'add.path into the log',
      () => ({ add: { path: '_delta_log/00000000000000000000.json', partitionValues: { part_id: 'x' }, size: 1, modificationTime: 0, dataChange: true } }),
    ],
    ['add.path an absolute URI', (add) => ({ add: { ...add, path: 'https://evil.example/part_id=x/a.parquet' } })],
    [
      'add.path in another partition than partitionValues',
      (add) => ({ add: { ...add, partitionValues: { part_id: '00000000-0000-7000-8000-00000000beef' } } }),
    ],
    ['add.stats not JSON', (add) => ({ add: { ...add, stats: '{numRecords' } })],
    ['remove with a number path', () => ({ remove: { path: 7, dataChange: false } })],
    [
      'metaData.partitionColumns a string',
      () => ({ metaData: { id: 'x', format: { provider: 'parquet', options: {} }, schemaString: '{}', partitionColumns: 'part_id', configuration: {} } }),
    ],
    ['commitInfo.timestamp a string', () => ({ commitInfo: { timestamp: 'noon', operation: 'WRITE', txn_seq: 2, message: '' } })],
  ];

  it.each(badLines)('a complete commit with %s is ECORRUPT naming it: the pond stays at the version before and refuses writes', async (_, line) => {
    for (const v of [1, 2]) {
      // an older commit, and the newest
      const store = new MemoryStore();
      await (await samplePond(store)).close();
      const add = (await addLine(store, v)).add;
      await rewriteCommit(store, v, (lines) => {
        const info = lines.pop()!;
        return [...lines, line(add), info];
      });
      const pond = await openPond(store);
      expect(pond.version, `v${v}`).toBe(v - 1);
      expect(pond.warnings[0], `v${v}`).toMatchObject({ code: 'ECORRUPT', path: logKey(v) });
      await expect(pond.transact((tx) => tx.mkdir('/x'))).rejects.toMatchObject({ code: 'ECORRUPT', data: { path: logKey(v) } });
      expect(() => parseCommit(enc(JSON.stringify(line(add)) + '\n'), 'k')).toThrow(
        expect.objectContaining({ code: 'ECORRUPT', data: expect.objectContaining({ path: 'k', torn: false }) }),
      );
    }
  });

  it('a "__proto__" key in partitionValues or a metaData map is an ordinary key, read as written, never dropped', async () => {
    const store = new MemoryStore();
    await (await samplePond(store)).close();
    // JSON.stringify cannot write an own "__proto__" key: write a placeholder and rename it in the text.
    const proto = (l: unknown) => JSON.stringify(l).replaceAll('"__x__"', '"__proto__"');
    await rewriteCommit(store, 1, (lines) =>
      lines.map((l) => {
        const add = (l as { add?: { partitionValues: Record<string, string> } }).add;
        return add ? proto({ add: { ...add, partitionValues: { ...add.partitionValues, __x__: 'elsewhere' } } }) : l;
      }),
    );
    await rewriteCommit(store, 0, (lines) =>
      lines.map((l) => {
        const m = (l as { metaData?: { configuration: Record<string, string>; format: { options: Record<string, string> } } }).metaData;
        return m ? proto({ metaData: { ...m, configuration: { __x__: 'c', constructor: 'k' }, format: { ...m.format, options: { __x__: 'o' } } } }) : l;
      }),
    );
    const own = (o: object, k: string) => Object.getOwnPropertyDescriptor(o, k)?.value as unknown;
    const adds = (await json(store, logKey(1))).actions.filter((a) => 'add' in a) as Array<{ add: { partitionValues: Record<string, string> } }>;
    expect(adds.length).toBeGreaterThan(0);
    for (const { add } of adds) {
      expect(Object.keys(add.partitionValues)).toEqual(['part_id', '__proto__']);
      expect(own(add.partitionValues, '__proto__')).toBe('elsewhere');
    }
    const meta = (
      (await json(store, logKey(0))).actions.find((a) => 'metaData' in a) as {
        metaData: { configuration: Record<string, string>; format: { options: Record<string, string> } };
      }
    ).metaData;
    expect(Object.keys(meta.configuration)).toEqual(['__proto__', 'constructor']);
    expect([own(meta.configuration, '__proto__'), own(meta.configuration, 'constructor'), own(meta.format.options, '__proto__')]).toEqual(['c', 'k', 'o']);
    // The pond still reads as written: the extra partition value is carried, not used.
    const pond = await openPond(store);
    expect(pond.warnings).toEqual([]);
    expect(new TextDecoder().decode(await pond.readFile('/data/raw/a.txt'))).toBe('hello again');
    // A "__proto__" whose value is no string is ECORRUPT, like any other key.
    const bad = proto({ add: { ...adds[0].add, partitionValues: { part_id: adds[0].add.partitionValues.part_id, __x__: { part_id: 'evil' } } } });
    expect(() => parseCommit(enc(`${bad}\n`), 'k')).toThrow(expect.objectContaining({ code: 'ECORRUPT', data: expect.objectContaining({ path: 'k' }) }));
  });

  it('a torn newest commit is still tolerated; only a cut file counts as torn', async () => {
    const store = new MemoryStore();
    await (await samplePond(store)).close();
    const full = await store.read(logKey(2));
    for (const cut of [1, full.length >> 1, full.length - 1]) {
      await store.write(logKey(2), full.subarray(0, cut));
      const pond = await openPond(store);
      expect(pond.version).toBe(1);
      expect(pond.warnings[0].message).toMatch(/ignored a torn last commit/);
      expect(await pond.transact((tx) => tx.mkdir(`/after${cut}`))).toBe(2); // the writer sets it aside
      await store.delete(logKey(2));
    }
    expect(() => parseCommit(full.subarray(0, 10), 'k')).toThrow(expect.objectContaining({ data: expect.objectContaining({ torn: true }) }));
  });

  it('a damaged commit or a newer protocol that appears later is caught by refresh: writes are refused', async () => {
    const store = new MemoryStore();
    const a = await samplePond(store);
    const b = await openPond(store);
    await b.transact((tx) => tx.mkdir('/from-b'));
    await rewriteCommit(store, 3, (lines) => [{ add: null }, ...lines]);
    expect(await a.refresh()).toBe(false);
    await expect(a.transact((tx) => tx.mkdir('/x'))).rejects.toMatchObject({ code: 'ECORRUPT', data: { path: logKey(3) } });

    const other = new MemoryStore();
    const reader = await samplePond(other);
    const writer = await openPond(other);
    await writer.transact((tx) => tx.mkdir('/from-writer'));
    await rewriteCommit(other, 3, (lines) => [{ protocol: { minReaderVersion: 2, minWriterVersion: 5 } }, ...lines]);
    await expect(reader.refresh()).rejects.toMatchObject({ code: 'EUNSUPPORTED', data: { path: logKey(3) } });
    expect(reader.version).toBe(2);
  });

  it('a gap in _delta_log is ECORRUPT naming the first missing commit, however long the gap', async () => {
    const store = new MemoryStore();
    const pond = await samplePond(store);
    for (let i = 0; i < 3; i++) await pond.transact((tx) => tx.mkdir(`/m${i}`));
    await pond.close();
    await store.delete(logKey(2));
    await store.delete(logKey(3)); // before the fix only a missing v with v+1 present was noticed
    const opened = await openPond(store);
    expect(opened.version).toBe(1);
    expect(opened.warnings[0]).toMatchObject({ code: 'ECORRUPT', path: logKey(2) });
    expect(opened.warnings[0].message).toMatch(/commit 4 exists/);
    await expect(opened.transact((tx) => tx.mkdir('/x'))).rejects.toMatchObject({ code: 'ECORRUPT', data: { path: logKey(2) } });
  });

  it('versions before the last checkpoint may be gone; one missing after it is ECORRUPT', async () => {
    const store = new MemoryStore();
    const pond = await openPond(store);
    for (let i = 1; i <= 103; i++) await pond.transact((tx) => tx.writeFile(`/f${i % 3}`, enc(`v${i}`)));
    await pond.close();
    for (const v of [1, 50, 99]) await store.delete(logKey(v));
    const clean = await openPond(store);
    expect(clean.version).toBe(103);
    expect(clean.warnings).toEqual([]);
    expect(new TextDecoder().decode(await clean.readFile('/f0'))).toBe('v102');
    await store.delete(logKey(101));
    const gap = await openPond(store);
    expect(gap.version).toBe(100);
    expect(gap.warnings[0]).toMatchObject({ code: 'ECORRUPT', path: logKey(101) });
  });

  it('commit 0 gone below a checkpoint opens from the checkpoint; commit 0 gone with later commits and no checkpoint is ECORRUPT, never a new pond', async () => {
    const store = new MemoryStore();
    const pond = await openPond(store);
    for (let i = 1; i <= 101; i++) await pond.transact((tx) => tx.writeFile('/f', enc(`v${i}`)));
    await pond.close();
    await store.delete(logKey(0));
    const opened = await openPond(store);
    expect(opened.version).toBe(101);
    expect(new TextDecoder().decode(await opened.readFile('/f'))).toBe('v101');
    await opened.close();
    // Open must not have written a fresh commit 0 over the missing history.
    expect(await store.exists(logKey(0))).toBe(false);

    const small = new MemoryStore();
    await (await samplePond(small)).close();
    await small.delete(logKey(0));
    await expect(openPond(small)).rejects.toMatchObject({ code: 'ECORRUPT' });
    expect(await small.exists(logKey(0))).toBe(false);
  });

  it('a protocol above ours is EUNSUPPORTED naming both versions (reading, and writing)', async () => {
    const setProtocol = async (store: ObjectStore, v: number, protocol: Record<string, unknown>) =>
      rewriteCommit(store, v, (lines) => {
        const info = lines.pop()!;
        return [...lines.filter((l) => !('protocol' in (l as object))), { protocol }, info];
      });
    const reader = new MemoryStore();
    await (await samplePond(reader)).close();
    await setProtocol(reader, 0, { minReaderVersion: 3, minWriterVersion: 7 });
    const e = await openPond(reader).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'EUNSUPPORTED', data: { path: logKey(0) } });
    expect((e as Error).message).toMatch(/reader version 3; this build reads version 1/);
    // Raised by a later commit too, and by reader features even at version 1.
    const later = new MemoryStore();
    await (await samplePond(later)).close();
    await setProtocol(later, 2, { minReaderVersion: 1, minWriterVersion: 2, readerFeatures: ['deletionVectors'] });
    await expect(openPond(later)).rejects.toMatchObject({ code: 'EUNSUPPORTED', data: { path: logKey(2) } });

    const writer = new MemoryStore();
    await (await samplePond(writer)).close();
    await setProtocol(writer, 2, { minReaderVersion: 1, minWriterVersion: 5 });
    const pond = await openPond(writer);
    expect(new TextDecoder().decode(await pond.readFile('/data/raw/a.txt'))).toBe('hello again');
    const w = await pond.transact((tx) => tx.mkdir('/x')).catch((x: unknown) => x);
    expect(w).toMatchObject({ code: 'EUNSUPPORTED' });
    expect((w as Error).message).toMatch(/writer version 5; this build writes version 2/);
  });

  it('a Parquet footer that lies about its row count is ECORRUPT, never a short table', async () => {
    const bytes = await tableToParquet(arrow.tableFromArrays({ x: Int32Array.from([1, 2, 3]), y: ['a', null, 'c'] }));
    for (const where of ['file', 'row-groups', 'file+row-groups', 'all'] as const) {
      for (const rows of [0, 1, 2, 4, 1000]) {
        await expect(parquetToTable(lieAboutRows(bytes, rows, where), 't.parquet'), `${where} ${rows}`).rejects.toMatchObject({
          code: 'ECORRUPT',
          data: { path: 't.parquet' },
        });
      }
    }
    expect((await parquetToTable(lieAboutRows(bytes, 3, 'all'))).numRows).toBe(3); // the truth still reads

    // In a pond: the partition's data file says 0 rows (before the fix: the directory read as empty).
    const store = new MemoryStore();
    await (await samplePond(store)).close();
    const add = (await addActions(store)).at(-1)!;
    await replaceDataFile(store, add.path, lieAboutRows(await store.read(add.path), 0, 'file'));
    const pond = await openPond(store);
    await expect(pond.readFile('/data/raw/a.txt')).rejects.toMatchObject({ code: 'ECORRUPT', data: { path: add.path } });
  });

  it('a data file holding fewer rows than its add action declares is ECORRUPT', async () => {
    const store = new MemoryStore();
    const pond = await openPond(store);
    await pond.transact(async (tx) => {
      await tx.mkdir('/d');
      for (let i = 0; i < 3; i++) await tx.writeFile(`/d/f${i}`, enc(`${i}`));
    });
    const dirId = (await pond.stat('/d')).nodeId;
    await pond.close();
    const add = (await addActions(store)).find((a) => a.version === 1 && a.partId === dirId)!;
    const rows = await parquetToTable(await store.read(add.path));
    const oneRow = await tableToParquet(rows.slice(0, 1)); // a consistent, valid file: only the log knows
    await replaceDataFile(store, add.path, oneRow);
    const reopened = await openPond(store);
    const e = await (async () => {
      for (const p of ['/d', '/d/f0', '/d/f1', '/d/f2']) await reopened.stat(p);
      await reopened.readdir('/d');
    })().catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'ECORRUPT', data: { path: add.path } });
    expect((e as Error).message).toMatch(/holds 1 rows; its add action declares/);
  });

  it('an inline body changed inside a valid Parquet file is ECORRUPT naming the pond path', async () => {
    const store = new MemoryStore();
    await (await samplePond(store)).close();
    const add = (await addActions(store)).at(-1)!;
    const t = await parquetToTable(await store.read(add.path));
    const content = t.getChild('content')!;
    const changed = arrow.vectorFromArray(
      Array.from({ length: t.numRows }, (_, i) => {
        const c = content.get(i) as Uint8Array | null;
        return c && new TextDecoder().decode(c) === 'hello again' ? enc('HELLO again') : c;
      }),
      new arrow.Binary(),
    );
    const cols: Record<string, arrow.Vector> = {};
    for (const f of t.schema.fields) cols[f.name] = f.name === 'content' ? changed : t.getChild(f.name)!;
    await replaceDataFile(store, add.path, await tableToParquet(new arrow.Table(cols)));
    const pond = await openPond(store);
    await expect(pond.readFile('/data/raw/a.txt')).rejects.toMatchObject({ code: 'ECORRUPT', data: { path: '/data/raw/a.txt' } });
    await expect(pond.readRange('/data/raw/a.txt', 0, 2)).rejects.toMatchObject({ code: 'ECORRUPT' });
  });

  it('a data file swapped for another valid one is ECORRUPT naming it (its size differs from the add action)', async () => {
    const store = new MemoryStore();
    await (await samplePond(store)).close();
    const root = (await addActions(store)).filter((a) => a.partId === '00000000-0000-7000-8000-000000000000');
    expect(root.map((a) => a.version)).toEqual([0, 1]);
    // The root's first file (an empty root) in place of the second: before the fix, '/' read as empty.
    await store.write(root[1].path, await store.read(root[0].path));
    const pond = await openPond(store);
    const e = await pond.readdir('/').catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'ECORRUPT', data: { path: root[1].path } });
    expect((e as Error).message).toMatch(/its add action says/);
  });

  it('a checkpoint with a hostile row or a wrong row count is skipped, reported, and the log replayed', async () => {
    const store = new MemoryStore();
    const pond = await openPond(store);
    for (let i = 1; i <= 101; i++) await pond.transact((tx) => tx.writeFile(`/f${i % 3}`, enc(`v${i}`)));
    await pond.close();
    const cpKey = '_delta_log/00000000000000000100.checkpoint.parquet';
    const original = await store.read(cpKey);
    const t = await parquetToTable(original);
    const addCol = t.getChild('add')!;
    const rows = Array.from({ length: t.numRows }, (_, i) => addCol.get(i)?.toJSON() ?? null) as Array<Record<string, unknown> | null>;
    const hostile = rows.map((r) => (r ? { ...r, path: `../${String(r.path)}` } : null));
    const cols: Record<string, arrow.Vector> = {
      protocol: t.getChild('protocol')!,
      metaData: t.getChild('metaData')!,
      add: arrow.vectorFromArray(hostile, addCol.type),
    };
    for (const [name, bytes] of [
      ['hostile path', await tableToParquet(new arrow.Table(cols))],
      ['footer says 0 rows', lieAboutRows(original, 0, 'file')],
    ] as const) {
      await store.write(cpKey, bytes);
      const reopened = await openPond(store);
      expect(reopened.warnings[0], name).toMatchObject({ code: 'ECORRUPT', path: cpKey });
      expect(reopened.version).toBe(101);
      expect(new TextDecoder().decode(await reopened.readFile('/f2'))).toBe('v101');
    }
    await store.write(cpKey, original);
    await store.write('_delta_log/_last_checkpoint', enc(JSON.stringify({ version: 100, size: 3 })));
    const wrongCount = await openPond(store);
    expect(wrongCount.warnings[0]).toMatchObject({ code: 'ECORRUPT', path: cpKey });
    expect(wrongCount.warnings[0].message).toMatch(/_last_checkpoint says 3/);
  });
});
