// A commit interrupted at any write leaves the pond exactly at its previous version.
import { describe, it, expect } from 'vitest';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPond, MemoryStore, type Pond, type Tx } from '../../../src/core/index.ts';
import { NodeFsStore } from '../../../src/core/storage/node-fs.ts';
import type { StagedPut } from '../../../src/core/storage/object-store.ts';
import { FaultInjectingStore, type FaultMode } from '../../shared/fault-injecting-store.ts';

const enc = (s: string) => new TextEncoder().encode(s);

/** Everything a reader can see: path → type and bytes (or link target). */
async function snapshot(pond: Pond, dir = '/', out: Record<string, string> = {}): Promise<Record<string, string>> {
  for (const e of await pond.readdir(dir)) {
    const p = dir === '/' ? `/${e.name}` : `${dir}/${e.name}`;
    if (e.type === 'directory') {
      out[p] = 'dir';
      await snapshot(pond, p, out);
    } else if (e.type === 'symlink') out[p] = `-> ${await pond.readlink(p)}`;
    else out[p] = `${e.type}:${Buffer.from(await pond.readFile(p)).toString('base64')}`;
  }
  return out;
}

async function base(store: MemoryStore): Promise<Record<string, string>> {
  const pond = await openPond(store);
  await pond.transact(async (tx) => {
    await tx.mkdir('/a');
    await tx.writeFile('/a/old.txt', enc('old'));
    await tx.writeFile('/log', enc('line 1\n'), { type: 'file:series' });
  });
  return snapshot(pond);
}

/** A transaction that writes a large file, files in three partitions, a symlink and a rename. */
async function bigTransaction(tx: Tx): Promise<void> {
  await tx.mkdir('/b/c', { parents: true });
  await tx.writeFile(
    '/b/large.bin',
    new Uint8Array(150_000).map((_, i) => (i * 31) % 256),
  );
  await tx.writeFile('/b/c/small.txt', enc('small'));
  await tx.writeFile('/a/old.txt', enc('new'));
  await tx.writeFile('/log', enc('line 2\n'));
  await tx.symlink('/b/c', '/link');
  await tx.rename('/a/old.txt', '/b/moved.txt');
}

describe('fault injection: every write of a commit', () => {
  it.each<FaultMode>(['error', 'tear', 'quota'])('mode %s: the pond is exactly at N-1 or N, never in between', async (mode) => {
    // Count the write calls of the transaction on a fault-free run, and record the state after it.
    const counting = new FaultInjectingStore(new MemoryStore());
    const before = await base(counting.inner as MemoryStore);
    const pond = await openPond(counting);
    counting.reset();
    await pond.transact(bigTransaction);
    const writes = counting.writes;
    const after = await snapshot(pond);
    expect(writes).toBeGreaterThanOrEqual(5);

    for (let k = 1; k <= writes; k++) {
      const inner = new MemoryStore();
      await base(inner);
      const faulty = new FaultInjectingStore(inner);
      const p = await openPond(faulty);
      faulty.arm({ failAt: k, mode });
      const err = await p.transact(bigTransaction).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, `write ${k} of ${writes} should fail the commit`).toBeDefined();
      if (mode === 'quota') expect(err).toMatchObject({ code: 'EQUOTA' });
      faulty.reset();
      const reopened = await openPond(inner);
      expect(reopened.version, `after a fault at write ${k}`).toBe(1);
      expect(await snapshot(reopened)).toEqual(before);
      // The pond stays writable: the same transaction now commits as version 2 with the full result.
      expect(await reopened.transact(bigTransaction)).toBe(2);
      expect(await snapshot(await openPond(inner))).toEqual(after);
    }
  });

  it('a disk that stays full fails with EQUOTA and keeps the previous version', async () => {
    const inner = new MemoryStore();
    const before = await base(inner);
    const full = new FaultInjectingStore(inner);
    const pond = await openPond(full);
    full.arm({ failAt: 1, mode: 'quota', sticky: true });
    await expect(pond.transact((tx) => tx.writeFile('/x', enc('x')))).rejects.toMatchObject({ code: 'EQUOTA' });
    expect(pond.version).toBe(1);
    expect(await snapshot(pond)).toEqual(before);
  });
});

/** A NodeFsStore whose k-th write, writeNew, stagePut or publish fails (the commit stages its log entry beside its data files). */
class FailingNodeFs extends NodeFsStore {
  calls = 0;
  failAt = 0;
  #step(what: string): void {
    if (++this.calls === this.failAt) throw new Error(`injected failure at ${what}`);
  }
  override async write(key: string, data: Uint8Array): Promise<void> {
    this.#step(`write ${key}`);
    return super.write(key, data);
  }
  override async writeNew(key: string, data: Uint8Array): Promise<void> {
    this.#step(`writeNew ${key}`);
    return super.writeNew(key, data);
  }
  override async stagePut(key: string, data: Uint8Array): Promise<StagedPut> {
    this.#step(`stagePut ${key}`);
    const staged = await super.stagePut(key, data);
    return {
      publish: async () => {
        this.#step(`publish ${key}`);
        return staged.publish();
      },
      discard: () => staged.discard(),
    };
  }
}

describe('fault injection: a log entry staged beside the data files (node-fs)', () => {
  it('a failure at any data write, the staging or the publish leaves the pond at N-1 and nothing staged behind', async () => {
    const root = await mkdtemp(join(tmpdir(), 'duckpond-staged-'));
    try {
      const counting = new FailingNodeFs(join(root, 'count'));
      await base2(counting);
      counting.calls = 0;
      await (await openPond(counting)).transact(bigTransaction);
      const calls = counting.calls;
      expect(calls).toBeGreaterThanOrEqual(4); // the large file, three partitions, the staged entry and its publish
      for (let k = 1; k <= calls; k++) {
        const dir = join(root, `k${k}`);
        const store = new FailingNodeFs(dir);
        const before = await base2(store);
        store.calls = 0;
        store.failAt = k;
        const pond = await openPond(store);
        await expect(pond.transact(bigTransaction), `failure ${k} of ${calls}`).rejects.toThrow(/injected failure/);
        const reopened = await openPond(new NodeFsStore(dir));
        expect(reopened.version, `after failure ${k}`).toBe(1);
        expect(await snapshot(reopened)).toEqual(before);
        expect(await readdir(join(dir, '.duckpond', 'tmp')), `temp files after failure ${k}`).toEqual([]);
        expect(await reopened.transact(bigTransaction)).toBe(2);
      }
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

async function base2(store: NodeFsStore): Promise<Record<string, string>> {
  const pond = await openPond(store);
  await pond.transact(async (tx) => {
    await tx.mkdir('/a');
    await tx.writeFile('/a/old.txt', enc('old'));
    await tx.writeFile('/log', enc('line 1\n'), { type: 'file:series' });
  });
  return snapshot(pond);
}
