// SqlEngine behaviour suite: results, table binding, batches, CSV, close. Runs in Node
// (test/unit/sql/engine.test.ts) and in Chromium (test/browser/sql.test.ts).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as arrow from 'apache-arrow';
import type { SqlEngine } from '../../../src/core/sql/index.ts';
import { INIT_TIMEOUT_MS, bench, expectPondError, lit, people, rows } from './helpers.ts';

/** Result, binding, streaming and CSV behaviour of engines made by `make`. */
export function queryBehaviour(name: string, make: () => SqlEngine): void {
  describe(`SqlEngine queries: ${name}`, () => {
    let sql: SqlEngine;
    beforeAll(async () => {
      sql = make();
      const t0 = performance.now();
      await sql.query('SELECT 1');
      bench(`${name} cold init + first query`, performance.now() - t0);
    }, INIT_TIMEOUT_MS);
    afterAll(() => sql.close());

    describe('results', () => {
      it("are tables of the app's apache-arrow with DuckDB's types", async () => {
        const t = await sql.query(
          "SELECT 42::INTEGER AS i, 7::BIGINT AS b, 1.5::DOUBLE AS d, 'x' AS s, DATE '2024-01-02' AS day, TIMESTAMP '2024-01-02 03:04:05' AS ts, NULL::INTEGER AS n",
        );
        expect(t).toBeInstanceOf(arrow.Table);
        expect(t.batches[0]).toBeInstanceOf(arrow.RecordBatch);
        const types = Object.fromEntries(t.schema.fields.map((f) => [f.name, f.type.typeId]));
        expect(types).toEqual({
          i: arrow.Type.Int,
          b: arrow.Type.Int,
          d: arrow.Type.Float,
          s: arrow.Type.Utf8,
          day: arrow.Type.Date,
          ts: arrow.Type.Timestamp,
          n: arrow.Type.Int,
        });
        expect(t.getChild('b')?.get(0)).toBe(7n);
        expect(rows(t)[0]).toMatchObject({ i: 42, b: 7, d: 1.5, s: 'x', n: null });
      });

      it('turn DECIMAL and HUGEINT (sum of integers) into DOUBLE, which apache-arrow JS can read', async () => {
        const t = await sql.query('SELECT sum(i) AS s, 1.25 AS d, 10::HUGEINT AS h, 2::BIGINT AS b FROM range(10) t(i)');
        expect(t.schema.fields.map((f) => f.type.typeId)).toEqual([arrow.Type.Float, arrow.Type.Float, arrow.Type.Float, arrow.Type.Int]);
        expect(t.toArray()[0].toJSON()).toEqual({ s: 45, d: 1.25, h: 10, b: 2n });
        const edge = await sql.query(
          'SELECT (-1.25)::DECIMAL(10,2) AS neg, NULL::DECIMAL(5,1) AS nul, (-170141183460469231731687303715884105727)::HUGEINT AS min, 12345678901234567::HUGEINT AS big, (-4294967296)::HUGEINT AS carry',
        );
        expect(edge.toArray()[0].toJSON()).toEqual({ neg: -1.25, nul: null, min: -1.7014118346046923e38, big: 12345678901234568, carry: -4294967296 });
        const many = await sql.query(
          'SELECT CASE WHEN i % 7 = 0 THEN NULL ELSE (i - 5000)::DECIMAL(18,3) / 8 END AS d, CASE WHEN i % 7 = 0 THEN NULL ELSE (i - 5000) / 8 END AS want FROM range(10000) t(i)',
        );
        const d = many.getChild('d');
        const want = many.getChild('want');
        for (let i = 0; i < many.numRows; i++) expect(d?.get(i)).toBe(want?.get(i));
      });

      it('keep the schema when there are no rows', async () => {
        const t = await sql.query('SELECT range AS r, range::VARCHAR AS s FROM range(10) WHERE range > 100');
        expect(t.numRows).toBe(0);
        expect(t.schema.fields.map((f) => f.name)).toEqual(['r', 's']);
      });

      it('return ENUM columns as strings (DuckDB-WASM streams them without their dictionary)', async () => {
        const t = await sql.query("SELECT (CASE WHEN i % 2 = 0 THEN 'even' ELSE 'odd' END)::ENUM('even', 'odd') AS parity, i FROM range(5000) t(i) ORDER BY i");
        expect(t.schema.fields[0].type.typeId).toBe(arrow.Type.Utf8);
        expect(t.getChild('parity')?.get(0)).toBe('even');
        expect(t.getChild('parity')?.get(4999)).toBe('odd');
        await expectPondError(sql.query("SELECT [('a')::ENUM('a', 'b')] AS l"), 'ESQL', /cast them to VARCHAR/);
      });

      it('accept trailing semicolons and comments, and keep ORDER BY', async () => {
        const t = await sql.query('SELECT range AS r FROM range(5) ORDER BY r DESC; -- done\n;');
        expect(rows(t).map((r) => r.r)).toEqual([4, 3, 2, 1, 0]);
      });

      it('name duplicate columns apart (a, a_1): every query runs as a subquery', async () => {
        const t = await sql.query('SELECT 1 AS a, 2 AS a');
        expect(t.schema.fields.map((f) => f.name)).toEqual(['a', 'a_1']);
        expect(rows(t)).toEqual([{ a: 1, a_1: 2 }]);
      });

      it('turn DuckDB errors into ESQL naming the path, first line only', async () => {
        const msg = await expectPondError(
          sql.query('SELECT * FROM no_such_table', { path: '/reports/daily.sql' }),
          'ESQL',
          /\/reports\/daily\.sql/,
          /Catalog Error/,
          /no_such_table/,
        );
        expect(msg).not.toContain('\n');
        await expectPondError(sql.query('SELECT FROM WHERE'), 'ESQL', /Parser Error/);
        await expectPondError(sql.query("SELECT 'abc'::INTEGER"), 'ESQL', /Conversion Error/);
      });

      it('reads a million rows', async () => {
        const t0 = performance.now();
        const t = await sql.query("SELECT i, i * 2.5 AS d, 'row' || i AS s FROM range(1000000) t(i)");
        bench(`${name} query 1M rows (int, double, string)`, performance.now() - t0);
        expect(t.numRows).toBe(1_000_000);
        expect(t.getChild('s')?.get(999_999)).toBe('row999999');
      });
    });

    describe('bound tables', () => {
      it('bind one Arrow table under its name', async () => {
        const t = await sql.query('SELECT count(*) AS n, max(name) AS last FROM people', { tables: [{ name: 'people', tables: [people([1, 2, 3])] }] });
        expect(rows(t)).toEqual([{ n: 3, last: 'p3' }]);
      });

      it('union inputs by column name: missing columns are NULL, widths widen', async () => {
        const a = new arrow.Table({ x: arrow.vectorFromArray([1, 2], new arrow.Int32()), y: arrow.vectorFromArray(['a', 'b']) });
        const b = new arrow.Table({ z: arrow.vectorFromArray([0.5]), y: arrow.vectorFromArray(['c']), x: arrow.vectorFromArray([3n], new arrow.Int64()) });
        const t = await sql.query('SELECT x, y, z FROM u ORDER BY x', { tables: [{ name: 'u', tables: [a, b] }] });
        expect(rows(t)).toEqual([
          { x: 1, y: 'a', z: null },
          { x: 2, y: 'b', z: null },
          { x: 3, y: 'c', z: 0.5 },
        ]);
        const d = await sql.query('SELECT column_name, column_type FROM (DESCRIBE u) ORDER BY column_name', { tables: [{ name: 'u', tables: [a, b] }] });
        expect(rows(d)).toEqual([
          { column_name: 'x', column_type: 'BIGINT' },
          { column_name: 'y', column_type: 'VARCHAR' },
          { column_name: 'z', column_type: 'DOUBLE' },
        ]);
      });

      it('let an all-NULL Arrow column take any later type', async () => {
        const a = new arrow.Table({ k: arrow.vectorFromArray([1], new arrow.Int32()), v: arrow.vectorFromArray([null], new arrow.Null()) });
        const b = new arrow.Table({ k: arrow.vectorFromArray([2], new arrow.Int32()), v: arrow.vectorFromArray(['two']) });
        const t = await sql.query('SELECT k, v FROM n ORDER BY k', { tables: [{ name: 'n', tables: [a, b] }] });
        expect(rows(t)).toEqual([
          { k: 1, v: null },
          { k: 2, v: 'two' },
        ]);
      });

      it('refuse incompatible column types with ESQL naming table and column', async () => {
        const a = people([1]);
        const b = new arrow.Table({ id: arrow.vectorFromArray(['one']), name: arrow.vectorFromArray(['x']) });
        await expectPondError(
          sql.query('SELECT * FROM mixed', { tables: [{ name: 'mixed', tables: [a, b] }], path: '/data/mixed' }),
          'ESQL',
          /\/data\/mixed/,
          /"mixed"/,
          /column "id"/,
          /INTEGER/,
          /VARCHAR/,
        );
      });

      it('append 250 inputs one by one (no 250-branch UNION)', async () => {
        const inputs = Array.from({ length: 250 }, (_, i) => people([i * 2, i * 2 + 1]));
        const t0 = performance.now();
        const t = await sql.query('SELECT count(*) AS n, sum(id) AS s, count(DISTINCT name) AS d FROM many', { tables: [{ name: 'many', tables: inputs }] });
        bench(`${name} bind 250 same-schema inputs + query`, performance.now() - t0);
        expect(rows(t)).toEqual([{ n: 500, s: (499 * 500) / 2, d: 500 }]);
      });

      it('append 240 inputs of three alternating schemas', async () => {
        const variant = (i: number): arrow.Table =>
          i % 3 === 0
            ? people([i])
            : i % 3 === 1
              ? new arrow.Table({ name: arrow.vectorFromArray([`q${i}`]), extra: arrow.vectorFromArray([i]) })
              : new arrow.Table({ id: arrow.vectorFromArray([BigInt(i)], new arrow.Int64()) });
        const t0 = performance.now();
        const t = await sql.query('SELECT count(*) AS n, count(id) AS ids, count(name) AS names, count(extra) AS extras, sum(id) AS s FROM alt', {
          tables: [{ name: 'alt', tables: Array.from({ length: 240 }, (_, i) => variant(i)) }],
        });
        bench(`${name} bind 240 mixed-schema inputs + query`, performance.now() - t0);
        let s = 0;
        for (let i = 0; i < 240; i++) if (i % 3 !== 1) s += i;
        expect(rows(t)).toEqual([{ n: 240, ids: 160, names: 160, extras: 80, s }]);
      });

      it('fill columns an input lacks with NULLs, nested types and multi-batch inputs too', async () => {
        const withList = new arrow.Table({
          k: arrow.vectorFromArray([1, 2], new arrow.Int32()),
          tags: arrow.vectorFromArray([['a'], ['b', 'c']], new arrow.List(new arrow.Field('item', new arrow.Utf8(), true))),
        });
        const big = people(Array.from({ length: 70_000 }, (_, i) => i));
        const twoBatches = new arrow.Table([...big.batches, ...people([1, 2, 3]).batches]);
        const onlyK = (n: number): arrow.Table =>
          new arrow.Table({
            k: arrow.vectorFromArray(
              Array.from({ length: n }, (_, i) => i + 10),
              new arrow.Int32(),
            ),
          });
        const inputs = [withList, people([5]), twoBatches, onlyK(100_000), withList, onlyK(3)];
        const t = await sql.query(
          'SELECT count(*) AS n, count(k) AS ks, count(tags) AS tagged, sum(len(tags)) AS tag_items, count(id) AS ids, count(name) AS names FROM mix',
          { tables: [{ name: 'mix', tables: inputs }] },
        );
        expect(rows(t)).toEqual([
          { n: 2 + 1 + 70_003 + 100_000 + 2 + 3, ks: 2 + 100_000 + 2 + 3, tagged: 4, tag_items: 6, ids: 1 + 70_003, names: 1 + 70_003 },
        ]);
      });

      it('quote odd table names and treat names case-insensitively', async () => {
        const t = await sql.query('SELECT count(*) AS n FROM "my ""odd"" table"', { tables: [{ name: 'my "odd" table', tables: [people([1, 2])] }] });
        expect(rows(t)).toEqual([{ n: 2 }]);
        await expectPondError(
          sql.query('SELECT 1', {
            tables: [
              { name: 'T', tables: [people([1])] },
              { name: 't', tables: [people([2])] },
            ],
          }),
          'EINVAL',
          /bound twice/,
        );
        await expectPondError(sql.query('SELECT 1', { tables: [{ name: 'empty', tables: [] }] }), 'EINVAL', /no input tables/);
      });

      it('are dropped after the query, after an error too', async () => {
        const count = async (): Promise<unknown> => rows(await sql.query('SELECT count(*) AS n FROM duckdb_tables()'))[0].n;
        await sql.query('SELECT * FROM a, b', {
          tables: [
            { name: 'a', tables: [people([1])] },
            { name: 'b', tables: [people([2])] },
          ],
        });
        expect(await count()).toBe(0);
        await expectPondError(sql.query('SELECT nope FROM a', { tables: [{ name: 'a', tables: [people([1])] }] }), 'ESQL');
        expect(await count()).toBe(0);
        const bad = new arrow.Table({ id: arrow.vectorFromArray(['x']) });
        await expectPondError(
          sql.query('SELECT 1', {
            tables: [
              { name: 'a', tables: [people([1])] },
              { name: 'b', tables: [people([1]), bad] },
            ],
          }),
          'ESQL',
        );
        expect(await count()).toBe(0);
        await expectPondError(sql.query('SELECT * FROM a'), 'ESQL', /Table with name a does not exist/);
      });

      it('are invisible to other callers, even concurrent ones', async () => {
        const slow = 'SELECT count(*) AS n, min(name) AS first, (SELECT count(*) FROM range(3000000)) AS pad FROM t';
        const [a, b, c, d] = await Promise.all([
          sql.query(slow, { tables: [{ name: 't', tables: [people([1, 2, 3], 'a')] }] }),
          sql.query(slow, { tables: [{ name: 't', tables: [people([1], 'b')] }] }),
          sql.query('SELECT * FROM t').then(
            () => 'saw t',
            (e: Error) => e.message,
          ),
          sql.query('SELECT string_agg(table_name) AS names FROM duckdb_tables()', { tables: [{ name: 'mine', tables: [people([1])] }] }),
        ]);
        expect(rows(a)[0]).toMatchObject({ n: 3, first: 'a1' });
        expect(rows(b)[0]).toMatchObject({ n: 1, first: 'b1' });
        expect(c).toMatch(/ESQL.*Table with name t does not exist/);
        expect(rows(d)).toEqual([{ names: 'mine' }]);
      });

      it('bind columns whose names and nested field names look like SQL', async () => {
        const evil = 'x" INTEGER); INSTALL httpfs; SELECT (1 --';
        const struct = new arrow.Struct([new arrow.Field(evil, new arrow.Int32())]);
        const b = new arrow.Table({ [evil]: arrow.vectorFromArray(['v']), s: arrow.vectorFromArray([{ [evil]: 7 }], struct) });
        const t = await sql.query(`SELECT count(*) AS n, max(struct_extract(s, ${lit(evil)})) AS inner FROM h`, {
          tables: [{ name: 'h', tables: [people([1]), b] }],
        });
        expect(rows(t)).toEqual([{ n: 2, inner: 7 }]);
        const loaded = await sql.query("SELECT count(*) AS n FROM duckdb_extensions() WHERE installed AND extension_name = 'httpfs'");
        expect(rows(loaded)).toEqual([{ n: 0 }]);
      });

      it('take Arrow dictionary columns as plain strings', async () => {
        const dict = arrow.vectorFromArray(['a', 'b', 'a'], new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32()));
        const t = await sql.query('SELECT d, count(*) AS n FROM dt GROUP BY d ORDER BY d', {
          tables: [{ name: 'dt', tables: [new arrow.Table({ d: dict })] }],
        });
        expect(rows(t)).toEqual([
          { d: 'a', n: 2 },
          { d: 'b', n: 1 },
        ]);
      });
    });

    describe('queryBatches', () => {
      it('streams a large result as record batches', async () => {
        let n = 0;
        let batches = 0;
        let sum = 0n;
        const t0 = performance.now();
        for await (const b of sql.queryBatches('SELECT i FROM range(1000000) t(i)')) {
          expect(b).toBeInstanceOf(arrow.RecordBatch);
          n += b.numRows;
          batches++;
          for (const v of b.getChild('i') ?? []) sum += v as bigint;
        }
        bench(`${name} queryBatches 1M rows`, performance.now() - t0);
        expect(n).toBe(1_000_000);
        expect(batches).toBeGreaterThan(1);
        expect(sum).toBe(499999500000n);
      });

      it('binds tables and releases everything when the consumer breaks early', async () => {
        let seen = 0;
        for await (const b of sql.queryBatches('SELECT * FROM big, range(1000) r', { tables: [{ name: 'big', tables: [people([1, 2, 3])] }] })) {
          seen += b.numRows;
          break;
        }
        expect(seen).toBeGreaterThan(0);
        expect(rows(await sql.query('SELECT count(*) AS n FROM duckdb_tables()'))).toEqual([{ n: 0 }]);
      });

      it('times out a consumer that stalls, freeing the engine for others', async () => {
        const it = sql.queryBatches('SELECT * FROM range(10000000)', { timeoutMs: 1500 })[Symbol.asyncIterator]();
        expect((await it.next()).done).toBe(false);
        const t0 = performance.now();
        const other = await sql.query('SELECT 7 AS x'); // queued behind the stalled stream until the watchdog frees it
        expect(rows(other)).toEqual([{ x: 7 }]);
        expect(performance.now() - t0).toBeLessThan(5000);
        await expectPondError(it.next(), 'ETIMEOUT', /1500 ms/);
      });
    });

    describe('csvToTable', () => {
      it('sniffs header, delimiter and types', async () => {
        const csv = 'id;name;score;day\n1;"Smith; J.";2.5;2024-01-02\n2;"multi\nline";3;2024-02-03\n';
        const t = await sql.csvToTable(new TextEncoder().encode(csv), { path: '/in/scores.csv' });
        expect(t).toBeInstanceOf(arrow.Table);
        expect(t.schema.fields.map((f) => [f.name, f.type.typeId])).toEqual([
          ['id', arrow.Type.Int],
          ['name', arrow.Type.Utf8],
          ['score', arrow.Type.Float],
          ['day', arrow.Type.Date],
        ]);
        expect(rows(t).map((r) => [r.id, r.name, r.score])).toEqual([
          [1, 'Smith; J.', 2.5],
          [2, 'multi\nline', 3],
        ]);
      });

      it('leaves no file buffer behind', async () => {
        await sql.csvToTable(new TextEncoder().encode('a\n1\n'));
        expect(rows(await sql.query("SELECT count(*) AS n FROM glob('/__pond_csv__/input.csv')"))).toEqual([{ n: 0 }]);
      });

      it('reports unreadable input as ESQL naming the path', async () => {
        const notUtf8 = new Uint8Array([0x61, 0x0a, 0xff, 0xfe, 0x0a]);
        await expectPondError(sql.csvToTable(notUtf8, { path: '/in/binary.csv' }), 'ESQL', /\/in\/binary\.csv/, /CSV Error/);
        expect((await sql.csvToTable(new Uint8Array(0))).numRows).toBe(0);
      });
    });
  });

  describe(`SqlEngine close: ${name}`, () => {
    it(
      'fails running and later calls with ECLOSED',
      async () => {
        const sql = make();
        await sql.query('SELECT 1');
        const running = sql.query('SELECT count(*) FROM range(10000000000)');
        await new Promise((r) => setTimeout(r, 100));
        await sql.close();
        await expectPondError(running, 'ECLOSED');
        await expectPondError(sql.query('SELECT 1'), 'ECLOSED');
      },
      INIT_TIMEOUT_MS,
    );
  });
}
