// SqlEngine in real Chromium: the browser blocking build on this page, wasm from the bundle.
import '../../workers/wasm-assets.ts'; // idempotent; setup.ts does the same
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createSqlEngine, type SqlEngine } from '../../src/core/sql/index.ts';
import { isNodeRuntime } from '../../src/core/wasm-assets.ts';
import { queryBehaviour } from '../unit/sql/query-suite.ts';
import { sandboxBehaviour } from '../unit/sql/sandbox-suite.ts';
import { INIT_TIMEOUT_MS, expectPondError, lit } from '../unit/sql/helpers.ts';

describe('SqlEngine runtime (chromium)', () => {
  it('picks the browser build', () => {
    expect(isNodeRuntime()).toBe(false);
  });
});

queryBehaviour('chromium', () => createSqlEngine());
sandboxBehaviour('chromium', () => createSqlEngine());

describe('SqlEngine sandbox in the page (chromium)', () => {
  let sql: SqlEngine;
  let calls: string[] = [];
  const restore: Array<() => void> = [];

  beforeAll(async () => {
    sql = createSqlEngine();
    await sql.query('SELECT 1');
    // Count every request the page makes from here on: DuckDB's browser runtime uses sync XHR.
    const open = XMLHttpRequest.prototype.open;
    XMLHttpRequest.prototype.open = function (this: XMLHttpRequest, method: string, url: string | URL, ...rest: unknown[]) {
      calls.push(`XHR ${method} ${String(url)}`);
      return (open as (...a: unknown[]) => void).call(this, method, url, ...rest);
    } as typeof open;
    restore.push(() => (XMLHttpRequest.prototype.open = open));
    const fetch = globalThis.fetch;
    globalThis.fetch = ((input: RequestInfo | URL, init?: RequestInit) => {
      calls.push(`fetch ${String(input)}`);
      return fetch(input, init);
    }) as typeof fetch;
    restore.push(() => (globalThis.fetch = fetch));
  }, INIT_TIMEOUT_MS);

  afterAll(async () => {
    for (const r of restore) r();
    await sql.close();
  });

  it("never requests a URL, not even this page's own origin", async () => {
    calls = [];
    const own = lit(`${location.origin}/package.json`);
    const ownCsv = lit(`${location.origin}/data.csv`);
    for (const stmt of [
      `SELECT * FROM read_csv(${own})`,
      `SELECT * FROM read_text(${own})`,
      `SELECT * FROM ${ownCsv}`,
      `SELECT * FROM read_blob(${lit('https://example.com/x')})`,
    ]) {
      await expectPondError(sql.query(stmt), 'ESQL', /Permission Error/);
    }
    await expectPondError(sql.query(`SELECT * FROM read_parquet(${own})`), 'ESQL', /parquet extension/);
    await expectPondError(sql.query('INSTALL httpfs'), 'ESQL', /refused statement: INSTALL/);
    expect(calls).toEqual([]);
  });
});
