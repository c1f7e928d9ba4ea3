import { isPondError, pondError, type PondError } from '../errors.ts';

/** The path named by errors of calls that give none. */
export const DEFAULT_SQL_PATH = '(sql)';

/**
 * DuckDB's message for an error thrown by the WASM bindings, first line only. Some bindings throw
 * plain text ("Parser Error: ..."), others a JSON object with exception_type/exception_message.
 */
export function duckdbMessage(e: unknown): string {
  const raw = e instanceof Error ? e.message : String(e);
  let text = raw;
  if (raw.startsWith('{')) {
    try {
      const j = JSON.parse(raw) as { exception_type?: unknown; exception_message?: unknown };
      if (typeof j.exception_message === 'string') {
        text = typeof j.exception_type === 'string' ? `${j.exception_type} Error: ${j.exception_message}` : j.exception_message;
      }
    } catch {
      // not JSON after all: keep the raw text
    }
  }
  const first = text.split('\n', 1)[0].trim();
  return first === '' ? 'unknown DuckDB error' : first;
}

/** Wrap anything DuckDB threw as ESQL naming `path`; PondErrors pass through unchanged. */
export function toSqlError(e: unknown, path: string, context?: string): PondError {
  if (isPondError(e)) return e;
  const msg = duckdbMessage(e);
  return pondError('ESQL', path, context ? `${context}: ${msg}` : msg, {}, e);
}
