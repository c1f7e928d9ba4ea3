// Charts that scale: which temporal-reduce level a chart reads for a window and which level
// column draws a source column (where a reduce writes a series' levels is temporal-reduce's own
// reduceOutputDir, tested with the factory).
import { describe, it, expect } from 'vitest';
import { CHART_POINTS, levelColumn, levelName, pickLevel, type Level } from '../../../workers/series-levels.ts';

const HOUR = 3_600_000;
const levels: Level[] = [
  { resolution: '1h', ms: HOUR, path: '/r/s/res=1h.series' },
  { resolution: '6h', ms: 6 * HOUR, path: '/r/s/res=6h.series' },
  { resolution: '1d', ms: 24 * HOUR, path: '/r/s/res=1d.series' },
];

describe('series levels', () => {
  it('a level is named res=<Rust duration>.series', () => {
    expect(levelName('res=6h.series')).toEqual({ resolution: '6h', ms: 6 * HOUR });
    expect(levelName('res=1h30m.series')).toEqual({ resolution: '1h30m', ms: 1.5 * HOUR });
    expect(levelName('res=6h.table')).toBeNull();
    expect(levelName('res=often.series')).toBeNull();
    expect(levelName('station.series')).toBeNull();
  });

  it('picks the finest level that draws at most ~1,500 points in the window (as the Rust site generator), and the raw rows when zoomed in far', () => {
    // Ten years: 1d draws 3,650 points, more than the chart wants; nothing coarser, so 1d.
    expect(pickLevel(levels, 3650 * 24 * HOUR)?.resolution).toBe('1d');
    // One year: 1h would draw 8,760 points, 6h draws 1,460.
    expect(pickLevel(levels, 365 * 24 * HOUR)?.resolution).toBe('6h');
    // Exactly 1,500 hourly points.
    expect(pickLevel(levels, CHART_POINTS * HOUR)?.resolution).toBe('1h');
    // A month: 720 hourly points is within the aim.
    expect(pickLevel(levels, 30 * 24 * HOUR)?.resolution).toBe('1h');
    // A few days: under 150 hourly points, so the raw rows are read.
    expect(pickLevel(levels, 5 * 24 * HOUR)).toBeNull();
    expect(pickLevel([], 1e12)).toBeNull();
    // Order of the list does not matter.
    expect(pickLevel([...levels].reverse(), 365 * 24 * HOUR)?.resolution).toBe('6h');
  });

  it('charts a source column from the level column that averaged it, else its first aggregation', () => {
    const cols = ['timestamp', 'temperature.min', 'temperature.avg', 'pressure.max', 'pressure.x.avg'];
    expect(levelColumn(cols, 'temperature')).toBe('temperature.avg');
    expect(levelColumn(cols, 'pressure')).toBe('pressure.max');
    expect(levelColumn(cols, 'wind')).toBeUndefined();
  });
});
