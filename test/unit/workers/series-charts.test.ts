// Charts that scale, in the worker: a month of minute readings (synthetic-timeseries) with a
// temporal-reduce to 10m, 1h and 6h. The whole month charts from the 1h level, three days from
// the 10m level, six hours from the raw rows, and a series without a reduce samples its rows.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { openPond, MemoryStore, type Pond } from '../../../src/core/index.ts';
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
    const chart = await charts.levelChart('/sources/station', ['temperature'], null);
    expect(chart.resolution).toBe('1h');
    expect(chart.levelPath).toBe('/reduce/station/res=1h.series');
    expect(chart.labels).toEqual(['temperature (avg)']);
    expect(chart.xIsTime).toBe(true);
    // 30 days of hours, plus the bucket of the inclusive end.
    expect(chart.x.length).toBe(30 * 24 + 1);
    expect(chart.x[0]).toBe(START);
    expect(chart.range).toEqual([START, START + 30 * DAY]);
    // The average of a 24h sine over an hour lies within its amplitude of the offset.
    for (const v of chart.ys[0]) expect(Math.abs(v - 20)).toBeLessThanOrEqual(10);
  });

  it('refines as the window narrows: 10m for three days, the raw minutes for six hours', async () => {
    const days = await charts.levelChart('/sources/station', ['temperature'], [START + 10 * DAY, START + 13 * DAY]);
    expect(days.resolution).toBe('10m');
    expect(days.x.length).toBe(3 * 24 * 6 + 1);
    expect(days.x[0]).toBe(START + 10 * DAY);

    const hours = await charts.levelChart('/sources/station', ['temperature'], [START + 10 * DAY, START + 10 * DAY + DAY / 4]);
    expect(hours.resolution).toBeNull();
    expect(hours.levelPath).toBeNull();
    expect(hours.labels).toEqual(['temperature']);
    expect(hours.x.length).toBe(6 * 60 + 1);
    // Raw rows are the formula itself.
    const t = (hours.x[30] - START) / 1000;
    expect(hours.ys[0][30]).toBeCloseTo(20 + 10 * Math.sin((2 * Math.PI * t) / 86_400), 9);
  });

  it('a series with no reduce samples its raw rows to the points asked for', async () => {
    const chart = await charts.levelChart('/sources/plain', ['temperature'], null, 1000);
    expect(chart.resolution).toBeNull();
    expect(chart.total).toBe(7 * 24 * 60 + 1);
    expect(chart.x.length).toBe(1000);
    expect(chart.sampled).toBe(true);
  });
});
