import { describe, it, expect, afterAll } from 'vitest';
import { mkdtemp, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { NodeFsStore } from '../../../src/core/storage/node-fs.ts';
import { testObjectStore, patternBytes, rejection } from '../../shared/object-store-suite.ts';

const roots: string[] = [];
afterAll(async () => {
  for (const r of roots) await rm(r, { recursive: true, force: true });
});
async function freshDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'duckpond-nodefs-'));
  roots.push(dir);
  return dir;
}

testObjectStore('NodeFsStore', async () => new NodeFsStore(await freshDir()), {
  peer: async (s) => new NodeFsStore((s as NodeFsStore).dir),
});

/** Every file under `dir`, relative, '/'-separated. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

describe('NodeFsStore on disk', () => {
  it('lays keys out as plain files, so the folder is a Delta table other tools can read', async () => {
    const dir = await freshDir();
    const store = new NodeFsStore(dir);
    await store.write('_delta_log/00000000000000000000.json', new TextEncoder().encode('{}\n'));
    await store.putIfAbsent('part_id=a/part-1.parquet', patternBytes(10));
    expect((await filesUnder(dir)).filter((f) => !f.startsWith('.duckpond'))).toEqual(['_delta_log/00000000000000000000.json', 'part_id=a/part-1.parquet']);
  });

  it('leaves no temp file behind after writes, failed writes and lost putIfAbsent races', async () => {
    const dir = await freshDir();
    const store = new NodeFsStore(dir);
    await store.write('a', patternBytes(100));
    await store.writeStream('b', new Blob([patternBytes(300_000)]).stream());
    expect(await store.putIfAbsent('a', patternBytes(5))).toBe(false);
    await rejection(store.writeStream('c', new ReadableStream({ pull: (c) => c.error(new Error('boom')) })));
    expect(await readdir(join(dir, '.duckpond', 'tmp'))).toEqual([]);
    expect(await store.list('')).toEqual(['a', 'b']);
  });

  it('never lists its lock file or temp files, even with a lock held and stray temps present', async () => {
    const dir = await freshDir();
    const store = new NodeFsStore(dir);
    await store.write('x', patternBytes(3));
    const release = await store.lock();
    await writeFile(join(dir, '.duckpond', 'tmp', 'stray'), 'junk');
    expect(await store.list('')).toEqual(['x']);
    expect(await store.list('.')).toEqual([]);
    await release();
  });

  it('reports a key that collides with a directory of other keys as ENOTDIR', async () => {
    const store = new NodeFsStore(await freshDir());
    await store.write('a/b', patternBytes(3));
    await expect(store.write('a', patternBytes(3))).rejects.toMatchObject({ code: 'ENOTDIR', data: { path: 'a' } });
    await expect(store.putIfAbsent('a', patternBytes(3))).rejects.toMatchObject({ code: 'ENOTDIR', data: { path: 'a' } });
    await expect(store.write('a/b/c', patternBytes(3))).rejects.toMatchObject({ code: 'ENOTDIR', data: { path: 'a/b/c' } });
    expect(await store.read('a/b')).toEqual(patternBytes(3));
  });

  it('reads files written by other tools, and ignores directories and a missing root', async () => {
    const dir = await freshDir();
    await mkdir(join(dir, 'sub', 'empty'), { recursive: true });
    await writeFile(join(dir, 'sub', 'f.txt'), 'hello');
    const store = new NodeFsStore(dir);
    expect(await store.list('')).toEqual(['sub/f.txt']);
    expect(new TextDecoder().decode(await store.read('sub/f.txt'))).toBe('hello');
    expect(await new NodeFsStore(join(dir, 'absent')).list('')).toEqual([]);
  });
});

describe('NodeFsStore verified reads (hashed on a worker thread while reading)', () => {
  const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
  /** Read a stream to its end or its error, keeping what it released. */
  async function drain(stream: ReadableStream<Uint8Array>): Promise<{ bytes: number; chunks: Uint8Array[]; error?: unknown }> {
    const chunks: Uint8Array[] = [];
    let bytes = 0;
    const r = stream.getReader();
    try {
      for (let x = await r.read(); !x.done; x = await r.read()) {
        chunks.push(x.value.slice());
        bytes += x.value.length;
      }
    } catch (error) {
      return { bytes, chunks, error };
    }
    return { bytes, chunks };
  }
  const SIZE = 3 * 1024 * 1024 + 12_345; // four chunks, the last one short

  it('streams an intact object byte for byte', async () => {
    const store = new NodeFsStore(await freshDir());
    const body = patternBytes(SIZE);
    await store.write('big', body);
    const got = await drain(store.readVerifiedStream('big', { sha256: sha(body), size: SIZE }));
    expect(got.error).toBeUndefined();
    expect(Buffer.concat(got.chunks).equals(Buffer.from(body))).toBe(true);
    const empty = await drain(store.readVerifiedStream('big', { sha256: sha(body), size: null }));
    expect(empty.bytes).toBe(SIZE);
  });

  it('never releases the last chunk of a damaged object, and names the key', async () => {
    const dir = await freshDir();
    const store = new NodeFsStore(dir);
    const body = patternBytes(SIZE);
    const damaged = body.slice();
    damaged[SIZE - 10] ^= 1; // in the last chunk: nothing before it can tell
    await writeFile(join(dir, 'big'), damaged);
    const got = await drain(store.readVerifiedStream('big', { sha256: sha(body), size: SIZE }));
    expect(got.error).toMatchObject({ code: 'ECORRUPT', data: { path: 'big' } });
    expect(got.bytes).toBe(SIZE - 12_345); // all but the last chunk
    // A short and a long object fail the same way.
    await writeFile(join(dir, 'short'), body.subarray(0, SIZE - 1));
    expect((await drain(store.readVerifiedStream('short', { sha256: sha(body), size: SIZE }))).error).toMatchObject({ code: 'ECORRUPT' });
    await writeFile(join(dir, 'long'), Buffer.concat([body, Buffer.from('x')]));
    expect((await drain(store.readVerifiedStream('long', { sha256: sha(body), size: SIZE }))).error).toMatchObject({ code: 'ECORRUPT' });
    expect((await drain(store.readVerifiedStream('absent', { sha256: sha(body), size: SIZE }))).error).toMatchObject({ code: 'ENOENT' });
  });

  it('streams several objects at once, each against its own hash', async () => {
    const store = new NodeFsStore(await freshDir());
    const bodies = [1, 2, 3].map((k) => patternBytes(SIZE + k).map((b) => b ^ k));
    for (const [i, b] of bodies.entries()) await store.write(`o${i}`, b);
    const results = await Promise.all(bodies.map((b, i) => drain(store.readVerifiedStream(`o${i}`, { sha256: sha(b), size: b.length }))));
    for (const [i, r] of results.entries()) expect(Buffer.concat(r.chunks).equals(Buffer.from(bodies[i]))).toBe(true);
    const wrong = await drain(store.readVerifiedStream('o0', { sha256: sha(bodies[1]), size: bodies[0].length }));
    expect(wrong.error).toMatchObject({ code: 'ECORRUPT' });
  });
});

describe('NodeFsStore staged puts (a commit writes its log entry beside its data files)', () => {
  it('stages invisibly, publishes like putIfAbsent, and leaves no temp file either way', async () => {
    const dir = await freshDir();
    const store = new NodeFsStore(dir);
    const staged = await store.stagePut('_delta_log/1.json', patternBytes(50));
    expect(await store.exists('_delta_log/1.json')).toBe(false); // not visible before publish
    expect(await staged.publish()).toBe(true);
    expect(await store.read('_delta_log/1.json')).toEqual(patternBytes(50));
    await expect(staged.publish()).rejects.toMatchObject({ code: 'EINVAL' }); // once only
    const loser = await store.stagePut('_delta_log/1.json', patternBytes(7));
    expect(await loser.publish()).toBe(false); // the key exists: nothing changes
    expect(await store.read('_delta_log/1.json')).toEqual(patternBytes(50));
    const dropped = await store.stagePut('_delta_log/2.json', patternBytes(9));
    await dropped.discard();
    expect(await store.exists('_delta_log/2.json')).toBe(false);
    expect(await readdir(join(dir, '.duckpond', 'tmp'))).toEqual([]);
  });

  it('writeNew refuses a key that exists, and leaves its bytes alone', async () => {
    const store = new NodeFsStore(await freshDir());
    await store.writeNew('part_id=a/part-1.parquet', patternBytes(10));
    await expect(store.writeNew('part_id=a/part-1.parquet', patternBytes(3))).rejects.toMatchObject({ code: 'EEXIST' });
    expect(await store.read('part_id=a/part-1.parquet')).toEqual(patternBytes(10));
  });
});
