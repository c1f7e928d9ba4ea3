import type { ScriptTokens } from '@duckdb/duckdb-wasm/blocking';
import { pondError, type PondError } from '../errors.ts';
import { toSqlError } from './sql-error.ts';
import { byteOffsetsToIndexes } from './utf8-offsets.ts';

/**
 * The only file DuckDB may read: the in-memory buffer csvToTable registers (calls run one at a
 * time, so one name serves them all). A single file, not a directory: enable_logging() with file
 * storage creates directories under an allowed directory on the host (Node), but cannot use a file.
 */
export const CSV_FILE = '/__pond_csv__/input.csv';

/**
 * Run once per database, in this order: no extension may be fetched or loaded, no file or URL
 * read (except the registered CSV buffer), then the configuration is locked so that no later
 * statement can undo it (no statement but a query ever runs anyway; this is the second wall).
 */
export const SANDBOX_SETUP: readonly string[] = [
  'SET autoload_known_extensions = false',
  'SET autoinstall_known_extensions = false',
  'SET allow_community_extensions = false',
  `SET allowed_paths = ['${CSV_FILE}']`,
  'SET enable_external_access = false',
  'SET lock_configuration = true',
];

/** Statement kinds a query may start with; all of them only read. */
export const ALLOWED_KEYWORDS: readonly string[] = [
  'SELECT',
  'WITH',
  'VALUES',
  'FROM',
  'TABLE',
  'DESCRIBE',
  'SUMMARIZE',
  'SHOW',
  'PIVOT',
  'UNPIVOT',
  'EXPLAIN',
];

const OPERATOR = 3; // TokenType.OPERATOR (a const enum in the typings; not imported so DuckDB stays lazy)
const KEYWORD = 4; // TokenType.KEYWORD

/** A statement that passed the token pre-check; `assertReadOnlyQuery` decides whether it may run. */
export interface ParsedStatement {
  /** Upper-cased first keyword, or '(' for a parenthesised query; names the statement in errors. */
  kind: string;
  /** The query to wrap and run (for EXPLAIN [ANALYZE], the explained query). */
  query: string;
  /** 'EXPLAIN ' or 'EXPLAIN ANALYZE ' in front of the wrapped query; '' otherwise. */
  explain: string;
}

const allowedList = `only read-only queries are allowed (${ALLOWED_KEYWORDS.join(', ')})`;

function refused(path: string, statement: string, why = ''): PondError {
  return pondError('ESQL', path, `${allowedList}; refused statement: ${statement}${why}`, { statement });
}

/** A token's text as the pre-check names it: its leading word, or its first character. */
function wordAt(sql: string, index: number): string {
  return (/^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(index))?.[0] ?? sql.slice(index, index + 1)).toUpperCase();
}

/**
 * The pre-check, on DuckDB's tokenizer (offsets converted from UTF-8 bytes to string indexes):
 * trailing semicolons go, a second statement or a first keyword that is not a query's is refused
 * with a clear message. It only ever refuses; what runs is decided by `assertReadOnlyQuery`, on
 * the exact text that runs, so a tokenizer surprise cannot let anything through.
 */
export function parseStatement(sql: string, tokens: ScriptTokens, path: string): ParsedStatement {
  const types = tokens.types;
  const at = byteOffsetsToIndexes(sql, tokens.offsets);
  const isSemicolon = (i: number): boolean => types[i] === OPERATOR && sql[at[i]] === ';';
  let end = at.length;
  while (end > 0 && isSemicolon(end - 1)) end--;
  if (end === 0) throw pondError('ESQL', path, 'empty query');
  for (let i = 0; i < end; i++) {
    if (isSemicolon(i)) {
      throw pondError('ESQL', path, `only one statement per query is allowed; a second one starts after the ';' at character ${at[i]}`);
    }
  }
  const body = sql.slice(0, end < at.length ? at[end] : sql.length);
  const kind = types[0] === KEYWORD ? wordAt(sql, at[0]) : sql[at[0]];
  if (kind === '(') return { kind, query: body, explain: '' };
  if (types[0] !== KEYWORD || !ALLOWED_KEYWORDS.includes(kind)) throw refused(path, wordAt(sql, at[0]));
  if (kind === 'WITH') refuseWritingWith(sql, types, at, end, path);
  if (kind !== 'EXPLAIN') return { kind, query: body, explain: '' };
  let i = 1;
  let explain = 'EXPLAIN ';
  if (i < end && types[i] === KEYWORD && ['ANALYZE', 'ANALYSE'].includes(wordAt(sql, at[i]))) {
    explain = 'EXPLAIN ANALYZE ';
    i++;
  }
  if (i >= end) throw pondError('ESQL', path, 'EXPLAIN needs a query');
  const inner = types[i] === KEYWORD ? wordAt(sql, at[i]) : sql[at[i]];
  if (inner !== '(' && (types[i] !== KEYWORD || inner === 'EXPLAIN' || !ALLOWED_KEYWORDS.includes(inner))) throw refused(path, `EXPLAIN ${inner}`);
  return { kind, query: body.slice(at[i]), explain };
}

const WRITES = ['INSERT', 'UPDATE', 'DELETE', 'MERGE', 'COPY', 'CREATE', 'DROP', 'ALTER'];

/**
 * `WITH x AS (...) INSERT ...` starts like a query. The wall refuses it too, but with the
 * binder's complaint (a missing table, say); name the real reason instead: a writing keyword right
 * after a CTE's closing parenthesis, outside any parentheses.
 */
function refuseWritingWith(sql: string, types: ArrayLike<number>, at: readonly number[], end: number, path: string): void {
  let depth = 0;
  for (let i = 0; i < end; i++) {
    const c = sql[at[i]];
    if (types[i] === OPERATOR && c === '(') depth++;
    else if (types[i] === OPERATOR && c === ')') depth--;
    else if (depth === 0 && i > 0 && types[i] === KEYWORD && types[i - 1] === OPERATOR && sql[at[i - 1]] === ')') {
      const word = wordAt(sql, at[i]);
      if (WRITES.includes(word)) throw refused(path, `WITH ... ${word}`);
    }
  }
}

/** `query` as the body of a subquery: only a single SELECT-like statement fits there. */
export function wrapQuery(query: string): string {
  // The newlines keep a trailing line comment from swallowing the closing parenthesis.
  return `SELECT * FROM (\n${query}\n) AS pond_query`;
}

/**
 * The wall, on DuckDB's parser and binder: the query, wrapped as a subquery, must prepare. Only a
 * single SELECT-like statement can be a subquery (no DDL, DML, SET, PRAGMA, EXPLAIN, WITH ...
 * INSERT, no PIVOT that creates a type first), and DuckDB refuses to prepare two statements.
 * Preparing binds but runs nothing. Returns the text to run: exactly the text that was prepared
 * (with EXPLAIN [ANALYZE] in front when asked for), so nothing but what was checked can run.
 * `prepare` must throw on failure.
 */
export function assertReadOnlyQuery(stmt: ParsedStatement, prepare: (sql: string) => void, path: string): string {
  const wrapped = wrapQuery(stmt.query);
  try {
    prepare(wrapped);
  } catch (wall) {
    if (!/syntax error|Cannot prepare multiple statements/i.test(String(wall))) throw toSqlError(wall, path); // a binder error in a real query
    // Tell "your query is wrong" (DuckDB's own message) from "this is not a query". The text
    // starts with a query keyword (parseStatement checked), so preparing it plans a read at most.
    try {
      prepare(stmt.query);
    } catch (own) {
      // A PIVOT without IN (...) first creates an ENUM type from the data: a second, writing statement.
      if (stmt.kind.endsWith('PIVOT') && /multiple statements/i.test(String(own))) {
        throw refused(
          path,
          stmt.kind,
          " without an explicit IN (...) list (it would create a type first); list the values: PIVOT t ON c IN ('a', 'b') USING ...",
        );
      }
      if (/multiple statements/i.test(String(own))) throw pondError('ESQL', path, 'only one statement per query is allowed');
      throw toSqlError(own, path);
    }
    throw refused(path, stmt.kind, ' (not a plain query)');
  }
  return `${stmt.explain}${wrapped}`;
}
