/**
 * The demo's sensors section: real readings as series (vega-datasets: Seattle's hourly normals,
 * Seattle and New York daily weather) and the Rust DuckPond's time-series factories over them,
 * with the configs a Rust user would write: a temporal-reduce to several resolutions, a join by
 * scope, a pivot, and the Rust testsuite's synthetic stations in a dynamic-dir.
 */
import * as arrow from 'apache-arrow';
import { tableToParquet, type Pond } from '../core/index.ts';

/** The CSV tables the sensors section is made of, already parsed. */
export interface SensorTables {
  /** vega-datasets data/seattle-weather-hourly-normals.csv: date, pressure, temperature, wind */
  hourly: arrow.Table;
  /** vega-datasets data/weather.csv: location, date, precipitation, temp_max, temp_min, wind, weather */
  weather: arrow.Table;
}

/** Where the sensors section lives; the README links it. */
export const SENSORS_DIR = '/sensors';

/** Station names of weather.csv and the pond name each gets. */
const STATIONS: Record<string, string> = { Seattle: 'seattle', 'New York': 'new-york' };

/** The reduce's resolutions, finest first (the chart picks among them). */
export const SENSOR_RESOLUTIONS = ['6h', '1d', '7d'];

/** The Rust testsuite's scenario 101: two synthetic stations and their join, in one dynamic-dir. */
const SYNTHETIC_STATIONS = {
  entries: [
    {
      name: 'station_a',
      factory: 'synthetic-timeseries',
      config: {
        start: '2024-01-01T00:00:00Z',
        end: '2024-01-15T00:00:00Z',
        interval: '1h',
        points: [
          { name: 'temperature', components: [{ type: 'sine', amplitude: 5.0, period: '24h', offset: 20.0 }] },
          { name: 'pressure', components: [{ type: 'sine', amplitude: 3.0, period: '12h', offset: 1013.0 }] },
        ],
      },
    },
    {
      name: 'station_b',
      factory: 'synthetic-timeseries',
      config: {
        start: '2024-01-10T00:00:00Z',
        end: '2024-01-25T00:00:00Z',
        interval: '1h',
        points: [
          { name: 'temperature', components: [{ type: 'triangle', amplitude: 8.0, period: '24h', offset: 30.0 }] },
          { name: 'pressure', components: [{ type: 'square', amplitude: 4.0, period: '6h', offset: 1010.0 }] },
        ],
      },
    },
    {
      name: 'combined',
      factory: 'timeseries-join',
      config: {
        inputs: [
          { pattern: `series://${SENSORS_DIR}/synthetic/station_a`, scope: 'StationA' },
          { pattern: `series://${SENSORS_DIR}/synthetic/station_b`, scope: 'StationB' },
        ],
      },
    },
  ],
};

/**
 * Add the sensors section to the demo pond: the series first (each appended in several versions,
 * so that History and time ranges have something to show), then the factories over them.
 */
export async function seedSensors(pond: Pond, tables: SensorTables): Promise<void> {
  const hourly = sensorTable(tables.hourly, 'date', ['pressure', 'temperature', 'wind']);
  // One version per quarter, as a logger that uploads now and then would append them.
  await appendByPeriod(
    pond,
    `${SENSORS_DIR}/seattle/hourly`,
    hourly,
    (ms) => `${new Date(ms).getUTCFullYear()} Q${Math.floor(new Date(ms).getUTCMonth() / 3) + 1}`,
    'Seattle hourly normals',
  );

  const location = tables.weather.getChild('location')!;
  for (const [station, name] of Object.entries(STATIONS)) {
    const rows: number[] = [];
    for (let i = 0; i < tables.weather.numRows; i++) if (location.get(i) === station) rows.push(i);
    const daily = sensorTable(tables.weather, 'date', ['precipitation', 'temp_max', 'temp_min', 'wind', 'weather'], rows);
    await appendByPeriod(pond, `${SENSORS_DIR}/weather/${name}`, daily, (ms) => String(new Date(ms).getUTCFullYear()), `${station} daily weather`);
  }

  await pond.transact(
    async (tx) => {
      await tx.mknod(`${SENSORS_DIR}/reduced`, 'temporal-reduce', {
        in_pattern: `series://${SENSORS_DIR}/seattle/*`,
        out_pattern: '$0',
        time_column: 'timestamp',
        resolutions: SENSOR_RESOLUTIONS,
        aggregations: [
          { type: 'avg', columns: ['temperature', 'pressure', 'wind'] },
          { type: 'min', columns: ['temperature'] },
          { type: 'max', columns: ['temperature'] },
        ],
      });
      await tx.mknod(`${SENSORS_DIR}/weather-joined`, 'timeseries-join', {
        inputs: [
          { pattern: `series://${SENSORS_DIR}/weather/seattle`, scope: 'Seattle' },
          { pattern: `series://${SENSORS_DIR}/weather/new-york`, scope: 'NewYork' },
        ],
      });
      await tx.mknod(`${SENSORS_DIR}/temperature-pivot`, 'timeseries-pivot', {
        pattern: `series://${SENSORS_DIR}/weather-joined`,
        columns: ['Seattle.temp_max', 'NewYork.temp_max'],
      });
      await tx.mknod(`${SENSORS_DIR}/synthetic`, 'dynamic-dir', SYNTHETIC_STATIONS);
    },
    { message: 'Add time-series views: hourly readings reduced to 6h, 1d and 7d; two stations joined and pivoted; synthetic stations' },
  );
}

/**
 * A series table from CSV rows: `timestamp` (Timestamp(ms, UTC), the name Rust detects) from the
 * `from` column, then `columns` as they were parsed. `rows` picks rows (all when omitted).
 */
function sensorTable(table: arrow.Table, from: string, columns: string[], rows?: number[]): arrow.Table {
  const pick = rows ?? Array.from({ length: table.numRows }, (_, i) => i);
  const time = table.getChild(from)!;
  const ms = pick.map((i) => toMs(time.get(i) as unknown, from));
  const out: Record<string, arrow.Vector> = {
    timestamp: arrow.vectorFromArray(ms, new arrow.TimestampMillisecond('UTC')),
  };
  for (const name of columns) {
    const col = table.getChild(name)!;
    out[name] = arrow.vectorFromArray(
      pick.map((i) => col.get(i) as unknown),
      col.type as arrow.DataType,
    );
  }
  return new arrow.Table(out);
}

/** A parsed CSV time (Date32/Timestamp as ms or Date, or text without a zone) in ms since the epoch, as UTC. */
function toMs(v: unknown, column: string): number {
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'number' || typeof v === 'bigint') return Number(v);
  if (typeof v === 'string') {
    const ms = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v}Z`);
    if (!Number.isNaN(ms)) return ms;
  }
  throw new Error(`demo sensors: column ${column} holds ${String(v)}, not a time`);
}

/** Append `table` to the series at `path`, one version (and transaction) per period `periodOf` names. */
async function appendByPeriod(pond: Pond, path: string, table: arrow.Table, periodOf: (ms: number) => string, what: string): Promise<void> {
  const time = table.getChild('timestamp')!;
  let start = 0;
  for (let i = 1; i <= table.numRows; i++) {
    const period = periodOf(Number(time.get(start)));
    if (i < table.numRows && periodOf(Number(time.get(i))) === period) continue;
    const chunk = await tableToParquet(table.slice(start, i));
    await pond.transact(
      async (tx) => {
        await tx.mkdir(path.slice(0, path.lastIndexOf('/')), { parents: true });
        await tx.writeFile(path, chunk, { type: 'file:series' });
      },
      { message: `Append ${what}: ${period}` },
    );
    start = i;
  }
}
