// The Rust DuckPond's URL patterns (`series:///sources/*`, `table:///raw/data`, `csv:///in/*.csv`):
// which schemes a factory pattern may carry here, and the pond path (glob) behind one.
import { pondError } from '../errors.ts';

/**
 * Schemes a pattern may carry. `series`, `table`, `file` and `data` read the match as the pond
 * stores it (a table, or a series with all its versions); `csv` reads a stored CSV file as a table.
 */
export const PATTERN_SCHEMES = ['series', 'table', 'file', 'data', 'csv'] as const;
export type PatternScheme = (typeof PATTERN_SCHEMES)[number];

/** A pattern split into its scheme (undefined for a plain pond path) and the glob it names. */
export interface PatternUrl {
  scheme: PatternScheme | undefined;
  path: string;
}

const URL = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(.*)$/s;

/**
 * Split `text` into scheme and path, or say why it is not a pattern this pond reads. A scheme
 * needs an absolute path (`series:///a/*`, as in Rust); a plain path may be relative.
 * @example parsePatternUrl('series:///sources/*') // { ok: true, url: { scheme: 'series', path: '/sources/*' } }
 */
export function parsePatternUrl(text: string): { ok: true; url: PatternUrl } | { ok: false; reason: string } {
  const m = URL.exec(text);
  if (!m) return text.trim() === '' ? { ok: false, reason: 'empty pattern' } : { ok: true, url: { scheme: undefined, path: text } };
  const scheme = m[1].toLowerCase();
  if (!(PATTERN_SCHEMES as readonly string[]).includes(scheme))
    return { ok: false, reason: `unknown URL scheme ${JSON.stringify(m[1])} in ${JSON.stringify(text)} (known here: ${PATTERN_SCHEMES.join(', ')})` };
  if (!m[2].startsWith('/')) return { ok: false, reason: `${JSON.stringify(text)} needs an absolute path: ${scheme}:///path` };
  if (m[2].length < 2) return { ok: false, reason: `${JSON.stringify(text)} names no path` };
  return { ok: true, url: { scheme: scheme as PatternScheme, path: m[2] } };
}

/** The parsed pattern, or EINVAL naming `where` (a node path) when it does not parse. */
export function patternUrl(text: string, where: string): PatternUrl {
  const r = parsePatternUrl(text);
  if (!r.ok) throw pondError('EINVAL', where, r.reason, { pattern: text });
  return r.url;
}

/**
 * The glob behind a pattern whose matches are read as tables as stored (`series:`, `table:`,
 * `file:`, `data:` or no scheme). A `csv:///` pattern needs a CSV reader, which only factories
 * have: EINVAL naming `where`.
 */
export function tablePatternPath(text: string, where: string): string {
  const url = patternUrl(text, where);
  if (url.scheme === 'csv')
    throw pondError(
      'EINVAL',
      where,
      `${text}: csv:/// patterns are read by the sql-derived-table, sql-derived-series, temporal-reduce, timeseries-join and timeseries-pivot factories`,
    );
  return url.path;
}
