// Charts that scale, in the worker: a month of minute readings (synthetic-timeseries) with a
// temporal-reduce to 10m, 1h and 6h. The whole month charts from the 1h level, three days from
// the 10m level, six hours from the raw rows; levels are read only by their own time column.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as arrow from 'apache-arrow';
import { openPond, MemoryStore, TIMESTAMP_COLUMN_ATTR, tableToParquet, type Pond } from '../../../src/core/index.ts';
import { ResultSets } from '../../../workers/result-sets.ts';
import { SeriesCharts } from '../../../workers/service/series-charts.ts';
import type { ServiceContext } from '../../../workers/service/context.ts';

const DAY = 86_400_000;
const START = Date.UTC(2024, 0, 1);
const sine = { type: 'sine', amplitude: 10, period: '24h', offset: 20 };

let pond: Pond;
let charts: SeriesCharts;

beforeAll(async () => {
  pond = await openPond(new MemoryStore(), { create: true });
  await pond.transact(async (tx) => {
    await tx.mkdir('/sources');
    await tx.mknod('/sources/station', 'synthetic-timeseries', {
      start: '2024-01-01T00:00:00Z',
      end: '2024-01-31T00:00:00Z',
      interval: '1m',
      points: [{ name: 'temperature', components: [sine] }],
    });
    await tx.mknod('/sources/plain', 'synthetic-timeseries', {
      start: '2024-01-01T00:00:00Z',
      end: '2024-01-08T00:00:00Z',
      interval: '1m',
      points: [{ name: 'temperature', components: [sine] }],
    });
    await tx.mknod('/reduce', 'temporal-reduce', {
      in_pattern: 'series:///sources/station',
      out_pattern: 'station',
      time_column: 'timestamp',
      resolutions: ['10m', '1h', '6h'],
      aggregations: [
        { type: 'avg', columns: ['temperature'] },
        { type: 'max', columns: ['temperature'] },
      ],
    });
  });
  // What the chart service needs of the worker: the pond to read and a place to hold tables.
  const ctx = { reader: () => pond, results: new ResultSets() } as unknown as ServiceContext;
  charts = new SeriesCharts(ctx);
}, 60_000);

afterAll(async () => {
  await pond.close();
});

describe('series charts read the reduce level that fits the window', () => {
  it('finds the levels of a series through the temporal-reduce that reads it, finest first', async () => {
    const found = await charts.seriesLevels('/sources/station');
    expect(found.via).toBe('/reduce');
    expect(found.levels.map((l) => [l.resolution, l.path])).toEqual([
      ['10m', '/reduce/station/res=10m.series'],
      ['1h', '/reduce/station/res=1h.series'],
      ['6h', '/reduce/station/res=6h.series'],
    ]);
    // A level's own chart finds its siblings.
    const siblings = await charts.seriesLevels('/reduce/station/res=1h.series');
    expect(siblings.levels.map((l) => l.resolution)).toEqual(['10m', '1h', '6h']);
    expect((await charts.seriesLevels('/sources/plain')).levels).toEqual([]);
  });

  it('draws the whole month from the 1h level: hourly averages of the source', async () => {
    const chart = await charts.levelChart('/sources/station', 'timestamp', ['temperature'], null);
    expect(chart.resolution).toBe('1h');
    expect(chart.levelPath).toBe('/reduce/station/res=1h.series');
    expect(chart.labels).toEqual(['temperature (avg)']);
    expect(chart.xIsTime).toBe(true);
    // 30 days of hours, plus the bucket of the inclusive end.
    expect(chart.x.length).toBe(30 * 24 + 1);
    expect(chart.x[0]).toBe(START);
    expect(chart.range).toEqual([START, START + 30 * DAY]);
    // Each point is the mean of that hour's 60 minute samples of the sine.
    const at = (ms: number) => 20 + 10 * Math.sin((2 * Math.PI * ((ms - START) / 1000)) / 86_400);
    for (const h of [0, 5, 13, 500]) {
      let sum = 0;
      for (let m = 0; m < 60; m++) sum += at(START + h * 3_600_000 + m * 60_000);
      expect(chart.ys[0][h]).toBeCloseTo(sum / 60, 9);
    }
  });

  it('refines as the window narrows: 10m for three days, the raw minutes for six hours', async () => {
    const days = await charts.levelChart('/sources/station', 'timestamp', ['temperature'], [START + 10 * DAY, START + 13 * DAY]);
    expect(days.resolution).toBe('10m');
    expect(days.x.length).toBe(3 * 24 * 6 + 1);
    expect(days.x[0]).toBe(START + 10 * DAY);

    const hours = await charts.levelChart('/sources/station', 'timestamp', ['temperature'], [START + 10 * DAY, START + 10 * DAY + DAY / 4]);
    expect(hours.resolution).toBeNull();
    expect(hours.levelPath).toBeNull();
    expect(hours.labels).toEqual(['temperature']);
    expect(hours.x.length).toBe(6 * 60 + 1);
    // Raw rows are the formula itself.
    const t = (hours.x[30] - START) / 1000;
    expect(hours.ys[0][30]).toBeCloseTo(20 + 10 * Math.sin((2 * Math.PI * t) / 86_400), 9);
  });

  it('reads levels only by their own time column: another x, or a series without levels, is refused (the chart then reads the table itself)', async () => {
    expect((await charts.seriesLevels('/sources/station')).timeColumn).toBe('timestamp');
    await expect(charts.levelChart('/sources/station', 'other', ['temperature'], null)).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(charts.levelChart('/sources/plain', 'timestamp', ['temperature'], null)).rejects.toMatchObject({ code: 'EINVAL' });
  });

  it("a series whose time column has another name (set by attribute, and the reduce's time_column) charts from its levels and its raw rows", async () => {
    const other = await openPond(new MemoryStore(), { create: true });
    try {
      const ms = Array.from({ length: 3 * 24 * 60 + 1 }, (_, i) => START + i * 60_000);
      const table = new arrow.Table({
        obs_time: arrow.vectorFromArray(ms, new arrow.TimestampMillisecond('UTC')),
        level: arrow.vectorFromArray(
          ms.map((_, i) => i),
          new arrow.Float64(),
        ),
      });
      await other.transact(async (tx) => {
        await tx.mkdir('/sources');
        await tx.writeFile('/sources/gauge', await tableToParquet(table), { type: 'file:series' });
        await tx.setAttributes('/sources/gauge', { [TIMESTAMP_COLUMN_ATTR]: 'obs_time' });
        await tx.mknod('/reduce', 'temporal-reduce', {
          in_pattern: '/sources/*',
          out_pattern: '$0',
          time_column: 'obs_time',
          resolutions: ['10m', '1h'],
          aggregations: [{ type: 'avg', columns: ['level'] }],
        });
      });
      const ctx = { reader: () => other, results: new ResultSets() } as unknown as ServiceContext;
      const gauge = new SeriesCharts(ctx);
      expect((await gauge.seriesLevels('/sources/gauge')).timeColumn).toBe('obs_time');
      // Three days: 432 ten-minute points are within the ~1,500 a chart wants.
      const whole = await gauge.levelChart('/sources/gauge', 'obs_time', ['level'], null);
      expect([whole.resolution, whole.x.length]).toEqual(['10m', 433]);
      expect(whole.ys[0][1]).toBeCloseTo(10 + 4.5, 9);
      // Two hours: too few 10m points, so the raw minutes of the window.
      const raw = await gauge.levelChart('/sources/gauge', 'obs_time', ['level'], [START + DAY, START + DAY + 2 * 3_600_000]);
      expect([raw.resolution, raw.x.length, raw.ys[0][0]]).toEqual([null, 121, 24 * 60]);
    } finally {
      await other.close();
    }
  });
});
