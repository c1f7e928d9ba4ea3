// The worker's idle warm-up decides whether DuckDB is worth loading: only when a SQL node of the
// open pond has no valid stored result. It must look without computing or loading anything.
import { describe, it, expect } from 'vitest';
import * as arrow from 'apache-arrow';
import { MemoryStore, ResultStore, defaultRegistry, tableToParquet } from '../../../src/core/index.ts';
import type { SqlEngineLike } from '../../../src/core/dynamic/query.ts';
import { openDynamic, enc } from '../dynamic/fixtures.ts';
import { sqlNodeToCompute, usesSql } from '../../../workers/service/warm-up.ts';

/** A stand-in engine that counts its loads (each query answers one row). */
function countingEngine(state: { loads: number }): () => Promise<SqlEngineLike> {
  return async () => {
    state.loads++;
    return { query: async () => new arrow.Table({ n: arrow.vectorFromArray([1], new arrow.Int32()) }) };
  };
}

async function open(store: MemoryStore) {
  const state = { loads: 0 };
  const { pond, resolver } = await openDynamic(defaultRegistry(), { results: new ResultStore(store), sql: countingEngine(state) }, store);
  return { pond, resolver, state };
}

describe('warm-up: which SQL node would compute', () => {
  it('finds a SQL node without a stored result, nested in stored folders, without computing or loading the engine', async () => {
    const store = new MemoryStore();
    const { pond, resolver, state } = await open(store);
    const table = await tableToParquet(new arrow.Table({ x: arrow.vectorFromArray([1, 2], new arrow.Int32()) }));
    await pond.transact(async (tx) => {
      await tx.mkdir('/data');
      await tx.writeFile('/data/t.parquet', table, { type: 'file:table' });
      await tx.writeFile('/notes.txt', enc('no SQL here'));
      await tx.mknod('/by-name', 'directory', { pattern: '/data/*.parquet', virtual_structure: '{0}/t.parquet' });
      await tx.mknod('/hello.md', 'template', { template: 'hello {{ 1 + 1 }}' });
      await tx.mkdir('/views');
      await tx.mkdir('/views/deep');
      await tx.mknod('/views/deep/q', 'sql_query', { query: 'SELECT count(*) AS n FROM t', tables: { t: '/data/*.parquet' } });
    });
    expect(await sqlNodeToCompute(pond)).toBe('/views/deep/q');
    expect(state.loads).toBe(0);
    expect(resolver.computeCount).toBe(0);

    // Once its result is stored, nothing would compute: no reason to load DuckDB.
    await pond.readTable('/views/deep/q');
    await pond.close();
    const again = await open(store);
    const counts = { entries: 0, checked: 0 };
    expect(await sqlNodeToCompute(again.pond, counts)).toBeUndefined();
    expect(counts.checked).toBe(1);
    expect(again.state.loads).toBe(0);
    expect(again.resolver.computeCount).toBe(0);
  });

  it('counts the SQL factories, and templates that may call query()', () => {
    for (const f of ['sql_query', 'sql-derived-table', 'sql-derived-series', 'timeseries-join', 'timeseries-pivot']) expect(usesSql(f, {})).toBe(true);
    expect(usesSql('combine', {})).toBe(false);
    expect(usesSql('template', { template: 'hello {{ name }}, from the data we import' })).toBe(false);
    expect(usesSql('template', { template: '{% for r in query("SELECT 1", {}) %}{{ r }}{% endfor %}' })).toBe(true);
    expect(usesSql('template', { template: '{% include "other.md" %}' })).toBe(true);
    expect(usesSql('template', { template_file: 'page.md' })).toBe(true);
  });
});
