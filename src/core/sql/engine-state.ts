import * as arrow from 'apache-arrow';
import type { DuckDBBindings } from '@duckdb/duckdb-wasm/blocking';

// Every name is qualified with system.main: a macro or view of the same name elsewhere cannot
// change what this check reads.
const S = 'system.main.';
// The configuration is locked (SET is refused by the sandbox and by DuckDB); these are the
// settings that matter for the sandbox, and the logging ones, which enable_logging() changes
// despite the lock. Listing every setting costs ~2 ms a call; these cost ~0.1 ms.
const SETTINGS = [
  'lock_configuration',
  'enable_external_access',
  'autoload_known_extensions',
  'autoinstall_known_extensions',
  'allow_community_extensions',
  'allow_unsigned_extensions',
  'allowed_directories',
  'allowed_paths',
  'enable_logging',
  'logging_level',
  'logging_mode',
  'logging_storage',
  'enabled_log_types',
  'disabled_log_types',
  'log_query_path',
  'search_path',
  'schema',
];

/*
 * What a fresh connection sees of the state every caller shares and a rollback does not undo:
 * attached databases, secrets, loaded extensions, the sandbox and logging settings, log entries;
 * and tables, which the rollback must have removed. The rest of the catalog (views, macros, types,
 * sequences, schemas) is transactional, so the rollback removes it; checking it would cost ~5 ms
 * a call (listing 2,400 functions alone ~20 ms).
 */
const PARTS: ReadonlyArray<[name: string, expr: string, from: string, where?: string]> = [
  ['attached databases', "database_name || ':' || COALESCE(path, '') || ':' || type || ':' || readonly", 'duckdb_databases()'],
  ['tables', "database_name || '.' || schema_name || '.' || table_name", 'duckdb_tables()'],
  ['secrets', "name || ':' || type || ':' || persistent", 'duckdb_secrets()'],
  ['extensions', "extension_name || ':' || loaded || ':' || installed", 'duckdb_extensions()', 'loaded OR installed'],
];
const NAMES = [...PARTS.map(([name]) => name), 'log entries', ...SETTINGS.map((name) => `setting ${name}`)];

const one = (exprs: string[]): string => `${S}concat_ws(chr(30), ${exprs.map((e) => `COALESCE(${e}::VARCHAR, '')`).join(', ')}) AS state`;

// The table-function part runs as a prepared statement (planning it costs ~2 ms, running it
// ~0.5 ms): a cross join of one-row aggregates, as scalar subqueries cost ~0.5 ms each to plan.
const CATALOG_STATE_SQL = `SELECT ${one([...PARTS.map((_, i) => `p${i}`), 'logs'])} FROM
  ${PARTS.map(([, expr, from, where], i) => `(SELECT ${S}string_agg(${expr}, chr(31)) AS p${i} FROM ${S}${from}${where ? ` WHERE ${where}` : ''})`).join(',\n  ')},
  (SELECT ${S}count(*) AS logs FROM ${S}duckdb_logs())`;

// current_setting() is folded to a constant when a statement is bound, so this part is never
// prepared: planned afresh each time (~0.3 ms), it reads the settings as they are now.
const SETTINGS_STATE_SQL = `SELECT ${one(SETTINGS.map((name) => `${S}current_setting('${name}')`))}`;

/**
 * Reads the shared state of one DuckDB instance on a connection of its own (no caller's session
 * state counts): the same string for the same state.
 */
export class EngineStateReader {
  readonly #db: DuckDBBindings;
  readonly #conn: number;
  readonly #catalog: number;

  constructor(db: DuckDBBindings) {
    this.#db = db;
    this.#conn = db.connect().useUnsafe((_b, id) => id);
    this.#catalog = db.createPrepared(this.#conn, CATALOG_STATE_SQL);
  }

  /** The state now; throws what DuckDB throws. */
  read(): string {
    const catalog = arrow.tableFromIPC(this.#db.runPrepared(this.#conn, this.#catalog, []));
    const settings = arrow.tableFromIPC(this.#db.runQuery(this.#conn, SETTINGS_STATE_SQL));
    return `${String(catalog.getChild('state')?.get(0))}\x1e${String(settings.getChild('state')?.get(0))}`;
  }
}

/** Statements that switch logging off and empty the log (see DuckDBSqlEngine's settle step). */
export const RESET_LOGGING: readonly string[] = [
  "SELECT * FROM system.main.enable_logging(level := 'INFO')",
  'SELECT * FROM system.main.disable_logging()',
  'SELECT * FROM system.main.truncate_duckdb_logs()',
];

// What RESET_LOGGING puts back. A changed logging_storage is not among them: switching away from
// 'file' storage aborts the wasm instance (it cannot write the file), so that one means a restart.
const REPAIRABLE = new Set([
  'log entries',
  'setting enable_logging',
  'setting logging_level',
  'setting logging_mode',
  'setting enabled_log_types',
  'setting disabled_log_types',
]);

/** The names of the parts of two engine states that differ. */
export function changedParts(before: string, after: string): string[] {
  const a = before.split('\x1e');
  const b = after.split('\x1e');
  return NAMES.filter((_, i) => a[i] !== b[i]);
}

/** True when only logging differs and RESET_LOGGING can put it back without a restart. */
export function loggingOnly(before: string, after: string): boolean {
  const parts = changedParts(before, after);
  return parts.length > 0 && parts.every((p) => REPAIRABLE.has(p));
}
