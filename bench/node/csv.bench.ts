// CSV import: the strict reader (src/core/csv, plain TypeScript, no DuckDB) against DuckDB-WASM's
// read_csv_auto (the SQL engine's csvToTable, which the app's import used before), on 1e6 rows.
import { suite } from '../lib/index.ts';
import { readCsv, inspectCsv } from '../../src/core/csv/index.ts';
import { csvToTable, getSqlEngine } from '../../src/core/sql/index.ts';

const ROWS = 1_000_000;

/** id, station, temperature, time (UTC), ok: the shape of a sensor log. */
function sensorCsv(rows: number): Uint8Array {
  const parts: string[] = ['id,station,temperature,time,ok\n'];
  const t0 = Date.UTC(2024, 0, 1);
  for (let i = 0; i < rows; i++) {
    const t = new Date(t0 + i * 60_000).toISOString().replace('.000Z', 'Z');
    parts.push(`${i},${i % 7 === 0 ? '"north, upper"' : 'south'},${((i * 37) % 400) / 10 - 10},${t},${i % 3 === 0}\n`);
  }
  return new TextEncoder().encode(parts.join(''));
}

suite(`csv: strict reader vs DuckDB read_csv_auto, ${ROWS / 1e6}M rows`, { iterations: 5, warmup: 1, minTimeMs: 0, maxTimeMs: 120_000 }, (s) => {
  let input: Uint8Array = new Uint8Array(0);
  s.setup(async () => {
    input = sensorCsv(ROWS);
    await getSqlEngine().query('SELECT 1'); // DuckDB's cold start is not part of a read
  });
  s.teardown(() => getSqlEngine().close());
  const bytes = (): number => input.length;
  s.baseline(
    'DuckDB csvToTable (read_csv_auto)',
    async () => {
      const t = await csvToTable(input);
      if (t.numRows !== ROWS) throw new Error(`DuckDB read ${t.numRows} rows`);
    },
    { memory: true },
  );
  s.bench(
    'readCsv (table + report)',
    async () => {
      const r = await readCsv(input);
      if (r.rows !== ROWS || r.rejectedCount !== 0) throw new Error(`read ${r.rows} rows, ${r.rejectedCount} rejected`);
    },
    { memory: true, target: { maxRatio: 2 } },
  );
  s.bench('inspectCsv (report only: the import preview)', () => inspectCsv(input), { target: { maxRatio: 1 } });
  s.metric('input size', () => bytes() / 2 ** 20, { unit: 'MiB' });
  s.metric(
    'readCsv rows/s',
    async () => {
      const t = performance.now();
      await readCsv(input);
      return Math.round(ROWS / ((performance.now() - t) / 1000));
    },
    { unit: 'rows/s' },
  );
  s.metric(
    'DuckDB rows/s',
    async () => {
      const t = performance.now();
      await csvToTable(input);
      return Math.round(ROWS / ((performance.now() - t) / 1000));
    },
    { unit: 'rows/s' },
  );
});
