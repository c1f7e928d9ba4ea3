import { isPondError } from '../errors.ts';
import { duckdbMessage } from './sql-error.ts';

// Wasm traps (the instance's memory or stack may be inconsistent afterwards) and DuckDB's own
// "this database is unusable" errors. Seen in DuckDB-WASM 1.32: `SELECT length(range(300000000))`
// throws RuntimeError "null function or function signature mismatch" or "memory access out of
// bounds", and every later call on that instance fails the same way.
const TRAP =
  /memory access out of bounds|unreachable|null function|function signature mismatch|table index is out of bounds|indirect call|call stack exhausted|Maximum call stack size exceeded|out of memory: Cannot allocate Wasm memory/i;
const FATAL = /^(FATAL|INTERNAL) Error|database has been invalidated|invalidated because of a previous fatal error/i;

/** True when `e` means the DuckDB instance that threw it can no longer be trusted: drop it. */
export function isEngineFault(e: unknown): boolean {
  // Ours: a refusal never is; a DuckDB error we wrapped is judged by what DuckDB threw.
  if (isPondError(e)) return e.cause !== undefined && isEngineFault(e.cause);
  if (typeof WebAssembly !== 'undefined' && e instanceof WebAssembly.RuntimeError) return true;
  if (e instanceof Error && (e.name === 'RuntimeError' || (e instanceof RangeError && TRAP.test(e.message)))) return true;
  const raw = e instanceof Error ? e.message : typeof e === 'string' ? e : '';
  if (raw === '') return false;
  const message = duckdbMessage(raw);
  // A DuckDB exception names its type; only two types mean the database is gone. Anything else
  // (a column named "unreachable") must not cost every pond a restart.
  if (/^[A-Za-z ]+ Error:/.test(message)) return FATAL.test(message);
  return TRAP.test(raw) || FATAL.test(raw);
}

/** What DuckDB threw, under any PondError wrapping of ours. */
export function rootCause(e: unknown): unknown {
  return isPondError(e) && e.cause !== undefined ? rootCause(e.cause) : e;
}
