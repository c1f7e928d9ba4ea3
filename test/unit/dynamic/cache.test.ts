import { describe, it, expect } from 'vitest';
import { z } from 'zod';
import { defaultRegistry, defineFactory, FactoryRegistry } from '../../../src/core/index.ts';
import { LruCache } from '../../../src/core/dynamic/cache.ts';
import { openDynamic, enc, dec, upperFactory, manualClock } from './fixtures.ts';

describe('result cache', () => {
  it('reads again without recomputing while nothing changed, even across unrelated commits', async () => {
    const state = { computes: 0 };
    const { pond, resolver } = await openDynamic(defaultRegistry().register(upperFactory(state)));
    await pond.transact(async (tx) => {
      await tx.writeFile('/a.txt', enc('abc'));
      await tx.mknod('/A', 'upper', { source: '/a.txt' });
    });
    expect(dec(await pond.readFile('/A'))).toBe('ABC');
    expect(dec(await pond.readFile('/A'))).toBe('ABC');
    await pond.stat('/A');
    await pond.transact((tx) => tx.writeFile('/unrelated.txt', enc('zzz')));
    expect(dec(await pond.readFile('/A'))).toBe('ABC');
    expect(state.computes).toBe(1);
    expect(resolver.computeCount).toBe(1);
  });

  it('a write to an input makes the next read recompute', async () => {
    const state = { computes: 0 };
    const { pond } = await openDynamic(defaultRegistry().register(upperFactory(state)));
    await pond.transact(async (tx) => {
      await tx.writeFile('/a.txt', enc('one'));
      await tx.mknod('/A', 'upper', { source: '/a.txt' });
    });
    expect(dec(await pond.readFile('/A'))).toBe('ONE');
    await pond.transact((tx) => tx.writeFile('/a.txt', enc('two')));
    expect(dec(await pond.readFile('/A'))).toBe('TWO');
    expect(state.computes).toBe(2);
    // Replacing the input with a different node at the same path counts too.
    await pond.transact(async (tx) => {
      await tx.remove('/a.txt');
      await tx.writeFile('/a.txt', enc('three'));
    });
    expect(dec(await pond.readFile('/A'))).toBe('THREE');
    expect(state.computes).toBe(3);
  });

  it('an input that did not exist is recorded too: creating it recomputes', async () => {
    const state = { computes: 0 };
    const { pond } = await openDynamic(defaultRegistry().register(upperFactory(state)), { failureTtlMs: 60_000 });
    await pond.transact((tx) => tx.mknod('/A', 'upper', { source: '/later.txt' }));
    await expect(pond.readFile('/A')).rejects.toMatchObject({ code: 'EFACTORY' });
    await pond.transact((tx) => tx.writeFile('/later.txt', enc('here')));
    expect(dec(await pond.readFile('/A'))).toBe('HERE');
    expect(state.computes).toBe(2);
  });

  it('a chain of dynamic nodes recomputes from the changed input up, and only then', async () => {
    const state = { computes: 0 };
    const { pond } = await openDynamic(defaultRegistry().register(upperFactory(state)));
    await pond.transact(async (tx) => {
      await tx.writeFile('/base', enc('base'));
      await tx.mknod('/one', 'upper', { source: '/base' });
      await tx.mknod('/two', 'upper', { source: '/one' });
      await tx.mknod('/three', 'template', { template: '[{{ read("/two") }}]' });
    });
    expect(dec(await pond.readFile('/three'))).toBe('[BASE]');
    expect(state.computes).toBe(2);
    await pond.transact((tx) => tx.writeFile('/other', enc('x')));
    expect(dec(await pond.readFile('/three'))).toBe('[BASE]');
    expect(state.computes).toBe(2);
    await pond.transact((tx) => tx.writeFile('/base', enc('next')));
    expect(dec(await pond.readFile('/three'))).toBe('[NEXT]');
    expect(state.computes).toBe(4);
  });

  it('concurrent reads of one node compute once', async () => {
    const state = { computes: 0, delayMs: 50 };
    const { pond } = await openDynamic(defaultRegistry().register(upperFactory(state)));
    await pond.transact(async (tx) => {
      await tx.writeFile('/a', enc('same'));
      await tx.mknod('/A', 'upper', { source: '/a' });
    });
    const results = await Promise.all([
      pond.readFile('/A'),
      pond.readFile('/A'),
      pond.stat('/A'),
      pond.readFile('/A'),
      pond.createReadStream('/A').getReader().read(),
    ]);
    expect(dec(results[0] as Uint8Array)).toBe('SAME');
    expect(state.computes).toBe(1);
  });

  it('failures are remembered briefly, then retried', async () => {
    const clock = manualClock();
    const state = { computes: 0, fail: 'flaky' };
    const { pond } = await openDynamic(defaultRegistry().register(upperFactory(state)), { now: clock.now, failureTtlMs: 1_000 });
    await pond.transact(async (tx) => {
      await tx.writeFile('/a', enc('ok'));
      await tx.mknod('/A', 'upper', { source: '/a' });
    });
    await expect(pond.readFile('/A')).rejects.toThrow(/flaky/);
    await expect(pond.readFile('/A')).rejects.toThrow(/flaky/);
    expect(state.computes).toBe(1);
    state.fail = '';
    clock.advance(999);
    await expect(pond.readFile('/A')).rejects.toThrow(/flaky/);
    clock.advance(2);
    expect(dec(await pond.readFile('/A'))).toBe('OK');
    expect(state.computes).toBe(2);
  });

  it('non-deterministic results expire after the TTL; deterministic ones never do', async () => {
    const clock = manualClock();
    const { pond, resolver } = await openDynamic(defaultRegistry(), { now: clock.now, ttlMs: 10_000 });
    await pond.transact(async (tx) => {
      await tx.mknod('/random', 'scribble', { schema: { x: 'float' }, row_count: 5 });
      await tx.mknod('/seeded', 'scribble', { schema: { x: 'float' }, row_count: 5, seed: 9 });
    });
    const r1 = await pond.readFile('/random');
    const s1 = await pond.readFile('/seeded');
    clock.advance(9_000);
    expect(await pond.readFile('/random')).toEqual(r1);
    expect(resolver.computeCount).toBe(2);
    clock.advance(2_000);
    const r2 = await pond.readFile('/random');
    expect(r2).not.toEqual(r1);
    expect(await pond.readFile('/seeded')).toEqual(s1);
    expect(resolver.computeCount).toBe(3);
  });

  it('a result built on an expiring one expires with it', async () => {
    const clock = manualClock();
    const { pond, resolver } = await openDynamic(defaultRegistry(), { now: clock.now, ttlMs: 10_000 });
    await pond.transact(async (tx) => {
      await tx.mknod('/random', 'scribble', { schema: { x: 'float' }, row_count: 5 });
      await tx.mknod('/copy', 'combine', { file_patterns: ['/random'] });
    });
    const c1 = await pond.readTable('/copy');
    expect(resolver.computeCount).toBe(2);
    clock.advance(11_000);
    const c2 = await pond.readTable('/copy');
    expect(resolver.computeCount).toBe(4);
    expect(c2.getChild('x')?.get(0)).not.toBe(c1.getChild('x')?.get(0));
  });

  it('holds results within its byte budget, evicting the least recently used', async () => {
    const big = defineFactory({
      name: 'big',
      description: 'test',
      produces: 'file:data',
      schema: z.object({ fill: z.number().int() }),
      compute: (_ctx, c) => new Uint8Array(10_000).fill(c.fill),
    });
    const { pond, resolver } = await openDynamic(new FactoryRegistry().register(big), { budgetBytes: 25_000 });
    await pond.transact(async (tx) => {
      for (let i = 1; i <= 3; i++) await tx.mknod(`/b${i}`, 'big', { fill: i });
    });
    await pond.readFile('/b1');
    await pond.readFile('/b2');
    await pond.readFile('/b1'); // b1 is now the most recent, b2 the least
    expect(resolver.computeCount).toBe(2);
    await pond.readFile('/b3'); // evicts b2
    expect(resolver.cacheStats.bytes).toBeLessThanOrEqual(25_000);
    expect(resolver.cacheStats.entries).toBe(2);
    await pond.readFile('/b1');
    expect(resolver.computeCount).toBe(3);
    await pond.readFile('/b2');
    expect(resolver.computeCount).toBe(4);
  });
});

describe('LruCache', () => {
  it('evicts in least-recently-used order and never keeps a value bigger than the budget', () => {
    const c = new LruCache<{ bytes: number }>(10);
    c.set('a', { bytes: 4 });
    c.set('b', { bytes: 4 });
    c.get('a');
    c.set('c', { bytes: 4 });
    expect(c.keys()).toEqual(['a', 'c']);
    expect(c.set('huge', { bytes: 11 })).toBe(false);
    expect(c.keys()).toEqual(['a', 'c']);
    c.resize('a', 7);
    expect(c.keys()).toEqual(['a']);
    expect(c.bytes).toBe(7);
  });
});

describe('decoded input tables', () => {
  it('a stored table is decoded once per version, however many computations read it', async () => {
    const { parquet, ints } = await import('./fixtures.ts');
    const { pond, resolver } = await openDynamic();
    await pond.transact(async (tx) => {
      await tx.writeFile('/a.parquet', await parquet({ n: ints([1, 2]) }), { type: 'file:table' });
      await tx.writeFile('/b.parquet', await parquet({ n: ints([3]) }), { type: 'file:table' });
      await tx.mknod('/ab', 'combine', { file_patterns: ['/*.parquet'] });
      await tx.mknod('/a-only', 'combine', { file_patterns: ['/a.parquet'] });
    });
    await pond.readTable('/ab');
    await pond.readTable('/a-only');
    expect(resolver.cacheStats.inputTables).toBe(2);
    await pond.transact(async (tx) => tx.writeFile('/b.parquet', await parquet({ n: ints([4, 5]) })));
    expect([...(await pond.readTable('/ab')).getChild('n')!].map(Number)).toEqual([1, 2, 4, 5]);
    // Only the new version of b was decoded.
    expect(resolver.cacheStats.inputTables).toBe(3);
  });
});
