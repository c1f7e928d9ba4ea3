// Hostile SQL in real Chromium, on the browser build of DuckDB-WASM: a sample of the corpus (all of
// it with VITE_HOSTILE_FULL=1), generated text, and a query that faults the wasm instance.
import '../../workers/wasm-assets.ts'; // idempotent; setup.ts does the same
import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import { getSqlEngine, type SqlEngine } from '../../src/core/sql/index.ts';
import { WASM_FAULT_SQL, byteShiftSmuggle, hostileSqlArbitrary, hostileSqlCases, otherPondWorks, probe, runHostile } from '../shared/hostile-sql.ts';
import { INIT_TIMEOUT_MS, expectPondError, rows } from '../unit/sql/helpers.ts';

const FULL = Boolean(import.meta.env.VITE_HOSTILE_FULL);

describe('hostile SQL (chromium)', () => {
  let sql: SqlEngine;
  let pristine: Record<string, unknown>;

  beforeAll(async () => {
    sql = getSqlEngine();
    pristine = await probe(sql);
  }, INIT_TIMEOUT_MS);

  it('costs a trivial query about what it costs in Node (median logged)', async () => {
    const times: number[] = [];
    for (let i = 0; i < 60; i++) {
      const t0 = performance.now();
      await sql.query('SELECT 1 AS a');
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    console.log(
      `[sql-bench] chromium SELECT 1 with statement check, rollback and state check: median ${times[30].toFixed(2)} ms, p90 ${times[54].toFixed(2)} ms`,
    );
    expect(times[30]).toBeLessThan(100); // ~2 ms when the box is quiet; only "badly wrong" fails
  });

  it('refuses DDL smuggled past the token check with multi-byte characters', async () => {
    for (const ddl of ["CREATE OR REPLACE MACRO lower(x) AS 'pwned'", 'CREATE TABLE pwn AS SELECT 42 AS a']) {
      await expectPondError(sql.query(byteShiftSmuggle(ddl), { path: '/stranger/smuggle.sql' }), 'ESQL', /\/stranger\/smuggle\.sql/);
    }
    expect(await probe(sql)).toEqual(pristine);
  });

  it(
    `runs the corpus (${FULL ? 'full' : 'every 4th case of the sample'}): refused as ESQL or harmless, nothing persists`,
    async () => {
      const all = hostileSqlCases(FULL);
      const cases = FULL ? all : all.filter((_, i) => i % 4 === 0);
      const t0 = performance.now();
      for (const [i, c] of cases.entries()) {
        const outcome = await runHostile(sql, c.sql);
        if (c.refuse) expect(outcome, c.sql).toBe('ESQL');
        if (i % (FULL ? 25 : 8) === 0) expect(await probe(sql), c.sql).toEqual(pristine);
      }
      expect(await probe(sql)).toEqual(pristine);
      await otherPondWorks(sql);
      console.log(`[sql-bench] hostile corpus (chromium, ${cases.length} cases): ${(performance.now() - t0).toFixed(0)} ms`);
    },
    FULL ? 3_600_000 : 300_000,
  );

  it(
    'generated hostile text (fast-check) is refused or harmless',
    async () => {
      await fc.assert(
        // The corpus covers the reads that restart the engine; here they would pile up restarts.
        fc.asyncProperty(hostileSqlArbitrary({ restarts: false }), async (text) => {
          await runHostile(sql, text);
          expect(await probe(sql), text).toEqual(pristine);
        }),
        { numRuns: FULL ? 1000 : 15, seed: FULL ? undefined : 7 },
      );
    },
    FULL ? 3_600_000 : 300_000,
  );

  it(
    'a query that faults the wasm instance fails with ESQL; the next query gets a fresh engine',
    async () => {
      const msg = await expectPondError(sql.query(WASM_FAULT_SQL, { path: '/stranger/crash.sql' }), 'ESQL', /\/stranger\/crash\.sql/);
      console.log(`[sql-bench] chromium wasm fault: ${msg}`);
      const t0 = performance.now();
      expect(rows(await sql.query("SELECT lower('A') AS l", { path: '/other/pond.sql' }))).toEqual([{ l: 'a' }]);
      console.log(`[sql-bench] chromium first query after a fault (engine restart): ${(performance.now() - t0).toFixed(0)} ms`);
      expect(await probe(sql)).toEqual(pristine);
      await otherPondWorks(sql);
    },
    INIT_TIMEOUT_MS,
  );

  it(
    'enable_logging() with file or stdout storage costs only its own call',
    async () => {
      for (const q of [
        "SELECT * FROM enable_logging(storage := 'file', storage_path := '/__pond_csv__/x')",
        "SELECT * FROM enable_logging(storage := 'stdout')",
      ]) {
        expect(await runHostile(sql, q), q).toBe('ESQL');
        expect(await probe(sql), q).toEqual(pristine);
      }
    },
    INIT_TIMEOUT_MS,
  );
});
