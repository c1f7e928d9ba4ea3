// pond.hasStoredResult: whether a read would be served from the stored results without running a
// factory. The app's idle warm-up asks it to decide whether to load DuckDB, so it must be true
// only when a read computes nothing, and must itself compute nothing and load no engine.
import { describe, it, expect } from 'vitest';
import * as arrow from 'apache-arrow';
import { MemoryStore, ResultStore, defaultRegistry, tableToParquet, type ObjectStore } from '../../../src/core/index.ts';
import type { SqlEngineLike } from '../../../src/core/dynamic/query.ts';
import { dec, enc, openDynamic, upperFactory } from '../dynamic/fixtures.ts';

/** A stand-in SQL engine (one row per input row, counted): what is checked is whether it is loaded at all. */
function countingEngine(state: { loads: number }): () => Promise<SqlEngineLike> {
  return async () => {
    state.loads++;
    return {
      async query(_sql, options) {
        const rows = (options.tables ?? []).flatMap((t) => t.tables).reduce((n, t) => n + ('numRows' in t ? t.numRows : 0), 0);
        return new arrow.Table({ n: arrow.vectorFromArray([rows], new arrow.Int32()) });
      },
    };
  };
}

/** Open `store` as a reload would: a fresh resolver (nothing in memory) over the store's results. */
async function open(store: ObjectStore) {
  const state = { computes: 0, loads: 0 };
  const registry = defaultRegistry();
  registry.register(upperFactory(state));
  const { pond, resolver } = await openDynamic(registry, { results: new ResultStore(store), sql: countingEngine(state) }, store as MemoryStore);
  return { pond, resolver, state };
}

async function seed(store: ObjectStore): Promise<void> {
  const { pond } = await open(store);
  await pond.transact(async (tx) => {
    await tx.mkdir('/d');
    await tx.writeFile('/d/a.txt', enc('hello'));
    await tx.mknod('/up', 'upper', { source: '/d/a.txt' });
    await tx.mknod('/up2', 'upper', { source: '/up' });
    await tx.mknod('/other', 'upper', { source: '/d/a.txt' });
  });
  await pond.close();
}

describe('pond.hasStoredResult', () => {
  it('is true for a stored result whose inputs hold (a dynamic chain too), without computing or restoring it', async () => {
    const store = new MemoryStore();
    await seed(store);
    const a = await open(store);
    expect(dec(await a.pond.readFile('/up2'))).toBe('HELLO');
    await a.pond.close();

    const b = await open(store);
    expect(await b.pond.hasStoredResult('/up2')).toBe(true);
    expect(await b.pond.hasStoredResult('/up')).toBe(true);
    expect(b.state.computes).toBe(0);
    expect(b.resolver.restoredCount).toBe(0);
    // The check is not a read: the read that follows restores, and still computes nothing.
    expect(dec(await b.pond.readFile('/up2'))).toBe('HELLO');
    expect(b.state.computes).toBe(0);
    expect(await b.pond.hasStoredResult('/up2')).toBe(true);
  });

  it('is false when an input changed, directly or through a dynamic input', async () => {
    const store = new MemoryStore();
    await seed(store);
    const a = await open(store);
    await a.pond.readFile('/up2');
    await a.pond.close();

    const b = await open(store);
    await b.pond.transact((tx) => tx.writeFile('/d/a.txt', enc('changed')));
    expect(await b.pond.hasStoredResult('/up')).toBe(false);
    expect(await b.pond.hasStoredResult('/up2')).toBe(false);
    expect(b.state.computes).toBe(0);
    // Once recomputed, the new results are there (in memory now, stored for the next open).
    expect(dec(await b.pond.readFile('/up2'))).toBe('CHANGED');
    expect(await b.pond.hasStoredResult('/up2')).toBe(true);
    await b.pond.close();
    expect(await (await open(store)).pond.hasStoredResult('/up2')).toBe(true);
  });

  it('is false with no stored result, and for stored nodes and directories', async () => {
    const store = new MemoryStore();
    await seed(store);
    const b = await open(store);
    expect(await b.pond.hasStoredResult('/other')).toBe(false);
    expect(await b.pond.hasStoredResult('/d/a.txt')).toBe(false);
    expect(await b.pond.hasStoredResult('/d')).toBe(false);
    await expect(b.pond.hasStoredResult('/missing')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(b.state.computes).toBe(0);
  });

  it('checks a sql_query node without loading the SQL engine', async () => {
    const store = new MemoryStore();
    await seed(store);
    const a = await open(store);
    await a.pond.transact(async (tx) => {
      await tx.writeFile('/d/t.parquet', await tableParquet([1, 2]), { type: 'file:table' });
      await tx.mknod('/q', 'sql_query', { query: 'SELECT count(*) AS n FROM t', tables: { t: '/d/*.parquet' } });
    });
    expect(await a.pond.hasStoredResult('/q')).toBe(false);
    expect(a.state.loads).toBe(0);
    expect((await a.pond.readTable('/q')).numRows).toBe(1);
    expect(a.state.loads).toBe(1);
    await a.pond.close();

    const b = await open(store);
    expect(await b.pond.hasStoredResult('/q')).toBe(true);
    await b.pond.transact(async (tx) => tx.writeFile('/d/u.parquet', await tableParquet([3]), { type: 'file:table' }));
    expect(await b.pond.hasStoredResult('/q')).toBe(false);
    expect(b.state.loads).toBe(0);
  });
});

function tableParquet(xs: number[]): Promise<Uint8Array> {
  return tableToParquet(new arrow.Table({ x: arrow.vectorFromArray(xs, new arrow.Int32()) }));
}
