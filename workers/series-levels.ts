/**
 * Charts that scale: the pre-reduced levels of a series (the `res=<r>.series` outputs of the
 * temporal-reduce nodes that read it) and which level a chart of a time window should read. As
 * the Rust site generator does, a chart aims at about CHART_POINTS points: the finest level that
 * draws no more than that across the window; zoomed in far enough, the raw series.
 */
import { parseDuration } from '../src/core/index.ts';

/** About how many points a chart wants across its visible window (the Rust site generator's aim). */
export const CHART_POINTS = 1500;

/** One pre-reduced level of a series. */
export interface Level {
  /** As written in the reduce's config, e.g. '6h'. */
  resolution: string;
  /** Bucket width in ms. */
  ms: number;
  /** The level's series, e.g. /reduced/station/res=6h.series. */
  path: string;
}

/** The resolution of a temporal-reduce output named `res=<r>.series`, or null for another name. */
export function levelName(name: string): { resolution: string; ms: number } | null {
  const m = /^res=(.+)\.series$/.exec(name);
  if (!m) return null;
  const d = parseDuration(m[1]);
  return d.ok && d.seconds > 0 ? { resolution: m[1], ms: d.seconds * 1000 } : null;
}

/**
 * The level a chart of a window `spanMs` wide should read, as the Rust site generator picks it:
 * the finest level that draws at most `points` buckets across the window (the coarsest when none
 * does). Null when even the finest level would draw fewer than a tenth of that: zoomed in this
 * far, the raw rows are wanted.
 */
export function pickLevel(levels: readonly Level[], spanMs: number, points = CHART_POINTS): Level | null {
  const fineFirst = [...levels].sort((a, b) => a.ms - b.ms);
  if (fineFirst.length === 0 || spanMs / fineFirst[0].ms < points / 10) return null;
  return fineFirst.find((l) => spanMs / l.ms <= points) ?? fineFirst[fineFirst.length - 1];
}

/**
 * The column of a level that charts the source column `y`: `<y>.avg` when the reduce averaged it,
 * else its first `<y>.<aggregation>`; undefined when the level has none.
 */
export function levelColumn(columns: readonly string[], y: string): string | undefined {
  return columns.find((c) => c === `${y}.avg`) ?? columns.find((c) => c.startsWith(`${y}.`) && !c.slice(y.length + 1).includes('.'));
}
