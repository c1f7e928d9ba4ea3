// The TinyFS behaviour every persistence must show: run against MemoryPersistence and TLogFS.
import { describe, it, expect, beforeEach } from 'vitest';
import * as arrow from 'apache-arrow';
import type { Pond } from '../../src/core/pond.ts';
import { tableToParquet } from '../../src/core/arrow/parquet.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/** Behaviour suite over a fresh pond from `open`. */
export function pondBehaviour(name: string, open: () => Promise<Pond>): void {
  describe(`pond behaviour: ${name}`, () => {
    let pond: Pond;
    beforeEach(async () => {
      pond = await open();
    });

    describe('directories', () => {
      it('lists entries sorted by name with type and factory', async () => {
        await pond.transact(async (tx) => {
          await tx.mkdir('/b');
          await tx.writeFile('/c.txt', enc('c'));
          await tx.mkdir('/a');
          await tx.symlink('/a', '/z');
        });
        expect(await pond.readdir('/')).toEqual([
          { name: 'a', type: 'directory', factory: 'tlogfs' },
          { name: 'b', type: 'directory', factory: 'tlogfs' },
          { name: 'c.txt', type: 'file:data', factory: 'tlogfs' },
          { name: 'z', type: 'symlink', factory: 'tlogfs' },
        ]);
      });

      it('creates parents on request and refuses missing parents otherwise', async () => {
        await expect(pond.transact((tx) => tx.mkdir('/x/y/z'))).rejects.toMatchObject({ code: 'ENOENT' });
        await pond.transact((tx) => tx.mkdir('/x/y/z', { parents: true }));
        expect((await pond.stat('/x/y/z')).type).toBe('directory');
        await pond.transact((tx) => tx.mkdir('/x/y', { parents: true })); // existing is fine with parents
        await expect(pond.transact((tx) => tx.mkdir('/x/y'))).rejects.toMatchObject({ code: 'EEXIST', data: { path: '/x/y' } });
      });

      it('reports ENOTDIR when a path goes through a file, and ENOENT naming the path', async () => {
        await pond.transact((tx) => tx.writeFile('/f', enc('x')));
        await expect(pond.readdir('/f')).rejects.toMatchObject({ code: 'ENOTDIR' });
        await expect(pond.stat('/f/g')).rejects.toMatchObject({ code: 'ENOTDIR' });
        await expect(pond.transact((tx) => tx.mkdir('/f/g'))).rejects.toMatchObject({ code: 'ENOTDIR' });
        const err = await pond.stat('/nope').catch((e) => e);
        expect(err).toMatchObject({ code: 'ENOENT', data: { path: '/nope' } });
        expect(err.message).toContain('/nope');
      });

      it('removes files, refuses non-empty directories unless recursive', async () => {
        await pond.transact(async (tx) => {
          await tx.mkdir('/d/e', { parents: true });
          await tx.writeFile('/d/e/f', enc('x'));
        });
        await expect(pond.transact((tx) => tx.remove('/d'))).rejects.toMatchObject({ code: 'ENOTEMPTY', data: { path: '/d' } });
        await pond.transact((tx) => tx.remove('/d/e/f'));
        expect(await pond.readdir('/d/e')).toEqual([]);
        await pond.transact((tx) => tx.remove('/d', { recursive: true }));
        expect(await pond.readdir('/')).toEqual([]);
        await expect(pond.transact((tx) => tx.remove('/'))).rejects.toMatchObject({ code: 'EINVAL' });
        await expect(pond.transact((tx) => tx.remove('/missing'))).rejects.toMatchObject({ code: 'ENOENT' });
      });

      it('renames within and across directories, keeping node id and history', async () => {
        await pond.transact(async (tx) => {
          await tx.mkdir('/a');
          await tx.mkdir('/b');
          await tx.writeFile('/a/f', enc('v1'));
        });
        await pond.transact((tx) => tx.writeFile('/a/f', enc('v2')));
        const before = await pond.stat('/a/f');
        await pond.transact((tx) => tx.rename('/a/f', '/b/g'));
        const after = await pond.stat('/b/g');
        expect(after.nodeId).toBe(before.nodeId);
        expect((await pond.versions('/b/g')).map((v) => v.version)).toEqual([1, 2]);
        expect(dec(await pond.readFile('/b/g', { version: 1 }))).toBe('v1');
        expect(await pond.readdir('/a')).toEqual([]);
        await pond.transact((tx) => tx.writeFile('/b/g', enc('v3')));
        expect(dec(await pond.readFile('/b/g'))).toBe('v3');
        await pond.transact((tx) => tx.rename('/b', '/c'));
        expect(dec(await pond.readFile('/c/g'))).toBe('v3');
        await expect(pond.transact((tx) => tx.rename('/c', '/c/inner'))).rejects.toMatchObject({ code: 'EINVAL' });
        await pond.transact((tx) => tx.mkdir('/d'));
        await expect(pond.transact((tx) => tx.rename('/c', '/d'))).rejects.toMatchObject({ code: 'EEXIST' });
        await expect(pond.transact((tx) => tx.rename('/nothing', '/e'))).rejects.toMatchObject({ code: 'ENOENT' });
      });

      it('rejects invalid names with EINVAL', async () => {
        await expect(pond.transact((tx) => tx.writeFile('/a\0b', enc('x')))).rejects.toMatchObject({ code: 'EINVAL' });
        await expect(pond.transact((tx) => tx.writeFile('', enc('x')))).rejects.toMatchObject({ code: 'EINVAL' });
        await expect(pond.transact((tx) => tx.mkdir('/'))).rejects.toMatchObject({ code: 'EEXIST' });
      });
    });

    describe('files', () => {
      it('reads the latest version unless one is asked for', async () => {
        await pond.transact((tx) => tx.writeFile('/f', enc('one')));
        await pond.transact((tx) => tx.writeFile('/f', enc('two')));
        expect(dec(await pond.readFile('/f'))).toBe('two');
        expect(dec(await pond.readFile('/f', { version: 1 }))).toBe('one');
        await expect(pond.readFile('/f', { version: 3 })).rejects.toMatchObject({ code: 'ENOENT', data: { path: '/f' } });
        const vs = await pond.versions('/f');
        expect(vs.map((v) => [v.version, v.size])).toEqual([
          [1, 3],
          [2, 3],
        ]);
        expect(vs[1].txnSeq).toBeGreaterThan(vs[0].txnSeq);
      });

      it('reads a range of a file, of any version, small or large, without more than asked', async () => {
        const big = new Uint8Array(300 * 1024).map((_, i) => (i * 31) % 256);
        await pond.transact(async (tx) => {
          await tx.writeFile('/small', enc('hello world'));
          await tx.writeFile('/big', big);
        });
        await pond.transact((tx) => tx.writeFile('/small', enc('HELLO WORLD')));
        expect(dec(await pond.readRange('/small', 6, 5))).toBe('WORLD');
        expect(dec(await pond.readRange('/small', 6, 5, { version: 1 }))).toBe('world');
        expect(await pond.readRange('/big', 100_000, 70_000)).toEqual(big.slice(100_000, 170_000));
        expect((await pond.readRange('/big', big.length - 3, 10)).length).toBe(3);
        expect((await pond.readRange('/big', big.length + 3, 10)).length).toBe(0);
        await expect(pond.readRange('/nope', 0, 1)).rejects.toMatchObject({ code: 'ENOENT' });
        await expect(pond.readRange('/small', 0, -1)).rejects.toMatchObject({ code: 'EINVAL' });
      });

      it('keeps one version per transaction for data files', async () => {
        await pond.transact(async (tx) => {
          await tx.writeFile('/f', enc('a'));
          await tx.writeFile('/f', enc('b'));
        });
        expect((await pond.versions('/f')).length).toBe(1);
        expect(dec(await pond.readFile('/f'))).toBe('b');
      });

      it('reads a series as all versions concatenated, oldest first', async () => {
        await pond.transact((tx) => tx.writeFile('/log', enc('First line\n'), { type: 'file:series' }));
        await pond.transact((tx) => tx.writeFile('/log', enc('Second line\n')));
        await pond.transact((tx) => tx.writeFile('/log', enc('Third line\n'), { type: 'file:series' }));
        expect(dec(await pond.readFile('/log'))).toBe('First line\nSecond line\nThird line\n');
        expect(dec(await pond.readFile('/log', { version: 2 }))).toBe('Second line\n');
        expect((await pond.stat('/log')).type).toBe('file:series');
        await pond.transact(async (tx) => {
          await tx.writeFile('/log', enc('4\n'));
          await tx.writeFile('/log', enc('5\n'));
        });
        expect((await pond.versions('/log')).length).toBe(5);
      });

      it('stores tables as Parquet and reads them as Arrow, series of tables as their union', async () => {
        const t1 = arrow.tableFromArrays({ x: Int32Array.from([1, 2]) });
        const t2 = arrow.tableFromArrays({ x: Int32Array.from([3]) });
        await expect(pond.transact((tx) => tx.writeFile('/t', enc('not parquet'), { type: 'file:table' }))).rejects.toMatchObject({ code: 'EINVAL' });
        await pond.transact(async (tx) => {
          await tx.writeFile('/t', await tableToParquet(t1), { type: 'file:table' });
          await tx.writeFile('/s', await tableToParquet(t1), { type: 'file:series' });
        });
        await pond.transact(async (tx) => tx.writeFile('/s', await tableToParquet(t2)));
        expect([...(await pond.readTable('/t')).getChild('x')!.toArray()]).toEqual([1, 2]);
        expect([...(await pond.readTable('/s')).getChild('x')!.toArray()]).toEqual([1, 2, 3]);
        await expect(pond.readTable('/')).rejects.toMatchObject({ code: 'EISDIR' });
        await pond.transact((tx) => tx.writeFile('/d', enc('x')));
        await expect(pond.readTable('/d')).rejects.toMatchObject({ code: 'EINVAL' });
        await expect(pond.transact((tx) => tx.writeFile('/t', enc('x'), { type: 'file:data' }))).rejects.toMatchObject({ code: 'EINVAL' });
      });

      it('records the temporal bounds of each series version', async () => {
        const t = (ms: number[]) => arrow.tableFromArrays({ timestamp: ms.map((m) => new Date(m)), v: Float64Array.from(ms.map((_, i) => i)) });
        await pond.transact(async (tx) => tx.writeFile('/temps', await tableToParquet(t([1000, 3000, 2000])), { type: 'file:series' }));
        await pond.transact(async (tx) => tx.writeFile('/temps', await tableToParquet(t([5000, 4000]))));
        const rows = await pond.persistence.loadNode((await pond.stat('/temps')).partId, (await pond.stat('/temps')).nodeId);
        expect(rows.map((r) => [r.minEventTime, r.maxEventTime])).toEqual([
          [1000, 3000],
          [4000, 5000],
        ]);
        expect((await pond.readTable('/temps')).numRows).toBe(5);
      });

      it('refuses to read a directory as a file', async () => {
        await pond.transact((tx) => tx.mkdir('/d'));
        await expect(pond.readFile('/d')).rejects.toMatchObject({ code: 'EISDIR', data: { path: '/d' } });
        await expect(pond.transact((tx) => tx.writeFile('/d', enc('x')))).rejects.toMatchObject({ code: 'EISDIR' });
      });

      it('streams a file', async () => {
        const big = new Uint8Array(200_000).map((_, i) => i % 251);
        await pond.transact((tx) => tx.writeFile('/big', big));
        const chunks: Uint8Array[] = [];
        const reader = pond.createReadStream('/big').getReader();
        for (let r = await reader.read(); !r.done; r = await reader.read()) chunks.push(r.value);
        const joined = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
        let o = 0;
        for (const c of chunks) {
          joined.set(c, o);
          o += c.length;
        }
        expect(joined).toEqual(big);
        expect(await pond.readFile('/big')).toEqual(big);
      });

      it('records sha256 and size, and extended attributes', async () => {
        await pond.transact((tx) => tx.writeFile('/f', enc('abc')));
        const s = await pond.stat('/f');
        expect(s.sha256).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
        expect(s.size).toBe(3);
        expect(s.timestamp).toBeGreaterThan(Date.UTC(2020, 0, 1));
        await pond.transact((tx) => tx.setAttributes('/f', { unit: 'm/s', owner: 'me' }));
        expect((await pond.stat('/f')).attributes).toEqual({ unit: 'm/s', owner: 'me' });
        await pond.transact((tx) => tx.setAttributes('/f', { owner: null }));
        expect((await pond.stat('/f')).attributes).toEqual({ unit: 'm/s' });
        expect(dec(await pond.readFile('/f'))).toBe('abc');
        await pond.transact((tx) => tx.writeFile('/f', enc('new')));
        expect((await pond.stat('/f')).attributes).toEqual({ unit: 'm/s' });
        await pond.transact(async (tx) => {
          await tx.mkdir('/d');
          await tx.setAttributes('/d', { kind: 'station' });
        });
        expect((await pond.stat('/d')).attributes).toEqual({ kind: 'station' });
      });
    });

    describe('symlinks', () => {
      beforeEach(async () => {
        await pond.transact(async (tx) => {
          await tx.mkdir('/data/raw', { parents: true });
          await tx.writeFile('/data/raw/a.txt', enc('A'));
          await tx.symlink('/data/raw', '/abs');
          await tx.symlink('raw/a.txt', '/data/rel');
          await tx.symlink('../data/raw', '/data/raw/../up'); // '/data/up' -> '/data/raw'
        });
      });

      it('follows absolute and relative targets for reading and listing', async () => {
        expect(await pond.readlink('/abs')).toBe('/data/raw');
        expect(await pond.readlink('/data/rel')).toBe('raw/a.txt');
        expect(dec(await pond.readFile('/data/rel'))).toBe('A');
        expect(dec(await pond.readFile('/abs/a.txt'))).toBe('A');
        expect((await pond.readdir('/abs')).map((e) => e.name)).toEqual(['a.txt']);
        expect((await pond.readdir('/data/up')).map((e) => e.name)).toEqual(['a.txt']);
        expect((await pond.stat('/abs', { follow: false })).type).toBe('symlink');
        expect((await pond.stat('/abs')).type).toBe('directory');
        await expect(pond.readlink('/data')).rejects.toMatchObject({ code: 'EINVAL' });
      });

      it('detects loops after more than 10 hops, and dangling links', async () => {
        await pond.transact(async (tx) => {
          await tx.symlink('/loop2', '/loop1');
          await tx.symlink('/loop1', '/loop2');
          for (let i = 0; i < 11; i++) await tx.symlink(`/chain${i + 1}`, `/chain${i}`);
          await tx.writeFile('/chain11', enc('end'));
          await tx.symlink('/nowhere', '/dangling');
        });
        await expect(pond.readFile('/loop1')).rejects.toMatchObject({ code: 'ELOOP' });
        await expect(pond.readFile('/chain0')).rejects.toMatchObject({ code: 'ELOOP' }); // 11 hops
        expect(dec(await pond.readFile('/chain1'))).toBe('end'); // 10 hops
        await expect(pond.readFile('/dangling')).rejects.toMatchObject({ code: 'ENOENT' });
        expect(await pond.readlink('/dangling')).toBe('/nowhere');
      });

      it('writes through a symlink to its target', async () => {
        await pond.transact((tx) => tx.writeFile('/data/rel', enc('B')));
        expect(dec(await pond.readFile('/data/raw/a.txt'))).toBe('B');
        expect((await pond.stat('/data/rel', { follow: false })).type).toBe('symlink');
      });
    });

    describe('glob', () => {
      it('captures each * and each directory a ** passes, following symlinks', async () => {
        await pond.transact(async (tx) => {
          await tx.mkdir('/a/b/c', { parents: true });
          await tx.writeFile('/a/b/c/file4.txt', enc('4'));
          await tx.writeFile('/file.txt', enc('0'));
          await tx.writeFile('/a/data-2024-01.csv', enc('x'));
          await tx.symlink('/a/b', '/link');
          await tx.symlink('/nowhere', '/dangling.txt');
        });
        const all = await pond.glob('/**/*.txt');
        expect(all.find((m) => m.path === '/a/b/c/file4.txt')!.captures).toEqual(['a', 'b', 'c', 'file4']);
        expect(all.find((m) => m.path === '/file.txt')!.captures).toEqual(['file']);
        expect(all.find((m) => m.path === '/link/c/file4.txt')!.captures).toEqual(['link', 'c', 'file4']);
        expect(all.find((m) => m.path === '/dangling.txt')!.type).toBe('symlink');
        expect(await pond.glob('/a/data-*-*.csv')).toEqual([{ path: '/a/data-2024-01.csv', captures: ['2024', '01'], type: 'file:data' }]);
        expect(await pond.glob('/nothing/*')).toEqual([]);
        await expect(pond.glob('/a/[')).rejects.toMatchObject({ code: 'EINVAL' });
      });
    });

    describe('transactions', () => {
      it('apply all or nothing', async () => {
        await pond.transact((tx) => tx.writeFile('/keep', enc('1')));
        const v = pond.version;
        await expect(
          pond.transact(async (tx) => {
            await tx.writeFile('/keep', enc('2'));
            await tx.mkdir('/new');
            throw new Error('boom');
          }),
        ).rejects.toThrow('boom');
        expect(pond.version).toBe(v);
        expect(dec(await pond.readFile('/keep'))).toBe('1');
        await expect(pond.stat('/new')).rejects.toMatchObject({ code: 'ENOENT' });
      });

      it('see their own writes before commit', async () => {
        await pond.transact(async (tx) => {
          await tx.mkdir('/a');
          await tx.writeFile('/a/f', enc('x'));
          await tx.rename('/a/f', '/a/g');
          await tx.mkdir('/a/h/i', { parents: true });
          await tx.rename('/a', '/b');
        });
        expect((await pond.readdir('/b')).map((e) => e.name)).toEqual(['g', 'h']);
        expect(dec(await pond.readFile('/b/g'))).toBe('x');
      });

      it('commit nothing when nothing changes, and number commits from 1', async () => {
        expect(pond.version).toBe(0);
        const v = await pond.transact(async () => {});
        expect(v).toBe(0);
        expect(await pond.transact((tx) => tx.mkdir('/a'))).toBe(1);
        expect(await pond.transact((tx) => tx.mkdir('/a', { parents: true }))).toBe(1);
        expect(pond.version).toBe(1);
      });

      it('list history newest first with messages', async () => {
        await pond.transact((tx) => tx.mkdir('/a'), { message: 'first' });
        await pond.transact((tx) => tx.mkdir('/b'));
        const h = await pond.history();
        expect(h.map((x) => x.txnSeq)).toEqual([2, 1, 0]);
        expect(h[1].message).toBe('first');
        expect(h[0].message).toContain('mkdir /b');
        expect(h[0].timestamp).toBeGreaterThan(0);
      });

      it('refuse use after the callback returns', async () => {
        let saved: Parameters<Parameters<Pond['transact']>[0]>[0] | undefined;
        await pond.transact((tx) => {
          saved = tx;
        });
        await expect(saved!.mkdir('/late')).rejects.toMatchObject({ code: 'EINVAL' });
      });

      it('reject everything after close', async () => {
        await pond.close();
        await expect(pond.readdir('/')).rejects.toMatchObject({ code: 'ECLOSED' });
      });
    });
  });
}
