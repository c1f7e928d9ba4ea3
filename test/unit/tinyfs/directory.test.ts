import { describe, it, expect } from 'vitest';
import { MapDirectory, type Directory } from '../../../src/core/tinyfs/directory.ts';
import { ReverseDirectory, VisitRecordingDirectory } from '../../shared/example-directories.ts';
import { Pond } from '../../../src/core/pond.ts';
import { MemoryPersistence } from '../../shared/memory-persistence.ts';
import type { NodeRef, NodeVersion, DirEntry } from '../../../src/core/tinyfs/node.ts';
import type { TinyFs } from '../../../src/core/tinyfs/fs.ts';

const entry = (name: string): DirEntry => ({ name, nodeId: `id-${name}`, type: 'file:data', factory: 'tlogfs' });
const enc = (s: string) => new TextEncoder().encode(s);

describe('Directory implementations', () => {
  it('MapDirectory keeps entries by name and lists them sorted', async () => {
    const d = new MapDirectory([entry('b'), entry('a')]);
    await d.insert(entry('c'));
    expect((await d.entries()).map((e) => e.name)).toEqual(['a', 'b', 'c']);
    expect(await d.remove('b')).toMatchObject({ name: 'b' });
    expect(await d.get('b')).toBeUndefined();
  });

  it('ReverseDirectory lists another directory in reverse order and is read-only', async () => {
    const d = new ReverseDirectory(new MapDirectory([entry('a'), entry('c'), entry('b')]), '/rev');
    expect((await d.entries()).map((e) => e.name)).toEqual(['c', 'b', 'a']);
    expect(await d.get('a')).toMatchObject({ nodeId: 'id-a' });
    await expect(d.insert(entry('x'))).rejects.toMatchObject({ code: 'EROFS', data: { path: '/rev' } });
  });

  it('VisitRecordingDirectory records every visit in order', async () => {
    const d = new VisitRecordingDirectory(new MapDirectory([entry('a')]));
    await d.get('a');
    await d.insert(entry('b'));
    await d.entries();
    await d.remove('a');
    expect(d.visits).toEqual(['get:a', 'insert:b', 'entries', 'remove:a']);
  });
});

describe('virtual directories plugged into path resolution', () => {
  // A tiny "factory" layer: nodes of factory 'reverse' or 'visits' wrap the stored directory named in their config.
  const recorders: VisitRecordingDirectory[] = [];
  function makePond(): Pond {
    return new Pond(new MemoryPersistence(), {
      dynamic: {
        validate: (factory: string, config: unknown) => ({ type: 'directory' as const, config }),
        async openDirectory(node: NodeRef, config: NodeVersion, fs: TinyFs): Promise<Directory> {
          const { target } = JSON.parse(new TextDecoder().decode(config.content!)) as { target: string };
          const inner = await fs.directory(await fs.resolve(target));
          if (node.factory === 'reverse') return new ReverseDirectory(inner, node.path);
          const rec = new VisitRecordingDirectory(inner);
          recorders.push(rec);
          return rec;
        },
        async readFile(): Promise<Uint8Array> {
          throw new Error('no dynamic files here');
        },
      },
    });
  }

  it('lists, resolves and reads through virtual directories like stored ones', async () => {
    const pond = makePond();
    await pond.transact(async (tx) => {
      await tx.mkdir('/data');
      for (const n of ['a', 'b', 'c']) await tx.writeFile(`/data/${n}`, enc(n.toUpperCase()));
      await tx.mknod('/rev', 'reverse', { target: '/data' });
      await tx.mknod('/seen', 'visits', { target: '/data' });
    });
    const rev = await pond.readdir('/rev'); // readdir sorts by name, as every listing does
    expect(rev.map((e) => e.name)).toEqual(['a', 'b', 'c']);
    const raw = await pond.fs.entries(await pond.fs.resolve('/rev'));
    expect(raw.map((e) => e.name)).toEqual(['c', 'b', 'a']);
    expect(new TextDecoder().decode(await pond.readFile('/rev/b'))).toBe('B');
    expect((await pond.stat('/rev')).factory).toBe('reverse');
    expect(new TextDecoder().decode(await pond.readFile('/seen/c'))).toBe('C');
    expect(recorders.at(-1)!.visits).toEqual(['get:c']);
    await expect(pond.transact((tx) => tx.writeFile('/rev/new', enc('x')))).rejects.toMatchObject({ code: 'EROFS', data: { path: '/rev' } });
  });
});
