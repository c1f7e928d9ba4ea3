// Sandbox and timeout suite: what a stranger's pond may not do, and how long queries are stopped.
// Runs in Node (test/unit/sql/sandbox.test.ts) and in Chromium (test/browser/sql.test.ts).
import { describe, it, expect } from 'vitest';
import type { SqlEngine } from '../../../src/core/sql/index.ts';
import { isPondError } from '../../../src/core/errors.ts';
import { SLACK_MS, bench, engineForBlock, expectPondError, people, rejectionOf, rows } from './helpers.ts';

/** Statements refused before DuckDB runs anything, with the statement named in the message. */
export const REFUSED: ReadonlyArray<[sql: string, named: string]> = [
  ['INSTALL httpfs', 'INSTALL'],
  ['FORCE INSTALL httpfs', 'FORCE'],
  ['LOAD httpfs', 'LOAD'],
  ["ATTACH ':memory:' AS other", 'ATTACH'],
  ["ATTACH 'pond-escape.db' AS other", 'ATTACH'],
  ['DETACH other', 'DETACH'],
  ["COPY (SELECT 1) TO 'pond-escape.csv'", 'COPY'],
  ["EXPORT DATABASE 'pond-escape-dir'", 'EXPORT'],
  ["IMPORT DATABASE 'pond-escape-dir'", 'IMPORT'],
  ['SET enable_external_access = true', 'SET'],
  ['SET builtin_httpfs = true', 'SET'],
  ['RESET lock_configuration', 'RESET'],
  ['PRAGMA enable_profiling', 'PRAGMA'],
  ['CREATE TABLE t AS SELECT 1', 'CREATE'],
  ["CREATE SECRET (TYPE s3, KEY_ID 'k', SECRET 's')", 'CREATE'],
  ['CREATE MACRO m() AS 1', 'CREATE'],
  ['INSERT INTO t VALUES (1)', 'INSERT'],
  ['UPDATE t SET a = 1', 'UPDATE'],
  ['UPDATE EXTENSIONS', 'UPDATE'],
  ['DELETE FROM t', 'DELETE'],
  ['DROP TABLE t', 'DROP'],
  ['ALTER TABLE t ADD COLUMN b INT', 'ALTER'],
  ['CALL pragma_version()', 'CALL'],
  ['CHECKPOINT', 'CHECKPOINT'],
  ['VACUUM', 'VACUUM'],
  ['BEGIN TRANSACTION', 'BEGIN'],
  ['USE memory', 'USE'],
  ['PREPARE p AS SELECT 1', 'PREPARE'],
  ['EXECUTE p', 'EXECUTE'],
  ['WITH x AS (SELECT 1 AS a) INSERT INTO t SELECT * FROM x', 'WITH ... INSERT'],
  ['WITH x AS (SELECT 1 AS a) DELETE FROM t', 'WITH ... DELETE'],
  ["EXPLAIN ANALYZE COPY (SELECT 1) TO 'pond-escape.csv'", 'EXPLAIN COPY'],
  ['/* comment */ INSTALL httpfs', 'INSTALL'],
  ['-- comment\nLOAD httpfs', 'LOAD'],
  ["PIVOT (SELECT 'x' AS k, 1 AS v) ON k USING sum(v)", 'PIVOT'],
  // Multi-byte characters before the statement: DuckDB's token offsets count UTF-8 bytes.
  ["/* é中😀 */ CREATE OR REPLACE MACRO lower(x) AS 'pwned'", 'CREATE'],
  ["-- שלום e\u0301 \u200B\nATTACH ':memory:' AS other", 'ATTACH'],
  ['/*😀😀😀😀😀😀😀😀😀😀😀😀*/ EXPLAIN CREATE TABLE t AS SELECT 1', 'EXPLAIN CREATE'],
];

/** Read-only statements that must work. */
export const ALLOWED: ReadonlyArray<[sql: string, expectedRows: number]> = [
  ['SELECT 1 AS a', 1],
  ['WITH x AS (SELECT 1 AS a) SELECT * FROM x', 1],
  ['VALUES (1), (2)', 2],
  ['FROM range(3) SELECT range', 3],
  ['(SELECT 1) UNION ALL (SELECT 2)', 2],
  ['DESCRIBE SELECT 1 AS a, 2 AS b', 2],
  ['SUMMARIZE SELECT range FROM range(10)', 1],
  ['SHOW TABLES', 0],
  ["PIVOT (SELECT 'x' AS k, 1 AS v) ON k IN ('x') USING sum(v)", 1],
  ['EXPLAIN SELECT 1', 1],
  ['EXPLAIN ANALYZE SELECT 1', 1],
  ["SELECT * FROM query('SELECT 41 + 1 AS x')", 1],
  ['SELECT 1 /*; INSTALL httpfs */', 1],
  ['SELECT $$;$$ AS s', 1],
  ['select 1 as "a;b";', 1],
  // Credentials a query could use to reach a bucket: none exist, and CREATE SECRET is refused.
  ['SELECT * FROM duckdb_secrets()', 0],
  // Comments and strings in any script, wherever they are.
  ["/* é中😀 */ SELECT 'ü' AS s -- ✓", 1],
  ["-- \u202Eשלום\nSELECT '😀' AS s; /* e\u0301 */ ;", 1],
  ['EXPLAIN /* 中文 */ SELECT 1', 1],
  ["WITH x AS (SELECT '😀' AS a) /* ; */ SELECT * FROM x", 1],
];

/** Reads that must fail without touching the network or the host. */
export const NO_ACCESS: ReadonlyArray<[sql: string, error: RegExp]> = [
  ["SELECT * FROM read_csv('https://example.com/data.csv')", /Permission Error.*disabled by configuration/],
  ["SELECT * FROM read_csv_auto('http://127.0.0.1:9/x.csv')", /Permission Error.*disabled by configuration/],
  ["SELECT * FROM 'https://example.com/data.csv'", /Permission Error.*disabled by configuration/],
  ["SELECT * FROM read_parquet('https://example.com/x.parquet')", /Catalog Error.*parquet extension/],
  ["SELECT * FROM read_json('https://example.com/x.json')", /Catalog Error.*json/],
  ["SELECT * FROM read_text('/etc/passwd')", /Permission Error.*disabled by configuration/],
  ["SELECT * FROM read_csv('/etc/passwd')", /Permission Error.*disabled by configuration/],
  ["SELECT * FROM read_blob('/etc/hostname')", /Permission Error.*disabled by configuration/],
  ["SELECT * FROM glob('/*')", /Permission Error.*disabled by configuration/],
  ["SELECT * FROM sniff_csv('/etc/passwd')", /Permission Error.*disabled by configuration/],
  ["SELECT * FROM read_csv('/__pond_csv__/../etc/passwd')", /Permission Error.*disabled by configuration/],
  ["SELECT getenv('HOME')", /Catalog Error.*getenv does not exist/],
  ["SELECT * FROM read_csv('s3://bucket/x.csv')", /Permission Error.*disabled by configuration/],
  ["SELECT * FROM read_csv('file:///etc/passwd')", /Permission Error.*disabled by configuration/],
  ["SELECT * FROM read_csv('hf://datasets/x/y.csv')", /Permission Error.*disabled by configuration/],
  ["SELECT * FROM query('INSTALL httpfs')", /Parser Error.*single SELECT/],
];

/** Sandbox and time-limit behaviour of engines made by `make`. */
export function sandboxBehaviour(name: string, make: () => SqlEngine): void {
  describe(`SqlEngine sandbox: ${name}`, () => {
    let sql!: SqlEngine;
    engineForBlock(make, (e) => (sql = e));

    it.each(REFUSED)('refuses %j', async (stmt, named) => {
      const msg = await expectPondError(sql.query(stmt, { path: '/strange/pond.sql' }), 'ESQL', /\/strange\/pond\.sql/, /only read-only queries/);
      expect(msg).toContain(`refused statement: ${named}`);
    });

    it('refuses more than one statement, wherever the semicolon hides', async () => {
      await expectPondError(sql.query('SELECT 1; INSTALL httpfs'), 'ESQL', /only one statement/);
      await expectPondError(sql.query("SELECT ';' AS s; LOAD httpfs"), 'ESQL', /only one statement/);
      await expectPondError(sql.query("/* éééééééééééééééééééé */ SELECT 1; CREATE MACRO lower(x) AS 'pwned'"), 'ESQL', /only one statement/);
      expect(rows(await sql.query("SELECT lower('A') AS l"))).toEqual([{ l: 'a' }]);
      await expectPondError(sql.query(' ;; '), 'ESQL', /empty query/);
    });

    it.each(ALLOWED)('allows %j', async (stmt, n) => {
      expect((await sql.query(stmt)).numRows).toBe(n);
    });

    it.each(NO_ACCESS)('gives no network or host access: %j', async (stmt, error) => {
      await expectPondError(sql.query(stmt), 'ESQL', error);
    });

    it('has its configuration locked with external access, autoload and autoinstall off', async () => {
      const t = await sql.query(
        "SELECT current_setting('lock_configuration') AS locked, current_setting('enable_external_access') AS external, current_setting('autoload_known_extensions') AS autoload, current_setting('autoinstall_known_extensions') AS autoinstall",
      );
      expect(rows(t)).toEqual([{ locked: true, external: false, autoload: false, autoinstall: false }]);
      const loaded = await sql.query('SELECT extension_name FROM duckdb_extensions() WHERE loaded');
      expect(rows(loaded).map((r) => r.extension_name)).toEqual(['core_functions']);
    });

    it("keeps one call's query text out of the next call's duckdb_logs", async () => {
      for (const enable of [
        'SELECT * FROM enable_logging()',
        'SELECT * FROM "ENABLE_LOGGING"()',
        "SELECT * FROM query('SELECT * FROM enable_' || chr(108) || 'ogging()')",
      ]) {
        await sql.query(enable);
        await sql.query("SELECT 'secret-marker' AS s");
        expect(rows(await sql.query('SELECT count(*) AS n FROM duckdb_logs'))).toEqual([{ n: 0 }]);
      }
    });
  });

  describe(`SqlEngine time limits: ${name}`, () => {
    let sql!: SqlEngine;
    engineForBlock(make, (e) => (sql = e));

    const slow: ReadonlyArray<[label: string, sql: string]> = [
      ['count over range(10^10)', 'SELECT count(*) FROM range(10_000_000_000)'],
      ['cross join 10^5 x 10^5', 'SELECT count(*) FROM range(100000) a CROSS JOIN range(100000) b'],
      ['grouped aggregate over 10^9 rows', 'SELECT i % 1000 AS g, count(*) FROM range(1000000000) t(i) GROUP BY g'],
    ];
    it.each(slow)('stops a %s with ETIMEOUT', async (label, stmt) => {
      const t0 = performance.now();
      await expectPondError(sql.query(stmt, { timeoutMs: 300, path: '/slow.sql' }), 'ETIMEOUT', /\/slow\.sql/, /300 ms/);
      const took = performance.now() - t0;
      bench(`${name} timeout 300 ms, ${label}: rejected after`, took);
      expect(took).toBeGreaterThanOrEqual(299);
      expect(took).toBeLessThan(300 + SLACK_MS);
      expect(rows(await sql.query('SELECT 1 AS ok'))).toEqual([{ ok: 1 }]);
    });

    it("stops a query when its signal aborts, with the signal's reason", async () => {
      const ac = new AbortController();
      const p = sql.query('SELECT count(*) FROM range(10_000_000_000)', { signal: ac.signal });
      let abortedAt = 0;
      setTimeout(() => {
        abortedAt = performance.now();
        ac.abort(new Error('user pressed stop'));
      }, 200);
      const e = await rejectionOf(p);
      bench(`${name} abort: rejected after abort() by`, performance.now() - abortedAt);
      expect(String(e)).toContain('user pressed stop');
      expect(performance.now() - abortedAt).toBeLessThan(SLACK_MS);
    });

    it('treats AbortSignal.timeout() as ETIMEOUT and an aborted signal as an immediate failure', async () => {
      await expectPondError(sql.query('SELECT count(*) FROM range(10_000_000_000)', { signal: AbortSignal.timeout(200) }), 'ETIMEOUT');
      const ac = new AbortController();
      ac.abort(new Error('never mind'));
      const t0 = performance.now();
      expect(String(await rejectionOf(sql.query('SELECT 1', { signal: ac.signal })))).toContain('never mind');
      expect(performance.now() - t0).toBeLessThan(100);
    });

    it('counts time spent waiting behind another call', async () => {
      const order: string[] = [];
      // hash() makes every row real work, so no optimizer shortcut can finish inside the limit.
      const long = rejectionOf(sql.query('SELECT sum(hash(range)) FROM range(10_000_000_000)', { timeoutMs: 2000 })).finally(() => order.push('long'));
      const queued = await rejectionOf(sql.query('SELECT 1', { timeoutMs: 200 })).finally(() => order.push('queued'));
      expect(isPondError(queued, 'ETIMEOUT')).toBe(true);
      expect(String(queued)).toMatch(/waiting for the SQL engine/);
      expect(isPondError(await long, 'ETIMEOUT')).toBe(true);
      expect(order).toEqual(['queued', 'long']);
    });

    it('applies the time limit to binding many tables', async () => {
      const inputs = Array.from({ length: 400 }, (_, i) => people(Array.from({ length: 2000 }, (_, k) => i * 2000 + k)));
      await expectPondError(sql.query('SELECT count(*) FROM t', { tables: [{ name: 't', tables: inputs }], timeoutMs: 5 }), 'ETIMEOUT', /binding tables/);
      expect(rows(await sql.query('SELECT count(*) AS n FROM duckdb_tables()'))).toEqual([{ n: 0 }]);
    });
  });
}
