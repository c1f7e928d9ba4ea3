import { describe, it, expect } from 'vitest';
import { normalizePath, validateName, dirname, basename, joinPath } from '../../../src/core/tinyfs/path.ts';

describe('paths', () => {
  it.each([
    ['/', '/', '/'],
    ['/a/b', '/', '/a/b'],
    ['a/b', '/x', '/x/a/b'],
    ['./a', '/x', '/x/a'],
    ['../b', '/x/y', '/x/b'],
    ['../../..', '/x', '/'],
    ['//a///b//', '/', '/a/b'],
    ['/a/./b/../c/', '/', '/a/c'],
    ['.', '/x/y', '/x/y'],
  ])('normalizes %j against %j to %j', (p, cwd, want) => {
    expect(normalizePath(p, cwd)).toBe(want);
  });

  it('rejects empty paths and NUL with EINVAL', () => {
    expect(() => normalizePath('')).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => normalizePath('/a\0b')).toThrow(expect.objectContaining({ code: 'EINVAL', data: { path: '/a\0b' } }));
  });

  it.each(['', '.', '..', 'a/b', 'a\0'])('rejects the name %j', (name) => {
    expect(() => validateName(name, '/p')).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });

  it('splits and joins', () => {
    expect(dirname('/a/b')).toBe('/a');
    expect(dirname('/a')).toBe('/');
    expect(basename('/a/b')).toBe('b');
    expect(joinPath('/', 'a')).toBe('/a');
    expect(joinPath('/a', 'b')).toBe('/a/b');
  });
});
