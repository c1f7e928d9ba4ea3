import { PondError, isPondError, pondError, type PondErrorCode } from '../errors.ts';

/** Codes that describe the computation itself and keep their meaning when a reader sees them. */
const KEEP: ReadonlySet<PondErrorCode> = new Set<PondErrorCode>([
  'EFACTORY',
  'ECONFIG',
  'ESQL',
  'ETIMEOUT',
  'ELOOP',
  'ETOOBIG',
  'ECORRUPT',
  'EQUOTA',
  'ECLOSED',
  'EUNSUPPORTED',
  'EIO',
]);

/**
 * The error a reader of dynamic node `path` gets when its computation failed. It always names
 * `path`. Errors about the computation (SQL, timeouts, cycles, configs) keep their code; an input's
 * filesystem error (ENOENT of a file the factory read, ...) becomes EFACTORY, because for the reader
 * the node exists and it is the factory that failed.
 */
export function wrapComputeError(e: unknown, path: string): PondError {
  if (isPondError(e)) {
    if (e.data.path === path && KEEP.has(e.code)) return e;
    // A cycle is reported once, as the cycle: every node on it fails with the same description.
    const cycle = e.data.cycle;
    if (e.code === 'ELOOP' && Array.isArray(cycle) && cycle.includes(path))
      return pondError('ELOOP', path, `cycle between dynamic nodes: ${cycle.join(' → ')}`, { cycle });
    const code: PondErrorCode = KEEP.has(e.code) ? e.code : 'EFACTORY';
    const inner = e.message.startsWith(`${e.code}: `) ? e.message.slice(e.code.length + 2) : e.message;
    const extra = { ...e.data, path, inputPath: e.data.path, ...(code !== e.code ? { inputCode: e.code } : {}) };
    return new PondError(code, `${path}: ${inner}`, extra, { cause: e });
  }
  const message = e instanceof Error ? e.message : String(e);
  return pondError('EFACTORY', path, `factory failed: ${message}`, {}, e);
}

/** ELOOP for a cycle between dynamic nodes, naming it: `/a → /b → /a`. */
export function cycleError(paths: string[]): PondError {
  return pondError('ELOOP', paths[0], `cycle between dynamic nodes: ${paths.join(' → ')}`, { cycle: paths });
}
