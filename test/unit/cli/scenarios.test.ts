/**
 * The Rust DuckPond testsuite scenarios (testsuite/tests/*.sh in jmacd/duckpond) whose commands
 * and schemes this CLI has, run as the scripts run them: `pond` commands on a new pond each (in
 * this process by default, as subprocesses with POND_CLI_SUBPROCESS=1), asserting what each script checks (its `check` lines, its grep of the output, or,
 * for the scripts that only print, the result the script's comments say is expected).
 *
 * Ported: 001, 002, 003, 010, 020, 021 (but its `pond control` step), 022, 023, 024, 025, 026,
 * 042, 043, 044 (with sql_query for Rust's sql-derived-table), 100, 101, 102, 103, 104 (their
 * configs verbatim in fixtures/). Skipped, with the reason, in
 * docs/cli.md ("Rust testsuite scenarios").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, expectError, pondInProcess, pondSubprocess, type PondRunner } from './run-cli.ts';

let tmp: string;
let n = 0;

/**
 * Commands run in this process by default (a Node start per command made this file take minutes);
 * POND_CLI_SUBPROCESS=1 runs each as the scripts do, a `pond` process (`npm run test:long` sets it).
 */
const SUBPROCESS = process.env.POND_CLI_SUBPROCESS === '1';

/** A new pond, `pond init --birthplace test-host` run on it, as every script starts. */
async function newPond(): Promise<PondRunner> {
  const dir = join(tmp, `pond-${++n}`);
  const p = SUBPROCESS ? pondSubprocess(dir, tmp) : pondInProcess(dir);
  await await p.ok(['init', '--birthplace', 'test-host']);
  return p;
}

/** A host file under the test's temporary folder; returns its path. */
function hostFile(name: string, text: string): string {
  const path = join(tmp, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
}

const lines = (text: string): string[] => text.split('\n').filter(Boolean);

/** A Rust testsuite config, verbatim but for Prettier's whitespace (test/unit/cli/fixtures/). */
const fixture = (name: string): string => join(import.meta.dirname, 'fixtures', name);

/** The body rows of a `--format=table` box (between the last two rules). */
function tableRows(text: string): string[][] {
  const all = text.split('\n');
  const rules = all.map((l, i) => (l.startsWith('+') ? i : -1)).filter((i) => i >= 0);
  return all.slice(rules[1] + 1, rules[2]).map((l) =>
    l
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim()),
  );
}

const CSV5 =
  'timestamp,temperature,humidity\n2024-01-01T00:00:00Z,22.5,45\n2024-01-01T01:00:00Z,23.1,44\n2024-01-01T02:00:00Z,22.8,46\n2024-01-01T03:00:00Z,24.0,43\n2024-01-01T04:00:00Z,21.5,48\n';
const CSV3 = 'timestamp,temperature,humidity\n2024-01-01T00:00:00Z,20.0,45\n2024-01-01T01:00:00Z,25.0,44\n2024-01-01T02:00:00Z,30.0,46\n';

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'pond-scenarios-'));
  if (SUBPROCESS) ensureBuilt(tmp);
  // Host paths relative to the scripts' working directory, as in a subprocess run in `tmp`.
  process.chdir(tmp);
}, 120_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// Every step is a cold CLI process (a SQL one starts DuckDB-WASM): seconds each on a loaded machine.
describe('Rust testsuite scenarios', { timeout: 120_000 }, () => {
  it('001 basic init: init succeeds and the new root lists empty', async () => {
    const p = await newPond();
    expect(await p.ok(['list', '/'])).toBe('');
    expect(await p.ok(['list'])).toBe('');
  });

  it('002 mkdir basic: single and nested directories are visible in listings', async () => {
    const p = await newPond();
    for (const d of ['/data', '/sensors', '/sensors/temperature', '/sensors/humidity']) await p.ok(['mkdir', d]);
    expect(await p.ok(['list', '/*'])).toBe('/data/\n/sensors/\n');
    expect(await p.ok(['list', '/sensors/*'])).toBe('/sensors/humidity/\n/sensors/temperature/\n');
  });

  it('003 list patterns: every pattern form of the script behaves as its summary table says', async () => {
    const p = await newPond();
    // The script's tree, made with one recursive copy of the same tree on the host (the script
    // runs a mkdir or copy per entry; those commands have their own scenarios).
    const files: [string, string][] = [
      ['root.txt', 'root-file'],
      ['data/README.md', 'data-readme'],
      ['data/csv/file1.csv', 'csv-file1'],
      ['data/csv/file2.csv', 'csv-file2'],
      ['data/json/config.json', 'json-config'],
      ['sensors/temp/reading.dat', 'temp-reading'],
      ['sensors/humidity/reading.dat', 'humidity-reading'],
    ];
    for (const [name, text] of files) hostFile(`003/${name}`, `${text}\n`);
    await p.ok(['copy', ...['root.txt', 'data', 'sensors'].map((n) => `host://${join(tmp, '003', n)}`), '/']);
    // (none): all files recursively.
    expect(lines(await p.ok(['list']))).toEqual([
      '/data/',
      '/data/README.md',
      '/data/csv/',
      '/data/csv/file1.csv',
      '/data/csv/file2.csv',
      '/data/json/',
      '/data/json/config.json',
      '/root.txt',
      '/sensors/',
      '/sensors/humidity/',
      '/sensors/humidity/reading.dat',
      '/sensors/temp/',
      '/sensors/temp/reading.dat',
    ]);
    // '/': root entries only; '/dir/': its contents; '/dir' (or 'dir'): the entry itself.
    expect(await p.ok(['list', '/'])).toBe('/data/\n/root.txt\n/sensors/\n');
    expect(await p.ok(['list', '/data/'])).toBe('/data/README.md\n/data/csv/\n/data/json/\n');
    expect(await p.ok(['list', '/data/csv/'])).toBe('/data/csv/file1.csv\n/data/csv/file2.csv\n');
    expect(await p.ok(['list', '/data'])).toBe('/data/\n');
    expect(await p.ok(['list', 'data'])).toBe('/data/\n');
    // Explicit globs.
    expect(await p.ok(['list', '/*'])).toBe(await p.ok(['list', '/']));
    expect(await p.ok(['list', '/data/*'])).toBe(await p.ok(['list', '/data/']));
    expect(await p.ok(['list', '**/*.csv'])).toBe('/data/csv/file1.csv\n/data/csv/file2.csv\n');
    expect(await p.ok(['list', '/sensors/*/reading.dat'])).toBe('/sensors/humidity/reading.dat\n/sensors/temp/reading.dat\n');
    expect(lines(await p.ok(['list', '/data/**/*']))).toEqual([
      '/data/README.md',
      '/data/csv/',
      '/data/csv/file1.csv',
      '/data/csv/file2.csv',
      '/data/json/',
      '/data/json/config.json',
    ]);
    const doubleStar = lines(await p.ok(['list', '/sensors/**']));
    expect(doubleStar).toEqual(expect.arrayContaining(['/sensors/humidity/reading.dat', '/sensors/temp/reading.dat']));
    // Edge cases: no matches for a missing directory; an exact file; a file with a trailing slash matches nothing.
    const missing = await p.run(['list', '/nonexistent/']);
    expect(missing.out).toBe('');
    expect(await p.ok(['list', '/data/csv/file1.csv'])).toBe('/data/csv/file1.csv\n');
    expect((await p.run(['list', '/data/csv/file1.csv/'])).out).toBe('');
  });

  it('010 copy csv: the file is listed and cats back byte for byte', async () => {
    const p = await newPond();
    const csv = 'timestamp,temperature,humidity\n2024-01-01T00:00:00Z,22.5,45\n2024-01-01T01:00:00Z,23.1,44\n2024-01-01T02:00:00Z,22.8,46\n';
    await p.ok(['mkdir', '/sensors']);
    await p.ok(['copy', `host://${hostFile('010/data.csv', csv)}`, '/sensors/readings.csv']);
    expect(await p.ok(['list', '/sensors/*'])).toBe('/sensors/readings.csv\n');
    expect(await p.ok(['cat', '/sensors/readings.csv'])).toBe(csv);
  });

  it('020 cat with sql: a filter, an aggregate and a transform over csv:///', async () => {
    const p = await newPond();
    await p.ok(['mkdir', '/sensors']);
    await p.ok(['copy', `host://${hostFile('020/data.csv', CSV5)}`, '/sensors/readings.csv']);
    const filtered = await p.ok(['cat', 'csv:///sensors/readings.csv', '--format=table', '--query', 'SELECT * FROM source WHERE temperature > 23']);
    expect(tableRows(filtered).map((r) => r[1])).toEqual(['23.1', '24']);
    expect(filtered).toContain('Summary: 2 total rows');
    const avg = await p.ok([
      'cat',
      'csv:///sensors/readings.csv',
      '--format=csv',
      '--query',
      'SELECT AVG(temperature) as avg_temp, AVG(humidity) as avg_humidity FROM source',
    ]);
    const [avgTemp, avgHumidity] = lines(avg)[1].split(',').map(Number);
    expect(avgTemp).toBeCloseTo(22.78, 10);
    expect(avgHumidity).toBeCloseTo(45.2, 10);
    const fahrenheit = await p.ok([
      'cat',
      'csv:///sensors/readings.csv',
      '--format=table',
      '--query',
      'SELECT timestamp, temperature * 9/5 + 32 as temp_f FROM source',
    ]);
    const rows = tableRows(fahrenheit);
    expect(rows).toHaveLength(5);
    expect(Number(rows[0][1])).toBeCloseTo(72.5, 10);
    expect(Number(rows[3][1])).toBeCloseTo(75.2, 10);
  });

  it('021 query investigation: a .csv is stored as file:data; csv:/// filters; an unknown table name fails', async () => {
    const p = await newPond();
    await p.ok(['mkdir', '/data']);
    await p.ok(['copy', `host://${hostFile('021/data.csv', CSV3)}`, '/data/readings.csv']);
    expect(await p.ok(['list', '/data/*'])).toBe('/data/readings.csv\n');
    expect(await p.ok(['list', '-l', '/data/*'])).toMatch(/^file:data /);
    expect(await p.ok(['cat', '/data/readings.csv'])).toBe(CSV3);
    const q = await p.ok(['cat', 'csv:///data/readings.csv', '--format=table', '--query', 'SELECT * FROM source WHERE temperature >= 25']);
    expect(tableRows(q).map((r) => r[1])).toEqual(['25', '30']);
    expect(await p.ok(['describe', '/data/readings.csv'])).toContain('type: file:data');
    // The table is named source, not series.
    const wrong = await p.run(['cat', 'csv:///data/readings.csv', '--format=table', '--query', 'SELECT * FROM series WHERE temperature >= 25']);
    expect(wrong.code).toBe(1);
    expect(wrong.err).toMatch(/^pond: [A-Z]+: .*series/);
    // Test 4 (`pond control --sql`) is Rust's control table: no such command here.
    expectError(await p.run(['control']), 'EUSAGE', 2);
    const help = await p.ok(['copy', '--help']);
    expect(help).toContain('host+table://');
  });

  it('022 verify table default: --query filters to 2 rows; a CSV copied with host:// is file:data', async () => {
    const p = await newPond();
    await p.ok(['mkdir', '/data']);
    const csv = hostFile('022/data.csv', CSV3);
    await p.ok(['copy', `host://${csv}`, '/data/readings.csv']);
    expect(await p.ok(['describe', '/data/readings.csv'])).toContain('type: file:data');
    const q = await p.ok(['cat', 'csv:///data/readings.csv', '--format=table', '--query', 'SELECT * FROM source WHERE temperature >= 25']);
    expect(tableRows(q)).toHaveLength(2);
    await p.ok(['copy', `host://${csv}`, '/data/raw.csv']);
    expect(await p.ok(['describe', '/data/raw.csv'])).toContain('type: file:data');
  });

  it('023 table format storage: host+table:// refuses a CSV naming PAR1 magic bytes and host:///path', async () => {
    const p = await newPond();
    await p.ok(['mkdir', '/data']);
    const csv = hostFile('023/data.csv', 'timestamp,temperature\n2024-01-01T00:00:00Z,20.0\n2024-01-01T01:00:00Z,25.0\n');
    await p.ok(['copy', `host://${csv}`, '/data/raw.csv']);
    expect(await p.ok(['list', '/data/raw.csv'])).toBe('/data/raw.csv\n');
    const r = await p.run(['copy', `host+table://${csv}`, '/data/table.csv']);
    expectError(r, 'EINVAL');
    expect(r.err).toContain('not a valid parquet file');
    expect(r.err).toContain('PAR1 magic bytes');
    expect(r.err).toContain('host:///path');
    expect(await p.ok(['list', '/data/*'])).toBe('/data/raw.csv\n');
  });

  it('024 csv url scheme: csv:/// queries a stored CSV; file:/// and table:/// do not', async () => {
    const p = await newPond();
    await p.ok(['mkdir', '/data']);
    await p.ok(['copy', `host://${hostFile('024/data.csv', CSV3)}`, '/data/readings.csv']);
    expect(await p.ok(['describe', '/data/readings.csv'])).toContain('type: file:data');
    const q = await p.ok(['cat', 'csv:///data/readings.csv', '--format=table', '--query', 'SELECT * FROM source WHERE temperature >= 25']);
    expect(tableRows(q).map((r) => r[1])).toEqual(['25', '30']);
    // file:/// names the stored bytes, which are not a table ("file:// scheme failed (expected)").
    expectError(await p.run(['cat', 'file:///data/readings.csv', '--format=table', '--query', 'SELECT * FROM source WHERE temperature >= 25']), 'EINVAL');
    expect((await p.run(['cat', 'table:///data/readings.csv', '--format=table', '--query', 'SELECT * FROM source WHERE temperature >= 25'])).code).not.toBe(0);
  });

  it('025 csv workflow: host+table:// rejects a CSV; host:// keeps it; csv:/// reads all rows and filters', async () => {
    const p = await newPond();
    await p.ok(['mkdir', '/data']);
    const csv = hostFile('025/data.csv', CSV3);
    expect((await p.run(['copy', `host+table://${csv}`, '/data/bad.csv'])).code).not.toBe(0);
    await p.ok(['copy', `host://${csv}`, '/data/readings.csv']);
    expect(await p.ok(['describe', '/data/readings.csv'])).toContain('type: file:data');
    const all = await p.ok(['cat', 'csv:///data/readings.csv', '--format=table', '--query', 'SELECT * FROM source']);
    expect(tableRows(all)).toHaveLength(3);
    const some = await p.ok(['cat', 'csv:///data/readings.csv', '--format=table', '--query', 'SELECT * FROM source WHERE temperature >= 25']);
    expect(tableRows(some)).toHaveLength(2);
  });

  it('026 copy overwrite semantics: each copy onto a path replaces its content', async () => {
    const p = await newPond();
    await p.ok(['mkdir', '-p', '/etc/site']);
    const md = join(tmp, '026-test-overwrite.md');
    for (const v of ['version1', 'version2', 'version3']) {
      writeFileSync(md, `${v}\n`);
      await p.ok(['copy', `host://${md}`, '/etc/site/page.md']);
      const text = await p.ok(['cat', '/etc/site/page.md']);
      expect(text).toContain(v);
      if (v !== 'version1') expect(text).not.toContain('version1');
    }
  });

  it("100 synthetic timeseries basic: a dynamic series of 97 rows over one day, in the waveforms' ranges", async () => {
    const p = await newPond();
    const yaml = hostFile(
      '100/synth.yaml',
      `start: "2024-01-01T00:00:00Z"
end: "2024-01-02T00:00:00Z"
interval: "15m"
time_column: "timestamp"
points:
  - name: "temperature"
    components:
      - { type: sine, amplitude: 10.0, period: "24h", offset: 20.0 }
      - { type: line, slope: 0.0002 }
  - name: "pressure"
    components:
      - { type: sine, amplitude: 5.0, period: "12h", offset: 1013.0 }
      - { type: square, amplitude: 2.0, period: "6h" }
  - name: "humidity"
    components:
      - { type: triangle, amplitude: 15.0, period: "8h", offset: 60.0 }
      - { type: sine, amplitude: 3.0, period: "3h", phase: 1.57 }
`,
    );
    await p.ok(['mkdir', '/sensors']);
    await p.ok(['mknod', 'synthetic-timeseries', '/sensors/synth', '--config-path', yaml]);
    expect(await p.ok(['list', '/sensors/'])).toBe('/sensors/synth\n');
    const stats = await p.ok([
      'cat',
      '/sensors/synth',
      '--format=csv',
      '--sql',
      `SELECT COUNT(*) AS row_count, MIN(timestamp) AS first_ts, MAX(timestamp) AS last_ts,
         MIN(temperature) AS temp_min, MAX(temperature) AS temp_max, MIN(pressure) AS pres_min,
         MAX(pressure) AS pres_max, MIN(humidity) AS hum_min, MAX(humidity) AS hum_max FROM source`,
    ]);
    const [count, first, last, ...ranges] = lines(stats)[1].split(',');
    expect([count, first, last]).toEqual(['97', '2024-01-01T00:00:00.000Z', '2024-01-02T00:00:00.000Z']);
    const [tMin, tMax, pMin, pMax, hMin, hMax] = ranges.map(Number);
    // sine ±10 around 20 plus a rising line (0.0002/s over a day adds up to 17.28).
    expect(tMin).toBeGreaterThanOrEqual(10);
    expect(tMax).toBeLessThanOrEqual(30 + 17.28 + 1e-9);
    expect(tMax).toBeGreaterThan(30);
    // sine ±5 around 1013 plus a square wave of ±2.
    expect(pMin).toBeGreaterThanOrEqual(1013 - 7 - 1e-9);
    expect(pMax).toBeLessThanOrEqual(1013 + 7 + 1e-9);
    // triangle ±15 around 60 plus a sine ±3.
    expect(hMin).toBeGreaterThanOrEqual(60 - 18 - 1e-9);
    expect(hMax).toBeLessThanOrEqual(60 + 18 + 1e-9);
    // The script's first and last five rows, here through the time-range flags on the dynamic series.
    const head = lines(await p.ok(['cat', '/sensors/synth', '--format=csv', '--time-end', '2024-01-01T01:00:00Z']));
    expect(head.slice(1).map((l) => l.split(',')[0])).toEqual(['00:00', '00:15', '00:30', '00:45', '01:00'].map((t) => `2024-01-01T${t}:00.000Z`));
    const tail = lines(await p.ok(['cat', '/sensors/synth', '--format=csv', '--time-start', String(Date.UTC(2024, 0, 1, 23))]));
    expect(tail.slice(1).map((l) => l.split(',')[0])).toEqual([
      '2024-01-01T23:00:00.000Z',
      '2024-01-01T23:15:00.000Z',
      '2024-01-01T23:30:00.000Z',
      '2024-01-01T23:45:00.000Z',
      '2024-01-02T00:00:00.000Z',
    ]);
  });

  /** The first data row of a one-row CSV result, by column name. */
  const row = (csv: string): Record<string, string> => {
    const [head, first] = lines(csv);
    const values = first.split(',');
    return Object.fromEntries(head.split(',').map((name, i) => [name, values[i]]));
  };

  it('101 timeseries join of two synthetic series: one series over both ranges, scoped columns, NULLs outside the overlap', async () => {
    const p = await newPond();
    await p.ok(['mknod', 'dynamic-dir', '/sensors', '--config-path', fixture('rust-101-sensors.yaml')]);
    expect(await p.ok(['list', '/sensors/'])).toBe('/sensors/combined\n/sensors/station_a\n/sensors/station_b\n');
    // Jan 1–15 and Jan 10–25, hourly, both ends included.
    expect(await p.ok(['describe', '/sensors/station_a'])).toContain('rows: 337');
    expect(await p.ok(['describe', '/sensors/station_b'])).toContain('rows: 361');
    const r = row(
      await p.ok([
        'cat',
        '/sensors/combined',
        '--format=csv',
        '--sql',
        `SELECT count(*) AS n, min(timestamp) AS first_ts, max(timestamp) AS last_ts,
           count(*) FILTER (WHERE timestamp >= '2024-01-10T00:00:00Z' AND timestamp <= '2024-01-15T00:00:00Z') AS overlap_rows,
           count("StationA.temperature") FILTER (WHERE timestamp >= '2024-01-10T00:00:00Z' AND timestamp <= '2024-01-15T00:00:00Z') AS overlap_a,
           count("StationB.temperature") FILTER (WHERE timestamp >= '2024-01-10T00:00:00Z' AND timestamp <= '2024-01-15T00:00:00Z') AS overlap_b,
           count(*) FILTER (WHERE timestamp < '2024-01-10T00:00:00Z') AS before_rows,
           count("StationA.temperature") FILTER (WHERE timestamp < '2024-01-10T00:00:00Z') AS before_a,
           count("StationB.temperature") FILTER (WHERE timestamp < '2024-01-10T00:00:00Z') AS before_b,
           count(*) FILTER (WHERE timestamp > '2024-01-15T00:00:00Z') AS after_rows,
           count("StationA.temperature") FILTER (WHERE timestamp > '2024-01-15T00:00:00Z') AS after_a,
           count("StationB.temperature") FILTER (WHERE timestamp > '2024-01-15T00:00:00Z') AS after_b,
           min("StationA.temperature") AS a_temp_min, max("StationA.temperature") AS a_temp_max,
           min("StationB.temperature") AS b_temp_min, max("StationB.temperature") AS b_temp_max,
           min("StationA.pressure") AS a_pres_min, max("StationA.pressure") AS a_pres_max,
           min("StationB.pressure") AS b_pres_min, max("StationB.pressure") AS b_pres_max
         FROM source`,
      ]),
    );
    expect(r).toEqual({
      n: '577',
      first_ts: '2024-01-01T00:00:00.000Z',
      last_ts: '2024-01-25T00:00:00.000Z',
      overlap_rows: '121',
      overlap_a: '121',
      overlap_b: '121',
      before_rows: '216',
      before_a: '216',
      before_b: '0',
      after_rows: '240',
      after_a: '0',
      after_b: '240',
      // sine ±5 around 20, triangle ±8 around 30, sine ±3 around 1013, square ±4 around 1010.
      a_temp_min: '15',
      a_temp_max: '25',
      b_temp_min: '22',
      b_temp_max: '38',
      a_pres_min: '1010',
      a_pres_max: '1016',
      b_pres_min: '1006',
      b_pres_max: '1014',
    });
  });

  it('102 timeseries pivot: single measurements of both stations out of a join, scoped by the join', async () => {
    const p = await newPond();
    await p.ok(['mknod', 'dynamic-dir', '/sensors', '--config-path', fixture('rust-102-pivot.yaml')]);
    expect(await p.ok(['list', '/sensors/'])).toBe(
      '/sensors/combined\n/sensors/pivot_pressure\n/sensors/pivot_temperature\n/sensors/station_a\n/sensors/station_b\n',
    );
    const described = await p.ok(['describe', '/sensors/pivot_temperature']);
    expect(described).toMatch(
      /schema: 3 fields\n {4}timestamp: .*\n {4}combined\.station_a\.temperature: Float64\n {4}combined\.station_b\.temperature: Float64\n/,
    );
    expect(described).toContain('rows: 577');
    const t = row(
      await p.ok([
        'cat',
        '/sensors/pivot_temperature',
        '--format=csv',
        '--sql',
        `SELECT count(*) AS n, min(timestamp) AS t_min, max(timestamp) AS t_max,
           count(*) FILTER (WHERE "combined.station_a.temperature" IS NOT NULL AND "combined.station_b.temperature" IS NOT NULL) AS overlap_rows,
           count("combined.station_b.temperature") FILTER (WHERE timestamp < '2024-01-05T00:00:00Z') AS b_before,
           count("combined.station_a.temperature") FILTER (WHERE timestamp > '2024-01-20T00:00:00Z') AS a_after
         FROM source`,
      ]),
    );
    // Jan 1–20 and Jan 5–25, hourly: the union spans Jan 1–25, both present Jan 5–20.
    expect(t).toEqual({ n: '577', t_min: '2024-01-01T00:00:00.000Z', t_max: '2024-01-25T00:00:00.000Z', overlap_rows: '361', b_before: '0', a_after: '0' });
    const pr = row(
      await p.ok([
        'cat',
        '/sensors/pivot_pressure',
        '--format=csv',
        '--sql',
        `SELECT count(*) AS n, min("combined.station_a.pressure") AS a_min, max("combined.station_a.pressure") AS a_max,
           min("combined.station_b.pressure") AS b_min, max("combined.station_b.pressure") AS b_max FROM source`,
      ]),
    );
    expect(pr).toEqual({ n: '577', a_min: '1010', a_max: '1016', b_min: '1008', b_max: '1012' });
  });

  it('103 temporal reduce of a day of minute data to hours: avg within min and max, the constant stays exact', async () => {
    const p = await newPond();
    await p.ok(['mkdir', '/sources']);
    await p.ok(['mknod', 'synthetic-timeseries', '/sources/weather', '--config-path', fixture('rust-103-source.yaml')]);
    expect(await p.ok(['describe', '/sources/weather'])).toContain('rows: 1441');
    await p.ok(['mknod', 'temporal-reduce', '/reduce', '--config-path', fixture('rust-103-reduce.yaml')]);
    expect(await p.ok(['list', '/reduce/'])).toBe('/reduce/weather/\n');
    expect(await p.ok(['list', '/reduce/weather/'])).toBe('/reduce/weather/res=1h.series\n');
    const r = row(
      await p.ok([
        'cat',
        '/reduce/weather/res=1h.series',
        '--format=csv',
        '--sql',
        `SELECT count(*) AS total_hours, min(timestamp) AS t_min, max(timestamp) AS t_max,
           count(CASE WHEN abs("pressure.avg" - 1013.0) < 0.001 THEN 1 END) AS correct_hours,
           count(CASE WHEN "temperature.min" <= "temperature.avg" AND "temperature.avg" <= "temperature.max" THEN 1 END) AS ordering_correct,
           round(min("temperature.min"), 2) AS global_min, round(max("temperature.max"), 2) AS global_max,
           round(avg("temperature.avg"), 4) AS overall_avg
         FROM source`,
      ]),
    );
    // 24 whole hours plus the inclusive end sample (2024-06-16T00:00) in an hour of its own; the
    // script's comment says 24, its queries print what the hourly bins make (as core's own test of 103 says).
    expect(r).toEqual({
      total_hours: '25',
      t_min: '2024-06-15T00:00:00.000Z',
      t_max: '2024-06-16T00:00:00.000Z',
      correct_hours: '25',
      ordering_correct: '25',
      global_min: '10',
      global_max: '30',
      overall_avg: '20',
    });
  });

  it('104 timeseries join with an input matching nothing: the join still builds and both scopes keep their data', async () => {
    const p = await newPond();
    await p.ok(['mknod', 'dynamic-dir', '/sensors', '--config-path', fixture('rust-104-sensors.yaml')]);
    expect(await p.ok(['list', '/sensors/'])).toBe('/sensors/combined\n/sensors/station_a\n/sensors/station_b\n');
    const r = row(
      await p.ok([
        'cat',
        '/sensors/combined',
        '--format=csv',
        '--sql',
        `SELECT count(*) AS n, min(timestamp) AS first_ts, max(timestamp) AS last_ts,
           count("StationA.temperature") AS a_present, count("StationB.temperature") AS b_present,
           min(timestamp) FILTER (WHERE "StationA.temperature" IS NOT NULL) AS a_first,
           min(timestamp) FILTER (WHERE "StationB.temperature" IS NOT NULL) AS b_first
         FROM source`,
      ]),
    );
    expect(r).toEqual({
      n: '337',
      first_ts: '2024-01-01T00:00:00.000Z',
      last_ts: '2024-01-15T00:00:00.000Z',
      a_present: '217',
      b_present: '241',
      a_first: '2024-01-01T00:00:00.000Z',
      b_first: '2024-01-05T00:00:00.000Z',
    });
  });

  const derived = (path: string, query: string): string => `version: v1
kind: mknod
metadata:
  path: ${path}
spec:
  factory: sql_query
  config:
    tables:
      source: "/data/*.table"
    query: "${query}"
`;

  it('042 apply init: creates a directory and nodes, is idempotent, and logs the apply', async () => {
    const p = await newPond();
    const setup = hostFile(
      '042/setup.yaml',
      [
        'version: v1\nkind: mkdir\nmetadata:\n  path: /data\n',
        derived('/data/derived-a', 'SELECT 1 AS value'),
        derived('/data/derived-b', 'SELECT 2 AS value'),
      ].join('---\n'),
    );
    const first = await p.ok(['apply', '-f', setup]);
    expect(first).toMatch(/created.*derived-a/);
    expect(first).toMatch(/created.*derived-b/);
    const listed = await p.ok(['list', '/data/*']);
    expect(listed).toContain('derived-a');
    expect(listed).toContain('derived-b');
    const version = lines(await p.ok(['log'])).length;
    const again = await p.ok(['apply', '-f', setup]);
    expect(again).toContain('unchanged');
    expect(again).toContain('no transaction');
    const log = lines(await p.ok(['log', '--limit', '5']));
    expect(log.length).toBe(Math.min(5, version));
    expect(log[0]).toMatch(/^txn \d+ .*apply -f /);
  });

  it('043 apply update and validation: a changed config updates; an invalid one aborts the whole batch', async () => {
    const p = await newPond();
    const file = join(tmp, '043-derived.yaml');
    writeFileSync(file, derived('/data/derived', 'SELECT 1 AS value'));
    expect(await p.ok(['apply', '-f', file])).toContain('created');
    writeFileSync(file, derived('/data/derived', 'SELECT 42 AS answer'));
    expect(await p.ok(['apply', '-f', file])).toContain('updated');
    const bad = hostFile(
      '043/bad.yaml',
      'version: v1\nkind: mknod\nmetadata:\n  path: /data/bad-node\nspec:\n  factory: sql_query\n  config:\n  not_a_valid_key: "this should fail validation"\n',
    );
    const r = await p.run(['apply', '-f', bad]);
    expectError(r, 'ECONFIG');
    expect(r.err).toMatch(/invalid|unknown/i);
    expect((await p.run(['list', '/data/bad*'])).out).not.toContain('bad-node');
    const good = hostFile('043/good.yaml', derived('/data/good-node', 'SELECT 99 AS good'));
    expectError(await p.run(['apply', '-f', good, bad]), 'ECONFIG');
    expect((await p.run(['list', '/data/good*'])).out).not.toContain('good-node');
    expect(await p.ok(['list', '/data/*'])).toContain('derived');
    // A config the factory refuses is refused before anything is written too.
    const refused = hostFile(
      '043/refused.yaml',
      'version: v1\nkind: mknod\nmetadata:\n  path: /data/x\nspec:\n  factory: sql_query\n  config:\n    tables: {}\n',
    );
    expectError(await p.run(['apply', '-f', refused]), 'ECONFIG');
    expect(await p.ok(['list', '/data/*'])).toBe('/data/derived\n');
  });

  it('044 apply copy lifecycle: mkdir, copy and mknod in one transaction; copy refuses an existing path unless overwrite', async () => {
    const p = await newPond();
    const content = join(tmp, '044/content');
    hostFile('044/content/index.md', '---\ntitle: Home\n---\n# Welcome\n');
    hostFile('044/content/about.md', '---\ntitle: About\n---\n# About us\n');
    hostFile('044/templates/sidebar.md', '- [Home](/)\n- [About](/about)\n');
    const yaml = hostFile(
      '044/pond.yaml',
      [
        'version: v1\nkind: mkdir\nmetadata:\n  path: /data\n',
        `version: v1\nkind: copy\nmetadata:\n  path: /content\nspec:\n  source: "host://${content}"\n`,
        `version: v1\nkind: copy\nmetadata:\n  path: /templates\nspec:\n  source: "host://\${env:TEMPLATES}"\n`,
        derived('/data/derived', 'SELECT 1 AS value'),
      ].join('---\n'),
    );
    const before = lines(await p.ok(['log'])).length;
    const out = await p.ok(['apply', '-f', yaml], { TEMPLATES: join(tmp, '044/templates') });
    expect(out).toMatch(/created.*\/data$/m);
    expect(out).toMatch(/created.*\/content/);
    expect(out).toMatch(/created.*\/templates/);
    expect(out).toMatch(/created.*\/data\/derived/);
    expect(await p.ok(['list', '/content/*'])).toBe('/content/about.md\n/content/index.md\n');
    expect(await p.ok(['list', '/templates/*'])).toBe('/templates/sidebar.md\n');
    expect(await p.ok(['cat', '/content/index.md'])).toContain('Welcome');
    expect(await p.ok(['list', '/data/*'])).toBe('/data/derived\n');
    // One transaction for the whole apply.
    const log = lines(await p.ok(['log']));
    expect(log.length).toBe(before + 1);
    expect(log[0]).toMatch(/apply -f /);
    const dup = hostFile('044/dup.yaml', `version: v1\nkind: copy\nmetadata:\n  path: /content\nspec:\n  source: "host://${content}"\n`);
    const r = await p.run(['apply', '-f', dup]);
    expectError(r, 'ECONFIG');
    expect(r.err).toContain('already exists');
    writeFileSync(join(content, 'index.md'), '# Welcome back\n');
    const over = hostFile(
      '044/overwrite.yaml',
      `version: v1\nkind: copy\nmetadata:\n  path: /content\nspec:\n  source: "host://${content}"\n  overwrite: true\n`,
    );
    expect(await p.ok(['apply', '-f', over])).toMatch(/created.*\/content/);
    expect(await p.ok(['cat', '/content/index.md'])).toBe('# Welcome back\n');
  });
});
