import { describe, it, expect } from 'vitest';
import { defaultRegistry } from '../../../src/core/index.ts';
import { openDynamic, dec, upperFactory } from './fixtures.ts';

/** Fail instead of hanging: a cycle must be reported, never waited on. */
function within<T>(p: Promise<T>, ms = 5_000): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`still waiting after ${ms} ms`)), ms))]);
}

describe('cycles between dynamic nodes', () => {
  it('a → b → a is ELOOP naming the cycle', async () => {
    const { pond } = await openDynamic(defaultRegistry().register(upperFactory()));
    await pond.transact(async (tx) => {
      await tx.mknod('/a', 'upper', { source: '/b' });
      await tx.mknod('/b', 'upper', { source: '/a' });
    });
    const err = await within(pond.readFile('/a').catch((e) => e));
    expect(err).toMatchObject({ code: 'ELOOP', data: { path: '/a' } });
    expect(err.message).toContain('/a → /b → /a');
    const errB = await within(pond.readFile('/b').catch((e) => e));
    expect(errB).toMatchObject({ code: 'ELOOP', data: { path: '/b' } });
    expect(errB.message).toMatch(/\/a → \/b → \/a|\/b → \/a → \/b/);
  });

  it('a node reading itself is ELOOP', async () => {
    const { pond } = await openDynamic(defaultRegistry().register(upperFactory()));
    await pond.transact((tx) => tx.mknod('/self', 'upper', { source: '/self' }));
    const err = await within(pond.readFile('/self').catch((e) => e));
    expect(err).toMatchObject({ code: 'ELOOP' });
    expect(err.message).toContain('/self → /self');
  });

  it('concurrent reads entering a cycle from both ends fail instead of waiting on each other', async () => {
    const state = { computes: 0, delayMs: 30 };
    const { pond } = await openDynamic(defaultRegistry().register(upperFactory(state)));
    await pond.transact(async (tx) => {
      await tx.mknod('/a', 'upper', { source: '/b' });
      await tx.mknod('/b', 'upper', { source: '/c' });
      await tx.mknod('/c', 'upper', { source: '/a' });
    });
    const results = await within(Promise.allSettled([pond.readFile('/a'), pond.readFile('/b'), pond.readFile('/c')]));
    for (const r of results) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'ELOOP' });
      expect((r as PromiseRejectedResult).reason.message).toMatch(/→ .* → .* → /);
    }
  });

  it('a cycle through SQL and a directory is found too', async () => {
    const { pond } = await openDynamic();
    await pond.transact(async (tx) => {
      await tx.mknod('/view', 'directory', { pattern: '/q*' });
      await tx.mknod('/q', 'combine', { file_patterns: ['/view/*'] });
    });
    const err = await within(pond.readTable('/q').catch((e) => e));
    expect(err).toMatchObject({ code: 'ELOOP' });
  });

  it('a diamond (two paths to one input) is not a cycle', async () => {
    const { pond } = await openDynamic(defaultRegistry().register(upperFactory()));
    await pond.transact(async (tx) => {
      await tx.mknod('/base', 'template', { template: 'b' });
      await tx.mknod('/left', 'upper', { source: '/base' });
      await tx.mknod('/right', 'upper', { source: '/base' });
      await tx.mknod('/top', 'template', { template: '{{ read("/left") }}{{ read("/right") }}' });
    });
    expect(dec(await within(pond.readFile('/top')))).toBe('BB');
  });
});
