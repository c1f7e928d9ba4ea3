import { describe, it, expect } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPond, MemoryStore } from '../../../src/core/index.ts';
import { NodeFsStore } from '../../../src/core/storage/node-fs.ts';
import type { ObjectStore } from '../../../src/core/storage/object-store.ts';

const enc = (s: string) => new TextEncoder().encode(s);

async function withStores(fn: (make: () => ObjectStore) => Promise<void>): Promise<void> {
  const shared = new MemoryStore();
  await fn(() => shared);
  const dir = await mkdtemp(join(tmpdir(), 'pond-conc-'));
  try {
    await fn(() => new NodeFsStore(dir)); // separate store objects on one folder, as two processes would have
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('two writers on one pond', () => {
  it('serialize: every transaction lands, none lost or interleaved', async () => {
    await withStores(async (make) => {
      const a = await openPond(make());
      const b = await openPond(make());
      const writes = [];
      for (let i = 0; i < 10; i++) {
        writes.push(a.transact((tx) => tx.writeFile(`/a${i}`, enc(`a${i}`))));
        writes.push(b.transact((tx) => tx.writeFile(`/b${i}`, enc(`b${i}`))));
      }
      const seqs = await Promise.all(writes);
      expect([...seqs].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      const fresh = await openPond(make());
      expect(fresh.version).toBe(20);
      expect((await fresh.readdir('/')).length).toBe(20);
      await b.refresh();
      expect(b.version).toBe(20);
      expect(new TextDecoder().decode(await b.readFile('/a9'))).toBe('a9');
    });
  });

  it('overlapping refreshes (a tab notice during a catch-up) apply each commit once', async () => {
    // Found by two browser tabs committing 50 times each: the second refresh applied a commit
    // that the first had applied, shifting every later version, and files went missing.
    const store = new MemoryStore();
    const a = await openPond(store, { create: true });
    const b = await openPond(store, { create: false });
    for (let i = 0; i < 4; i++) {
      await b.transact(async (tx) => {
        await tx.mkdir('/b', { parents: true });
        await tx.writeFile(`/b/${i}`, new TextEncoder().encode(`b${i}`));
      });
    }
    const moved = await Promise.all([a.refresh(), a.refresh(), a.refresh()]);
    expect(moved.some(Boolean)).toBe(true);
    expect(a.version).toBe(b.version);
    // A write on top (its own catch-up overlapping another notice) lands on the right version.
    const [v] = await Promise.all([a.transact((tx) => tx.writeFile('/b/a', new TextEncoder().encode('a'))), a.refresh()]);
    expect(v).toBe(b.version + 1);
    for (let i = 0; i < 4; i++) expect(new TextDecoder().decode(await a.readFile(`/b/${i}`))).toBe(`b${i}`);
    expect((await a.readdir('/b')).map((e) => e.name)).toEqual(['0', '1', '2', '3', 'a']);
    const fresh = await openPond(store, { create: false });
    expect((await fresh.readdir('/b')).map((e) => e.name)).toEqual(['0', '1', '2', '3', 'a']);
    await Promise.all([a.close(), b.close(), fresh.close()]);
  });

  it('a stale handle catches up before writing, so no update is lost', async () => {
    await withStores(async (make) => {
      const a = await openPond(make());
      const b = await openPond(make());
      await a.transact((tx) => tx.mkdir('/from-a'));
      expect(b.version).toBe(0); // b has not looked yet
      await b.transact((tx) => tx.mkdir('/from-b'));
      expect((await b.readdir('/')).map((e) => e.name)).toEqual(['from-a', 'from-b']);
      await a.refresh();
      expect((await a.readdir('/')).map((e) => e.name)).toEqual(['from-a', 'from-b']);
    });
  });

  it('a writer that will not wait fails with ECONFLICT while another holds the pond', async () => {
    await withStores(async (make) => {
      const a = await openPond(make());
      const b = await openPond(make());
      let release!: () => void;
      const holding = a.transact(async (tx) => {
        await tx.mkdir('/slow');
        await new Promise<void>((r) => (release = r));
      });
      await new Promise((r) => setTimeout(r, 50));
      await expect(b.transact((tx) => tx.mkdir('/x'), { wait: false })).rejects.toMatchObject({ code: 'ECONFLICT' });
      release();
      await holding;
      expect(await b.transact((tx) => tx.mkdir('/x'))).toBe(2);
    });
  });
});
