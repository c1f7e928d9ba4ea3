// Resource limits: a template that would run forever stops at its timeout, and a result over the
// size limit fails with ETOOBIG naming the node instead of exhausting memory. Normal demo-sized
// results are untouched.
import { describe, it, expect } from 'vitest';
import { tableFromArrays } from 'apache-arrow';
import { openPond, MemoryStore, type Pond } from '../../../src/core/index.ts';
import { tableToParquet } from '../../../src/core/arrow/parquet.ts';
import { isPondError } from '../../../src/core/errors.ts';

async function pondWith(nodes: Record<string, [string, unknown]>, limits?: { maxResultBytes?: number }): Promise<Pond> {
  const pond = await openPond(new MemoryStore(), { create: true, limits });
  await pond.transact(async (tx) => {
    await tx.mkdir('/data');
    await tx.writeFile('/data/t.parquet', await tableToParquet(tableFromArrays({ x: Float64Array.from({ length: 1000 }, (_, i) => i) })), {
      type: 'file:table',
    });
    for (const [path, [factory, config]] of Object.entries(nodes)) await tx.mknod(path, factory, config);
  });
  return pond;
}

async function failure(p: Promise<unknown>): Promise<{ code: string; message: string; data: { path?: string } }> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(isPondError(e), `expected a PondError, got ${String(e)}`).toBe(true);
  return e as { code: string; message: string; data: { path?: string } };
}

describe('template limits', () => {
  it('a loop that would run for hours stops at the timeout with ETIMEOUT naming the node', async () => {
    const pond = await pondWith({
      '/forever': [
        'template',
        {
          template: '{% for a in range(0, 1000000) %}{% for b in range(0, 1000000) %}{{ a * b }}{% endfor %}{% endfor %}',
          timeout_ms: 1000,
          max_bytes: 1024 ** 3,
        },
      ],
    });
    const started = performance.now();
    const e = await failure(pond.readFile('/forever'));
    const took = performance.now() - started;
    console.log(`runaway template stopped after ${Math.round(took)} ms (limit 1000 ms)`);
    expect(e.code).toBe('ETIMEOUT');
    expect(e.data.path).toBe('/forever');
    expect(e.message).toMatch(/1000 ms limit/);
    expect(took).toBeLessThan(3000);
    // The worker is free again: other nodes still compute.
    await pond.close();
  });

  it('output over max_bytes fails with ETOOBIG; a range too big to build is refused before it is built', async () => {
    const pond = await pondWith({
      // Templates run in an interpreter (QuickJS): 20,000 steps, not 200,000, keep this test fast.
      '/huge': ['template', { template: '{% for i in range(0, 20000) %}xxxxxxxxxx{% endfor %}', max_bytes: 100_000 }],
      '/range': ['template', { template: '{% for i in range(0, 1000000000000) %}.{% endfor %}' }],
    });
    const huge = await failure(pond.readFile('/huge'));
    expect(huge.code).toBe('ETOOBIG');
    expect(huge.data.path).toBe('/huge');
    const range = await failure(pond.readFile('/range'));
    expect(range.code).toBe('ETOOBIG');
    expect(range.message).toMatch(/range\(\)/);
    await pond.close();
  });

  it('a macro that calls itself without end fails instead of crashing the worker', async () => {
    const pond = await pondWith({ '/deep': ['template', { template: '{% macro m(n) %}{{ m(n + 1) }}{% endmacro %}{{ m(0) }}' }] });
    const e = await failure(pond.readFile('/deep'));
    expect(e.code).toBe('ETOOBIG');
    expect(e.message).toMatch(/recursed too deeply/);
    expect(e.data.path).toBe('/deep');
    await pond.close();
  });

  it('normal templates are unaffected', async () => {
    const pond = await pondWith({ '/ok': ['template', { template: '{% for r in table("/data/t.parquet") %}{{ r.x }},{% endfor %}' }] });
    const text = new TextDecoder().decode(await pond.readFile('/ok'));
    expect(text.split(',').length).toBe(1001);
    await pond.close();
  });
});

describe('SQL time limits of stored nodes', () => {
  it("a SQL query inside a template stops at the template's own time limit", async () => {
    const pond = await pondWith({
      '/slow-report': [
        'template',
        { template: '{% for r in query("SELECT count(*) AS n FROM range(100000000000) a") %}{{ r.n }}{% endfor %}', timeout_ms: 1000 },
      ],
    });
    const started = performance.now();
    const e = await failure(pond.readFile('/slow-report'));
    const took = performance.now() - started;
    console.log(`a template's runaway query stopped after ${Math.round(took)} ms (template limit 1000 ms)`);
    expect(e.code).toBe('ETIMEOUT');
    expect(e.data.path).toBe('/slow-report');
    // Unstopped, this query runs for hours; the bound leaves room for DuckDB's first load on a busy machine.
    expect(took).toBeLessThan(15_000);
    await pond.close();
  }, 30_000);

  it('a sql_query without timeout_ms runs under the default limit; a config cannot lift it past the cap', async () => {
    const { sqlQuery, DEFAULT_SQL_QUERY_TIMEOUT_MS, MAX_SQL_QUERY_TIMEOUT_MS } = await import('../../../src/core/factories/sql_query.ts');
    expect(DEFAULT_SQL_QUERY_TIMEOUT_MS).toBe(30_000);
    // What the factory asks of the engine, for a config that names no limit.
    const asked: Array<number | undefined> = [];
    const ctx = {
      query: async (_sql: string, o: { timeoutMs?: number }) => {
        asked.push(o.timeoutMs);
        return tableFromArrays({ n: [1] });
      },
    };
    await sqlQuery.compute(ctx as never, sqlQuery.schema.parse({ query: 'SELECT 1 AS n' }));
    await sqlQuery.compute(ctx as never, sqlQuery.schema.parse({ query: 'SELECT 1 AS n', timeout_ms: 500 }));
    expect(asked).toEqual([DEFAULT_SQL_QUERY_TIMEOUT_MS, 500]);
    const pond = await openPond(new MemoryStore(), { create: true });
    const e = await failure(pond.transact((tx) => tx.mknod('/forever', 'sql_query', { query: 'SELECT 1', timeout_ms: MAX_SQL_QUERY_TIMEOUT_MS + 1 })));
    expect(e.code).toBe('ECONFIG');
    expect(e.message).toMatch(/timeout_ms/);
    await pond.close();
  });
});

describe('result size limit', () => {
  it('scribble with a huge row count stops at the limit, before generating everything', async () => {
    const pond = await pondWith(
      {
        '/many': ['scribble', { schema: [{ name: 'v', type: 'float' }], row_count: 5_000_000, seed: 1 }],
      },
      { maxResultBytes: 8 * 1024 * 1024 },
    );
    const started = performance.now();
    const e = await failure(pond.readTable('/many'));
    const took = performance.now() - started;
    console.log(`5M-row scribble refused after ${Math.round(took)} ms at an 8 MiB limit`);
    expect(e.code).toBe('ETOOBIG');
    expect(e.data.path).toBe('/many');
    expect(e.message).toMatch(/8\.0 MiB limit/);
    // 5M float64 rows are 40 MB: stopping at 8 MiB means a fraction of that work.
    expect(took).toBeLessThan(5000);
    await pond.close();
  });

  it('a SQL result over the limit is ETOOBIG; under it, results are unchanged', async () => {
    const pond = await pondWith(
      {
        '/big': ['sql_query', { query: 'SELECT range AS i, range * 2.0 AS d FROM range(2000000)' }],
        '/small': ['sql_query', { query: 'SELECT count(*) AS n FROM t', tables: { t: '/data/t.parquet' } }],
      },
      { maxResultBytes: 4 * 1024 * 1024 },
    );
    const e = await failure(pond.readTable('/big'));
    expect(e.code).toBe('ETOOBIG');
    expect(e.data.path).toBe('/big');
    const small = await pond.readTable('/small');
    expect(Number(small.getChild('n')!.get(0))).toBe(1000);
    await pond.close();
  }, 60_000);
});
