// The URL hash is the app's address: it must round-trip pond names and paths with any characters.
import { describe, it, expect } from 'vitest';
import { formatHash, formatSearch, parseHash, parseLocation, type Location } from '../../src/ui/state/route.svelte.ts';
import { filterPattern } from '../../src/ui/state/tree.svelte.ts';
import { tableName } from '../../src/ui/state/sql.svelte.ts';
import { sniff, parseCsv } from '../../src/ui/viewers/sniff.ts';

const at = (partial: Partial<Location>): Location => ({ pond: null, url: null, path: '/', at: null, view: 'browse', sql: null, bindings: null, ...partial });

describe('route hash', () => {
  it.each([
    [at({ pond: 'demo' }), '#/demo'],
    [at({ pond: 'my pond', path: '/data/a b/ü.csv' }), '#/my%20pond/data/a%20b/%C3%BC.csv'],
    [at({ pond: 'demo', path: '/x', at: 3 }), '#/demo/x?at=3'],
    // Version 0 is the pond's creation; History offers to view it like any other.
    [at({ pond: 'demo', path: '/x', at: 0 }), '#/demo/x?at=0'],
    [at({}), '#/'],
    [at({ view: 'storage' }), '#/?view=storage'],
    [
      at({
        pond: 'p',
        view: 'sql',
        sql: 'SELECT * FROM w',
        bindings: [
          { name: 'w', pattern: '/data/a=b/*.parquet' },
          { name: 'x', pattern: '' },
        ],
      }),
      '#/p?view=sql&sql=SELECT+*+FROM+w&bind=w%3D%2Fdata%2Fa%3Db%2F*.parquet&bind=x%3D',
    ],
    [at({ pond: 'demo', view: 'sql', sql: 'SELECT 1 AS "a&b" -- #x?y=z\n' }), '#/demo?view=sql&sql=SELECT+1+AS+%22a%26b%22+--+%23x%3Fy%3Dz%0A'],
  ] as const)('%j <-> %s', (loc, hash) => {
    expect(formatHash(loc)).toBe(hash);
    expect(parseHash(hash)).toEqual(loc);
  });

  it('names a published pond by the page query, which a link keeps readable', () => {
    const loc = at({ pond: 'demo', url: 'ponds/demo/', path: '/README.md' });
    const search = formatSearch(loc, '');
    expect(search).toBe('?pond=ponds/demo/');
    expect(parseLocation(search, formatHash(loc))).toEqual(loc);
    expect(parseLocation('?pond=https%3A%2F%2Fexample.org%2Fp%2F&x=1', '#/p').url).toBe('https://example.org/p/');
    // Leaving a published pond drops the parameter and keeps the page's other ones.
    expect(formatSearch(at({ pond: 'mine' }), '?pond=ponds/demo/&lang=en')).toBe('?lang=en');
  });

  it('ignores a view it does not know', () => {
    expect(parseHash('#/demo?view=<script>').view).toBe('browse');
  });

  it('ignores a version that is not a non-negative integer, and keeps version 0', () => {
    expect(parseHash('#/demo/x?at=abc').at).toBeNull();
    expect(parseHash('#/demo/x?at=-2').at).toBeNull();
    expect(parseHash('#/demo/x?at=1.5').at).toBeNull();
    expect(parseHash('#/demo/x?at=1e3').at).toBeNull();
    expect(parseHash('#/demo/x?at=99999999999999999999').at).toBeNull();
    // No `at`, or an empty one, is the latest version, not version 0.
    expect(parseHash('#/demo/x').at).toBeNull();
    expect(parseHash('#/demo/x?at=').at).toBeNull();
    expect(parseHash('#/demo/x?at=0').at).toBe(0);
    expect(parseHash('#/demo/x?at=00').at).toBe(0);
    expect(formatHash(parseHash('#/demo?at=0&view=history'))).toBe('#/demo?at=0&view=history');
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
    expect(parseCsv('a,b\r\n"x, y","say ""hi"""\n1,\n')).toEqual([
      ['a', 'b'],
      ['x, y', 'say "hi"'],
      ['1', ''],
    ]);
  });
});
