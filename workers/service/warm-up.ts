/**
 * Loading DuckDB ahead of need, in idle time (the UI calls it once the first page is on screen):
 * for the SQL console always, for the open pond only when one of its SQL nodes has no valid
 * stored result, so a read of it would compute. A pond whose results are all stored (a published
 * pond ships them) never loads DuckDB unless the user asks for SQL.
 */
import { STATIC_FACTORY, joinPath, type Pond } from '../../src/core/index.ts';
import type { WarmUpReason, WarmUpReport } from '../api.ts';
import type { ServiceContext } from './context.ts';

/** The most entries the walk looks at: a pond of many thousand files is not walked at idle. */
const MAX_ENTRIES = 2_000;
/** The most SQL nodes checked (a check may read a stored result). */
const MAX_CHECKS = 50;
/** Factories whose compute runs SQL (the template factory does when its template calls query()). */
const SQL_FACTORIES = new Set(['sql_query', 'sql-derived-table', 'sql-derived-series', 'timeseries-join', 'timeseries-pivot']);

/** Whether computing a node of `factory` with `config` may run SQL. */
export function usesSql(factory: string, config: unknown): boolean {
  if (SQL_FACTORIES.has(factory)) return true;
  if (factory !== 'template') return false;
  const template = (config as { template?: unknown } | undefined)?.template;
  // A template kept in a file, or one that includes others, may call query() where we do not look.
  return typeof template !== 'string' || /\bquery\s*\(|\{%-?\s*(include|import|from|extends)\b/.test(template);
}

/**
 * The first SQL node (nearest the root first) a read of which would compute, or undefined when
 * every one looked at has a valid stored result. Walks stored directories only, bounded.
 */
export async function sqlNodeToCompute(pond: Pond, counts = { entries: 0, checked: 0 }): Promise<string | undefined> {
  const dirs = ['/'];
  while (dirs.length) {
    const dir = dirs.shift() as string;
    for (const e of await pond.readdir(dir)) {
      if (++counts.entries > MAX_ENTRIES || counts.checked >= MAX_CHECKS) return undefined;
      const path = joinPath(dir, e.name);
      if (e.type === 'directory') {
        // Listing a dynamic directory would compute it: only stored directories are walked.
        if (e.factory === STATIC_FACTORY) dirs.push(path);
        continue;
      }
      if (e.factory === STATIC_FACTORY || e.type === 'symlink' || !usesSql(e.factory, await pond.config(path))) continue;
      counts.checked++;
      if (!(await pond.hasStoredResult(path))) return path;
    }
  }
  return undefined;
}

export class WarmUp {
  /** The load under way, shared by calls that overlap. */
  #engine?: Promise<void>;

  constructor(private readonly ctx: ServiceContext) {}

  async warmUp(reason: WarmUpReason): Promise<WarmUpReport> {
    const started = performance.now();
    const counts = { entries: 0, checked: 0 };
    let needs: string | undefined;
    let loaded = false;
    try {
      if (reason === 'pond') needs = await sqlNodeToCompute(this.ctx.reader(), counts);
      if (reason === 'console' || needs !== undefined) {
        await this.#load();
        loaded = true;
      }
    } catch {
      // Only a head start: whatever fails here fails again, and is reported, where SQL is used.
    }
    return { reason, loaded, needs, checked: counts.checked, ms: Math.round(performance.now() - started) };
  }

  /** Start DuckDB: the same lazy import and shared engine the pond's queries use (a cheap query once it runs). */
  #load(): Promise<void> {
    this.#engine ??= (async () => {
      const { getSqlEngine } = await import('../../src/core/sql/index.ts');
      await getSqlEngine().query('SELECT 1');
    })().finally(() => (this.#engine = undefined));
    return this.#engine;
  }
}
