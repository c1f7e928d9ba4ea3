import { describe, it, expect, afterAll } from 'vitest';
import { mkdtemp, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
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
