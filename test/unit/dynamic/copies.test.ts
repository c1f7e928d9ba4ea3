// Result bytes on the read path: copied once between the cache and the reader, never handed out shared.
import { describe, it, expect, afterEach } from 'vitest';
import { z } from 'zod';
import { defaultRegistry, defineFactory, type FactoryContext } from '../../../src/core/index.ts';
import { Reading } from '../../../workers/service/reading.ts';
import type { ServiceContext } from '../../../workers/service/context.ts';
import { openDynamic, enc, dec, upperFactory } from './fixtures.ts';

const SCRIBBLE = { schema: { site: 'string', v: 'float', n: 'integer' }, row_count: 5_000, seed: 1 };

/** Count the bytes Uint8Array.slice and .set copy while `fn` runs. */
async function bytesCopied(fn: () => Promise<unknown>): Promise<number> {
  const { slice, set } = Uint8Array.prototype;
  let n = 0;
  Uint8Array.prototype.slice = function (this: Uint8Array, a?: number, b?: number) {
    const r = slice.call(this, a, b);
    n += r.byteLength;
    return r;
  } as typeof slice;
  Uint8Array.prototype.set = function (this: Uint8Array, src: ArrayLike<number>, off?: number) {
    n += src.length;
    return set.call(this, src, off);
  } as typeof set;
  try {
    await fn();
  } finally {
    Uint8Array.prototype.slice = slice;
    Uint8Array.prototype.set = set;
  }
  return n;
}

describe('copies of dynamic results', () => {
  const { slice, set } = Uint8Array.prototype;
  afterEach(() => {
    expect(Uint8Array.prototype.slice).toBe(slice);
    expect(Uint8Array.prototype.set).toBe(set);
  });

  it('two reads of a cached result get buffers of their own: writing into one changes neither the other nor the cache', async () => {
    const state = { computes: 0 };
    const { pond } = await openDynamic(defaultRegistry().register(upperFactory(state)));
    await pond.transact(async (tx) => {
      await tx.writeFile('/a.txt', enc('hello'));
      await tx.mknod('/A.txt', 'upper', { source: 'a.txt' });
    });
    const one = await pond.readFile('/A.txt');
    const two = await pond.readFile('/A.txt');
    expect(one.buffer).not.toBe(two.buffer);
    one.fill(0);
    expect(dec(two)).toBe('HELLO');
    expect(dec(await pond.readFile('/A.txt'))).toBe('HELLO');
    // A stored inline body is a view into a cached partition: the same holds for it.
    (await pond.readFile('/a.txt')).fill(0);
    expect(dec(await pond.readFile('/a.txt'))).toBe('hello');
    expect(state.computes).toBe(1);
  });

  it('a cached dynamic read copies its bytes exactly once, through the pond and through the worker', async () => {
    const { pond } = await openDynamic();
    await pond.transact((tx) => tx.mknod('/gen.parquet', 'scribble', SCRIBBLE));
    const size = (await pond.readFile('/gen.parquet')).length;
    expect(await bytesCopied(() => pond.readFile('/gen.parquet'))).toBe(size);
    const reading = new Reading({ reader: () => pond } as unknown as ServiceContext);
    expect(await bytesCopied(() => reading.readFile('/gen.parquet'))).toBe(size);
    // A range is cut from the cached bytes: only the range is copied.
    expect(await bytesCopied(() => pond.readRange('/gen.parquet', 10, 100))).toBe(100);
    // A preview that fits is sent as read.
    expect(await bytesCopied(() => reading.preview('/gen.parquet', { maxBytes: size }))).toBe(size);
  });

  it('a computation that writes into what it read spoils neither the cached input nor a stored body', async () => {
    const state = { computes: 0 };
    const vandal = defineFactory({
      name: 'vandal',
      description: 'test: reads a file, scribbles over the bytes it got',
      produces: 'file:data',
      schema: z.object({ source: z.string().min(1) }).strict(),
      async compute(ctx: FactoryContext, config) {
        const bytes = await ctx.readFile(config.source);
        bytes.fill(0x21);
        return `${bytes.length}`;
      },
    });
    const { pond } = await openDynamic(defaultRegistry().register(upperFactory(state)).register(vandal));
    await pond.transact(async (tx) => {
      await tx.writeFile('/a.txt', enc('hello'));
      await tx.mknod('/A.txt', 'upper', { source: 'a.txt' });
      await tx.mknod('/v1', 'vandal', { source: 'A.txt' });
      await tx.mknod('/v2', 'vandal', { source: 'a.txt' });
    });
    expect(dec(await pond.readFile('/A.txt'))).toBe('HELLO');
    expect(dec(await pond.readFile('/v1'))).toBe('5');
    expect(dec(await pond.readFile('/v2'))).toBe('5');
    expect(dec(await pond.readFile('/A.txt'))).toBe('HELLO');
    expect(dec(await pond.readFile('/a.txt'))).toBe('hello');
    expect(state.computes).toBe(1);
  });
});
