// The walls behind the statement check, each tested on its own: the per-call transaction that is
// always rolled back, the check of the shared state after every call, the wasm-fault classifier,
// and the UTF-8 offset conversion the token pre-check relies on.
import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import type { DuckDBBindings } from '@duckdb/duckdb-wasm/blocking';
import { loadDuckDB } from '../../../src/core/sql/loader.ts';
import { SANDBOX_SETUP } from '../../../src/core/sql/sandbox.ts';
import { changedParts, EngineStateReader } from '../../../src/core/sql/engine-state.ts';
import { Operation } from '../../../src/core/sql/operation.ts';
import { Deadline } from '../../../src/core/sql/deadline.ts';
import { isEngineFault } from '../../../src/core/sql/fault.ts';
import { pondError } from '../../../src/core/errors.ts';
import { byteOffsetsToIndexes } from '../../../src/core/sql/utf8-offsets.ts';
import { createSqlEngine, type SqlEngine } from '../../../src/core/sql/index.ts';
import { INIT_TIMEOUT_MS, engineForBlock, expectPondError, rows } from './helpers.ts';

describe('byteOffsetsToIndexes', () => {
  it('maps every UTF-8 code point start to its string index, for any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (s) => {
        const enc = new TextEncoder();
        const bytes: number[] = [];
        const indexes: number[] = [];
        let b = 0;
        for (let i = 0; i < s.length;) {
          const cp = s.codePointAt(i) ?? 0;
          const units = cp > 0xffff ? 2 : 1;
          bytes.push(b);
          indexes.push(i);
          b += enc.encode(s.slice(i, i + units)).length;
          i += units;
        }
        bytes.push(b);
        indexes.push(s.length);
        expect(byteOffsetsToIndexes(s, bytes)).toEqual(indexes);
      }),
    );
  });

  it('counts 2-, 3- and 4-byte characters and lone surrogates as TextEncoder does', () => {
    const s = 'é中😀\uD800x';
    expect(new TextEncoder().encode(s).length).toBe(2 + 3 + 4 + 3 + 1);
    expect(byteOffsetsToIndexes(s, [0, 2, 5, 9, 12, 13])).toEqual([0, 1, 2, 4, 5, 6]);
  });
});

describe('isEngineFault', () => {
  it("treats wasm traps and DuckDB's fatal errors as a broken instance", () => {
    const trap = new WebAssembly.RuntimeError('memory access out of bounds');
    expect(isEngineFault(trap)).toBe(true);
    expect(isEngineFault(new WebAssembly.RuntimeError('unreachable'))).toBe(true);
    expect(isEngineFault(new RangeError('Maximum call stack size exceeded'))).toBe(true);
    expect(isEngineFault(new Error('FATAL Error: Failed: database has been invalidated because of a previous fatal error'))).toBe(true);
    expect(isEngineFault(new Error('{"exception_type":"INTERNAL","exception_message":"Attempted to access index 3 within vector of size 3"}'))).toBe(true);
    expect(isEngineFault(new Error('null function or function signature mismatch'))).toBe(true);
  });

  it('does not restart the engine for an ordinary query error', () => {
    expect(isEngineFault(new Error('Binder Error: Referenced column "unreachable" not found in FROM clause!'))).toBe(false);
    expect(isEngineFault(new Error('Out of Memory Error: could not allocate block of size 256.0 KiB'))).toBe(false);
    expect(isEngineFault(new Error('Parser Error: syntax error at or near "FATAL"'))).toBe(false);
    expect(isEngineFault(new Error('Catalog Error: Table with name memory access out of bounds does not exist!'))).toBe(false);
    expect(isEngineFault('interrupted')).toBe(false);
    // Our own errors: judged by the DuckDB error inside, never by their text.
    expect(isEngineFault(pondError('ESQL', '/unreachable.sql', 'only read-only queries are allowed; refused statement: CREATE'))).toBe(false);
    expect(
      isEngineFault(
        pondError(
          'ESQL',
          '/p',
          'Catalog Error: Table with name unreachable does not exist!',
          {},
          new Error('Catalog Error: Table with name unreachable does not exist!'),
        ),
      ),
    ).toBe(false);
    expect(isEngineFault(pondError('ESQL', '/p', 'memory access out of bounds', {}, new WebAssembly.RuntimeError('memory access out of bounds')))).toBe(true);
  });
});

describe('the per-call transaction (second wall, tested without the statement check)', () => {
  let db: DuckDBBindings;
  let baseline: string;
  let readEngineState: () => string;
  const fresh = (sql: string): Array<Record<string, unknown>> => {
    const c = db.connect();
    try {
      return c
        .query(sql)
        .toArray()
        .map((r: { toJSON(): Record<string, unknown> }) => r.toJSON());
    } finally {
      c.close();
    }
  };
  /** Run `statements` as one engine call would, bypassing the statement check; report whether cleanup failed. */
  const call = (statements: string[]): boolean => {
    let dirty = true;
    const op = new Operation(
      db,
      new Deadline('/t', undefined),
      () => {},
      (cleanupError) => {
        dirty = cleanupError !== undefined;
        return undefined;
      },
    );
    for (const s of statements) op.run(s);
    op.dispose();
    return dirty;
  };

  beforeAll(async () => {
    db = await loadDuckDB({});
    const c = db.connect();
    for (const s of SANDBOX_SETUP) c.query(s);
    c.close();
    const reader = new EngineStateReader(db);
    readEngineState = () => reader.read();
    baseline = readEngineState();
  }, INIT_TIMEOUT_MS);

  it('rolls back every catalog change a statement made, even one the statement check would refuse', () => {
    const dirty = call([
      "CREATE OR REPLACE MACRO lower(x) AS 'pwned'",
      "CREATE MACRO range(n) AS TABLE SELECT 'pwned' AS range",
      'CREATE TABLE pwn AS SELECT 1 AS a',
      'CREATE VIEW pwn_v AS SELECT 1 AS a',
      "CREATE TYPE mood AS ENUM ('a')",
      'CREATE SEQUENCE pwn_seq',
      'CREATE SCHEMA pwn',
      "ATTACH ':memory:' AS pwn_db",
      'SET VARIABLE pwn = 1',
    ]);
    expect(dirty).toBe(false);
    expect(fresh("SELECT lower('A') AS l, (SELECT count(*) FROM range(3)) AS r")).toEqual([{ l: 'a', r: 3n }]);
    expect(fresh('SELECT count(*) AS n FROM duckdb_functions() WHERE NOT internal')).toEqual([{ n: 0n }]);
    expect(
      fresh(
        "SELECT (SELECT count(*) FROM duckdb_views() WHERE NOT internal) + (SELECT count(*) FROM duckdb_types() WHERE NOT internal) + (SELECT count(*) FROM duckdb_sequences()) + (SELECT count(*) FROM duckdb_schemas() WHERE schema_name = 'pwn') AS n",
      ),
    ).toEqual([{ n: 0n }]);
    expect(readEngineState()).toBe(baseline);
  });

  it('reports a call that committed its transaction as dirty (the engine then starts afresh)', () => {
    expect(call(['COMMIT'])).toBe(true);
    expect(readEngineState()).toBe(baseline);
  });

  it("the state check sees a database attached outside a call's transaction", () => {
    const c = db.connect();
    c.query("ATTACH ':memory:' AS pwn_db");
    expect(changedParts(baseline, readEngineState())).toEqual(['attached databases']);
    c.query('DETACH pwn_db');
    c.close();
    expect(readEngineState()).toBe(baseline);
  });

  it('the state check sees what a rollback cannot undo: logging switched on despite the lock', () => {
    call(["SELECT * FROM enable_logging('QueryLog')"]);
    const after = readEngineState();
    expect(changedParts(baseline, after)).toEqual(expect.arrayContaining(['setting enable_logging', 'setting enabled_log_types']));
    const c = db.connect();
    c.query('SELECT * FROM disable_logging()');
    c.query("SELECT * FROM enable_logging(level := 'INFO')");
    c.query('SELECT * FROM disable_logging()');
    c.query('SELECT * FROM truncate_duckdb_logs()');
    c.close();
    expect(readEngineState()).toBe(baseline);
  });
});

describe('the engine after a call that changed shared state', () => {
  let sql!: SqlEngine;
  engineForBlock(createSqlEngine, (e) => (sql = e));

  const logging =
    "SELECT current_setting('enable_logging') AS on, current_setting('logging_level') AS level, current_setting('logging_storage') AS storage, (SELECT count(*) FROM duckdb_logs) AS logs";

  it('puts logging back after enable_logging(level := ...), and the call succeeds', async () => {
    await sql.query("SELECT * FROM enable_logging(level := 'trace')");
    await sql.query("SELECT 'secret-marker' AS s");
    expect(rows(await sql.query(logging))).toEqual([{ on: 0, level: 'INFO', storage: 'memory', logs: 0 }]);
  });

  it(
    "fails a call that moved the log's storage, and the next call gets a fresh engine",
    async () => {
      await expectPondError(
        sql.query("SELECT * FROM enable_logging(storage := 'stdout')", { path: '/stranger/log.sql' }),
        'ESQL',
        /\/stranger\/log\.sql/,
        /changed state that other queries share \(.*logging_storage/,
      );
      expect(rows(await sql.query(logging))).toEqual([{ on: 0, level: 'INFO', storage: 'memory', logs: 0 }]);
    },
    INIT_TIMEOUT_MS,
  );

  it(
    'fails a call whose file-storage logging breaks the instance, and recovers',
    async () => {
      await expectPondError(
        sql.query("SELECT * FROM enable_logging(storage := 'file', storage_path := '/__pond_csv__/input.csv')", { path: '/stranger/log.sql' }),
        'ESQL',
        /\/stranger\/log\.sql/,
      );
      expect(rows(await sql.query('SELECT 42 AS x'))).toEqual([{ x: 42 }]);
      expect(rows(await sql.query(logging))).toEqual([{ on: 0, level: 'INFO', storage: 'memory', logs: 0 }]);
    },
    INIT_TIMEOUT_MS,
  );
});
