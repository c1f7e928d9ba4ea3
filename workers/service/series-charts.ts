/**
 * Charts of long series: a chart asks for a time window and gets points from the coarsest
 * temporal-reduce level that still fills it (see series-levels.ts), or from the raw series
 * when the window is narrow enough, read with a time range so that only that window is decoded.
 */
import { transfer } from 'comlink';
import { dirname, timeColumn, type Pond } from '../../src/core/index.ts';
import type { LevelChart, SeriesLevels } from '../api.ts';
import { findReaders } from '../readers.ts';
import { levelColumn, levelName, pickLevel, reduceOutputDir, type Level } from '../series-levels.ts';
import type { ServiceContext } from './context.ts';

export class SeriesCharts {
  /** Levels per pond state and path: finding them walks the pond's dynamic nodes. */
  #levels = new Map<string, Promise<SeriesLevels>>();

  constructor(private readonly ctx: ServiceContext) {}

  /** The temporal-reduce levels of the series at `path` (or, for a level itself, of its siblings). */
  seriesLevels(path: string): Promise<SeriesLevels> {
    const pond = this.ctx.reader();
    const key = `${pond.version}\0${path}`;
    let found = this.#levels.get(key);
    if (!found) {
      found = this.#find(pond, path);
      found.catch(() => this.#levels.delete(key));
      if (this.#levels.size > 64) this.#levels.clear();
      this.#levels.set(key, found);
    }
    return found;
  }

  /**
   * Points of `ys` over `range` (ms, inclusive; the whole series when null) at the level that
   * fits it, at most `maxPoints` per line. Each label says which level drew it.
   */
  async levelChart(path: string, ys: string[], range: [number, number] | null, maxPoints = 4000): Promise<LevelChart> {
    const pond = this.ctx.reader();
    const { levels } = await this.seriesLevels(path);
    const extent = range ?? (await this.#extent(pond, path, levels));
    const level = extent ? pickLevel(levels, extent[1] - extent[0]) : (levels.at(-1) ?? null);
    const source = level?.path ?? path;
    const timeRange = range ? { start: range[0], end: range[1] } : undefined;
    const table = await pond.readTable(source, { timeRange });
    const x = timeColumn(table.schema);
    if (!x) throw new Error(`${source} has no time column to chart`);
    const names = table.schema.fields.map((f) => f.name);
    // Each wanted column and the level's column that charts it (`temperature` → `temperature.avg`).
    const drawn = ys.flatMap((y) => {
      const column = level ? levelColumn(names, y) : names.includes(y) ? y : undefined;
      return column === undefined ? [] : [{ y, column }];
    });
    const held = this.ctx.results.hold(table, source);
    try {
      const data = this.ctx.results.chart(
        held.id,
        x,
        drawn.map((d) => d.column),
        maxPoints,
      );
      const labels = drawn.map(({ y, column }) => (level ? `${y} (${column.slice(y.length + 1)})` : y));
      const chart: LevelChart = { ...data, labels, resolution: level?.resolution ?? null, levelPath: level?.path ?? null, range: extent };
      return transfer(chart, [chart.x.buffer, ...chart.ys.map((y) => y.buffer)]);
    } finally {
      this.ctx.results.release(held.id);
    }
  }

  async #find(pond: Pond, path: string): Promise<SeriesLevels> {
    const name = path.slice(path.lastIndexOf('/') + 1);
    // A level itself: its siblings are the other levels of the same source.
    if (levelName(name)) return { path, levels: await this.#levelsIn(pond, dirname(path)), via: dirname(path) };
    const report = await findReaders(
      { readdir: (dir) => pond.readdir(dir), config: (p) => pond.config(p), readText: async (p) => new TextDecoder().decode(await pond.readFile(p)) },
      path,
    );
    for (const reader of report.readers) {
      if (reader.factory !== 'temporal-reduce' || reader.through !== null) continue;
      const config = (await pond.config(reader.path)) as { in_pattern?: unknown; out_pattern?: unknown } | undefined;
      const dir = config ? reduceOutputDir(reader.path, config, path) : null;
      const levels = dir ? await this.#levelsIn(pond, dir).catch(() => []) : [];
      if (levels.length) return { path, levels, via: reader.path };
    }
    return { path, levels: [], via: null };
  }

  /** The `res=<r>.series` entries of a directory, finest first. */
  async #levelsIn(pond: Pond, dir: string): Promise<Level[]> {
    const levels: Level[] = [];
    for (const e of await pond.readdir(dir)) {
      const level = e.type === 'file:series' ? levelName(e.name) : null;
      if (level) levels.push({ ...level, path: `${dir === '/' ? '' : dir}/${e.name}` });
    }
    return levels.sort((a, b) => a.ms - b.ms);
  }

  /** First and last time of a series, from its coarsest level when it has one (a small read). */
  async #extent(pond: Pond, path: string, levels: Level[]): Promise<[number, number] | null> {
    const table = await pond.readTable(levels.at(-1)?.path ?? path);
    const x = timeColumn(table.schema);
    const col = x ? table.getChild(x) : null;
    if (!col || col.length === 0) return null;
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < col.length; i++) {
      const v = Number(col.get(i) as unknown);
      if (Number.isNaN(v)) continue;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    return min <= max ? [min, max] : null;
  }
}
