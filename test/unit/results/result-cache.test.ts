// The persistent result cache (`_results/`): a reopen reads stored results instead of computing,
// keyed by content (never stale, never another copy's), verified on read, LRU within its cap,
// written only where the store and the handle are writable.
import { describe, it, expect } from 'vitest';
import { z } from 'zod';
import {
  MemoryStore,
  ResultStore,
  defaultRegistry,
  defineFactory,
  openPond,
  type FactoryContext,
  type ObjectStore,
  type Pond,
  type ResultStoreOptions,
} from '../../../src/core/index.ts';
import { DelegatingStore } from '../../shared/delegating-store.ts';
import { dec, enc, openDynamic, upperFactory } from '../dynamic/fixtures.ts';

/** `cat`: the files a glob matches, joined, in path order (a glob input). */
function catFactory(state: { computes: number }) {
  return defineFactory({
    name: 'cat',
    description: 'test: joins the files a pattern matches',
    produces: 'file:data',
    schema: z.object({ pattern: z.string() }).strict(),
    async compute(ctx: FactoryContext, config) {
      state.computes++;
      const parts: string[] = [];
      for (const m of await ctx.glob(config.pattern)) parts.push(await ctx.readText(m.path));
      return parts.join('|');
    },
  });
}

function registry(state: { computes: number }) {
  const r = defaultRegistry();
  r.register(upperFactory(state));
  r.register(catFactory(state));
  return r;
}

/** Open `store` with a fresh resolver (a reload: nothing in memory) that keeps results in the store. */
async function open(store: ObjectStore, options: ResultStoreOptions & { asOf?: number } = {}) {
  const state = { computes: 0 };
  const { pond, resolver } = await openDynamic(registry(state), { results: new ResultStore(store, options) }, store as MemoryStore);
  return { pond, resolver, state };
}

async function seed(store: ObjectStore, text = 'hello'): Promise<void> {
  const { pond } = await open(store);
  await pond.transact(async (tx) => {
    await tx.mkdir('/d');
    await tx.writeFile('/d/a.txt', enc(text));
    await tx.mknod('/up', 'upper', { source: '/d/a.txt' });
    await tx.mknod('/up2', 'upper', { source: '/up' });
    await tx.mknod('/all', 'cat', { pattern: '/d/*.txt' });
  });
  await pond.close();
}

const resultKeys = async (store: ObjectStore) => (await store.list('_results/')).filter((k) => /^_results\/[0-9a-f]{64}$/.test(k));

async function copyStore(from: ObjectStore, to: ObjectStore, filter: (k: string) => boolean = () => true): Promise<void> {
  for (const k of await from.list('')) if (filter(k)) await to.write(k, await from.read(k));
}

const read = async (pond: Pond, path: string) => dec(await pond.readFile(path));

describe('stored results', () => {
  it('a reopen reads the stored result instead of computing, for a dynamic chain too', async () => {
    const store = new MemoryStore();
    await seed(store);
    const first = await open(store);
    expect(await read(first.pond, '/up2')).toBe('HELLO');
    expect(await read(first.pond, '/all')).toBe('hello');
    expect(first.state.computes).toBe(3);
    await first.pond.close();
    expect(await resultKeys(store)).toHaveLength(3);

    const again = await open(store);
    expect(await read(again.pond, '/up2')).toBe('HELLO');
    expect(await read(again.pond, '/all')).toBe('hello');
    expect(await read(again.pond, '/up')).toBe('HELLO');
    expect(again.state.computes).toBe(0);
    expect(again.resolver.computeCount).toBe(0);
    expect(again.resolver.restoredCount).toBe(3);
  });

  it('is never stale: a changed input, a new glob match, a changed config each recompute on the next open', async () => {
    const store = new MemoryStore();
    await seed(store);
    const a = await open(store);
    await read(a.pond, '/up2');
    await read(a.pond, '/all');
    await a.pond.close();

    const b = await open(store);
    await b.pond.transact((tx) => tx.writeFile('/d/a.txt', enc('changed')));
    await b.pond.close();
    const c = await open(store);
    expect(await read(c.pond, '/up2')).toBe('CHANGED');
    expect(c.state.computes).toBe(2);
    await c.pond.transact((tx) => tx.writeFile('/d/b.txt', enc('new')));
    await c.pond.close();

    const d = await open(store);
    expect(await read(d.pond, '/all')).toBe('changed|new');
    expect(await read(d.pond, '/up2')).toBe('CHANGED');
    expect(d.state.computes).toBe(1);
    await d.pond.transact((tx) => tx.mknod('/up', 'upper', { source: '/d/b.txt' }));
    await d.pond.close();

    const e = await open(store);
    expect(await read(e.pond, '/up2')).toBe('NEW');
    expect(e.state.computes).toBe(2);
    await e.pond.close();
  });

  it('is keyed by content: a copy at the same node ids and versions but other content never gets the first copy results', async () => {
    const original = new MemoryStore();
    await seed(original);
    const copy = new MemoryStore();
    await copyStore(original, copy);
    // Both copies reach version 2 of /d/a.txt, with different content.
    for (const [store, text] of [
      [original, 'mine'],
      [copy, 'yours'],
    ] as const) {
      const { pond } = await open(store);
      await pond.transact((tx) => tx.writeFile('/d/a.txt', enc(text)));
      expect(await read(pond, '/up2')).toBe(text.toUpperCase());
      await pond.close();
    }
    expect((await openPond(original)).version).toBe((await openPond(copy)).version);
    // The copy receives the original's results (as a copy of a copy would): they are not its content.
    await copyStore(original, copy, (k) => k.startsWith('_results/'));
    const c = await open(copy);
    expect(await read(c.pond, '/up2')).toBe('YOURS');
    expect(c.state.computes).toBe(2);
  });

  it('a damaged or cut-short entry is recomputed, never served, and replaced', async () => {
    const store = new MemoryStore();
    await seed(store);
    const a = await open(store);
    await read(a.pond, '/up');
    await a.pond.close();
    const [key] = await resultKeys(store);
    const good = await store.read(key);
    for (const damage of [
      (b: Uint8Array) => b.slice(0, b.length - 10),
      (b: Uint8Array) => {
        const c = b.slice();
        // A byte of the body ("HELLO" sits just before the 32-byte seal).
        c[c.length - 33] ^= 0x20;
        return c;
      },
    ]) {
      await store.write(key, damage(good));
      const b = await open(store);
      expect(await read(b.pond, '/up')).toBe('HELLO');
      expect(b.state.computes).toBe(1);
      expect(b.resolver.resultStats?.damaged).toBe(1);
      await b.pond.close();
      expect(await store.read(key)).toEqual(good);
    }
  });

  it('a read-only store (a published pond) reads shipped results and writes nothing', async () => {
    const store = new MemoryStore();
    await seed(store);
    const a = await open(store);
    await read(a.pond, '/up2');
    await a.pond.close();
    // A read-only store over the same objects, with one input changed underneath: that one recomputes.
    const writes: string[] = [];
    class ReadOnly extends DelegatingStore {
      override readonly writable = false;
      override write(key: string, data: Uint8Array): Promise<void> {
        writes.push(key);
        return super.write(key, data);
      }
    }
    const published = await open(new ReadOnly(store, 'ro'));
    expect(await read(published.pond, '/up2')).toBe('HELLO');
    expect(await read(published.pond, '/all')).toBe('hello');
    expect(published.state.computes).toBe(1);
    await published.pond.close();
    expect(writes).toEqual([]);
  });

  it('time travel reads stored results and writes none', async () => {
    const store = new MemoryStore();
    await seed(store);
    const v = (await openPond(store)).version;
    const b = await open(store);
    await b.pond.transact((tx) => tx.writeFile('/d/a.txt', enc('later')));
    await b.pond.close();
    const before = await resultKeys(store);
    const state = { computes: 0 };
    const old = await openPond(store, { asOf: v, registry: registry(state) });
    expect(dec(await old.readFile('/up'))).toBe('HELLO');
    await old.close();
    expect(await resultKeys(store)).toEqual(before);
    expect(state.computes).toBe(1);
  });

  it('is size-capped: least recently used entries are evicted first, and a read counts as a use', async () => {
    const store = new MemoryStore();
    const { pond } = await open(store);
    await pond.transact(async (tx) => {
      for (let i = 0; i < 6; i++) {
        await tx.writeFile(`/s${i}.txt`, enc(`text ${i} `.repeat(40)));
        await tx.mknod(`/u${i}`, 'upper', { source: `/s${i}.txt` });
      }
    });
    await pond.close();
    const sizeOne = async () => {
      const k = await resultKeys(store);
      return (await store.size(k[0])) as number;
    };
    const a = await open(store);
    await read(a.pond, '/u0');
    await a.pond.close();
    const one = await sizeOne();
    // Room for four entries (an entry may take a quarter of the cap).
    const cap = one * 4 + 10;
    const b = await open(store, { capBytes: cap });
    for (const i of [1, 2]) await read(b.pond, `/u${i}`);
    await b.pond.close();
    // u0 is the oldest; reading it again (from the store) makes u1 the oldest.
    const c = await open(store, { capBytes: cap });
    await read(c.pond, '/u0');
    expect(c.state.computes).toBe(0);
    await read(c.pond, '/u3');
    await read(c.pond, '/u4');
    await c.pond.close();
    expect(await resultKeys(store)).toHaveLength(4);
    const d = await open(store, { capBytes: cap });
    for (const i of [0, 2, 3, 4]) await read(d.pond, `/u${i}`);
    expect(d.state.computes).toBe(0);
    await read(d.pond, '/u1');
    expect(d.state.computes).toBe(1);
    await d.pond.close();
    let total = 0;
    for (const k of await store.list('_results/')) total += (await store.size(k)) ?? 0;
    expect((await resultKeys(store)).length).toBe(4);
    expect(total - ((await store.size('_results/lru.json')) ?? 0)).toBeLessThanOrEqual(cap);
  });

  it('does not store the results of a factory that is not deterministic', async () => {
    const store = new MemoryStore();
    const { pond } = await open(store);
    await pond.transact((tx) => tx.mknod('/noise', 'scribble', { schema: { k: 'integer' }, row_count: 3 }));
    await pond.readFile('/noise');
    await pond.close();
    expect(await resultKeys(store)).toEqual([]);
  });

  it('keeps its cap whatever sizes a forged access record claims (an imported pond controls lru.json)', async () => {
    const store = new MemoryStore();
    const forged = { format: 'duckpond-results-lru', version: 1, clock: 0, entries: { ['f'.repeat(64)]: [-1e12, 1] } };
    await store.write('_results/lru.json', enc(JSON.stringify(forged)));
    const cap = 4000;
    const results = new ResultStore(store, { capBytes: cap });
    for (let i = 0; i < 12; i++) {
      const header = {
        format: 'duckpond-result/1' as const,
        key: 'a'.repeat(64),
        factory: 'upper',
        path: `/u${i}`,
        config: '{}',
        type: 'file:data' as const,
        inputs: [],
      };
      results.write(i.toString(16).padStart(64, '0'), header, () => Promise.resolve(new Uint8Array(500)));
    }
    await results.flush();
    let total = 0;
    for (const k of await resultKeys(store)) total += (await store.size(k)) ?? 0;
    expect(results.stats.written).toBe(12);
    expect(results.stats.evicted).toBeGreaterThan(0);
    expect(total).toBeLessThanOrEqual(cap);
  });
});
