// sql_query and pond.query over the real SQL engine (DuckDB-WASM in Node).
import { describe, it, expect, beforeAll } from 'vitest';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { openDynamic, parquet, ints, floats, strs, rows } from '../dynamic/fixtures.ts';
import type { Pond, DynamicResolver } from '../../../src/core/index.ts';

let pond: Pond;
let resolver: DynamicResolver;

beforeAll(async () => {
  ({ pond, resolver } = await openDynamic());
  await pond.transact(async (tx) => {
    await tx.mkdir('/data/a', { parents: true });
    await tx.mkdir('/data/b', { parents: true });
    await tx.mkdir('/q');
    await tx.mkdir('/evil');
    // Same columns in another order, and one file without `note`: unioned by name.
    await tx.writeFile('/data/a/m.parquet', await parquet({ id: ints([1, 2]), v: floats([1.5, 2.5]), note: strs(['x', null]) }), { type: 'file:table' });
    await tx.writeFile('/data/b/m.parquet', await parquet({ v: floats([10]), id: ints([3]) }), { type: 'file:table' });
    await tx.mknod('/gen', 'scribble', { schema: { k: 'integer' }, row_count: 5, seed: 1 });
  });
  // DuckDB's cold start (several seconds in Node) belongs to setup, not to the first test's budget.
  await pond.query('SELECT 1');
}, 120_000);

describe('sql_query', () => {
  it('queries tables whose matches are unioned by column name', async () => {
    await pond.transact((tx) =>
      tx.mknod('/q/sum', 'sql_query', {
        query: 'SELECT count(*)::INTEGER AS n, sum(v) AS s, count(note)::INTEGER AS notes FROM m',
        tables: { m: '/data/*/m.parquet' },
      }),
    );
    expect(rows(await pond.readTable('/q/sum'))).toEqual([{ n: 3, s: 14, notes: 1 }]);
    expect((await pond.stat('/q/sum')).type).toBe('file:table');
  });

  it('without a query and with exactly one table, selects all of it', async () => {
    await pond.transact((tx) => tx.mknod('/q/all', 'sql_query', { tables: { t: '/data/b/*.parquet' } }));
    expect(rows(await pond.readTable('/q/all'))).toEqual([{ v: 10, id: 3 }]);
    const err = await pond.transact((tx) => tx.mknod('/q/x', 'sql_query', { tables: { a: '/x', b: '/y' } })).catch((e) => e);
    expect(err.message).toMatch(/ECONFIG: \/q\/x: invalid sql_query config: query: required unless exactly one table is given \(got 2\)/);
  });

  it('reads dynamic tables as inputs', async () => {
    await pond.transact((tx) => tx.mknod('/q/gen', 'sql_query', { query: 'SELECT count(*)::INTEGER AS n FROM g', tables: { g: '/gen' } }));
    expect(rows(await pond.readTable('/q/gen'))).toEqual([{ n: 5 }]);
  });

  it('recomputes after a write to an input, not after an unrelated write', async () => {
    await pond.transact((tx) => tx.mknod('/q/count', 'sql_query', { query: 'SELECT count(*)::INTEGER AS n FROM m', tables: { m: '/data/*/m.parquet' } }));
    expect(rows(await pond.readTable('/q/count'))).toEqual([{ n: 3 }]);
    const before = resolver.computeCount;
    await pond.transact(async (tx) => tx.writeFile('/data/unrelated.parquet', await parquet({ z: ints([0]) }), { type: 'file:table' }));
    expect(rows(await pond.readTable('/q/count'))).toEqual([{ n: 3 }]);
    expect(resolver.computeCount).toBe(before);
    await pond.transact(async (tx) => tx.writeFile('/data/b/m.parquet', await parquet({ v: floats([10, 11]), id: ints([3, 4]) })));
    expect(rows(await pond.readTable('/q/count'))).toEqual([{ n: 4 }]);
    expect(resolver.computeCount).toBe(before + 1);
  });

  it('the sandbox refuses anything but a query, stored in a node: COPY, INSTALL, ATTACH are ESQL', async () => {
    const target = `${tmpdir()}/pond-sql-escape-${Date.now()}.csv`;
    await pond.transact(async (tx) => {
      await tx.mknod('/evil/copy', 'sql_query', { query: `COPY (SELECT 1) TO '${target}'` });
      await tx.mknod('/evil/install', 'sql_query', { query: 'INSTALL httpfs' });
      await tx.mknod('/evil/attach', 'sql_query', { query: `ATTACH '${target}.db' AS x` });
      await tx.mknod('/evil/two', 'sql_query', { query: `SELECT 1; COPY (SELECT 1) TO '${target}'` });
    });
    for (const p of ['/evil/copy', '/evil/install', '/evil/attach', '/evil/two']) {
      const err = await pond.readTable(p).catch((e) => e);
      expect(err, p).toMatchObject({ code: 'ESQL', data: { path: p } });
      expect(err.message).toContain(p);
    }
    expect(existsSync(target)).toBe(false);
    expect(existsSync(`${target}.db`)).toBe(false);
  });

  it('a SQL error is ESQL naming the node', async () => {
    await pond.transact((tx) => tx.mknod('/q/bad', 'sql_query', { query: 'SELECT nosuchcolumn FROM m', tables: { m: '/data/a/m.parquet' } }));
    const err = await pond.readTable('/q/bad').catch((e) => e);
    expect(err).toMatchObject({ code: 'ESQL', data: { path: '/q/bad' } });
    expect(err.message).toMatch(/nosuchcolumn/);
  });

  it('a pattern matching nothing is an error naming the pattern (node and pond.query)', async () => {
    await pond.transact((tx) => tx.mknod('/q/none', 'sql_query', { query: 'SELECT * FROM t', tables: { t: '/nowhere/*.parquet' } }));
    const err = await pond.readTable('/q/none').catch((e) => e);
    expect(err).toMatchObject({ code: 'EFACTORY', data: { path: '/q/none', pattern: '/nowhere/*.parquet' } });
    expect(err.message).toContain('"/nowhere/*.parquet"');
    const direct = await pond.query('SELECT * FROM t', { tables: { t: '/nowhere/*' } }).catch((e) => e);
    expect(direct).toMatchObject({ code: 'ENOENT', data: { path: '/nowhere/*' } });
  });

  it('timeout_ms stops a long query with ETIMEOUT', async () => {
    await pond.transact((tx) => tx.mknod('/q/slow', 'sql_query', { query: 'SELECT count(*) FROM range(100000000000) a', timeout_ms: 200 }));
    const started = Date.now();
    const err = await pond.readTable('/q/slow').catch((e) => e);
    expect(err).toMatchObject({ code: 'ETIMEOUT', data: { path: '/q/slow' } });
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe('pond.query', () => {
  it('runs SQL over patterns through the same path as sql_query', async () => {
    const t = await pond.query('SELECT id FROM m ORDER BY id DESC', { tables: { m: '/data/a/*.parquet' } });
    expect(rows(t).map((r) => r.id)).toEqual([2, 1]);
    expect(rows(await pond.query('SELECT 41 + 1 AS answer'))).toEqual([{ answer: 42 }]);
  });

  it('refuses statements that are not queries', async () => {
    await expect(pond.query('INSTALL httpfs')).rejects.toMatchObject({ code: 'ESQL' });
    await expect(pond.query('SELECT 1', { tables: { 'bad name': '/data/*' } })).rejects.toMatchObject({ code: 'EINVAL' });
  });
});
