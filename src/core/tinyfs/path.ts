import { pondError } from '../errors.ts';

// eslint-disable-next-line no-control-regex -- the whole ASCII range, NUL included, is the point
const ASCII = /^[\x00-\x7f]*$/;

/**
 * The stored form of a name: Unicode NFC (docs/format.md), so 'café' typed as NFD and as NFC is
 * one entry. Lookups try the name exactly first, then this form (see `findEntry`).
 */
export function nfc(name: string): string {
  return ASCII.test(name) ? name : name.normalize('NFC');
}

/** Reject names that cannot be a directory entry: empty, '.', '..', or containing '/' or NUL. */
export function validateName(name: string, path: string): void {
  if (name === '' || name === '.' || name === '..') throw pondError('EINVAL', path, `invalid name ${JSON.stringify(name)}`);
  if (name.includes('/')) throw pondError('EINVAL', path, `name ${JSON.stringify(name)} contains '/'`);
  if (name.includes('\0')) throw pondError('EINVAL', path, 'name contains a NUL character');
}

/**
 * Make `path` absolute against `cwd` and normalize it: repeated and trailing slashes collapse,
 * '.' disappears, '..' goes up (never above the root). An empty path or one with NUL is EINVAL.
 * @example normalizePath('../b//c/', '/a/x') === '/a/b/c'
 */
export function normalizePath(path: string, cwd = '/'): string {
  if (typeof path !== 'string' || path === '') throw pondError('EINVAL', String(path), 'empty path');
  if (path.includes('\0')) throw pondError('EINVAL', path, 'path contains a NUL character');
  const out: string[] = [];
  const full = path.startsWith('/') ? path : `${cwd}/${path}`;
  for (const part of full.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return '/' + out.join('/');
}

/** The components of a normalized absolute path ('/' has none). */
export function splitPath(abs: string): string[] {
  return abs === '/' ? [] : abs.slice(1).split('/');
}

/** Join a normalized directory path and a name. */
export function joinPath(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

/** Parent of a normalized absolute path ('/' is its own parent). */
export function dirname(abs: string): string {
  const i = abs.lastIndexOf('/');
  return i <= 0 ? '/' : abs.slice(0, i);
}

/** Last component of a normalized absolute path ('' for '/'). */
export function basename(abs: string): string {
  return abs.slice(abs.lastIndexOf('/') + 1);
}
