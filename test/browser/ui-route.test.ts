// The URL hash is the app's address: it must round-trip pond names and paths with any characters.
import { describe, it, expect } from 'vitest';
import { formatHash, parseHash } from '../../src/ui/state/route.svelte.ts';
import { filterPattern } from '../../src/ui/state/tree.svelte.ts';
import { tableName } from '../../src/ui/state/sql.svelte.ts';
import { sniff, parseCsv } from '../../src/ui/viewers/sniff.ts';

describe('route hash', () => {
  it.each([
    [{ pond: 'demo', path: '/', at: null }, '#/demo'],
    [{ pond: 'my pond', path: '/data/a b/ü.csv', at: null }, '#/my%20pond/data/a%20b/%C3%BC.csv'],
    [{ pond: 'demo', path: '/x', at: 3 }, '#/demo/x?at=3'],
    [{ pond: null, path: '/', at: null }, '#/'],
  ] as const)('%j <-> %s', (loc, hash) => {
    expect(formatHash(loc)).toBe(hash);
    expect(parseHash(hash)).toEqual(loc);
  });

  it('ignores a version that is not a positive integer', () => {
    expect(parseHash('#/demo/x?at=abc').at).toBeNull();
    expect(parseHash('#/demo/x?at=-2').at).toBeNull();
  });
});

describe('small UI helpers', () => {
  it('turns filter text into a glob', () => {
    expect(filterPattern('')).toBe('');
    expect(filterPattern('sales')).toBe('/**/*sales*');
    expect(filterPattern('*.csv')).toBe('/**/*.csv');
    expect(filterPattern('/data/*')).toBe('/data/*');
  });

  it('makes SQL table names from paths', () => {
    expect(tableName('/data/sales 2024.csv')).toBe('sales_2024');
    expect(tableName('/data/2024')).toBe('_2024');
  });

  it('picks a viewer from the name and the bytes', () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    expect(sniff('/a.md', enc('# x'))).toBe('markdown');
    expect(sniff('/report', enc('<!doctype html><p>x'))).toBe('html');
    expect(sniff('/x', enc('{"a": 1}'))).toBe('json');
    expect(sniff('/x.csv', enc('a,b\n1,2'))).toBe('csv');
    expect(sniff('/x', enc('plain words'))).toBe('text');
    expect(sniff('/x.bin', new Uint8Array([0, 1, 2, 3]))).toBe('binary');
  });

  it('parses quoted CSV', () => {
    expect(parseCsv('a,b\r\n"x, y","say ""hi"""\n1,\n')).toEqual([['a', 'b'], ['x, y', 'say "hi"'], ['1', '']]);
  });
});
