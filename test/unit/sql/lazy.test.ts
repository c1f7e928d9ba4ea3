// Loading: nothing DuckDB before the first query; one shared engine per process.
import { describe, it, expect } from 'vitest';
import { createRequire } from 'node:module';
import * as arrow from 'apache-arrow';
import { csvToTable, getSqlEngine } from '../../../src/core/sql/index.ts';
import { INIT_TIMEOUT_MS, bench, expectPondError } from './helpers.ts';

const loaded = (): boolean => Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes('duckdb-node-blocking'));

describe('SqlEngine loading (node)', () => {
  it(
    'imports DuckDB on the first query, not before',
    async () => {
      const sql = getSqlEngine();
      expect(loaded()).toBe(false);
      const t0 = performance.now();
      const t = await sql.query('SELECT 42 AS answer');
      bench('node cold init + first query (fresh process)', performance.now() - t0);
      expect(loaded()).toBe(true);
      expect(t).toBeInstanceOf(arrow.Table);
      expect(t.getChild('answer')?.get(0)).toBe(42);
    },
    INIT_TIMEOUT_MS,
  );

  it(
    'shares one engine, and replaces it after close()',
    async () => {
      const a = getSqlEngine();
      expect(getSqlEngine()).toBe(a);
      const csv = await csvToTable(new TextEncoder().encode('x,y\n1,a\n'));
      expect(csv.numRows).toBe(1);
      await a.close();
      await expectPondError(a.query('SELECT 1'), 'ECLOSED');
      const b = getSqlEngine();
      expect(b).not.toBe(a);
      expect((await b.query('SELECT 1 AS x')).numRows).toBe(1);
      await b.close();
    },
    INIT_TIMEOUT_MS,
  );
});
