// Node-only sandbox evidence: nothing reaches a real HTTP server or the host file system.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqlEngine, type SqlEngine } from '../../../src/core/sql/index.ts';
import { INIT_TIMEOUT_MS, expectPondError, lit, rows } from './helpers.ts';
import { REFUSED } from './sandbox-suite.ts';

describe('SqlEngine sandbox on the host (node)', () => {
  let sql: SqlEngine;
  let server: Server;
  let requests = 0;
  let base = '';
  let dir = '';

  beforeAll(async () => {
    server = createServer((_req, res) => {
      requests++;
      res.end('a,b\n1,2\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const addr = server.address();
    base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    dir = mkdtempSync(join(tmpdir(), 'pond-sql-sandbox-'));
    sql = createSqlEngine();
    await sql.query('SELECT 1');
  }, INIT_TIMEOUT_MS);

  afterAll(async () => {
    await sql.close();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('never sends a request to a reachable HTTP server', async () => {
    // The server answers: this proves the sandbox, not a dead network.
    expect(await (await fetch(`${base}/probe.csv`)).text()).toBe('a,b\n1,2\n');
    requests = 0;
    const url = lit(`${base}/data.csv`);
    for (const stmt of [
      `SELECT * FROM read_csv(${url})`,
      `SELECT * FROM read_csv_auto(${url})`,
      `SELECT * FROM ${url}`,
      `SELECT * FROM read_text(${url})`,
      `SELECT * FROM read_blob(${url})`,
      `SELECT * FROM sniff_csv(${url})`,
    ]) {
      await expectPondError(sql.query(stmt), 'ESQL', /Permission Error/);
    }
    await expectPondError(sql.query(`SELECT * FROM read_parquet(${lit(`${base}/x.parquet`)})`), 'ESQL', /parquet extension/);
    expect(requests).toBe(0);
  });

  it('reads no host file, even one that exists', async () => {
    const file = join(dir, 'secret.csv');
    writeFileSync(file, 'secret\n42\n');
    for (const stmt of [
      `SELECT * FROM read_csv(${lit(file)})`,
      `SELECT * FROM read_text(${lit(file)})`,
      `SELECT * FROM ${lit(file)}`,
      `SELECT * FROM glob(${lit(`${dir}/*`)})`,
    ]) {
      await expectPondError(sql.query(stmt), 'ESQL', /Permission Error/);
    }
  });

  it('creates no host file (COPY, ATTACH, EXPORT are refused before DuckDB sees them)', async () => {
    const out = mkdtempSync(join(dir, 'out-'));
    const target = (name: string): string => lit(join(out, name));
    for (const stmt of [
      `COPY (SELECT 1) TO ${target('out.csv')}`,
      `ATTACH ${target('db.duckdb')} AS x`,
      `EXPORT DATABASE ${target('export')}`,
      `EXPLAIN ANALYZE COPY (SELECT 1) TO ${target('explained.csv')}`,
    ]) {
      await expectPondError(sql.query(stmt), 'ESQL', /only read-only queries/);
    }
    expect(readdirSync(out)).toEqual([]);
  });

  it(
    "creates no host directory through enable_logging(storage := 'file') (it ignores the configuration lock)",
    async () => {
      const rel = `pond-escape-log-${process.pid}`;
      for (const where of ['/__pond_csv__/pwnlog', '/__pond_csv__/input.csv', '/__pond_csv__', rel, join(dir, 'log')]) {
        await sql.query(`SELECT * FROM enable_logging(storage := 'file', storage_path := ${lit(where)})`).catch(() => undefined);
        expect(rows(await sql.query('SELECT 42 AS x'))).toEqual([{ x: 42 }]);
      }
      for (const p of ['/__pond_csv__', rel, join(dir, 'log')]) expect(existsSync(p), p).toBe(false);
    },
    INIT_TIMEOUT_MS,
  );

  it("left none of the shared suite's relative escape targets in the working directory", async () => {
    for (const [stmt] of REFUSED) await expectPondError(sql.query(stmt), 'ESQL');
    for (const name of ['pond-escape.db', 'pond-escape.csv', 'pond-escape-dir']) expect(existsSync(name), name).toBe(false);
  });
});
