// The `pond` command line, run as a user runs it: a cold `node dist-cli/pond.mjs` process per call.
// - `pond list` on a 10,000-file pond, against a bare `node -e 0` start; a loader hook records
//   every module the list loads, and the suite fails if DuckDB is among them (listing must never
//   wait for the SQL engine).
// - `pond cat --sql` (a group-by) over a 1 M-row table, against the same query in native DuckDB
//   (@duckdb/node-api, one thread) on the same Parquet file, both as a cold process and in process;
//   plus the query through core in this process with a warm engine, which separates process and
//   engine start from the query itself.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { suite } from '../lib/index.ts';
import { defaultRegistry, openPond, type Pond } from '../../src/core/index.ts';
import { NodeFsStore } from '../../src/core/storage/node-fs.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const BUNDLE = join(ROOT, 'dist-cli/pond.mjs');
const FILES = 10_000;
const ROWS = 1_000_000;
const QUERY = 'SELECT station, count(*) AS n, avg(value) AS mean, max(value) AS top FROM source GROUP BY station ORDER BY station';

// The CLI bundle, rebuilt when src/ is newer (as bin/pond.mjs does).
const { buildCli, isStale } = (await import(pathToFileURL(join(ROOT, 'scripts/build-cli.mjs')).href)) as {
  buildCli(o?: { quiet?: boolean }): Promise<boolean>;
  isStale(): Promise<boolean>;
};
if (await isStale()) await buildCli({ quiet: true });

const work = await mkdtemp(join(tmpdir(), 'pond-cli-bench-'));

/** Run a cold node process; throws with its stderr on a non-zero exit. */
function run(args: string[], env: Record<string, string> = {}, cwd?: string): string {
  const r = spawnSync(process.execPath, args, { env: { ...process.env, ...env }, cwd, maxBuffer: 64 << 20, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

suite(`pond list, ${FILES.toLocaleString('en-US')} files (cold process)`, { iterations: 8, warmup: 1, minTimeMs: 0, maxTimeMs: 120_000 }, (s) => {
  const dir = join(work, 'list-pond');
  const hook = join(work, 'loads-hook.mjs');
  const log = join(work, 'loads.txt');
  let listed = 0;
  s.setup(async () => {
    const pond = await openPond(new NodeFsStore(dir), { create: true });
    try {
      // 100 directories of 100 small files, one transaction per directory.
      for (let d = 0; d < FILES / 100; d++) {
        await pond.transact(async (tx) => {
          await tx.mkdir(`/d${String(d).padStart(3, '0')}`);
          for (let f = 0; f < 100; f++)
            await tx.writeFile(`/d${String(d).padStart(3, '0')}/f${String(f).padStart(3, '0')}.txt`, new TextEncoder().encode(`${d}/${f}\n`));
        });
      }
    } finally {
      await pond.close();
    }
    // A module hook (runs on node's loader thread) that appends every resolved URL to the log.
    await writeFile(
      join(work, 'loads-resolve.mjs'),
      `import { appendFileSync } from 'node:fs';\nexport async function resolve(s, c, next) { const r = await next(s, c); appendFileSync(${JSON.stringify(log)}, r.url + '\\n'); return r; }\n`,
    );
    await writeFile(hook, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(work, 'loads-resolve.mjs')).href)});\n`);
  });
  s.baseline('node -e 0', () => run(['-e', '0']));
  s.bench('pond list', () => {
    listed = run([BUNDLE, 'list'], { POND: dir }).split('\n').length - 1;
  });
  s.metric('paths listed', () => listed, { unit: 'paths' });
  s.metric(
    'DuckDB modules loaded',
    async () => {
      await writeFile(log, '');
      const out = run(['--import', pathToFileURL(hook).href, BUNDLE, 'list'], { POND: dir });
      if (out.split('\n').length - 1 !== FILES + FILES / 100) throw new Error(`pond list printed ${out.split('\n').length - 1} lines`);
      const urls = (await readFile(log, 'utf8')).split('\n').filter(Boolean);
      if (!urls.some((u) => u.includes('apache-arrow'))) throw new Error('the module hook saw nothing: the check would pass vacuously');
      const duck = urls.filter((u) => /duckdb/i.test(u));
      if (duck.length > 0) throw new Error(`pond list loaded DuckDB: ${duck.join(', ')}`);
      return duck.length;
    },
    { target: { max: 0 } },
  );
});

suite(`pond cat --sql, ${ROWS.toLocaleString('en-US')} rows vs native DuckDB`, { iterations: 4, warmup: 1, minTimeMs: 0, maxTimeMs: 180_000 }, (s) => {
  const dir = join(work, 'sql-pond');
  const parquet = join(work, 'rows.parquet');
  let native: { db: DuckDBInstance; conn: DuckDBConnection } | undefined;
  let pond: Pond | undefined;
  let expected: unknown[][] = [];
  s.setup(async () => {
    const db = await DuckDBInstance.create(':memory:', { threads: '1' });
    const conn = await db.connect();
    native = { db, conn };
    await conn.run(
      `COPY (SELECT TIMESTAMP '2024-01-01' + INTERVAL (i) SECOND AS timestamp, 'st' || (i % 16)::VARCHAR AS station, ((i * 7919) % 1000) / 10.0 AS value
       FROM range(${ROWS}) t(i)) TO '${parquet}' (FORMAT parquet)`,
    );
    const created = await openPond(new NodeFsStore(dir), { create: true });
    await created.transact((tx) => readFile(parquet).then((b) => tx.writeFile('/rows.parquet', new Uint8Array(b), { type: 'file:table' })));
    await created.close();
    pond = await openPond(new NodeFsStore(dir), { create: false, registry: defaultRegistry() });
    expected = (await conn.runAndReadAll(QUERY.replace('source', `read_parquet('${parquet}')`))).getRowsJS();
  });
  s.teardown(async () => {
    await pond?.close();
    native?.conn.closeSync();
    native?.db.closeSync();
  });
  s.baseline('native DuckDB, 1 thread (in process)', async () => {
    const rows = (await native!.conn.runAndReadAll(QUERY.replace('source', `read_parquet('${parquet}')`))).getRowsJS();
    if (rows.length !== 16) throw new Error(`native: ${rows.length} groups`);
  });
  // The same query in a cold process too: what a shell script calling native DuckDB pays.
  s.baseline('native DuckDB, 1 thread (cold process)', () => {
    const script = `import { DuckDBInstance } from '@duckdb/node-api';
      const db = await DuckDBInstance.create(':memory:', { threads: '1' });
      const rows = (await (await db.connect()).runAndReadAll(${JSON.stringify(QUERY.replace('source', `read_parquet('${parquet}')`))})).getRowsJS();
      if (rows.length !== 16) process.exit(1);`;
    run(['--input-type=module', '-e', script], {}, ROOT);
  });
  s.bench(
    'pond cat --sql (cold process)',
    () => {
      const out = run([BUNDLE, 'cat', '/rows.parquet', '--format=csv', '--sql', QUERY], { POND: dir });
      checkSame(out, expected);
    },
    { vs: 'native DuckDB, 1 thread (cold process)' },
  );
  // Compared with the first baseline, native DuckDB in process.
  s.bench('pond.query in process (warm engine)', async () => {
    const t = await pond!.query(QUERY, { tables: { source: '/rows.parquet' } });
    if (t.numRows !== 16) throw new Error(`pond.query: ${t.numRows} groups`);
  });
});

/** The CLI's CSV must hold native DuckDB's answer (numbers equal to 1e-9: the engines sum in different orders). */
function checkSame(csv: string, rows: unknown[][]): void {
  const lines = csv.trim().split('\n');
  const ok =
    lines[0] === 'station,n,mean,top' &&
    lines.length === rows.length + 1 &&
    rows.every((r, i) => {
      const got = lines[i + 1].split(',');
      return got[0] === r[0] && got.slice(1).every((v, j) => Math.abs(Number(v) - Number(r[j + 1])) <= 1e-9 * Math.max(1, Math.abs(Number(r[j + 1]))));
    });
  if (!ok)
    throw new Error(
      `pond cat --sql differs from native DuckDB:\n${csv.slice(0, 300)}\n---\n${JSON.stringify(rows.slice(0, 3), (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))}`,
    );
}

process.on('exit', () => rmSync(work, { recursive: true, force: true }));
