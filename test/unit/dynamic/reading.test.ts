// A dynamic file read every way a static one is: readFile, readTable, createReadStream, stat, readdir, glob.
import { describe, it, expect } from 'vitest';
import { FactoryRegistry, defaultRegistry, defineFactory, openPond } from '../../../src/core/index.ts';
import { z } from 'zod';
import * as arrow from 'apache-arrow';
import { sha256Hex } from '../../../src/core/hash.ts';
import { openDynamic, enc, dec, upperFactory, ints, rows } from './fixtures.ts';
import { drain } from '../../shared/streams.ts';

describe('reading dynamic nodes', () => {
  it('a custom factory registered at runtime: readFile, stream, stat and readdir', async () => {
    const state = { computes: 0 };
    const { pond } = await openDynamic(defaultRegistry().register(upperFactory(state)));
    await pond.transact(async (tx) => {
      await tx.mkdir('/docs');
      await tx.writeFile('/docs/a.txt', enc('hello pond'));
      await tx.mknod('/docs/A.txt', 'upper', { source: 'a.txt' });
    });
    expect(dec(await pond.readFile('/docs/A.txt'))).toBe('HELLO POND');
    expect(dec(await drain(pond.createReadStream('/docs/A.txt')))).toBe('HELLO POND');
    const st = await pond.stat('/docs/A.txt');
    expect(st).toMatchObject({ type: 'file:data', factory: 'upper', version: 1, size: 10, sha256: await sha256Hex(enc('HELLO POND')) });
    expect(await pond.readdir('/docs')).toEqual([
      { name: 'A.txt', type: 'file:data', factory: 'upper' },
      { name: 'a.txt', type: 'file:data', factory: 'tlogfs' },
    ]);
    expect(state.computes).toBe(1);
  });

  it('readdir of a directory holding dynamic nodes computes nothing, and neither does opening the pond', async () => {
    const state = { computes: 0 };
    const registry = defaultRegistry().register(upperFactory(state));
    const { pond, store } = await openDynamic(registry);
    await pond.transact(async (tx) => {
      await tx.writeFile('/a.txt', enc('x'));
      await tx.mknod('/A', 'upper', { source: '/a.txt' });
      await tx.mknod('/q', 'sql_query', { query: 'SELECT 1', tables: {} });
    });
    await pond.readdir('/');
    await pond.glob('/*');
    const { pond: again, resolver } = await openDynamic(registry, {}, store);
    expect((await again.readdir('/')).map((e) => e.name)).toEqual(['A', 'a.txt', 'q']);
    expect(state.computes).toBe(0);
    expect(resolver.computeCount).toBe(0);
  });

  it('a dynamic table reads as Arrow (readTable) and as Parquet (readFile), and stat matches the bytes', async () => {
    const { pond } = await openDynamic();
    await pond.transact((tx) => tx.mknod('/gen', 'scribble', { schema: { n: 'integer' }, row_count: 3, seed: 1 }));
    const table = await pond.readTable('/gen');
    expect(table.numRows).toBe(3);
    const bytes = await pond.readFile('/gen');
    expect(dec(bytes.subarray(0, 4))).toBe('PAR1');
    const st = await pond.stat('/gen');
    expect(st.size).toBe(bytes.length);
    expect(st.sha256).toBe(await sha256Hex(bytes));
    // The bytes a reader gets are a copy: scribbling on them does not corrupt the cache.
    bytes.fill(0);
    expect(dec((await pond.readFile('/gen')).subarray(0, 4))).toBe('PAR1');
  });

  it('readFile with a version computes that version of the config', async () => {
    const { pond } = await openDynamic(defaultRegistry().register(upperFactory()));
    await pond.transact(async (tx) => {
      await tx.writeFile('/a', enc('aaa'));
      await tx.writeFile('/b', enc('bbb'));
      await tx.mknod('/u', 'upper', { source: '/a' });
    });
    await pond.transact((tx) => tx.mknod('/u', 'upper', { source: '/b' }));
    expect(dec(await pond.readFile('/u'))).toBe('BBB');
    expect(dec(await pond.readFile('/u', { version: 1 }))).toBe('AAA');
    expect((await pond.versions('/u')).map((v) => v.version)).toEqual([1, 2]);
  });

  it('a factory returning async record batches gives a table', async () => {
    const batches = defineFactory({
      name: 'counter',
      description: 'test',
      produces: 'file:table',
      schema: z.object({ n: z.number().int() }),
      async *compute(_ctx, c) {
        for (let i = 0; i < c.n; i++) yield new arrow.Table({ i: ints([i]) }).batches[0];
      },
    });
    const { pond } = await openDynamic(new FactoryRegistry().register(batches));
    await pond.transact((tx) => tx.mknod('/c', 'counter', { n: 4 }));
    expect(rows(await pond.readTable('/c'))).toEqual([{ i: 0 }, { i: 1 }, { i: 2 }, { i: 3 }]);
  });

  it('a factory returning the wrong kind of result fails with EFACTORY naming the node', async () => {
    const wrong = defineFactory({ name: 'wrong', description: 'test', produces: 'file:table', schema: z.object({}), compute: () => 'not parquet' });
    const { pond } = await openDynamic(new FactoryRegistry().register(wrong));
    await pond.transact((tx) => tx.mknod('/w', 'wrong', {}));
    await expect(pond.readTable('/w')).rejects.toMatchObject({ code: 'EFACTORY', data: { path: '/w' } });
  });

  it('mknod validates: an invalid config is ECONFIG and nothing is committed', async () => {
    const { pond } = await openDynamic();
    const before = pond.version;
    await expect(pond.transact((tx) => tx.mknod('/s', 'scribble', { schema: { a: 'decimal' }, row_count: 1 }))).rejects.toMatchObject({
      code: 'ECONFIG',
      data: { path: '/s' },
    });
    await expect(pond.transact((tx) => tx.mknod('/s', 'nope', {}))).rejects.toMatchObject({ code: 'EFACTORY', data: { path: '/s' } });
    expect(pond.version).toBe(before);
  });

  it('the stored config is the validated one, as JSON with defaults filled in', async () => {
    const { pond } = await openDynamic();
    await pond.transact((tx) => tx.mknod('/s', 'scribble', 'schema: {a: integer}\nrow_count: 2\nseed: 3\n'));
    const ref = await pond.fs.resolve('/s');
    const stored = JSON.parse(dec((await pond.fs.latest(ref)).content as Uint8Array));
    expect(stored).toEqual({ schema: [{ name: 'a', type: 'integer' }], row_count: 2, seed: 3, distribution: 'uniform', output_type: 'file:table' });
  });

  it('a failing compute is EFACTORY naming the node; a missing input names the node and the input', async () => {
    const state = { computes: 0, fail: 'boom' };
    const { pond } = await openDynamic(defaultRegistry().register(upperFactory(state)));
    await pond.transact(async (tx) => {
      await tx.mknod('/f', 'upper', { source: '/x' });
    });
    const err = await pond.readFile('/f').catch((e) => e);
    expect(err).toMatchObject({ code: 'EFACTORY', data: { path: '/f' } });
    expect(err.message).toContain('boom');
    state.fail = '';
    const { pond: p2 } = await openDynamic(defaultRegistry().register(upperFactory(state)));
    await p2.transact((tx) => tx.mknod('/f', 'upper', { source: '/missing.txt' }));
    const e2 = await p2.readFile('/f').catch((e) => e);
    expect(e2).toMatchObject({ code: 'EFACTORY', data: { path: '/f', inputPath: '/missing.txt', inputCode: 'ENOENT' } });
    expect(e2.message).toMatch(/^EFACTORY: \/f: .*\/missing\.txt/);
  });

  it('time travel computes over the pond as it was', async () => {
    const registry = defaultRegistry().register(upperFactory());
    const { pond, store } = await openDynamic(registry);
    await pond.transact(async (tx) => {
      await tx.writeFile('/a', enc('old'));
      await tx.mknod('/A', 'upper', { source: '/a' });
    });
    const then = pond.version;
    await pond.transact((tx) => tx.writeFile('/a', enc('new')));
    expect(dec(await pond.readFile('/A'))).toBe('NEW');
    const past = await openPond(store, { registry, asOf: then });
    expect(dec(await past.readFile('/A'))).toBe('OLD');
  });

  it('a commit made through another handle is seen after refresh', async () => {
    const registry = defaultRegistry().register(upperFactory());
    const { pond: a, store } = await openDynamic(registry);
    await a.transact(async (tx) => {
      await tx.writeFile('/x', enc('one'));
      await tx.mknod('/X', 'upper', { source: '/x' });
    });
    expect(dec(await a.readFile('/X'))).toBe('ONE');
    const b = await openPond(store, { registry });
    await b.transact((tx) => tx.writeFile('/x', enc('two')));
    await a.refresh();
    expect(dec(await a.readFile('/X'))).toBe('TWO');
  });
});
