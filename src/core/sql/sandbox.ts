import type { ScriptTokens } from '@duckdb/duckdb-wasm/blocking';
import { pondError, type PondError } from '../errors.ts';
import { toSqlError } from './sql-error.ts';

/** The only directory DuckDB may read: where csvToTable registers its in-memory buffers. */
export const CSV_DIR = '/__pond_csv__/';

/**
 * Run once per database, in this order: no extension may be fetched or loaded, no file or URL
 * read (except the registered CSV buffers), then the configuration is locked so that no later
 * statement can undo it (the statement filter below refuses SET anyway; this is the second wall).
 */
export const SANDBOX_SETUP: readonly string[] = [
  'SET autoload_known_extensions = false',
  'SET autoinstall_known_extensions = false',
  'SET allow_community_extensions = false',
  `SET allowed_directories = ['${CSV_DIR}']`,
  'SET enable_external_access = false',
  'SET lock_configuration = true',
];

/** Statement kinds a query may start with; all of them only read. */
export const ALLOWED_KEYWORDS: readonly string[] = ['SELECT', 'WITH', 'VALUES', 'FROM', 'TABLE', 'DESCRIBE', 'SUMMARIZE', 'SHOW', 'PIVOT', 'UNPIVOT', 'EXPLAIN'];

const OPERATOR = 3; // TokenType.OPERATOR (a const enum in the typings; not imported so DuckDB stays lazy)
const KEYWORD = 4; // TokenType.KEYWORD

/** A statement that passed the token check: what to run, and the query part to prove read-only. */
export interface ClassifiedStatement {
  /** Upper-cased first keyword, or '(' for a parenthesised query. */
  kind: string;
  /** The statement to execute: the input without trailing semicolons. */
  sql: string;
  /** The part that must parse as a subquery (for EXPLAIN [ANALYZE], the explained query). */
  query: string;
}

function wordAt(sql: string, offset: number): string {
  return (/^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(offset))?.[0] ?? sql.slice(offset, offset + 1)).toUpperCase();
}

const allowedList = `only read-only queries are allowed (${ALLOWED_KEYWORDS.join(', ')})`;

function refused(path: string, statement: string, why = ''): PondError {
  return pondError('ESQL', path, `${allowedList}; refused statement: ${statement}${why}`, { statement });
}

/**
 * First wall, on DuckDB's own tokenizer (strings, quoted names and comments are never mistaken for
 * keywords or semicolons): exactly one statement, starting with an allowed keyword.
 */
export function classifyStatement(sql: string, tokens: ScriptTokens, path: string): ClassifiedStatement {
  const { offsets, types } = tokens;
  if (offsets.length === 0) throw pondError('ESQL', path, 'empty query');
  const isSemicolon = (i: number): boolean => types[i] === OPERATOR && sql[offsets[i]] === ';';
  let end = offsets.length;
  while (end > 0 && isSemicolon(end - 1)) end--;
  if (end === 0) throw pondError('ESQL', path, 'empty query');
  for (let i = 0; i < end; i++) {
    if (isSemicolon(i)) {
      throw pondError('ESQL', path, `only one statement per query is allowed; a second one starts after the ';' at offset ${offsets[i]}`);
    }
  }
  const text = sql.slice(0, end < offsets.length ? offsets[end] : sql.length).trimEnd();
  const kind = types[0] === KEYWORD ? wordAt(sql, offsets[0]) : sql[offsets[0]];
  if (kind === '(') return { kind, sql: text, query: text };
  if (types[0] !== KEYWORD || !ALLOWED_KEYWORDS.includes(kind)) {
    throw refused(path, wordAt(sql, offsets[0]));
  }
  if (kind === 'WITH') refuseWritingWith(sql, tokens, end, path);
  if (kind !== 'EXPLAIN') return { kind, sql: text, query: text };
  let i = 1;
  if (i < end && types[i] === KEYWORD && ['ANALYZE', 'ANALYSE'].includes(wordAt(sql, offsets[i]))) i++;
  if (i >= end) throw pondError('ESQL', path, 'EXPLAIN needs a query');
  const inner = types[i] === KEYWORD ? wordAt(sql, offsets[i]) : sql[offsets[i]];
  if (inner !== '(' && (types[i] !== KEYWORD || inner === 'EXPLAIN' || !ALLOWED_KEYWORDS.includes(inner))) throw refused(path, `EXPLAIN ${inner}`);
  return { kind, sql: text, query: text.slice(offsets[i]) };
}

const WRITES = ['INSERT', 'UPDATE', 'DELETE', 'MERGE', 'COPY', 'CREATE', 'DROP', 'ALTER'];

/**
 * `WITH x AS (...) INSERT ...` starts like a query. The second wall refuses it too, but with the
 * binder's complaint (a missing table, say); name the real reason instead: a writing keyword right
 * after a CTE's closing parenthesis, outside any parentheses.
 */
function refuseWritingWith(sql: string, tokens: ScriptTokens, end: number, path: string): void {
  let depth = 0;
  for (let i = 0; i < end; i++) {
    const c = sql[tokens.offsets[i]];
    if (tokens.types[i] === OPERATOR && c === '(') depth++;
    else if (tokens.types[i] === OPERATOR && c === ')') depth--;
    else if (depth === 0 && i > 0 && tokens.types[i] === KEYWORD && sql[tokens.offsets[i - 1]] === ')' && tokens.types[i - 1] === OPERATOR) {
      const word = wordAt(sql, tokens.offsets[i]);
      if (WRITES.includes(word)) throw refused(path, `WITH ... ${word}`);
    }
  }
}

/**
 * Second wall, on DuckDB's parser and binder: the query part must prepare as the body of a
 * subquery, which only SELECT-like statements can be (no WITH ... INSERT, no PIVOT that creates
 * a type first), and DuckDB refuses to prepare two statements. Preparing binds but runs nothing.
 * `prepare` must throw on failure.
 */
export function assertReadOnlyQuery(stmt: ClassifiedStatement, prepare: (sql: string) => void, path: string): void {
  try {
    // The newlines keep a trailing line comment from swallowing the closing parenthesis.
    prepare(`SELECT * FROM (\n${stmt.query}\n) AS pond_sandbox_check`);
    return;
  } catch {
    // Tell "your query is wrong" (DuckDB's own message) from "this is not a query".
    try {
      prepare(stmt.query);
    } catch (own) {
      // A PIVOT without IN (...) first creates an ENUM type from the data: a second, writing statement.
      if (stmt.kind.endsWith('PIVOT') && /multiple statements/i.test(String(own))) {
        throw refused(path, stmt.kind, ' without an explicit IN (...) list (it would create a type first); list the values: PIVOT t ON c IN (\'a\', \'b\') USING ...');
      }
      throw toSqlError(own, path);
    }
    throw refused(path, stmt.kind, ' (not a plain query)');
  }
}
