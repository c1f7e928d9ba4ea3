/**
 * Charts of long series: a chart asks for a time window and gets points from the finest
 * temporal-reduce level that draws at most ~1,500 of them (see series-levels.ts), or from the raw
 * series when the window is narrow enough, read with a time range so that only that window is
 * decoded.
 */
import { transfer } from 'comlink';
import * as arrow from 'apache-arrow';
import { dirname, filterTimeRange, pondError, reduceOutputDir, type Pond } from '../../src/core/index.ts';
import type { LevelChart, SeriesLevels } from '../api.ts';
import { findReaders } from '../readers.ts';
import { levelColumn, levelName, pickLevel, type Level } from '../series-levels.ts';
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
   * Points of `ys` against the time column `x` over `range` (ms, inclusive; the whole series when
   * null) at the level that fits it, at most `maxPoints` per line. A level's columns are named
   * `<y>.<aggregation>`: each y draws its average (else its first aggregation).
   */
  async levelChart(path: string, x: string, ys: string[], range: [number, number] | null, maxPoints = 4000): Promise<LevelChart> {
    const pond = this.ctx.reader();
    const found = await this.seriesLevels(path);
    if (found.timeColumn !== x) throw pondError('EINVAL', path, `its levels are by ${found.timeColumn ?? 'no time column'}, not ${x}`);
    const { levels } = found;
    const extent = range ?? (await this.#extent(pond, path, levels, x));
    const level = extent ? pickLevel(levels, extent[1] - extent[0]) : (levels.at(-1) ?? null);
    const source = level?.path ?? path;
    // A level is small: read whole and cut to the window here. The raw series is read for the
    // window only (versions outside it are skipped unread), by its own time column.
    const table = level
      ? range
        ? filterTimeRange(await pond.readTable(source), x, { start: range[0], end: range[1] })
        : await pond.readTable(source)
      : await pond.readTable(source, { timeRange: range ? { start: range[0], end: range[1] } : undefined });
    const names = table.schema.fields.map((f) => f.name);
    if (!names.includes(x)) throw pondError('EINVAL', source, `no time column ${JSON.stringify(x)} to chart`);
    // Each wanted column and the level's column that charts it (`temperature` → `temperature.avg`).
    const drawn = ys.flatMap((y) => {
      const column = level ? levelColumn(names, y) : names.includes(y) ? y : undefined;
      return column === undefined ? [] : [{ y, column }];
    });
    const held = this.ctx.results.hold(table, source);
    try {
      // Reduced levels come in time order; a raw series may not (its versions can overlap).
      await this.ctx.results.chartOrder(held.id, x);
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
    if (levelName(name)) return this.#withTimeColumn(pond, { path, levels: await this.#levelsIn(pond, dirname(path)), via: dirname(path), timeColumn: null });
    const report = await findReaders(
      { readdir: (dir) => pond.readdir(dir), config: (p) => pond.config(p), readText: async (p) => new TextDecoder().decode(await pond.readFile(p)) },
      path,
    );
    for (const reader of report.readers) {
      if (reader.factory !== 'temporal-reduce' || reader.through !== null) continue;
      const config = (await pond.config(reader.path)) as { in_pattern?: unknown; out_pattern?: unknown } | undefined;
      const [inPattern, outPattern] = [config?.in_pattern, config?.out_pattern];
      const dir =
        typeof inPattern === 'string' && typeof outPattern === 'string'
          ? reduceOutputDir(reader.path, { in_pattern: inPattern, out_pattern: outPattern }, path)
          : null;
      const levels = dir ? await this.#levelsIn(pond, dir).catch(() => []) : [];
      if (levels.length) return this.#withTimeColumn(pond, { path, levels, via: reader.path, timeColumn: null });
    }
    return { path, levels: [], via: null, timeColumn: null };
  }

  /** The levels' time column: the first column of a level (temporal-reduce writes it first, named as its input's). */
  async #withTimeColumn(pond: Pond, found: SeriesLevels): Promise<SeriesLevels> {
    const coarsest = found.levels.at(-1);
    if (!coarsest) return found;
    const first = (await pond.readTable(coarsest.path)).schema.fields[0];
    return { ...found, timeColumn: first && arrow.DataType.isTimestamp(first.type) ? first.name : null };
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

  /** First and last time (column `x`) of a series, from its coarsest level when it has one (a small read). */
  async #extent(pond: Pond, path: string, levels: Level[], x: string): Promise<[number, number] | null> {
    const table = await pond.readTable(levels.at(-1)?.path ?? path);
    const col = table.getChild(x);
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
