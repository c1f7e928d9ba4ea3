/**
 * The demo pond: real public data (vega-datasets: Seattle weather from NOAA, stock prices, Mauna
 * Loa CO₂) loaded by the core itself, plus one dynamic node of each factory, committed as a short
 * history. Built at build time in Node by scripts/build-demo-ponds.ts and shipped as a published
 * pond (public/ponds/demo/); the same function would build it anywhere the core runs.
 */
import type * as arrow from 'apache-arrow';
import { tableToParquet, type Pond } from '../core/index.ts';
import { seedSensors } from './seed-sensors.ts';

/** The demo README: a template over the yearly-weather view (benchmarks render it too). */
export const DEMO_README_TEMPLATE = [
  '# The demo pond',
  '',
  'Real public data (Seattle weather, stock prices, Mauna Loa CO₂) and one dynamic node of each kind.',
  'This page is itself a `template` node: it is computed from the data every time it is read.',
  '',
  '| year | avg high °C | rain mm | sunny days |',
  '|---:|---:|---:|---:|',
  '{% for r in table("/views/yearly-weather") %}| {{ r.year }} | {{ r.avg_high }} | {{ r.rain_mm }} | {{ r.sunny_days }} |',
  '{% endfor %}',
  '- `/views/yearly-weather`, `/views/monthly-prices`: `sql_query` over stored tables',
  '- `/views/seattle-all`: `combine` of the per-year tables',
  '- `/views/by-year/`: a `directory` built from a glob, one folder per year',
  '- `/views/synthetic-sensor`: `scribble`, seeded synthetic data',
  '- `/sensors/co2`: a series, one version appended per decade (see History)',
  '',
  '## Sensors',
  '',
  'Time series as the Rust DuckPond keeps them, on real readings; open one and pick Chart.',
  '',
  '- `/sensors/seattle/hourly`: a year of hourly Seattle normals, appended a quarter at a time',
  '- `/sensors/reduced/hourly/`: `temporal-reduce` of it to 6h, 1d and 7d (`res=1d.series`, …); its chart reads the level that fits the window',
  '- `/sensors/weather/seattle`, `/sensors/weather/new-york`: daily weather, one version per year',
  '- `/sensors/weather-joined`: `timeseries-join` of the two stations by scope (`Seattle.temp_max`, `NewYork.temp_max`, …)',
  '- `/sensors/temperature-pivot`: `timeseries-pivot` of their highs side by side',
  "- `/sensors/synthetic/`: `dynamic-dir` of the Rust testsuite's synthetic stations (`synthetic-timeseries`) and their join",
].join('\n');

/** The CSV files the demo is made of, as bytes. */
export interface DemoData {
  /** vega-datasets data/seattle-weather.csv */
  seattleWeather: Uint8Array;
  /** vega-datasets data/stocks.csv */
  stocks: Uint8Array;
  /** vega-datasets data/co2-concentration.csv */
  co2: Uint8Array;
  /** vega-datasets data/seattle-weather-hourly-normals.csv */
  seattleHourly: Uint8Array;
  /** vega-datasets data/weather.csv (Seattle and New York, daily) */
  weather: Uint8Array;
}

/** Where each input comes from inside the vega-datasets package. */
export const DEMO_SOURCES: Record<keyof DemoData, string> = {
  seattleWeather: 'data/seattle-weather.csv',
  stocks: 'data/stocks.csv',
  co2: 'data/co2-concentration.csv',
  seattleHourly: 'data/seattle-weather-hourly-normals.csv',
  weather: 'data/weather.csv',
};

/** Parses CSV bytes into a table (the core's DuckDB-based csvToTable). */
export type ReadCsv = (bytes: Uint8Array, path: string) => Promise<arrow.Table>;

/**
 * Fill an empty pond with the demo, from the CSV files' bytes. Each step is its own transaction, so
 * History tells the story.
 */
export async function seedDemoPond(pond: Pond, readCsv: ReadCsv, data: DemoData): Promise<void> {
  const weather = await readCsv(data.seattleWeather, '/data/seattle-weather.csv');
  const stocks = await readCsv(data.stocks, '/data/stocks.csv');
  const co2 = await readCsv(data.co2, '/sensors/co2.csv');

  await pond.transact(
    async (tx) => {
      await tx.mkdir('/data/seattle', { parents: true });
      await tx.writeFile('/data/stocks.parquet', await tableToParquet(stocks), { type: 'file:table' });
      // One table per year, so combine and directory have several inputs to work with.
      const years = new Map<string, number[]>();
      const dates = weather.getChild('date')!;
      for (let i = 0; i < weather.numRows; i++) {
        const y = new Date(Number(dates.get(i))).getUTCFullYear().toString();
        years.set(y, [...(years.get(y) ?? []), i]);
      }
      for (const [year, rows] of years) {
        await tx.writeFile(`/data/seattle/${year}.parquet`, await tableToParquet(weather.slice(rows[0], rows[rows.length - 1] + 1)), { type: 'file:table' });
      }
      await tx.setAttributes('/data/seattle', { source: 'vega-datasets seattle-weather.csv (NOAA)' });
    },
    { message: 'Load Seattle weather (one table per year) and stock prices' },
  );

  // A series grows by appending: one version per decade of Mauna Loa CO₂ readings.
  const co2Dates = co2.getChild('Date')!;
  let start = 0;
  for (let i = 1; i <= co2.numRows; i++) {
    const decade = (d: number) => Math.floor(new Date(Number(co2Dates.get(d))).getUTCFullYear() / 10);
    if (i < co2.numRows && decade(i) === decade(start)) continue;
    const chunk = co2.slice(start, i);
    const label = `${decade(start)}0s`;
    await pond.transact(
      async (tx) => {
        await tx.mkdir('/sensors', { parents: true });
        await tx.writeFile('/sensors/co2', await tableToParquet(chunk), { type: 'file:series' });
      },
      { message: `Append CO₂ readings of the ${label}` },
    );
    start = i;
  }

  await pond.transact(
    async (tx) => {
      await tx.mkdir('/views');
      await tx.mknod('/views/monthly-prices', 'sql_query', {
        query: "SELECT symbol, strptime(date, '%b %d %Y')::DATE AS month, price FROM stocks ORDER BY symbol, month",
        tables: { stocks: '/data/stocks.parquet' },
      });
      await tx.mknod('/views/yearly-weather', 'sql_query', {
        query:
          "SELECT year(date) AS year, round(avg(temp_max), 1) AS avg_high, round(sum(precipitation)) AS rain_mm, count(*) FILTER (WHERE weather = 'sun') AS sunny_days FROM w GROUP BY ALL ORDER BY year",
        tables: { w: '/data/seattle/*.parquet' },
      });
      await tx.mknod('/views/seattle-all', 'combine', { file_patterns: ['/data/seattle/*.parquet'], output_type: 'file:table' });
      await tx.mknod('/views/by-year', 'directory', { pattern: '/data/seattle/*.parquet', virtual_structure: '{0}/weather.parquet' });
      await tx.mknod('/views/synthetic-sensor', 'scribble', {
        schema: [
          { name: 'time', type: 'timestamp', start: '2024-01-01T00:00:00Z', step_ms: 3_600_000 },
          { name: 'temperature', type: 'float', distribution: 'normal', mean: 12, stddev: 4 },
        ],
        row_count: 24 * 14,
        seed: 7,
        output_type: 'file:series',
      });
    },
    { message: 'Add views: SQL, combine, directory and scribble' },
  );

  await seedSensors(pond, {
    hourly: await readCsv(data.seattleHourly, '/sensors/seattle-hourly.csv'),
    weather: await readCsv(data.weather, '/sensors/weather.csv'),
  });

  await pond.transact(
    async (tx) => {
      await tx.mknod('/README.md', 'template', {
        output_format: 'markdown',
        template: DEMO_README_TEMPLATE,
      });
    },
    { message: 'Add the README, a template computed from the data' },
  );
}
