// A pond written with factories this build does not have (or whose schema changed) still opens and lists.
import { describe, it, expect } from 'vitest';
import { z } from 'zod';
import { openPond, MemoryStore, defaultRegistry, FactoryRegistry, defineFactory } from '../../../src/core/index.ts';
import { enc, dec, upperFactory } from './fixtures.ts';

const v1 = defineFactory({
  name: 'greeting',
  description: 'test v1',
  produces: 'file:data',
  schema: z.object({ name: z.string() }),
  compute: (_ctx, c) => `hello ${c.name}`,
});
// The same factory after a release that made `name` a list: old stored configs no longer validate.
const v2 = defineFactory({
  name: 'greeting',
  description: 'test v2',
  produces: 'file:data',
  schema: z.object({ name: z.array(z.string()) }),
  compute: (_ctx, c) => `hello ${c.name.join(' and ')}`,
});

async function writeOldPond(): Promise<MemoryStore> {
  const store = new MemoryStore();
  const pond = await openPond(store, { registry: defaultRegistry().register(upperFactory()).register(v1) });
  await pond.transact(async (tx) => {
    await tx.mkdir('/d');
    await tx.writeFile('/d/a.txt', enc('static'));
    await tx.mknod('/d/shout', 'upper', { source: 'a.txt' });
    await tx.mknod('/d/hi', 'greeting', { name: 'pond' });
    await tx.mknod('/d/view', 'directory', { pattern: '/d/*.txt' });
  });
  expect(dec(await pond.readFile('/d/shout'))).toBe('STATIC');
  await pond.close();
  return store;
}

describe('an old pond with factories this build does not know', () => {
  it('opens, lists and stats; reading the unknown node is EFACTORY naming it', async () => {
    const pond = await openPond(await writeOldPond(), { registry: defaultRegistry() });
    expect(await pond.readdir('/d')).toEqual([
      { name: 'a.txt', type: 'file:data', factory: 'tlogfs' },
      { name: 'hi', type: 'file:data', factory: 'greeting' },
      { name: 'shout', type: 'file:data', factory: 'upper' },
      { name: 'view', type: 'directory', factory: 'directory' },
    ]);
    const st = await pond.stat('/d/shout');
    expect(st).toMatchObject({ factory: 'upper', type: 'file:data', size: null, sha256: null });
    const err = await pond.readFile('/d/shout').catch((e) => e);
    expect(err).toMatchObject({ code: 'EFACTORY', data: { path: '/d/shout', factory: 'upper' } });
    expect(err.message).toContain('/d/shout');
    expect(err.message).toContain('unknown factory "upper"');
    // The rest of the pond works, dynamic nodes of known factories included.
    expect(dec(await pond.readFile('/d/a.txt'))).toBe('static');
    expect(await pond.readdir('/d/view')).toEqual([{ name: 'a.txt', type: 'file:data', factory: 'tlogfs' }]);
    expect((await pond.glob('/d/**')).map((m) => m.path)).toContain('/d/view/a.txt');
  });

  it('with an empty registry nothing dynamic reads, yet everything lists', async () => {
    const pond = await openPond(await writeOldPond(), { registry: new FactoryRegistry() });
    expect((await pond.readdir('/d')).map((e) => e.name)).toEqual(['a.txt', 'hi', 'shout', 'view']);
    await expect(pond.readdir('/d/view')).rejects.toMatchObject({ code: 'EFACTORY', data: { path: '/d/view' } });
    // glob skips nothing it can list and does not fail on a directory it cannot open.
    await expect(pond.readFile('/d/hi')).rejects.toMatchObject({ code: 'EFACTORY' });
  });

  it('a stored config that no longer validates is ECONFIG naming the node and the field', async () => {
    const pond = await openPond(await writeOldPond(), { registry: defaultRegistry().register(v2) });
    expect((await pond.readdir('/d')).length).toBe(4);
    const err = await pond.readFile('/d/hi').catch((e) => e);
    expect(err).toMatchObject({ code: 'ECONFIG', data: { path: '/d/hi' } });
    expect(err.message).toMatch(/\/d\/hi: invalid greeting config: name: .*expected array/);
    // Writing a config the new schema accepts fixes it.
    await pond.transact((tx) => tx.mknod('/d/hi', 'greeting', { name: ['a', 'b'] }));
    expect(dec(await pond.readFile('/d/hi'))).toBe('hello a and b');
  });
});
