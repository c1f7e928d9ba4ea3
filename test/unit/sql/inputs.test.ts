// Registered inputs: a scoped call's tables stay in DuckDB between calls (keyed by content), only
// the columns a query names are decoded, and one scope's registrations are invisible to any other.
import { describe, it, expect } from 'vitest';
import * as arrow from 'apache-arrow';
import { createSqlEngine, type SqlEngine, type SqlLazyTable } from '../../../src/core/sql/index.ts';
import { mentions } from '../../../src/core/sql/inputs.ts';
import { parquetEmptyTable, parquetToTable, tableToParquet } from '../../../src/core/arrow/parquet.ts';
import { WASM_FAULT_SQL, hostileSqlCases, probe } from '../../shared/hostile-sql.ts';
import { isPondError } from '../../../src/core/errors.ts';
import { openPond, MemoryStore, defaultRegistry, DynamicResolver, type Pond } from '../../../src/core/index.ts';
import { getSqlEngine } from '../../../src/core/sql/index.ts';
import { engineForBlock, expectPondError, rows } from './helpers.ts';

/** A lazy input over Parquet bytes that counts its loads and the columns each asked for. */
function lazyParquet(key: string, bytes: Uint8Array): SqlLazyTable & { loads: Array<readonly string[] | undefined> } {
  const loads: Array<readonly string[] | undefined> = [];
  return {
    key,
    loads,
    schema: async () => (await parquetEmptyTable(bytes)).schema,
    load: async (columns) => {
      loads.push(columns);
      return parquetToTable(bytes, key, { columns });
    },
  };
}

function readings(n: number, offset = 0): arrow.Table {
  return new arrow.Table({
    site: arrow.vectorFromArray(
      Array.from({ length: n }, (_, i) => ['north', 'south', 'east'][i % 3]),
      new arrow.Utf8(),
    ),
    reading: arrow.vectorFromArray(
      Array.from({ length: n }, (_, i) => i + offset),
      new arrow.Float64(),
    ),
    level: arrow.vectorFromArray(
      Array.from({ length: n }, (_, i) => i % 7),
      new arrow.Int32(),
    ),
    note: arrow.vectorFromArray(
      Array.from({ length: n }, (_, i) => `row ${i}`),
      new arrow.Utf8(),
    ),
  });
}

describe('parquetToTable with columns', () => {
  it('decodes only the columns asked for, with every row', async () => {
    const bytes = await tableToParquet(readings(1000));
    const t = await parquetToTable(bytes, '/r', { columns: ['note', 'reading'] });
    expect(t.schema.fields.map((f) => f.name)).toEqual(['reading', 'note']);
    expect(t.numRows).toBe(1000);
    expect(t.getChild('reading')?.get(999)).toBe(999);
    expect(t.getChild('note')?.get(999)).toBe('row 999');
  });
});

describe('registered inputs (scoped calls)', () => {
  let sql: SqlEngine;
  engineForBlock(
    () => createSqlEngine(),
    (e) => (sql = e),
  );

  it('decodes an input once, and only the columns the query names', async () => {
    const input = lazyParquet('r1', await tableToParquet(readings(3000)));
    const q = 'SELECT site, sum(reading) AS total FROM r GROUP BY site ORDER BY site';
    const opts = { tables: [{ name: 'r', tables: [input] }], scope: 'pond-a' };
    const before = sql.inputStats();
    const first = rows(await sql.query(q, opts));
    // Rows i % 3 == 0 are north (0, 3, ...), 1 south, 2 east.
    const sum = (r: number): number => Array.from({ length: 1000 }, (_, k) => 3 * k + r).reduce((a, b) => a + b, 0);
    expect(first).toEqual([
      { site: 'east', total: sum(2) },
      { site: 'north', total: sum(0) },
      { site: 'south', total: sum(1) },
    ]);
    expect(rows(await sql.query(q, opts))).toEqual(first);
    expect(input.loads).toEqual([['site', 'reading']]);
    const after = sql.inputStats();
    expect(after.registered - before.registered).toBe(1);
    expect(after.reused - before.reused).toBe(1);
    // count(*) names no column: the registration already there answers it.
    expect(rows(await sql.query('SELECT count(*) AS rows_seen FROM r', opts))).toEqual([{ rows_seen: 3000 }]);
    expect(input.loads).toHaveLength(1);
  });

  it('loads more columns when a query names them, and every column for SELECT * or a row as a struct', async () => {
    const input = lazyParquet('r2', await tableToParquet(readings(10)));
    const opts = { tables: [{ name: 'r', tables: [input] }], scope: 'pond-b' };
    expect(rows(await sql.query('SELECT max(level) AS m FROM r', opts))).toEqual([{ m: 6 }]);
    expect(rows(await sql.query('SELECT max(level) AS m, max(reading) AS x FROM r', opts))).toEqual([{ m: 6, x: 9 }]);
    expect(input.loads).toEqual([['level'], ['reading', 'level']]);
    // Names and types of columns not loaded are exact without loading them.
    expect(rows(await sql.query('DESCRIBE r', opts)).map((r) => `${String(r.column_name)} ${String(r.column_type)}`)).toEqual([
      'site VARCHAR',
      'reading DOUBLE',
      'level INTEGER',
      'note VARCHAR',
    ]);
    expect(rows(await sql.query('SELECT * FROM r LIMIT 0', opts))).toEqual([]);
    expect(input.loads).toHaveLength(2);
    const star = await sql.query('SELECT * FROM r ORDER BY 2 LIMIT 2', opts);
    expect(star.schema.fields.map((f) => f.name)).toEqual(['site', 'reading', 'level', 'note']);
    expect(rows(star)).toEqual([
      { site: 'north', reading: 0, level: 0, note: 'row 0' },
      { site: 'south', reading: 1, level: 1, note: 'row 1' },
    ]);
    expect(input.loads).toHaveLength(3);
    expect(input.loads[2]).toBeUndefined();
    const other = lazyParquet('r3', await tableToParquet(readings(2)));
    const struct = await sql.query('SELECT x FROM r AS x ORDER BY 1', { tables: [{ name: 'r', tables: [other] }], scope: 'pond-b' });
    expect(struct.getChild('x')?.get(1)?.toJSON()).toEqual({ site: 'south', reading: 1, level: 1, note: 'row 1' });
    expect(other.loads).toEqual([['site'], undefined]);
  });

  it('binds tables with dictionary columns whether or not they are loaded', async () => {
    const dict = lazyParquet('dict', await tableToParquet(arrow.tableFromArrays({ x: Float64Array.from([1, 2, 3]), y: ['a', 'b', 'a'] })));
    const opts = { tables: [{ name: 't', tables: [dict] }], scope: 'pond-dict' };
    expect(rows(await sql.query('SELECT sum(x) AS s FROM t', opts))).toEqual([{ s: 6 }]);
    expect(rows(await sql.query('SELECT y, count(*) AS c FROM t GROUP BY y ORDER BY y', opts))).toEqual([
      { y: 'a', c: 2 },
      { y: 'b', c: 1 },
    ]);
    expect(dict.loads).toEqual([['x'], undefined]); // every column: no projection
  });

  it('shows columns of every common Parquet type with the types an unscoped bind gives, loaded or not', async () => {
    const n = 3;
    const t = new arrow.Table({
      k: arrow.vectorFromArray([1, 2, 3], new arrow.Int32()),
      big: arrow.vectorFromArray([1n, 2n, 3n], new arrow.Int64()),
      u: arrow.vectorFromArray([1, 2, 3], new arrow.Uint16()),
      f: arrow.vectorFromArray([0.5, 1.5, 2.5], new arrow.Float32()),
      ok: arrow.vectorFromArray([true, false, null], new arrow.Bool()),
      s: arrow.vectorFromArray(['a', null, 'c'], new arrow.LargeUtf8()),
      bin: arrow.vectorFromArray([new Uint8Array([1]), new Uint8Array([]), null], new arrow.Binary()),
      day: arrow.vectorFromArray(
        [0, 1, 2].map((d) => new Date(Date.UTC(2024, 0, 1 + d))),
        new arrow.DateDay(),
      ),
      ts: arrow.vectorFromArray(
        [0, 1, 2].map((d) => Date.UTC(2024, 0, 1, d)),
        new arrow.TimestampMicrosecond('UTC'),
      ),
      list: arrow.vectorFromArray([[1], [], [2, 3]], new arrow.List(new arrow.Field('item', new arrow.Int32(), true))),
      rec: arrow.vectorFromArray(
        [{ a: 1, b: 'x' }, { a: 2, b: 'y' }, null],
        new arrow.Struct([new arrow.Field('a', new arrow.Int32(), true), new arrow.Field('b', new arrow.Utf8(), true)]),
      ),
    });
    expect(t.numRows).toBe(n);
    const lazy = lazyParquet('types', await tableToParquet(t));
    const decoded = await parquetToTable(await tableToParquet(t));
    const scoped = { tables: [{ name: 'v', tables: [lazy] }], scope: 'pond-types' };
    const plain = { tables: [{ name: 'v', tables: [decoded] }] };
    expect(rows(await sql.query('SELECT sum(k) AS total FROM v', scoped))).toEqual([{ total: 6 }]);
    expect(lazy.loads).toEqual([['k']]);
    expect(rows(await sql.query('DESCRIBE v', scoped))).toEqual(rows(await sql.query('DESCRIBE v', plain)));
    const all = 'SELECT * EXCLUDE (bin), bin::VARCHAR AS bin FROM v ORDER BY k';
    expect(JSON.stringify(rows(await sql.query(all, scoped)))).toEqual(JSON.stringify(rows(await sql.query(all, plain))));
  });

  it('queryBatches loads every column (a stream cannot be retried) and its registration serves later queries', async () => {
    const input = lazyParquet('stream', await tableToParquet(readings(5000)));
    const opts = { tables: [{ name: 'r', tables: [input] }], scope: 'pond-stream' };
    let n = 0;
    for await (const b of sql.queryBatches('SELECT * FROM r', opts)) n += b.numRows;
    expect(n).toBe(5000);
    expect(rows(await sql.query('SELECT count(DISTINCT note) AS d FROM r', opts))).toEqual([{ d: 5000 }]);
    expect(input.loads).toEqual([undefined]);
  });

  it('a changed input (a new key) gets a new registration and the query sees the new data', async () => {
    const v1 = lazyParquet('file@1', await tableToParquet(readings(5)));
    const v2 = lazyParquet('file@2', await tableToParquet(readings(5, 100)));
    const q = 'SELECT sum(reading) AS s FROM r';
    expect(rows(await sql.query(q, { tables: [{ name: 'r', tables: [v1] }], scope: 'pond-c' }))).toEqual([{ s: 10 }]);
    expect(rows(await sql.query(q, { tables: [{ name: 'r', tables: [v2] }], scope: 'pond-c' }))).toEqual([{ s: 510 }]);
    expect(rows(await sql.query(q, { tables: [{ name: 'r', tables: [v1] }], scope: 'pond-c' }))).toEqual([{ s: 10 }]);
    expect(rows(await sql.query(q, { tables: [{ name: 'r', tables: [v1, v2] }], scope: 'pond-c' }))).toEqual([{ s: 520 }]);
    expect([v1.loads.length, v2.loads.length]).toEqual([2, 2]);
  });

  it("one scope never sees another scope's registrations, nor does an unscoped call", async () => {
    const secret = lazyParquet('secret', await tableToParquet(readings(4)));
    const mine = { tables: [{ name: 'mine', tables: [secret] }], scope: 'pond-secret' };
    await sql.query('SELECT sum(reading) AS s FROM mine', mine);
    const names = rows(await sql.query("SELECT table_name FROM duckdb_tables() WHERE table_name LIKE '\\_\\_pond\\_input\\_%' ESCAPE '\\'", mine)).map((r) =>
      String(r.table_name),
    );
    expect(names).toHaveLength(1);
    const stranger = lazyParquet('stranger', await tableToParquet(readings(1)));
    const theirs = { tables: [{ name: 'theirs', tables: [stranger] }], scope: 'pond-stranger' };
    const catalog =
      'SELECT (SELECT string_agg(table_name) FROM duckdb_tables()) AS tables, (SELECT string_agg(view_name) FROM duckdb_views() WHERE NOT internal) AS views';
    const seen = rows(await sql.query(catalog, theirs))[0];
    expect(String(seen.tables)).not.toContain(names[0]);
    expect(seen.views).toBe('theirs');
    expect(rows(await sql.query(catalog))).toEqual([{ tables: null, views: null }]);
    for (const opts of [theirs, {}]) {
      await expectPondError(sql.query(`SELECT * FROM temp.main.${names[0]}`, opts), 'ESQL', /does not exist/);
      await expectPondError(sql.query(`SELECT * FROM ${names[0]}`, opts), 'ESQL', /does not exist/);
      await expectPondError(sql.query('SELECT * FROM mine', opts), 'ESQL', /does not exist/);
    }
    // The owner still reads it, without decoding again.
    expect(rows(await sql.query('SELECT sum(reading) AS s FROM mine', mine))).toEqual([{ s: 6 }]);
    expect(secret.loads).toHaveLength(1);
  });

  it('evicts least recently used registrations beyond the budget, never one in use', async () => {
    const small = createSqlEngine({ inputBudgetBytes: 64 * 1024 });
    try {
      const a = lazyParquet('a', await tableToParquet(readings(2000)));
      const b = lazyParquet('b', await tableToParquet(readings(2000, 1)));
      const opts = {
        tables: [
          { name: 'a', tables: [a] },
          { name: 'b', tables: [b] },
        ],
        scope: 's',
      };
      // Both are in use at once, together beyond the budget: both stay until the query is done.
      const r = rows(await small.query('SELECT sum(reading) AS s, max(note) AS m, (SELECT sum(reading) FROM b) AS t FROM a', opts));
      expect(r).toEqual([{ s: (1999 * 2000) / 2, m: 'row 999', t: (2000 * 2001) / 2 }]);
      const stats = small.inputStats();
      expect(stats.bytes).toBeLessThanOrEqual(64 * 1024);
      expect(stats.tables).toBeLessThan(2);
      // What is still registered is b (used last): a is decoded again, b is not.
      await small.query('SELECT sum(reading) AS s FROM a', opts);
      expect(a.loads).toHaveLength(2);
      await small.dropInputs();
      expect(small.inputStats()).toMatchObject({ tables: 0, bytes: 0 });
    } finally {
      await small.close();
    }
  });

  it('a dropped engine drops its registrations', async () => {
    const e = createSqlEngine();
    try {
      const a = lazyParquet('crash', await tableToParquet(readings(10)));
      const opts = { tables: [{ name: 'a', tables: [a] }], scope: 'x' };
      await e.query('SELECT sum(reading) FROM a', opts);
      expect(e.inputStats().tables).toBe(1);
      await expectPondError(e.query(WASM_FAULT_SQL, opts), 'ESQL', /crashed/);
      expect(e.inputStats().tables).toBe(0);
      const loads = a.loads.length;
      expect(rows(await e.query('SELECT sum(reading) AS s FROM a', opts))).toEqual([{ s: 45 }]);
      expect(a.loads).toHaveLength(loads + 1);
    } finally {
      await e.close();
    }
  });

  it('keeps registrations across calls but rolls back everything else a call does', async () => {
    const a = lazyParquet('rb', await tableToParquet(readings(3)));
    const opts = { tables: [{ name: 'a', tables: [a] }], scope: 'pond-rb' };
    expect(rows(await sql.query('SELECT sum(reading) AS s FROM a', opts))).toEqual([{ s: 3 }]);
    await expectPondError(sql.query('SELECT sum(reading) FROM a; DROP TABLE a', opts), 'ESQL');
    await expectPondError(sql.query('SELECT reading, missing_column FROM a', opts), 'ESQL', /missing_column/);
    expect(rows(await sql.query('SELECT sum(reading) AS s, count(*) AS n FROM a', opts))).toEqual([{ s: 3, n: 3 }]);
    expect(a.loads).toEqual([['reading']]);
  });

  it('unions several inputs by column name as an unscoped call does, loading the same columns from each', async () => {
    const a = new arrow.Table({ k: arrow.vectorFromArray([1, 2], new arrow.Int32()), x: arrow.vectorFromArray(['a', 'b'], new arrow.Utf8()) });
    const b = new arrow.Table({
      x: arrow.vectorFromArray(['c'], new arrow.Utf8()),
      k: arrow.vectorFromArray([3.5], new arrow.Float64()),
      y: arrow.vectorFromArray([true], new arrow.Bool()),
    });
    const la = lazyParquet('ua', await tableToParquet(a));
    const lb = lazyParquet('ub', await tableToParquet(b));
    const q = 'SELECT sum(k) AS total, count(y) AS flags FROM u';
    const plain = rows(await sql.query(q, { tables: [{ name: 'u', tables: [a, b] }] }));
    expect(plain).toEqual([{ total: 6.5, flags: 1 }]);
    expect(rows(await sql.query(q, { tables: [{ name: 'u', tables: [la, lb] }], scope: 'pond-u' }))).toEqual(plain);
    expect(la.loads).toEqual([['k']]);
    expect(lb.loads).toEqual([['k', 'y']]);
    const described = rows(await sql.query('DESCRIBE u', { tables: [{ name: 'u', tables: [la, lb] }], scope: 'pond-u' }));
    expect(described).toEqual(rows(await sql.query('DESCRIBE u', { tables: [{ name: 'u', tables: [a, b] }] })));
  });

  it("a stranger's hostile corpus, run in its own scope over a registered table, changes nothing another pond sees", async () => {
    const pristine = await probe(sql);
    const mine = lazyParquet('victim', await tableToParquet(readings(30)));
    const victim = { tables: [{ name: 'mine', tables: [mine] }], scope: 'pond-victim' };
    const q = 'SELECT site, sum(reading) AS total, max(note) AS last FROM mine GROUP BY site ORDER BY site';
    const before = rows(await sql.query(q, victim));
    const bait = lazyParquet('bait', await tableToParquet(readings(3)));
    const stranger = { tables: [{ name: 't', tables: [bait] }], scope: 'pond-stranger', path: '/stranger/pond.sql', timeoutMs: 20_000 };
    const cases = hostileSqlCases(false).filter((_, i) => i % 6 === 0);
    for (const c of cases) {
      try {
        await sql.query(c.sql, stranger);
        expect(c.refuse, c.sql).toBe(false);
      } catch (e) {
        if (!isPondError(e, 'ESQL')) throw new Error(`expected ESQL or a result for ${JSON.stringify(c.sql)}, got ${String(e)}`, { cause: e });
      }
    }
    expect(rows(await sql.query(q, victim))).toEqual(before);
    expect(await probe(sql)).toEqual(pristine);
  }, 120_000);
});

describe('pond.query and sql_query keep their inputs registered', () => {
  async function pondWith(bytes: Uint8Array): Promise<Pond> {
    const resolver = new DynamicResolver(defaultRegistry());
    const pond = await openPond(new MemoryStore(), { services: resolver.services() });
    await pond.transact((tx) => tx.writeFile('/r.parquet', bytes, { type: 'file:table' }));
    return pond;
  }

  it('decodes a stored table once, sees a new version, and keeps ponds apart', async () => {
    const engine = getSqlEngine();
    const pond = await pondWith(await tableToParquet(readings(100)));
    const q = 'SELECT sum(reading) AS s FROM r';
    const tables = { r: '/r.parquet' };
    const start = engine.inputStats();
    expect(rows(await pond.query(q, { tables }))).toEqual([{ s: 4950 }]);
    expect(rows(await pond.query(q, { tables }))).toEqual([{ s: 4950 }]);
    await pond.transact((tx) => tx.mknod('/sum', 'sql_query', { query: q, tables }));
    expect(rows(await pond.readTable('/sum'))).toEqual([{ s: 4950 }]);
    let now = engine.inputStats();
    expect([now.registered - start.registered, now.reused - start.reused]).toEqual([1, 2]);
    // A new version is new content: registered anew, and the query sees it.
    await pond.transact(async (tx) => tx.writeFile('/r.parquet', await tableToParquet(readings(100, 1)), { type: 'file:table' }));
    expect(rows(await pond.query(q, { tables }))).toEqual([{ s: 5050 }]);
    expect(rows(await pond.readTable('/sum'))).toEqual([{ s: 5050 }]);
    now = engine.inputStats();
    expect(now.registered - start.registered).toBe(2);
    // Another pond with the same bytes has its own scope: it registers its own copy and sees none of the first pond's.
    const other = await pondWith(await tableToParquet(readings(100)));
    const listed = 'SELECT count(*) AS n FROM duckdb_tables()';
    expect(rows(await other.query(listed, { tables }))).toEqual([{ n: 1 }]);
    expect(rows(await pond.query(listed, { tables })).map((r) => r.n as number)[0]).toBeGreaterThanOrEqual(1);
    await pond.close();
    await other.close();
  });
});

describe('mentions (which columns a query names)', () => {
  it('matches whole words only, and any occurrence of a name an identifier cannot spell', () => {
    const q = `select site, count(*) as n, "Wind Speed", 't2' from r where région = 1`.toLowerCase();
    expect(['site', 'n', 't2', 'région', 'Wind Speed'].map((c) => mentions(q, c))).toEqual([true, true, true, true, true]);
    expect(['t', 'sit', 'count_x', 'gion', 'wind'].map((c) => mentions(q, c))).toEqual([false, false, false, false, true]);
  });
});
