// The pure pieces behind issue 17's fixes: dates stored as text, which bound tables a query
// mentions, which dynamic nodes read a path, and where a relative rename lands.
import { describe, it, expect } from 'vitest';
import { looksLikeDates, parseDateText } from '../../workers/date-text.ts';
import { tablesUsed } from '../../workers/sql-tables.ts';
import { findReaders, type ReaderSource } from '../../workers/readers.ts';
import { resolvePath } from '../../src/ui/common/format.ts';

describe('dates stored as text', () => {
  it.each([
    ['2024-03-01', Date.UTC(2024, 2, 1)],
    ['2024/3/1', Date.UTC(2024, 2, 1)],
    ['2024-03-01T12:30:15Z', Date.UTC(2024, 2, 1, 12, 30, 15)],
    ['2024-03-01 12:30:15.250', Date.UTC(2024, 2, 1, 12, 30, 15, 250)],
    ['2024-03-01T12:30+02:00', Date.UTC(2024, 2, 1, 10, 30)],
    ['Jan 1 2000', Date.UTC(2000, 0, 1)],
    ['September 30, 2001', Date.UTC(2001, 8, 30)],
    ['1 Feb 2010', Date.UTC(2010, 1, 1)],
    ['Mar 2005', Date.UTC(2005, 2, 1)],
    ['0099-01-01', new Date('0099-01-01T00:00:00Z').getTime()],
  ])('%s is a date', (text, ms) => {
    expect(parseDateText(text)).toBe(ms);
  });

  it.each(['2024-02-30', '2024-13-01', '03/04/2024', 'Janu 1 2000', 'sun', '12', '', '2024-01-01 25:00', 'Jan 32 2000'])('%s is not', (text) => {
    expect(parseDateText(text)).toBeNaN();
  });

  it('a column is dates when every sampled value is one (nulls aside)', () => {
    expect(looksLikeDates(['Jan 1 2000', null, 'Feb 1 2000'])).toBe(true);
    expect(looksLikeDates(['Jan 1 2000', 'MSFT'])).toBe(false);
    expect(looksLikeDates([null, ''])).toBe(false);
    expect(looksLikeDates([1, 2])).toBe(false);
  });
});

describe('tables a query mentions', () => {
  const names = ['stocks', 'w', 'Sales', 'unused'];
  it.each([
    ['SELECT * FROM stocks', ['stocks']],
    ['select * from STOCKS join w using (d)', ['stocks', 'w']],
    ['SELECT * FROM "sales"', ['Sales']],
    ["SELECT 'unused w' AS s FROM stocks", ['stocks']],
    ['SELECT 1 -- from unused\nFROM stocks /* w /* nested */ unused */', ['stocks']],
    ["SELECT E'it\\'s unused' FROM w", ['w']],
    ['SELECT $$ unused $$, $t$ w $t$ FROM stocks', ['stocks']],
    ['SELECT 1e5 AS x, 0x1f FROM w', ['w']],
    ['SELECT "un""used" FROM w', ['w']],
  ])('%s', (sql, used) => {
    expect(tablesUsed(sql, names)).toEqual(used);
  });
});

/** A pond of stored folders and dynamic nodes, as the scan sees it. */
function source(tree: Record<string, { type?: string; factory?: string; config?: unknown; text?: string }>): ReaderSource {
  return {
    async readdir(dir) {
      const prefix = dir === '/' ? '/' : `${dir}/`;
      return Object.entries(tree)
        .filter(([p]) => p.startsWith(prefix) && !p.slice(prefix.length).includes('/'))
        .map(([p, e]) => ({ name: p.slice(prefix.length), type: (e.type ?? 'file:table') as 'file:table', factory: e.factory ?? 'tlogfs' }));
    },
    async config(path) {
      return tree[path]?.config;
    },
    async readText(path) {
      const text = tree[path]?.text;
      if (text === undefined) throw new Error('ENOENT');
      return text;
    },
  };
}

describe('which dynamic nodes read a path', () => {
  const pond = source({
    '/data': { type: 'directory' },
    '/data/a.parquet': {},
    '/data/b.parquet': {},
    '/data/t.njk': { type: 'file:data', text: '{{ read("/notes.txt") }}' },
    '/views': { type: 'directory' },
    '/views/q': { factory: 'sql_query', config: { query: 'SELECT 1', tables: { a: '../data/a.parquet' } } },
    '/views/all': { factory: 'combine', config: { file_patterns: ['/data/*.parquet'] } },
    '/views/dir': { type: 'directory', factory: 'directory', config: { pattern: '/data/**' } },
    '/views/page': { type: 'file:data', factory: 'template', config: { template: '{% for r in table("/views/q") %}{% endfor %}' } },
    '/views/file-page': { type: 'file:data', factory: 'template', config: { template_file: '/data/t.njk' } },
    '/views/guess': { type: 'file:data', factory: 'template', config: { template: '{{ read(name) }}' } },
    '/views/synthetic': { factory: 'scribble', config: { schema: [], row_count: 1 } },
    '/views/custom': { factory: 'mystery', config: {} },
  });

  it('names direct readers by the pattern that matches, readers of readers through them, and what cannot be known', async () => {
    const report = await findReaders(pond, '/data/a.parquet');
    expect(report.readers).toEqual([
      { path: '/views/q', factory: 'sql_query', via: '../data/a.parquet', through: null, stillReads: false },
      { path: '/views/all', factory: 'combine', via: '/data/*.parquet', through: null, stillReads: false },
      { path: '/views/dir', factory: 'directory', via: '/data/**', through: null, stillReads: false },
      { path: '/views/page', factory: 'template', via: '/views/q', through: '/views/q', stillReads: false },
    ]);
    expect(report.uncertain.map((u) => u.path).sort()).toEqual(['/views/custom', '/views/guess']);
  });

  it('a move that keeps matching the pattern still reads', async () => {
    const report = await findReaders(pond, '/data/b.parquet', 'c.parquet');
    expect(report.readers.map((r) => [r.path, r.stillReads])).toEqual([
      ['/views/all', true],
      ['/views/dir', true],
    ]);
    const away = await findReaders(pond, '/data/b.parquet', '../b.parquet');
    expect(away.readers.map((r) => [r.path, r.stillReads])).toEqual([
      ['/views/all', false],
      ['/views/dir', false],
    ]);
  });

  it('a folder is read when anything below it is; a template file and what it reads count', async () => {
    const report = await findReaders(pond, '/data');
    expect(report.readers.map((r) => r.path)).toEqual(['/views/q', '/views/all', '/views/dir', '/views/file-page', '/views/page']);
    const notes = await findReaders(
      source({
        '/notes.txt': { type: 'file:data' },
        '/p': { type: 'file:data', factory: 'template', config: { template_file: '/t.njk' } },
        '/t.njk': { type: 'file:data', text: '{% include "notes.txt" %}' },
      }),
      '/notes.txt',
    );
    expect(notes.readers.map((r) => r.path)).toEqual(['/p']);
  });

  it('nodes moved or removed along with the path are not listed', async () => {
    const report = await findReaders(pond, '/views');
    expect(report.readers).toEqual([]);
  });
});

describe('where a rename lands', () => {
  it.each([
    ['../x.parquet', '/data', '/x.parquet'],
    ['../../x', '/a', '/x'],
    ['./b//c/', '/a', '/a/b/c'],
    ['/abs/../y', '/a', '/y'],
  ])('%s from %s', (path, cwd, out) => {
    expect(resolvePath(path, cwd)).toBe(out);
  });
});
