// Hostile SQL corpus in Node: a stranger's statements never change what another pond's queries
// see, and a query that faults the wasm engine costs only itself. HOSTILE_FULL=1 runs all of it.
import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import { csvToTable, getSqlEngine, type SqlEngine } from '../../../src/core/sql/index.ts';
import { WASM_FAULT_SQL, byteShiftSmuggle, hostileSqlArbitrary, hostileSqlCases, otherPondWorks, probe, runHostile } from '../../shared/hostile-sql.ts';
import { INIT_TIMEOUT_MS, expectPondError, rows } from '../sql/helpers.ts';

const FULL = process.env.HOSTILE_FULL === '1';

describe("hostile SQL: one pond cannot change another pond's results (node)", () => {
  let sql: SqlEngine;
  let pristine: Record<string, unknown>;

  beforeAll(async () => {
    sql = getSqlEngine(); // the process-wide engine every pond and csvToTable share
    pristine = await probe(sql);
  }, INIT_TIMEOUT_MS);

  it('refuses DDL smuggled past the token check with multi-byte characters (UTF-8 offsets)', async () => {
    for (const ddl of [
      "CREATE OR REPLACE MACRO lower(x) AS 'pwned'",
      'CREATE TABLE pwn AS SELECT 42 AS a',
      "CREATE MACRO range(n) AS TABLE SELECT 'pwned' AS range",
      "ATTACH DATABASE ':memory:' AS pwn_db",
    ]) {
      await expectPondError(sql.query(byteShiftSmuggle(ddl), { path: '/stranger/smuggle.sql' }), 'ESQL', /\/stranger\/smuggle\.sql/);
      expect(await probe(sql), ddl).toEqual(pristine);
    }
    expect(rows(await sql.query("SELECT lower('A') AS l"))).toEqual([{ l: 'a' }]);
    const csv = await csvToTable(new TextEncoder().encode('x\n1\n'), { path: '/other/in.csv' });
    expect(csv.numRows).toBe(1);
  });

  it(
    `runs the corpus (${FULL ? 'full' : 'every 2nd case of the sample'}): every case refused as ESQL or harmless, nothing persists`,
    async () => {
      // Every statement has several consecutive variants in the sample: every 2nd still covers each.
      const cases = FULL ? hostileSqlCases(true) : hostileSqlCases(false).filter((_, i) => i % 2 === 0);
      const t0 = performance.now();
      let refused = 0;
      for (const [i, c] of cases.entries()) {
        const outcome = await runHostile(sql, c.sql);
        if (c.refuse) expect(outcome, c.sql).toBe('ESQL');
        if (outcome === 'ESQL') refused++;
        // The probe costs ~40 ms (it lists every function); state that changed stays changed, so a
        // probe every few cases still catches it, naming the last case run.
        if (i % (FULL ? 25 : 8) === 0) expect(await probe(sql), c.sql).toEqual(pristine);
      }
      expect(await probe(sql)).toEqual(pristine);
      await otherPondWorks(sql);
      console.log(`[sql-bench] hostile corpus (node, ${cases.length} cases, ${refused} refused): ${(performance.now() - t0).toFixed(0)} ms`);
    },
    FULL ? 3_600_000 : 120_000,
  );

  it(
    'generated hostile text (fast-check) is refused or harmless, and leaves the engine pristine',
    async () => {
      await fc.assert(
        fc.asyncProperty(hostileSqlArbitrary(), async (text) => {
          await runHostile(sql, text);
          expect(await probe(sql), text).toEqual(pristine);
        }),
        { numRuns: FULL ? 2000 : 40, seed: FULL ? undefined : 12 },
      );
      await otherPondWorks(sql);
    },
    FULL ? 3_600_000 : 120_000,
  );
});

describe('hostile SQL: a query that faults the wasm engine costs only itself (node)', () => {
  it(
    'fails with ESQL naming the path; the next query of any pond gets a fresh engine',
    async () => {
      const sql = getSqlEngine();
      const pristine = await probe(sql);
      const msg = await expectPondError(sql.query(WASM_FAULT_SQL, { path: '/stranger/crash.sql' }), 'ESQL', /\/stranger\/crash\.sql/);
      expect(msg).toMatch(/the SQL engine crashed \((memory access out of bounds|null function)/);
      expect(rows(await sql.query("SELECT lower('A') AS l", { path: '/other/pond.sql' }))).toEqual([{ l: 'a' }]);
      expect(await probe(sql)).toEqual(pristine);
      await otherPondWorks(sql);
    },
    INIT_TIMEOUT_MS,
  );

  it(
    'calls already waiting behind the faulting one run on the fresh engine',
    async () => {
      const sql = getSqlEngine();
      await sql.query('SELECT 1');
      const crash = sql.query(WASM_FAULT_SQL, { path: '/stranger/crash.sql' });
      const queued = [sql.query('SELECT 41 + 1 AS x'), csvToTable(new TextEncoder().encode('a\n7\n'), { path: '/other/in.csv' })];
      await expectPondError(crash, 'ESQL', /\/stranger\/crash\.sql/);
      const [x, csv] = await Promise.all(queued);
      expect(rows(x)).toEqual([{ x: 42 }]);
      expect(rows(csv)).toEqual([{ a: 7 }]);
    },
    INIT_TIMEOUT_MS,
  );
});
