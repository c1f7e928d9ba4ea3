// The inputs a Rust-style URL pattern names, read as tables: what the time-series factories share.
// `series:///`, `table:///` (and `file:`, `data:`, no scheme) read tables and series as stored;
// `csv:///` reads stored CSV files through the one strict CSV reader (src/core/csv).
import type * as arrow from 'apache-arrow';
import { z } from 'zod';
import type { FactoryContext, GlobMatch } from '../dynamic/factory.ts';
import { parsePatternUrl, type PatternUrl } from '../dynamic/url-pattern.ts';
import { pondError } from '../errors.ts';

/** A config field holding a pattern, with or without a Rust URL scheme. */
export const patternField = z.string().superRefine((s, ctx) => {
  const r = parsePatternUrl(s);
  if (!r.ok) ctx.addIssue({ code: 'custom', message: r.reason });
});

/** The parsed pattern (the config was validated, so it parses). */
export function parsedPattern(text: string, where: string): PatternUrl {
  const r = parsePatternUrl(text);
  if (!r.ok) throw pondError('ECONFIG', where, r.reason);
  return r.url;
}

/**
 * The files a pattern matches, in path order, relative patterns resolved against `dir`: tables and
 * series for a table scheme (other files are not inputs, as Rust's entry-type filter has it), any
 * file for `csv:`. Every glob goes through `ctx`, so the match list is a recorded input.
 */
export async function matchPattern(ctx: FactoryContext, url: PatternUrl, dir: string): Promise<GlobMatch[]> {
  const glob = url.path.startsWith('/') ? url.path : `${dir === '/' ? '' : dir}/${url.path}`;
  const matches = await ctx.glob(glob);
  return matches.filter((m) => (url.scheme === 'csv' ? m.type !== 'directory' && m.type !== 'symlink' : m.type === 'file:table' || m.type === 'file:series'));
}

/** One matched file as a table: as stored, or (csv:) parsed by the strict CSV reader; a rejected row is EFACTORY naming its line. */
export async function readMatch(ctx: FactoryContext, url: PatternUrl, path: string): Promise<arrow.Table> {
  if (url.scheme !== 'csv') return ctx.readTable(path);
  const { readCsv } = await import('../csv/index.ts');
  const csv = await readCsv(await ctx.readFile(path), { path });
  const bad = csv.rejected[0];
  if (bad)
    throw pondError('EFACTORY', path, `CSV line ${bad.line}: ${bad.reason} (${csv.rejectedCount} row${csv.rejectedCount === 1 ? '' : 's'} rejected)`, {
      line: bad.line,
      rejected: csv.rejectedCount,
    });
  return csv.table;
}
