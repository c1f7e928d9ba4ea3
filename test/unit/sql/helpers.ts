// Helpers shared by the SQL engine suites (Node and Chromium).
import { afterAll, beforeAll, expect } from 'vitest';
import * as arrow from 'apache-arrow';
import { isPondError, type PondErrorCode } from '../../../src/core/errors.ts';
import type { SqlEngine } from '../../../src/core/sql/index.ts';
import { rejectionOf } from '../../shared/rejection.ts';

export { rejectionOf } from '../../shared/rejection.ts';

/** Assert `p` rejects with a PondError of `code` whose message matches every pattern; returns the message. */
export async function expectPondError(p: Promise<unknown>, code: PondErrorCode, ...patterns: RegExp[]): Promise<string> {
  const e = await rejectionOf(p);
  if (!isPondError(e)) throw new Error(`expected PondError ${code}, got ${String(e)}`);
  expect(e.code, e.message).toBe(code);
  for (const re of patterns) expect(e.message).toMatch(re);
  return e.message;
}

/** Rows of a table as plain objects, bigints turned into numbers for easy comparison. */
export function rows(t: arrow.Table): Array<Record<string, unknown>> {
  return t.toArray().map((r: { toJSON(): Record<string, unknown> }) => {
    const o = r.toJSON();
    for (const k of Object.keys(o)) if (typeof o[k] === 'bigint') o[k] = Number(o[k]);
    return o;
  });
}

/** An Arrow table with an Int32 column `id` and a Utf8 column `name`. */
export function people(ids: number[], prefix = 'p'): arrow.Table {
  return new arrow.Table({
    id: arrow.vectorFromArray(ids, new arrow.Int32()),
    name: arrow.vectorFromArray(
      ids.map((i) => `${prefix}${i}`),
      new arrow.Utf8(),
    ),
  });
}

/** Log a measurement in a form the report can grep: [sql-bench] label: value. */
export function bench(label: string, ms: number): void {
  console.log(`[sql-bench] ${label}: ${ms.toFixed(0)} ms`);
}

/** Escape a value for a SQL string literal. */
export const lit = (s: string): string => `'${s.replaceAll("'", "''")}'`;

/** DuckDB's cold start is ~2 s alone, but far slower on a loaded 2-core box. */
export const INIT_TIMEOUT_MS = 180_000;

/**
 * Allowed lateness of a timeout or abort. Measured latencies are logged ([sql-bench]); the bound
 * only catches "not interrupted at all" (those queries run for minutes) on a busy machine.
 */
export const SLACK_MS = 3000;

/**
 * One engine for the enclosing describe block: made by `make` and warmed up (DuckDB loaded) before
 * its tests, handed to `use`, closed after them.
 */
export function engineForBlock(make: () => SqlEngine, use: (engine: SqlEngine) => void): void {
  let engine: SqlEngine | undefined;
  beforeAll(async () => {
    engine = make();
    use(engine);
    await engine.query('SELECT 1');
  }, INIT_TIMEOUT_MS);
  afterAll(() => engine?.close());
}
