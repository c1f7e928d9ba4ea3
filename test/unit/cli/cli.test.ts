/**
 * The `pond` command line run as a subprocess on temporary ponds: the built bundle
 * (dist-cli/pond.mjs, rebuilt by the bin launcher when stale) for most runs, and the bin launcher
 * itself the way `npx pond` runs it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openPond } from '../../../src/core/index.ts';
import { NodeFsStore } from '../../../src/core/storage/node-fs.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
const BIN = join(ROOT, 'bin/pond.mjs');
const BUNDLE = join(ROOT, 'dist-cli/pond.mjs');

interface Run {
  code: number;
  stdout: Buffer;
  out: string;
  err: string;
}

let tmp: string;

/** Run the CLI (the bundle unless `bin`) with `args`; POND and NO_COLOR come from `env`. */
function pond(args: string[], options: { env?: Record<string, string | undefined>; bin?: boolean; cwd?: string } = {}): Run {
  const env: Record<string, string | undefined> = { ...process.env, POND: undefined, ...options.env };
  const r = spawnSync(process.execPath, [options.bin ? BIN : BUNDLE, ...args], { env, cwd: options.cwd ?? tmp, maxBuffer: 64 << 20 });
  return { code: r.status ?? -1, stdout: r.stdout, out: r.stdout.toString('utf8'), err: r.stderr.toString('utf8') };
}

/** A new pond directory with `init` run on it. */
function newPond(name: string): string {
  const dir = join(tmp, name);
  const r = pond(['init', '--pond', dir, '--birthplace', 'test-host']);
  expect(r.code, r.err).toBe(0);
  return dir;
}

/** Assert the one-line error format and exit code. */
function expectError(r: Run, code: string, exit = 1): void {
  expect(r.code).toBe(exit);
  expect(r.err).toMatch(new RegExp(`^pond: ${code}: [^\\n]+\\n$`));
  expect(r.err).not.toMatch(/\n\s+at /);
}

const CSV = 'timestamp,temperature,humidity\n2024-01-01T00:00:00Z,22.5,45\n2024-01-01T01:00:00Z,23.1,44\n2024-01-01T02:00:00Z,24.0,43\n';

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'pond-cli-'));
  // The launcher rebuilds dist-cli/ when it is missing or older than src/.
  const r = pond(['--help'], { bin: true });
  expect(r.code, r.err).toBe(0);
  writeFileSync(join(tmp, 'data.csv'), CSV);
}, 120_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// Every step is a cold CLI process (a SQL one starts DuckDB-WASM): seconds each on a loaded machine.
describe('pond CLI', { timeout: 120_000 }, () => {
  it('prints help through the bin launcher, as npx pond does', () => {
    const main = pond(['--help'], { bin: true });
    expect(main.code).toBe(0);
    for (const c of ['init', 'list', 'cat', 'describe', 'mkdir', 'copy', 'mknod', 'apply', 'list-factories', 'log', 'export', 'publish', 'fsck'])
      expect(main.out).toMatch(new RegExp(`^  ${c} `, 'm'));
    const cat = pond(['cat', '--help'], { bin: true });
    expect(cat.code).toBe(0);
    expect(cat.out).toContain('Usage: pond cat PATH');
    expect(cat.out).toContain('--format');
  });

  it('init creates a pond once; the pond opens with openPond(NodeFsStore)', async () => {
    const dir = newPond('init');
    expectError(pond(['init', '--pond', dir]), 'EEXIST');
    const p = await openPond(new NodeFsStore(dir), { create: false });
    try {
      expect((await p.stat('/')).attributes.birthplace).toBe('test-host');
    } finally {
      await p.close();
    }
  });

  it('fails clearly on a directory without a pond, or without --pond/POND', () => {
    const empty = join(tmp, 'empty');
    mkdirSync(empty);
    const r = pond(['list'], { env: { POND: empty } });
    expectError(r, 'ENOENT');
    expect(r.err).toContain('no pond here');
    expect(readdirSync(empty)).toEqual([]);
    expectError(pond(['list']), 'EUSAGE', 2);
    expectError(pond(['frobnicate']), 'EUSAGE', 2);
    expectError(pond(['list', '--nope'], { env: { POND: empty } }), 'EUSAGE', 2);
  });

  it('lists recursively by default, with Rust pattern rules and -l', () => {
    const POND = newPond('list');
    expect(pond(['mkdir', '-p', '/data/csv'], { env: { POND } }).code).toBe(0);
    expect(pond(['copy', `host://${join(tmp, 'data.csv')}`, '/data/csv/a.csv'], { env: { POND } }).code).toBe(0);
    expect(pond(['list'], { env: { POND } }).out).toBe('/data/\n/data/csv/\n/data/csv/a.csv\n');
    expect(pond(['list', '/'], { env: { POND } }).out).toBe('/data/\n');
    expect(pond(['list', '/data/'], { env: { POND } }).out).toBe('/data/csv/\n');
    expect(pond(['list', '/data'], { env: { POND } }).out).toBe('/data/\n');
    expect(pond(['list', '**/*.csv'], { env: { POND } }).out).toBe('/data/csv/a.csv\n');
    const long = pond(['list', '-l', '/data/csv/a.csv'], { env: { POND } }).out;
    expect(long).toMatch(/^file:data\s+v1\s+\d+\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\s+\/data\/csv\/a\.csv\n$/);
    expect(long).not.toContain('\x1b[');
  });

  it('copies host files in and out byte-identical, directories recursively', () => {
    const POND = newPond('copy');
    const src = join(tmp, 'tree');
    mkdirSync(join(src, 'a/b'), { recursive: true });
    const binary = Buffer.from(Array.from({ length: 70_000 }, (_x, i) => (i * 7) % 256));
    writeFileSync(join(src, 'a/b/blob.bin'), binary);
    writeFileSync(join(src, 'top.txt'), 'top\n');
    expect(pond(['copy', `host://${src}`, '/'], { env: { POND } }).code).toBe(0);
    expect(pond(['list', '/tree/**/*'], { env: { POND } }).out).toBe('/tree/a/\n/tree/a/b/\n/tree/a/b/blob.bin\n/tree/top.txt\n');
    expect(pond(['cat', '/tree/a/b/blob.bin'], { env: { POND } }).stdout.equals(binary)).toBe(true);
    const out = join(tmp, 'copy-out');
    expect(pond(['copy', '/tree', `host://${out}`], { env: { POND } }).code).toBe(0);
    expect(readFileSync(join(out, 'tree/a/b/blob.bin')).equals(binary)).toBe(true);
    expect(readFileSync(join(out, 'tree/top.txt'), 'utf8')).toBe('top\n');
    // One file to a path that is not a directory lands at that path.
    expect(pond(['copy', '/tree/top.txt', `host://${join(tmp, 'single.txt')}`], { env: { POND } }).code).toBe(0);
    expect(readFileSync(join(tmp, 'single.txt'), 'utf8')).toBe('top\n');
  });

  it('copy onto an existing file stores a new version (Rust scenario 026)', () => {
    const POND = newPond('overwrite');
    const md = join(tmp, 'page.md');
    expect(pond(['mkdir', '-p', '/etc/site'], { env: { POND } }).code).toBe(0);
    for (const v of ['version1', 'version2', 'version3']) {
      writeFileSync(md, `${v}\n`);
      expect(pond(['copy', `host://${md}`, '/etc/site/page.md'], { env: { POND } }).code).toBe(0);
      expect(pond(['cat', '/etc/site/page.md'], { env: { POND } }).out).toBe(`${v}\n`);
    }
    expect(pond(['describe', '/etc/site/page.md'], { env: { POND } }).out).toContain('versions: 3');
  });

  it('refuses a CSV through host+table:// (Rust scenarios 023, 025) and writes nothing', () => {
    const POND = newPond('table-csv');
    const r = pond(['copy', `host+table://${join(tmp, 'data.csv')}`, '/t.parquet'], { env: { POND } });
    expectError(r, 'EINVAL');
    expect(r.err).toContain('PAR1');
    expect(pond(['list'], { env: { POND } }).out).toBe('');
  });

  it('cats raw bytes when piped, a typed table with a summary, CSV, and --sql over csv:///', () => {
    const POND = newPond('cat');
    expect(pond(['copy', `host://${join(tmp, 'data.csv')}`, '/readings.csv'], { env: { POND } }).code).toBe(0);
    expect(pond(['cat', '/readings.csv'], { env: { POND } }).out).toBe(CSV);
    const table = pond(['cat', 'csv:///readings.csv', '--format=table'], { env: { POND } });
    expect(table.code, table.err).toBe(0);
    expect(table.out).toMatch(/^\+-+\+/);
    expect(table.out).toContain('| timestamp ');
    expect(table.out).toContain('| Float64 ');
    expect(table.out).toMatch(/\| 2024-01-01T01:00:00\.000Z\s+\|\s+23\.1 \|\s+44 \|/);
    expect(table.out).toMatch(/Summary: 3 total rows\n$/);
    const sql = pond(['cat', 'csv:///readings.csv', '--format=csv', '--query', 'SELECT humidity FROM source WHERE temperature > 23 ORDER BY humidity'], {
      env: { POND },
    });
    expect(sql.code, sql.err).toBe(0);
    expect(sql.out).toBe('humidity\n43\n44\n');
    // A query result piped raw is Parquet, and a stored table copies back in with host+table://.
    const parquet = pond(['cat', 'csv:///readings.csv', '--sql', 'SELECT * FROM source'], { env: { POND } });
    expect(parquet.stdout.subarray(0, 4).toString()).toBe('PAR1');
    writeFileSync(join(tmp, 'r.parquet'), parquet.stdout);
    expect(pond(['copy', `host+table://${join(tmp, 'r.parquet')}`, '/r.parquet'], { env: { POND } }).code).toBe(0);
    expect(pond(['cat', '/r.parquet'], { env: { POND } }).stdout.equals(parquet.stdout)).toBe(true);
    expect(pond(['cat', '/r.parquet', '--format', 'csv', '--sql', 'SELECT count(*) AS n FROM source'], { env: { POND } }).out).toBe('n\n3\n');
    expect(pond(['describe', '/r.parquet'], { env: { POND } }).out).toMatch(/type: file:table[\s\S]*humidity: Int64[\s\S]*timestamp column: timestamp/);
    expectError(pond(['cat', '/readings.csv', '--sql', 'SELECT 1'], { env: { POND } }), 'EINVAL');
    expectError(pond(['cat', '/nope'], { env: { POND } }), 'ENOENT');
    expectError(pond(['cat', '/readings.csv', '--format=fancy'], { env: { POND } }), 'EUSAGE', 2);
  });

  it('mknod reads YAML with ${env:VAR}; --overwrite makes a new version', () => {
    const POND = newPond('mknod');
    const yaml = join(tmp, 'scribble.yaml');
    writeFileSync(yaml, 'schema:\n  - {name: id, type: integer}\nrow_count: ${env:ROWS}\nseed: 7\n');
    const missing = pond(['mknod', 'scribble', '/gen', '--config-path', yaml], { env: { POND } });
    expectError(missing, 'ECONFIG');
    expect(missing.err).toContain('ROWS');
    expect(pond(['mknod', 'scribble', '/gen', '--config-path', yaml], { env: { POND, ROWS: '4' } }).code).toBe(0);
    expect(pond(['cat', '/gen', '--format=csv'], { env: { POND } }).out.split('\n').filter(Boolean)).toHaveLength(5);
    expectError(pond(['mknod', 'scribble', '/gen', '--config-path', yaml], { env: { POND, ROWS: '2' } }), 'EEXIST');
    expect(pond(['mknod', 'scribble', '/gen', '--config-path', yaml, '--overwrite'], { env: { POND, ROWS: '2' } }).code).toBe(0);
    expect(pond(['cat', '/gen', '--format=csv'], { env: { POND } }).out).toMatch(/^id\n-?\d+\n-?\d+\n$/);
    expect(pond(['describe', '/gen'], { env: { POND } }).out).toMatch(/dynamic, factory scribble[\s\S]*versions: 2/);
    expectError(pond(['mknod', 'nosuch', '/x', '--config-path', yaml], { env: { POND, ROWS: '1' } }), 'EFACTORY');
    expect(pond(['list-factories'], { env: { POND } }).out).toMatch(/^scribble\s+Synthetic data/m);
  });

  it('log shows transactions newest first', () => {
    const POND = newPond('log');
    pond(['mkdir', '/a'], { env: { POND } });
    const lines = pond(['log'], { env: { POND } }).out.trim().split('\n');
    expect(lines[0]).toMatch(/^txn 2 .*mkdir \/a$/);
    expect(lines[1]).toMatch(/^txn 1 .*init --birthplace test-host$/);
    expect(pond(['log', '--limit', '1'], { env: { POND } }).out.trim().split('\n')).toHaveLength(1);
  });

  it('fsck passes on a sound pond, reports a torn commit, and --repair fixes it', () => {
    const POND = newPond('fsck');
    pond(['mkdir', '/a'], { env: { POND } });
    expect(pond(['fsck'], { env: { POND } })).toMatchObject({ code: 0 });
    const log = join(POND, '_delta_log');
    const newest = readdirSync(log)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .pop()!;
    truncateSync(join(log, newest), Math.floor(statSync(join(log, newest)).size / 2));
    const bad = pond(['fsck'], { env: { POND } });
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('torn-commit');
    expect(pond(['fsck', '--repair'], { env: { POND } }).code).toBe(0);
    expect(pond(['fsck'], { env: { POND } }).code).toBe(0);
  });
});
