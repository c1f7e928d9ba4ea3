// The inputs a Rust-style URL pattern names, read as tables: the one module every factory that
// takes patterns matches and reads through (temporal-reduce, timeseries-join, timeseries-pivot,
// sql-derived-table/-series), so scheme rules, type filters, relative paths and CSV strictness
// are the same everywhere. Which nodes a scheme reads is Rust's (its sql-derived modes):
//   series mode (the time-series factories, sql-derived-series): `series:///`, `file:///` or a bare
//     path read series (stored or made by a factory) and tables made by a factory, never a stored
//     table; `csv:///` reads data files; `table:///` and `data:///` name nothing a series reads.
//   table mode (sql-derived-table): `table:///`, `series:///`, `file:///`, `data:///` or a bare path
//     read any table or series (wider than Rust, whose table mode takes stored tables only);
//     `csv:///` reads stored data files.
// `csv:///` goes through the one strict CSV reader (src/core/csv): a rejected row is an error.
import type * as arrow from 'apache-arrow';
import { z } from 'zod';
import type { FactoryContext, GlobMatch } from '../dynamic/factory.ts';
import { parsePatternUrl, type PatternUrl, type PatternScheme } from '../dynamic/url-pattern.ts';
import { STATIC_FACTORY } from '../tinyfs/entry-type.ts';
import { pondError } from '../errors.ts';

/** What a factory reads from its patterns: series (Rust's series mode) or tables (table mode). */
export type ReadMode = 'series' | 'table';

/** A config field holding a pattern, with or without a Rust URL scheme. */
export const patternField = z.string().superRefine((s, ctx) => {
  const r = parsePatternUrl(s);
  if (!r.ok) ctx.addIssue({ code: 'custom', message: r.reason });
});

/** Schemes that name nothing a series-mode factory reads (Rust's timeseries-join refuses them). */
const NOT_SERIES: readonly PatternScheme[] = ['table', 'data'];

/**
 * A pattern field of a factory that only reads series (temporal-reduce, timeseries-join,
 * timeseries-pivot): `table:///` and `data:///` are refused, as they could never match.
 */
export const seriesPatternField = z
  .string()
  .min(1)
  .superRefine((s, ctx) => {
    const r = parsePatternUrl(s);
    if (!r.ok) ctx.addIssue({ code: 'custom', message: r.reason });
    else if (r.url.scheme && NOT_SERIES.includes(r.url.scheme))
      ctx.addIssue({
        code: 'custom',
        message: `${r.url.scheme}:/// does not name series: this factory reads series:/// (series and factory-made tables), file:/// or csv:///`,
      });
  });

/** The parsed pattern (the config was validated, so it parses). */
export function parsedPattern(text: string, where: string): PatternUrl {
  const r = parsePatternUrl(text);
  if (!r.ok) throw pondError('ECONFIG', where, r.reason);
  return r.url;
}

/** The absolute pond glob behind a pattern: a relative path is resolved against `dir` (the node's directory). */
export function patternGlob(url: PatternUrl, dir: string): string {
  return url.path.startsWith('/') ? url.path : `${dir === '/' ? '' : dir}/${url.path}`;
}

/**
 * The files a pattern matches that `mode` reads (see the file comment), in path order, relative
 * patterns resolved against `dir`. Every glob and stat goes through `ctx`, so the match list is a
 * recorded input. No match is an empty list; the caller says whether that is an error.
 */
export async function matchPattern(ctx: FactoryContext, url: PatternUrl, dir: string, mode: ReadMode): Promise<GlobMatch[]> {
  const out: GlobMatch[] = [];
  for (const m of await ctx.glob(patternGlob(url, dir))) if (await reads(ctx, url, m, mode)) out.push(m);
  return out;
}

/** Whether a pattern of `url`'s scheme, in `mode`, reads the node `m`. */
async function reads(ctx: FactoryContext, url: PatternUrl, m: GlobMatch, mode: ReadMode): Promise<boolean> {
  if (url.scheme === 'csv') return m.type === 'file:data' && (mode === 'series' || (await isStatic(ctx, m.path)));
  if (m.type !== 'file:table' && m.type !== 'file:series') return false;
  if (mode === 'table') return true;
  if (url.scheme && NOT_SERIES.includes(url.scheme)) return false;
  // Rust's series mode: stored series and anything a factory makes, not a stored table.
  return m.type === 'file:series' || !(await isStatic(ctx, m.path));
}

async function isStatic(ctx: FactoryContext, path: string): Promise<boolean> {
  return (await ctx.stat(path)).factory === STATIC_FACTORY;
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
