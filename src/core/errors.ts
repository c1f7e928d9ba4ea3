/** Every error code the pond raises; messages always name the path involved. */
export type PondErrorCode =
  | 'ENOENT' // no such file or directory
  | 'EEXIST' // already exists
  | 'ENOTDIR' // a path component is not a directory
  | 'EISDIR' // a file operation on a directory
  | 'ENOTEMPTY' // removing a non-empty directory without `recursive`
  | 'ELOOP' // too many symlink hops, or a cycle between dynamic nodes
  | 'EINVAL' // invalid argument (bad name, bad path, bad option)
  | 'EROFS' // write to a read-only pond (time travel, published pond) or virtual directory
  | 'EFACTORY' // unknown factory, or a factory failed
  | 'ECONFIG' // a factory config that does not validate
  | 'ECORRUPT' // stored data that does not parse or does not match its hash
  | 'ECONFLICT' // another writer holds the pond or committed first
  | 'EQUOTA' // storage is full
  | 'EIO' // a read that failed outside the pond: network down, an HTTP error from the host
  | 'ETIMEOUT' // a query or template ran past its time limit
  | 'ESQL' // a SQL error or a refused statement
  | 'ETOOBIG' // a result over the configured size limit
  | 'ECLOSED' // the pond was closed
  | 'EUNSUPPORTED'; // not supported (yet) by this build

export interface PondErrorData {
  path?: string;
  [key: string]: unknown;
}

/** The one error type of the pond: a literal `code`, a message naming the path, and structured `data`. */
export class PondError extends Error {
  override readonly name = 'PondError';
  readonly code: PondErrorCode;
  readonly data: PondErrorData;

  constructor(code: PondErrorCode, message: string, data: PondErrorData = {}, options?: { cause?: unknown }) {
    super(`${code}: ${message}`, options);
    this.code = code;
    this.data = data;
  }

  /** The path the error is about, if any. */
  get path(): string | undefined {
    return this.data.path;
  }

  toJSON(): { name: 'PondError'; code: PondErrorCode; message: string; data: PondErrorData } {
    return { name: this.name, code: this.code, message: this.message, data: this.data };
  }

  /** Rebuild an error from its `toJSON()` form (e.g. after crossing a worker boundary). */
  static fromJSON(json: { code: PondErrorCode; message: string; data?: PondErrorData }): PondError {
    const e = new PondError(json.code, '', json.data ?? {});
    e.message = json.message;
    return e;
  }
}

/** True when `e` is a PondError, optionally with the given code. Works across realms (checks shape, not prototype). */
export function isPondError(e: unknown, code?: PondErrorCode): e is PondError {
  if (e === null || typeof e !== 'object') return false;
  const o = e as { name?: unknown; code?: unknown };
  if (o.name !== 'PondError' || typeof o.code !== 'string') return false;
  return code === undefined || o.code === code;
}

/** Shorthand constructor: `pondError('ENOENT', '/a/b', 'no such file or directory')`. */
export function pondError(code: PondErrorCode, path: string, reason: string, extra: Omit<PondErrorData, 'path'> = {}, cause?: unknown): PondError {
  return new PondError(code, `${path}: ${reason}`, { path, ...extra }, cause === undefined ? undefined : { cause });
}
