/**
 * The deeper check of a sql_query config, before it is saved: each `tables` pattern must match
 * something in the pond (as on read), and the query must parse and bind against the inputs'
 * schemas. Nothing runs over the data: the inputs are bound as empty tables with their schemas
 * and the query is wrapped in `LIMIT 0`. DuckDB loads on the first check.
 */
import type * as arrow from 'apache-arrow';
import { isPondError, dirname, type Pond } from '../../src/core/index.ts';
import type { ConfigIssue } from '../api.ts';

/** A check that takes longer is abandoned (its answer would come too late to help typing). */
const CHECK_TIMEOUT_MS = 10_000;

/** What the SQL check found: nothing (it binds), or issues and whether saving may still be allowed. */
export interface SqlCheckResult {
  issues: ConfigIssue[];
  /** True when the failure depends on the pond's current content (a missing input, an unknown column), not on the text alone. */
  pondDependent: boolean;
  /** Time spent reading the inputs' schemas (ms). */
  readMs: number;
}

/** The parts of a valid sql_query config the check needs. */
export interface SqlQueryDraft {
  query?: string;
  tables: Record<string, string>;
}

/** Check `config` (already valid for the factory's schema) as a node at `at` in `pond`. */
export async function checkSqlQuery(pond: Pond, config: SqlQueryDraft, at: string): Promise<SqlCheckResult> {
  const names = Object.keys(config.tables);
  const sql = config.query ?? `SELECT * FROM "${names[0]}"`;
  const started = performance.now();
  const inputs: Array<{ name: string; tables: arrow.Table[] }> = [];
  const issues: ConfigIssue[] = [];
  for (const [name, pattern] of Object.entries(config.tables)) {
    try {
      const files = (await pond.glob(pattern, { cwd: dirname(at) })).filter((m) => m.type !== 'directory');
      if (files.length === 0) {
        issues.push({ path: `tables.${name}`, message: `no file matches the pattern ${JSON.stringify(pattern)} of table ${name}` });
        continue;
      }
      // Only the schema matters: the engine binds an empty slice, so the data never reaches DuckDB.
      // The pond has no schema-only read yet, so each input is read (a dynamic one computed, cached).
      const tables = await Promise.all(files.map(async (m) => (await pond.readTable(m.path)).slice(0, 0)));
      inputs.push({ name, tables });
    } catch (e) {
      if (!isPondError(e)) throw e;
      issues.push({ path: `tables.${name}`, message: `cannot read an input of table ${name}: ${e.message}` });
    }
  }
  const readMs = performance.now() - started;
  if (issues.length > 0) return { issues, pondDependent: true, readMs };
  const { getSqlEngine } = await import('../../src/core/sql/index.ts');
  const engine = getSqlEngine();
  const options = { tables: inputs, path: at, timeoutMs: CHECK_TIMEOUT_MS };
  try {
    // The newlines keep a trailing line comment from swallowing the wrapper's closing parenthesis.
    await engine.query(`SELECT * FROM (\n${stripSemicolons(sql)}\n) AS pond_check LIMIT 0`, options);
    return { issues: [], pondDependent: false, readMs };
  } catch (wrappedError) {
    if (!isPondError(wrappedError)) throw wrappedError;
    if (wrappedError.code === 'ETIMEOUT') return failure(wrappedError.message, sql, wrappedError, true, readMs);
  }
  // The wrapper changes DuckDB's wording and positions (and an EXPLAIN cannot be wrapped): the
  // query as the node will run it gives the message a read would give. On empty inputs a query
  // that fails to bind fails before running anything.
  try {
    await engine.query(sql, options);
    return { issues: [], pondDependent: false, readMs };
  } catch (e) {
    if (!isPondError(e)) throw e;
    return failure(e.message, sql, e, e.code === 'ETIMEOUT' || /Binder Error|Conversion Error/.test(e.message), readMs);
  }
}

function failure(message: string, sql: string, error: Error, pondDependent: boolean, readMs: number): SqlCheckResult {
  const where = locate(sql, error);
  const text = message.replace(/^E[A-Z]+: [^:]*: /, '');
  return { issues: [{ path: 'query', message: where ? `${text} (line ${where.line}, column ${where.column})` : text }], pondDependent, readMs };
}

/** Drop trailing semicolons and whitespace (the wrapper takes one statement without its `;`). */
function stripSemicolons(sql: string): string {
  return sql.replace(/[\s;]+$/, '');
}

/**
 * Line and column of DuckDB's caret ("LINE n: <text>" then "^" under the spot) in `sql`. The
 * engine runs the query inside a wrapper of its own, so `n` is not trusted: the quoted line text
 * is looked up in `sql` itself (DuckDB may cut a long line to a window around the spot).
 */
export function locate(sql: string, error: Error): { line: number; column: number } | null {
  const raw = String((error.cause as Error | undefined)?.message ?? '');
  const m = /^LINE (\d+): (.*)\n( *)\^/m.exec(raw);
  if (!m) return null;
  const prefix = `LINE ${m[1]}: `.length;
  const excerpt = m[2].replace(/^\.\.\./, '').replace(/\.\.\.$/, '');
  const caret = m[3].length - prefix - (m[2].startsWith('...') ? 3 : 0);
  const lines = sql.split('\n');
  const n = Number(m[1]);
  // Prefer the line DuckDB named, then the one before (the engine's wrapper adds a line), then any.
  const order = [n - 1, n - 2, ...lines.keys()].filter((i) => i >= 0 && i < lines.length);
  for (const i of order) {
    const at = lines[i].indexOf(excerpt);
    if (excerpt !== '' && at >= 0) return { line: i + 1, column: at + Math.max(0, caret) + 1 };
  }
  return null;
}
