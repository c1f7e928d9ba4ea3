// Reading stored results safely: a factory's `version` is part of the content key (new code never
// serves old output), an entry is sized before it is read (a forged index cannot make a reader
// load 1 GiB), a trace listing more than MAX_TRACE_INPUTS inputs is refused unchecked, and the
// store counts a hit only when the entry was served.
import { describe, it, expect } from 'vitest';
import { z } from 'zod';
import {
  MemoryStore,
  ResultStore,
  concatBytes,
  defaultRegistry,
  defineFactory,
  precomputeResults,
  publishResultOptions,
  sha256Hex,
  type FactoryContext,
  type ObjectStore,
} from '../../../src/core/index.ts';
import { contentKey } from '../../../src/core/dynamic/inputs.ts';
import { MAX_TRACE_INPUTS, decodeResultEntry, type ResultHeader, type TraceInput } from '../../../src/core/tlogfs/result-entry.ts';
import { DelegatingStore } from '../../shared/delegating-store.ts';
import { dec, enc, openDynamic, upperFactory } from '../dynamic/fixtures.ts';

const entryKeys = async (store: ObjectStore) => (await store.list('_results/')).filter((k) => /^_results\/[0-9a-f]{64}$/.test(k));

/** `upper` at a given code version; `suffix` stands for what the new code does differently. */
function upperAt(version: number | string | undefined, state: { computes: number }, suffix = '') {
  const base = upperFactory(state);
  return defineFactory({
    ...base,
    version,
    async compute(ctx: FactoryContext, config: { source: string }) {
      return `${String(await base.compute(ctx, config))}${suffix}`;
    },
  });
}

/** Open `store` afresh (nothing in memory) with `factory` as `upper`. */
async function open(store: ObjectStore, factory = upperFactory()) {
  const results = new ResultStore(store);
  const { pond, resolver } = await openDynamic(defaultRegistry().register(factory), { results }, store as MemoryStore);
  return { pond, resolver, results };
}

async function seed(store: MemoryStore): Promise<void> {
  const { pond } = await open(store);
  await pond.transact(async (tx) => {
    await tx.writeFile('/a.txt', enc('hello'));
    await tx.mknod('/up', 'upper', { source: '/a.txt' });
    await tx.mknod('/up2', 'upper', { source: '/up' });
  });
  await pond.close();
}

/** Read `paths` through a fresh handle with `factory`; gives the texts and how many computes ran. */
async function readWith(store: MemoryStore, factory: (state: { computes: number }) => ReturnType<typeof upperFactory>, ...paths: string[]) {
  const state = { computes: 0 };
  const { pond } = await open(store, factory(state));
  const texts: string[] = [];
  for (const p of paths) texts.push(dec(await pond.readFile(p)));
  await pond.close();
  return { texts, computes: state.computes };
}

describe("a factory's version", () => {
  it('a changed version recomputes the node (and what reads it); the same version restores', async () => {
    const store = new MemoryStore();
    await seed(store);
    expect(await readWith(store, (s) => upperAt(undefined, s), '/up2')).toEqual({ texts: ['HELLO'], computes: 2 });
    expect(await readWith(store, (s) => upperAt(undefined, s), '/up2')).toEqual({ texts: ['HELLO'], computes: 0 });
    // New code whose output differs, under the same name and config: the old results are not served.
    expect(await readWith(store, (s) => upperAt(1, s, '!'), '/up', '/up2')).toEqual({ texts: ['HELLO!', 'HELLO!!'], computes: 2 });
    expect(await readWith(store, (s) => upperAt(1, s, '!'), '/up2')).toEqual({ texts: ['HELLO!!'], computes: 0 });
    expect(await readWith(store, (s) => upperAt('2024-06', s, '?'), '/up')).toEqual({ texts: ['HELLO?'], computes: 1 });
  });

  it('is in the content key only when set: an unversioned key is unchanged, 1 and "1" differ', async () => {
    const trace: TraceInput[] = [{ kind: 'node', path: '/a.txt', read: true, id: 'x' }];
    const keys = await Promise.all([undefined, 1, '1', 2].map((v) => contentKey('upper', '/up', '{}', trace, v)));
    expect(new Set(keys).size).toBe(4);
    expect(keys[0]).toBe(await sha256Hex(enc(JSON.stringify(['duckpond-result/1', 'upper', '/up', '{}', trace]))));
  });
});

/** A store that says `size` of the result entries is `declared` (a forged publish index) and records which entries were read. */
class Declaring extends DelegatingStore {
  readonly reads: string[] = [];
  constructor(
    inner: ObjectStore,
    readonly declared: number,
  ) {
    super(inner, 'declaring');
  }
  override async size(key: string): Promise<number | undefined> {
    const real = await super.size(key);
    return real !== undefined && /^_results\/[0-9a-f]{64}$/.test(key) ? this.declared : real;
  }
  override read(key: string): Promise<Uint8Array> {
    if (/^_results\/[0-9a-f]{64}$/.test(key)) this.reads.push(key);
    return super.read(key);
  }
}

/** The entry format (magic, u32 LE header length, header, body, sha256), written as a forger would. */
async function forge(header: ResultHeader, body: Uint8Array): Promise<Uint8Array> {
  const head = enc(JSON.stringify(header));
  const len = new Uint8Array(4);
  new DataView(len.buffer).setUint32(0, head.length, true);
  const sealed = concatBytes([enc('DUCKPOND-RESULT\n'), len, head, body]);
  const hex = await sha256Hex(sealed);
  return concatBytes([sealed, Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16))]);
}

describe('bounded reads of stored results', () => {
  it('an entry declared bigger than any result the pond accepts is never read: the node is computed', async () => {
    const store = new MemoryStore();
    await seed(store);
    await readWith(store, () => upperFactory(), '/up');
    const forged = new Declaring(store, 1024 ** 3);
    const state = { computes: 0 };
    const { pond, results } = await open(forged, upperFactory(state));
    expect(dec(await pond.readFile('/up'))).toBe('HELLO');
    await pond.close();
    expect(forged.reads).toEqual([]);
    expect(state.computes).toBe(1);
    expect(results.stats.hits).toBe(0);
  });

  it(`a trace of more than ${MAX_TRACE_INPUTS} inputs is refused as damaged, never served`, async () => {
    const store = new MemoryStore();
    await seed(store);
    await readWith(store, () => upperFactory(), '/up');
    const [key] = await entryKeys(store);
    const { header } = await decodeResultEntry(await store.read(key), key);
    // Every extra input names a path that is absent, as it was "when the result was made": each one
    // holds, and the key is right, so only the length of the trace can refuse it.
    const inputs: TraceInput[] = [...header.inputs];
    for (let i = 0; inputs.length <= MAX_TRACE_INPUTS; i++) inputs.push({ kind: 'node', path: `/nothing-${i}`, read: false, id: 'absent' });
    const forgedHeader: ResultHeader = { ...header, inputs, key: await contentKey(header.factory, header.path, header.config, inputs) };
    await store.write(key, await forge(forgedHeader, enc('FORGED')));
    const state = { computes: 0 };
    const { pond, results } = await open(store, upperFactory(state));
    expect(dec(await pond.readFile('/up'))).toBe('HELLO');
    await pond.close();
    expect(state.computes).toBe(1);
    expect(results.stats).toMatchObject({ hits: 0, damaged: 1 });
  });

  it(`a computation that read more than ${MAX_TRACE_INPUTS} inputs is not stored, and a precompute says why`, async () => {
    const many = defineFactory({
      name: 'many',
      description: 'test: looks at many paths',
      produces: 'file:data',
      schema: z.object({ n: z.number().int() }).strict(),
      async compute(ctx: FactoryContext, config) {
        for (let i = 0; i < config.n; i++) await ctx.glob(`/nothing-${i}`);
        return 'looked';
      },
    });
    const store = new MemoryStore();
    const results = new ResultStore(store, publishResultOptions());
    const { pond } = await openDynamic(defaultRegistry().register(many), { results }, store);
    await pond.transact(async (tx) => {
      await tx.mknod('/few', 'many', { n: 3 });
      await tx.mknod('/lots', 'many', { n: MAX_TRACE_INPUTS + 1 });
    });
    const report = await precomputeResults(pond, results);
    await pond.close();
    expect(report.stored.map((r) => r.path)).toEqual(['/few']);
    expect(report.notShipped).toEqual([{ path: '/lots', reason: expect.stringContaining(`more than ${MAX_TRACE_INPUTS} inputs is not stored`) }]);
    expect(await entryKeys(store)).toHaveLength(1);
  });

  it('a trace at the limit is served (the check is on the length only)', async () => {
    const store = new MemoryStore();
    await seed(store);
    await readWith(store, () => upperFactory(), '/up');
    const [key] = await entryKeys(store);
    const { header } = await decodeResultEntry(await store.read(key), key);
    const inputs: TraceInput[] = [...header.inputs];
    for (let i = 0; inputs.length < MAX_TRACE_INPUTS; i++) inputs.push({ kind: 'node', path: `/nothing-${i}`, read: false, id: 'absent' });
    await store.write(key, await forge({ ...header, inputs, key: await contentKey(header.factory, header.path, header.config, inputs) }, enc('AT THE LIMIT')));
    const state = { computes: 0 };
    const { pond } = await open(store, upperFactory(state));
    expect(dec(await pond.readFile('/up'))).toBe('AT THE LIMIT');
    await pond.close();
    expect(state.computes).toBe(0);
  });
});

describe('hits', () => {
  it('an entry whose inputs changed is a miss, not a hit; a served one is a hit', async () => {
    const store = new MemoryStore();
    await seed(store);
    await readWith(store, () => upperFactory(), '/up');
    const a = await open(store);
    await a.pond.transact((tx) => tx.writeFile('/a.txt', enc('changed')));
    await a.pond.close();
    const b = await open(store);
    expect(dec(await b.pond.readFile('/up'))).toBe('CHANGED');
    await b.pond.close();
    expect(b.results.stats).toMatchObject({ hits: 0, misses: 1, written: 1 });
    expect(b.resolver.restoredCount).toBe(0);
    const c = await open(store);
    expect(dec(await c.pond.readFile('/up'))).toBe('CHANGED');
    await c.pond.close();
    expect(c.results.stats).toMatchObject({ hits: 1, misses: 0 });
  });
});
