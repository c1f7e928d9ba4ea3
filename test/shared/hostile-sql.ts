// Hostile SQL corpus: statements a stranger's pond may store, dressed up the way an attacker would
// (comments and multi-byte characters anywhere, a second statement after a semicolon), and the
// probe that proves afterwards that no other pond sees a difference. Used by
// test/unit/hostile/sql.test.ts (Node) and test/browser/hostile-sql.test.ts (Chromium).
import fc from 'fast-check';
import * as arrow from 'apache-arrow';
import { expect } from 'vitest';
import { isPondError } from '../../src/core/errors.ts';
import type { SqlEngine } from '../../src/core/sql/index.ts';

/**
 * A read that faults DuckDB-WASM 1.32 (engine 1.4.3) in Node and Chromium: RuntimeError "null
 * function or function signature mismatch" or "memory access out of bounds", after which every
 * call on that wasm instance fails the same way.
 */
export const WASM_FAULT_SQL = 'SELECT length(range(300000000)) AS n';

/** Every kind of DuckDB statement that changes something, one or more spellings each. */
export const WRITING_STATEMENTS: readonly string[] = [
  'CREATE TABLE pwn AS SELECT 1 AS a',
  'CREATE TEMP TABLE pwn AS SELECT 1 AS a',
  'CREATE VIEW duckdb_pwn AS SELECT 1 AS a',
  "CREATE OR REPLACE MACRO lower(x) AS 'pwned'",
  "CREATE MACRO range(n) AS TABLE SELECT 'pwned' AS range",
  "CREATE TEMP MACRO upper(x) AS 'pwned'",
  "CREATE TYPE mood AS ENUM ('a', 'b')",
  'CREATE SEQUENCE pwn_seq',
  'CREATE SCHEMA pwn',
  "CREATE SECRET pwn (TYPE s3, KEY_ID 'k', SECRET 's')",
  "CREATE PERSISTENT SECRET pwn2 (TYPE s3, KEY_ID 'k', SECRET 's')",
  'CREATE INDEX pwn_idx ON pwn (a)',
  'INSERT INTO pwn VALUES (1)',
  'UPDATE pwn SET a = 2',
  'DELETE FROM pwn',
  'DROP TABLE IF EXISTS pwn',
  'DROP MACRO IF EXISTS lower',
  'ALTER TABLE pwn ADD COLUMN b INTEGER',
  "ATTACH ':memory:' AS pwn_db",
  "ATTACH DATABASE ':memory:' AS pwn_db2",
  'DETACH pwn_db',
  'USE system',
  'USE temp.main',
  'SET threads = 1',
  'SET GLOBAL enable_external_access = true',
  'SET lock_configuration = false',
  'RESET lock_configuration',
  'SET VARIABLE pwn = 42',
  'RESET VARIABLE pwn',
  "SET search_path = 'system.main'",
  'PRAGMA enable_profiling',
  'PRAGMA disable_optimizer',
  'CALL enable_logging()',
  'CALL pragma_version()',
  "COPY (SELECT 1) TO '/__pond_csv__/pwn.csv'",
  "EXPORT DATABASE '/__pond_csv__/pwn'",
  "IMPORT DATABASE '/__pond_csv__/pwn'",
  'INSTALL httpfs',
  'FORCE INSTALL httpfs',
  'LOAD httpfs',
  'UPDATE EXTENSIONS',
  'CHECKPOINT',
  'FORCE CHECKPOINT',
  'VACUUM',
  'ANALYZE',
  'BEGIN TRANSACTION',
  'COMMIT',
  'ROLLBACK',
  'PREPARE pwn_p AS SELECT 1',
  'EXECUTE pwn_p',
  'DEALLOCATE pwn_p',
  'EXPLAIN CREATE TABLE pwn AS SELECT 1',
  "EXPLAIN ANALYZE CREATE OR REPLACE MACRO lower(x) AS 'pwned'",
  'WITH x AS (SELECT 1 AS a) INSERT INTO pwn SELECT * FROM x',
  "PIVOT (SELECT 'x' AS k, 1 AS v) ON k USING sum(v)",
  'SUMMARIZE CREATE TABLE pwn AS SELECT 1',
  'DESCRIBE CREATE TABLE pwn AS SELECT 1',
  'MERGE INTO pwn USING (SELECT 1 AS a) s ON pwn.a = s.a WHEN MATCHED THEN DELETE',
  'TRUNCATE pwn',
  "COMMENT ON TABLE pwn IS 'x'",
];

/** Reads that reach state-changing machinery: table functions that write, SQL text run from a string. */
export const SNEAKY_READS: readonly string[] = [
  'SELECT * FROM enable_logging()',
  "SELECT * FROM enable_logging(level := 'trace')",
  "SELECT * FROM enable_logging('QueryLog')",
  "SELECT * FROM system.main.enable_logging(['QueryLog', 'FileSystem'], level := 'debug')",
  "SELECT * FROM enable_logging(storage := 'stdout')",
  "SELECT * FROM enable_logging(storage := 'file', storage_path := '/__pond_csv__/pwnlog')",
  "SELECT * FROM enable_logging(storage := 'file', storage_path := '/__pond_csv__/input.csv')",
  "SELECT * FROM enable_logging(storage := 'file', storage_path := 'pwnlog')",
  "SELECT * FROM query('SELECT * FROM enable_' || 'logging(storage := ''stdout'')')",
  "SELECT * FROM query('COMMIT')",
  "SELECT * FROM query('ROLLBACK')",
  "SELECT * FROM query('SELECT 1; COMMIT')",
  "SELECT * FROM query('SELECT * FROM enable_logging()')",
  "SELECT * FROM query('CREATE TABLE pwn AS SELECT 1')",
  "SELECT * FROM query('SELECT 1; CREATE TABLE pwn AS SELECT 1')",
  "SELECT * FROM query_table('duckdb_tables')",
  "SELECT * FROM query('INSTALL httpfs')",
  'SELECT * FROM checkpoint()',
  'SELECT * FROM force_checkpoint()',
  'SELECT * FROM truncate_duckdb_logs()',
  'SELECT * FROM disable_logging()',
  'SELECT setseed(0.5)',
  "SELECT getvariable('pwn')",
  'SELECT * FROM duckdb_logs',
  "SELECT current_setting('lock_configuration') AS v",
  'SELECT * FROM duckdb_secrets()',
  'FROM duckdb_settings()',
  'SHOW ALL TABLES',
  'DESCRIBE SELECT 1 AS a',
  'SUMMARIZE SELECT 1 AS a',
  "PIVOT (SELECT 'x' AS k, 1 AS v) ON k IN ('x') USING sum(v)",
  'EXPLAIN SELECT 1',
  'EXPLAIN ANALYZE SELECT 1',
];

/** Characters that move UTF-16 indexes away from UTF-8 byte offsets, or hide in plain sight. */
export const ODD_CHARS: readonly string[] = [
  'é', // 2 bytes
  'ü',
  '中', // 3 bytes
  '€',
  '😀', // 4 bytes, a UTF-16 surrogate pair
  '𝔘',
  'e\u0301', // combining mark
  'שלום', // RTL
  '\u202E', // RTL override
  '\u200B', // zero-width space
  '\u200D', // zero-width joiner
  '\uFEFF', // BOM
];

/** Comments an attacker can put between any two tokens; each carries `chars`. */
export function comments(chars: string): string[] {
  return [`/*${chars}*/`, `/* ${chars} */ `, `-- ${chars}\n`, `--${chars}\n`, `/*${chars};*/`, `/* ${chars} -- */`];
}

/**
 * The shape that beat the old token filter: a comment of 2-byte characters as long as the
 * smuggled statement moves every token offset (UTF-8 bytes, used as string indexes) onto a harmless
 * `EXPLAIN SELECT 1` at the end, so only that was checked, while the whole text ran.
 */
export function byteShiftSmuggle(statement: string): string {
  const [first, ...rest] = statement.split(' ');
  const ddl = `${first.padEnd(8, ' ')}${rest.join(' ')}`;
  const body = `${ddl}; `;
  return `/*${'é'.repeat(body.length)}*/${body}EXPLAIN SELECT 1`;
}

/** Insert `piece` at every space of `sql` (and at both ends): one variant per position. */
export function atEveryGap(sql: string, piece: string): string[] {
  const out = [`${piece}${sql}`, `${sql}${piece}`, `${sql};${piece}`];
  for (let i = 0; i < sql.length; i++) {
    if (sql[i] === ' ') out.push(`${sql.slice(0, i)} ${piece} ${sql.slice(i + 1)}`);
  }
  return out;
}

/** A second statement riding on a first one: every separator an attacker might try. */
export function chained(first: string, second: string, chars: string): string[] {
  return [
    `${first}; ${second}`,
    `${first};${second}`,
    `${first} /*${chars}*/; ${second}`,
    `/*${chars}*/ ${first}; ${second}`,
    `${first}; -- ${chars}\n${second}`,
    `${first}\n;\n${second}`,
    `${first}; ${second};`,
  ];
}

/** One corpus case: the text, and whether it must be refused (it writes, or is two statements). */
export interface HostileCase {
  sql: string;
  refuse: boolean;
}

/**
 * The corpus. `full`: every writing statement with every odd character in every comment style at
 * every gap (thousands of cases). Otherwise a sample that covers each statement once and each
 * character and comment style at least once (a few seconds).
 */
export function hostileSqlCases(full: boolean): HostileCase[] {
  const cases = new Map<string, boolean>();
  const add = (sql: string, refuse: boolean): void => {
    cases.set(sql, refuse || (cases.get(sql) ?? false));
  };
  WRITING_STATEMENTS.forEach((stmt, i) => {
    add(stmt, true);
    add(byteShiftSmuggle(stmt), true);
    const charsHere = full ? ODD_CHARS : [ODD_CHARS[i % ODD_CHARS.length]];
    const stylesHere = (chars: string): string[] => (full ? comments(chars) : [comments(chars)[i % 6]]);
    for (const chars of charsHere) {
      for (const c of stylesHere(chars)) {
        const gaps = atEveryGap(stmt, c);
        for (const v of full ? gaps : [gaps[0], gaps[gaps.length - 1]]) add(v, true);
        add(`/*${chars.repeat(full ? 64 : 9)}*/ ${stmt}`, true);
      }
      const chains = chained('SELECT 1', stmt, chars);
      for (const v of full ? chains : [chains[i % chains.length]]) add(v, true);
    }
  });
  for (const read of SNEAKY_READS) {
    add(read, false);
    // Moving the log's storage costs an engine restart (~1 s): once each in the sample.
    if (full || !read.includes('storage')) add(`/*${'😀'.repeat(7)}*/ ${read}`, false);
    add(chained(read, 'CREATE TABLE pwn AS SELECT 1', 'é')[0], true);
    if (!full) continue;
    for (const chars of ODD_CHARS) {
      for (const c of read.includes('storage') ? [comments(chars)[0]] : comments(chars)) {
        const gaps = atEveryGap(read, c);
        for (const v of read.includes('storage') ? [gaps[0]] : gaps) add(v, false);
      }
    }
  }
  return [...cases].map(([sql, refuse]) => ({ sql, refuse }));
}

/**
 * fast-check: SQL text assembled from writing statements, reads, separators, comments and odd
 * characters. `restarts: false` leaves out the reads that move the log's storage (each costs an
 * engine restart; in Chromium each restart keeps ~30 MB that DuckDB-WASM 1.32 never gives back,
 * so hundreds of them in a row crash the page; see docs/sql.md).
 */
export function hostileSqlArbitrary(opts: { restarts?: boolean } = {}): fc.Arbitrary<string> {
  const reads = opts.restarts === false ? SNEAKY_READS.filter((r) => !r.includes('storage')) : SNEAKY_READS;
  const odd = fc.constantFrom(...ODD_CHARS);
  const comment = fc.tuple(fc.array(odd, { maxLength: 12 }), fc.nat(5)).map(([cs, k]) => comments(cs.join(''))[k]);
  const piece = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...WRITING_STATEMENTS) },
    { weight: 3, arbitrary: fc.constantFrom(...reads) },
    { weight: 1, arbitrary: fc.constantFrom('SELECT 1', 'EXPLAIN', 'EXPLAIN ANALYZE', 'WITH x AS (SELECT 1)', '(', ')', "'", '"', '$$', 'SELECT * FROM (') },
  );
  const sep = fc.constantFrom('; ', ';', ' ', '\n', ';\n', ' ; ; ');
  const part = fc.tuple(fc.array(comment, { maxLength: 2 }), piece, sep).map(([cs, p, s]) => `${cs.join('')}${p}${s}`);
  return fc.tuple(fc.array(part, { minLength: 1, maxLength: 4 }), fc.boolean()).map(([parts, smuggle]) => {
    const text = parts.join('');
    return smuggle ? byteShiftSmuggle(text.trim()) : text;
  });
}

/** What the engine answered: rows, or the error code (anything but ESQL fails the corpus). */
export async function runHostile(sql: SqlEngine, text: string, path = '/stranger/pond.sql'): Promise<'ran' | 'ESQL'> {
  try {
    await sql.query(text, { path, timeoutMs: 20_000 });
    return 'ran';
  } catch (e) {
    if (!isPondError(e, 'ESQL')) throw new Error(`expected ESQL or a result for ${JSON.stringify(text)}, got ${String(e)}`, { cause: e });
    expect(e.message).toContain(path);
    return 'ESQL';
  }
}

/**
 * What another pond observes: built-in functions, table functions, the catalog, settings, logs.
 * Compared against the same probe on a fresh engine.
 */
export const PROBE_SQL = `SELECT
  lower('A') AS lower, upper('b') AS upper, (SELECT count(*) FROM range(3)) AS range3,
  (SELECT count(*) FROM duckdb_tables()) AS tables,
  (SELECT count(*) FROM duckdb_views() WHERE NOT internal) AS views,
  (SELECT count(*) FROM duckdb_functions() WHERE NOT internal) AS macros,
  (SELECT count(*) FROM duckdb_functions()) AS functions,
  (SELECT count(*) FROM duckdb_types() WHERE NOT internal) AS types,
  (SELECT count(*) FROM duckdb_sequences()) AS sequences,
  (SELECT count(*) FROM duckdb_indexes()) AS indexes,
  (SELECT string_agg(database_name, ',' ORDER BY database_name) FROM duckdb_databases()) AS databases,
  (SELECT string_agg(database_name || '.' || schema_name, ',' ORDER BY 1) FROM duckdb_schemas()) AS schemas,
  (SELECT count(*) FROM duckdb_secrets()) AS secrets,
  (SELECT count(*) FROM duckdb_variables()) AS variables,
  (SELECT count(*) FROM duckdb_prepared_statements()) AS prepared,
  (SELECT count(*) FROM duckdb_logs) AS logs,
  (SELECT string_agg(name || '=' || coalesce(value, '-'), ';' ORDER BY name) FROM duckdb_settings() WHERE name NOT IN ('memory_limit', 'max_memory')) AS settings,
  (SELECT string_agg(extension_name, ',' ORDER BY extension_name) FROM duckdb_extensions() WHERE loaded OR installed) AS extensions,
  current_database() AS db, current_schema() AS schema`;

/** The probe's answer as a plain object. */
export async function probe(sql: SqlEngine): Promise<Record<string, unknown>> {
  const t = await sql.query(PROBE_SQL, { path: '/other/pond.sql' });
  const row = (t.toArray()[0] as { toJSON(): Record<string, unknown> }).toJSON();
  for (const k of Object.keys(row)) if (typeof row[k] === 'bigint') row[k] = Number(row[k]);
  return row;
}

/** A CSV import and a query over a bound table, as another pond would run them. */
export async function otherPondWorks(sql: SqlEngine): Promise<void> {
  const csv = await sql.csvToTable(new TextEncoder().encode('a,b\n1,x\n2,y\n'), { path: '/other/in.csv' });
  expect(csv.toArray().map((r: { toJSON(): Record<string, unknown> }) => r.toJSON())).toEqual([
    { a: 1n, b: 'x' },
    { a: 2n, b: 'y' },
  ]);
  const t = new arrow.Table({ v: arrow.vectorFromArray([3, 1, 2], new arrow.Int32()) });
  const sorted = await sql.query("SELECT lower('Q') AS q, list(v ORDER BY v) AS vs FROM t", { tables: [{ name: 't', tables: [t] }], path: '/other/t.sql' });
  const row = (sorted.toArray()[0] as { toJSON(): Record<string, unknown> }).toJSON();
  expect(row.q).toBe('q');
  expect([...(row.vs as Iterable<number>)]).toEqual([1, 2, 3]);
}
