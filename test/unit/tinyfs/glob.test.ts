import { describe, it, expect } from 'vitest';
import { glob, compileGlob, matchPath, escapeGlob, type GlobEntry, type GlobWalker, type GlobMatch } from '../../../src/core/tinyfs/glob.ts';
import { ROOT_ID, type EntryType } from '../../../src/core/tinyfs/entry-type.ts';
import { pondError } from '../../../src/core/errors.ts';
import { normalizePath, joinPath, dirname, splitPath } from '../../../src/core/tinyfs/path.ts';

// ---------------------------------------------------------------------------------------------
// An in-memory tree and a walker over it that follows symlinks like the fs does (10 hops, then
// ELOOP). Tree literal: an object is a directory, '->target' a symlink, any other string a file
// ('table' and 'series' give those file types, anything else file:data).

type Tree = { [name: string]: Tree | string };
type Node =
  { id: string; kind: 'dir'; children: Map<string, Node> } | { id: string; kind: 'file'; type: EntryType } | { id: string; kind: 'link'; target: string };

const MAX_HOPS = 10;

function build(tree: Tree, path = '/'): Node {
  const children = new Map<string, Node>();
  for (const [name, v] of Object.entries(tree)) {
    const p = joinPath(path, name);
    if (typeof v !== 'string') children.set(name, build(v, p));
    else if (v.startsWith('->')) children.set(name, { id: `id:${p}`, kind: 'link', target: v.slice(2) });
    else children.set(name, { id: `id:${p}`, kind: 'file', type: v === 'table' ? 'file:table' : v === 'series' ? 'file:series' : 'file:data' });
  }
  return { id: path === '/' ? ROOT_ID : `id:${path}`, kind: 'dir', children };
}

class FakeWalker implements GlobWalker {
  readonly root: Node;
  readonly listed: string[] = [];
  readonly looked: string[] = [];
  lookup?: (dir: string, name: string) => Promise<GlobEntry | undefined>;

  constructor(tree: Tree, opts: { lookup?: boolean } = {}) {
    this.root = build(tree);
    if (opts.lookup) {
      this.lookup = async (dir, name) => {
        this.looked.push(joinPath(dir, name));
        const d = this.#resolve(dir, { hops: 0 });
        if (d.kind !== 'dir') throw pondError('ENOTDIR', dir, 'not a directory');
        return d.children.has(name) ? this.#entry(dir, name, d.children.get(name)!) : undefined;
      };
    }
  }

  async list(dirPath: string): Promise<GlobEntry[]> {
    this.listed.push(dirPath);
    const d = this.#resolve(dirPath, { hops: 0 });
    if (d.kind !== 'dir') throw pondError('ENOTDIR', dirPath, 'not a directory');
    // Deliberately unsorted: glob must order results itself.
    return [...d.children].reverse().map(([name, node]) => this.#entry(dirPath, name, node));
  }

  #entry(dir: string, name: string, node: Node): GlobEntry {
    if (node.kind !== 'link') return { name, nodeId: node.id, type: node.kind === 'dir' ? 'directory' : node.type };
    try {
      const t = this.#resolve(joinPath(dir, name), { hops: 0 });
      return { name, nodeId: t.id, type: t.kind === 'dir' ? 'directory' : t.kind === 'file' ? t.type : 'symlink', isSymlink: true };
    } catch {
      return { name, nodeId: node.id, type: 'symlink', isSymlink: true };
    }
  }

  #resolve(abs: string, budget: { hops: number }): Node {
    let cur = this.root;
    let curPath = '/';
    for (const name of splitPath(abs)) {
      if (cur.kind !== 'dir') throw pondError('ENOTDIR', curPath, 'not a directory');
      let next = cur.children.get(name);
      const here = joinPath(curPath, name);
      if (!next) throw pondError('ENOENT', here, 'no such file or directory');
      if (next.kind === 'link') {
        if (++budget.hops > MAX_HOPS) throw pondError('ELOOP', abs, 'too many levels of symbolic links');
        next = this.#resolve(normalizePath(next.target, dirname(here)), budget);
      }
      cur = next;
      curPath = here;
    }
    return cur;
  }
}

const paths = (ms: GlobMatch[]): string[] => ms.map((m) => m.path);
const caps = (ms: GlobMatch[]): Record<string, string[]> => Object.fromEntries(ms.map((m) => [m.path, m.captures]));

// ---------------------------------------------------------------------------------------------

describe('one component (ported from Rust utilities::glob tests)', () => {
  it.each([
    ['file.txt', 'file.txt', []],
    ['file.txt', 'other.txt', null],
    ['file*.txt', 'file1.txt', ['1']],
    ['file*.txt', 'fileabc.txt', ['abc']],
    ['file*.txt', 'other.txt', null],
    ['*VuLink*', 'HydroVu_FB-VuLink1.htm', ['HydroVu_FB-', '1.htm']],
    ['*VuLink*', 'VuLink.txt', ['', '.txt']],
    ['*VuLink*', 'prefixVuLinksuffix', ['prefix', 'suffix']],
    ['*VuLink*', 'NoMatch', null],
    ['file*.*', 'file1.txt', ['1', 'txt']],
    ['file*.*', 'filename.ext', ['name', 'ext']],
    ['file*.*', 'other.txt', null],
    ['*.template', 'hello.template', ['hello']],
    ['*.template', 'world.template', ['world']],
    ['*.template', 'hello.txt', null],
    ['file*', 'filename.txt', ['name.txt']],
    ['file*', 'file123', ['123']],
    ['file*', 'file', ['']],
    ['*', 'anything.txt', ['anything.txt']],
    ['*', 'hello.template', ['hello.template']],
    ['data*.csv', 'data1.csv', ['1']],
    ['data*.csv', 'data123.csv', ['123']],
    ['data*.csv', 'file1.csv', null],
  ])('%s on %s captures %j', (pattern, name, want) => {
    expect(matchPath(`/${pattern}`, `/${name}`)).toEqual(want);
  });

  it.each([
    // Non-greedy with backtracking: Rust's first-occurrence scan fails the first two.
    ['*.txt', 'a.txt.txt', ['a.txt']],
    ['*.csv.gz', 'x.csv.csv.gz', ['x.csv']],
    ['*-*', 'a-b-c', ['a', 'b-c']],
    ['*-*-*', 'a-b-c-d', ['a', 'b', 'c-d']],
    ['*_*.*', '2024_01_02.tar.gz', ['2024', '01_02', 'tar.gz']],
    ['a*b*c', 'abc', ['', '']],
    // A run of '*' is one wildcard with one capture (as in Rust).
    ['a**b', 'axyb', ['xy']],
    ['***', 'x', ['x']],
    // Dotfiles are ordinary names.
    ['*', '.hidden', ['.hidden']],
    ['.*', '.hidden', ['hidden']],
    // ?, classes and braces match but never capture.
    ['file?.csv', 'file1.csv', []],
    ['file?.csv', 'file12.csv', null],
    ['?', 'é', []],
    ['?', '😀', []],
    ['[abc]*', 'b52', ['52']],
    ['[a-c]x', 'dx', null],
    ['[!a-c]x', 'dx', []],
    ['[^a-c]x', 'ax', null],
    ['[]]', ']', []],
    ['[!]]', 'a', []],
    ['[a-]', '-', []],
    ['[\\]]', ']', []],
    ['*.{csv,parquet}', 'x.parquet', ['x']],
    ['*.{csv,parquet}', 'x.json', null],
    ['{a,b{c,d}}-*', 'bd-1', ['1']],
    ['{,pre}fix', 'fix', []],
    ['{[0-9],x?}', 'xy', []],
    // Escapes make syntax literal; a name with only escapes is a plain name.
    ['a\\*b', 'a*b', []],
    ['a\\*b', 'axb', null],
    ['\\[1\\]*', '[1]x', ['x']],
    ['a,b', 'a,b', []],
    // Regex metacharacters are plain text.
    ['(x)+.$', '(x)+.$', []],
    ['*.c', 'a.cc', null],
  ])('%s on %s captures %j', (pattern, name, want) => {
    expect(matchPath(`/${pattern}`, `/${name}`)).toEqual(want);
  });
});

describe('paths and ** (pure matchPath)', () => {
  it.each([
    ['/**/*.txt', '/a/b/c/file4.txt', ['a', 'b', 'c', 'file4']],
    ['/**/*.txt', '/file.txt', ['file']],
    ['/**/file4.txt', '/a/b/c/file4.txt', ['a', 'b', 'c']],
    ['/in/**/1.txt', '/in/1.txt', []],
    ['/in/**/1.txt', '/in/a/b/1.txt', ['a', 'b']],
    ['/in/**/1.txt', '/out/a/1.txt', null],
    ['/*/*.dat', '/a/other.dat', ['a', 'other']],
    ['/**', '/a/b/f.txt', ['a', 'b', 'f.txt']],
    ['/**', '/', null],
    ['/a/**', '/a', null],
    ['/a/**', '/a/x', ['x']],
    ['/**/x/**', '/p/x/q/x/r', ['p', 'q', 'x', 'r']],
    // Leftmost ** takes as few names as it can.
    ['/**/a*/**', '/a1/a2/f', ['1', 'a2', 'f']],
    ['/**/**/x', '/a/b/x', ['a', 'b']],
    ['/**/**', '/a/b', ['a', 'b']],
    ['/x/**/y/*', '/x/y/y/z', ['y', 'z']],
    ['/a/b', '/a/b', []],
    ['/a/b', '/a/b/c', null],
    ['/', '/', []],
    ['/a/b/../c/./*', '/a/c/d', ['d']],
    ['/a/', '/a', []],
    ['//a//*//', '/a/b', ['b']],
  ])('%s on %s captures %j', (pattern, path, want) => {
    expect(matchPath(pattern, path)).toEqual(want);
  });

  it('resolves relative patterns and paths against the compiled cwd', () => {
    const g = compileGlob('*/*.csv', '/data');
    expect(g.pattern).toBe('/data/*/*.csv');
    expect(g.cwd).toBe('/data');
    expect(matchPath(g, '/data/2024/jan.csv')).toEqual(['2024', 'jan']);
    expect(matchPath(g, '2024/jan.csv')).toEqual(['2024', 'jan']);
    expect(matchPath(g, '/other/2024/jan.csv')).toBeNull();
    expect(compileGlob('../x/*', '/data/in').pattern).toBe('/data/x/*');
    expect(compileGlob('../../../*', '/a').pattern).toBe('/*');
    expect(compileGlob('/abs/*', '/ignored').pattern).toBe('/abs/*');
  });

  it('takes cwd names literally', () => {
    const g = compileGlob('*.csv', '/d[1]/a*');
    expect(g.pattern).toBe('/d\\[1\\]/a\\*/*.csv');
    expect(matchPath(g, '/d[1]/a*/x.csv')).toEqual(['x']);
    expect(matchPath(g, '/d1/ab/x.csv')).toBeNull();
    expect(escapeGlob('d[1]*{?}\\')).toBe('d\\[1\\]\\*\\{\\?\\}\\\\');
    expect(matchPath(`/${escapeGlob('we*rd[x]{y}?')}`, '/we*rd[x]{y}?')).toEqual([]);
  });

  it('normalizes the pattern text: ** runs collapse', () => {
    expect(compileGlob('/a/**/**/b/**/**').pattern).toBe('/a/**/b/**');
    expect(compileGlob('/a/**/**/b/**/**').components.map((c) => c.kind)).toEqual(['literal', 'globstar', 'literal', 'globstar']);
  });
});

describe('malformed patterns', () => {
  it.each([
    [''],
    ['/a\0b'],
    ['/[abc'],
    ['/[]'],
    ['/[!]'],
    ['/a]'],
    ['/{a,b'],
    ['/{a,{b}'],
    ['/a}'],
    ['/{a*,b}'],
    ['/x\\'],
    ['/[z-a]'],
    ['/[a-\\'],
    ['/*/../x'],
    ['/**/../x'],
    ['/{a/b}'],
  ])('%j is EINVAL naming the pattern', (pattern) => {
    expect(() => compileGlob(pattern)).toThrow(expect.objectContaining({ name: 'PondError', code: 'EINVAL', data: { path: pattern } }));
    expect(() => matchPath(pattern, '/a')).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });

  it('rejects a relative cwd and rejects through glob() too', async () => {
    expect(() => compileGlob('*', 'rel')).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    await expect(glob('/[x', new FakeWalker({}))).rejects.toMatchObject({ code: 'EINVAL', data: { path: '/[x' } });
  });
});

// The tree of Rust tests/memory.rs test_visit_glob_matching.
const RUST_TREE: Tree = {
  a: {
    'file1.txt': 'data',
    'file2.txt': 'data',
    'other.dat': 'data',
    b: { 'file3.txt': 'data', c: { 'file4.txt': 'data' } },
    d: { 'file5.txt': 'data' },
  },
};

describe('glob over a tree (ported from Rust tinyfs tests)', () => {
  it('test_visit_glob_matching', async () => {
    const w = new FakeWalker(RUST_TREE);
    expect(await glob('/a/file1.txt', w)).toEqual([{ path: '/a/file1.txt', captures: [], type: 'file:data', nodeId: 'id:/a/file1.txt' }]);
    expect(caps(await glob('/a/file*.txt', w))).toEqual({ '/a/file1.txt': ['1'], '/a/file2.txt': ['2'] });
    expect(await glob('/**/*.txt', w).then(caps)).toEqual({
      '/a/b/c/file4.txt': ['a', 'b', 'c', 'file4'],
      '/a/b/file3.txt': ['a', 'b', 'file3'],
      '/a/d/file5.txt': ['a', 'd', 'file5'],
      '/a/file1.txt': ['a', 'file1'],
      '/a/file2.txt': ['a', 'file2'],
    });
    expect(caps(await glob('/**/file4.txt', w))).toEqual({ '/a/b/c/file4.txt': ['a', 'b', 'c'] });
    expect(caps(await glob('/*/*.dat', w))).toEqual({ '/a/other.dat': ['a', 'other'] });
  });

  const BUG_TREE: Tree = {
    'file1.txt': 'data',
    'file2.txt': 'data',
    subdir1: { 'file3.txt': 'data', 'file4.txt': 'data' },
    subdir2: { 'file5.txt': 'data' },
  };

  it('test_double_wildcard_root_bug: /** yields every file and directory below, in order', async () => {
    const ms = await glob('/**', new FakeWalker(BUG_TREE));
    expect(ms.map((m) => [m.path, m.type, m.captures])).toEqual([
      ['/file1.txt', 'file:data', ['file1.txt']],
      ['/file2.txt', 'file:data', ['file2.txt']],
      ['/subdir1', 'directory', ['subdir1']],
      ['/subdir1/file3.txt', 'file:data', ['subdir1', 'file3.txt']],
      ['/subdir1/file4.txt', 'file:data', ['subdir1', 'file4.txt']],
      ['/subdir2', 'directory', ['subdir2']],
      ['/subdir2/file5.txt', 'file:data', ['subdir2', 'file5.txt']],
    ]);
    expect(paths(await glob('/**/*.txt', new FakeWalker(BUG_TREE)))).toHaveLength(5);
  });

  it('test_double_wildcard_non_root and test_single_double_wildcard_patterns (relative **)', async () => {
    const w = new FakeWalker({ testdir: { 'file1.txt': 'data', 'file2.txt': 'data', subdir: { 'file3.txt': 'data' } }, other: 'data' });
    expect(paths(await glob('testdir/**', w))).toEqual(['/testdir/file1.txt', '/testdir/file2.txt', '/testdir/subdir', '/testdir/subdir/file3.txt']);
    expect(paths(await glob('**', w))).toEqual([
      '/other',
      '/testdir',
      '/testdir/file1.txt',
      '/testdir/file2.txt',
      '/testdir/subdir',
      '/testdir/subdir/file3.txt',
    ]);
    expect(paths(await glob('**', w, { cwd: '/testdir/subdir' }))).toEqual(['/testdir/subdir/file3.txt']);
  });

  it('test_visit_directory: /in/**/1.txt captures the directories between', async () => {
    const w = new FakeWalker({
      away: {},
      in: { a: { '1.txt': 'data', b: { '1.txt': 'data' }, c: { '1.txt': 'data' } }, b: { a: { '1.txt': 'data' } } },
    });
    const ms = await glob('/in/**/1.txt', w);
    expect(ms.map((m) => m.captures.join('_'))).toEqual(['a', 'a_b', 'a_c', 'b_a']);
  });

  it('test_visit_with_symlinks: patterns find b.txt through /a/name -> 123456', async () => {
    const w = new FakeWalker({ a: { '123456': { 'b.txt': 'data' }, name: '->123456' } });
    const all = await glob('/**/*.txt', w);
    // Rust reports the node once (first path found); we report every path, with the same nodeId.
    expect(caps(all)).toEqual({ '/a/123456/b.txt': ['a', '123456', 'b'], '/a/name/b.txt': ['a', 'name', 'b'] });
    expect(new Set(all.map((m) => m.nodeId))).toEqual(new Set(['id:/a/123456/b.txt']));
    expect(paths(await glob('/a/name/*.txt', w))).toEqual(['/a/name/b.txt']);
    expect(caps(await glob('/*/name/*.txt', w))).toEqual({ '/a/name/b.txt': ['a', 'b'] });
    const link = await glob('/a/n*', w);
    expect(link).toEqual([{ path: '/a/name', captures: ['ame'], type: 'directory', nodeId: 'id:/a/123456', isSymlink: true }]);
  });
});

describe('symlinks: loops and dangling links', () => {
  const TREE: Tree = {
    loop: { 'f.txt': 'data', self: '->/loop', up: '->..', sub: { back: '->../..', 'g.txt': 'data' } },
    x: { toY: '->/y', 'x.txt': 'data' },
    y: { toX: '->/x', 'y.txt': 'data' },
    l1: '->/l2',
    l2: '->/l1',
    dangling: '->/nowhere',
    deep: '->/loop/sub',
  };

  it('** never re-enters a directory on its own descent path', async () => {
    const ms = await glob('/loop/**', new FakeWalker(TREE));
    expect(ms.map((m) => [m.path, m.type])).toEqual([
      ['/loop/f.txt', 'file:data'],
      ['/loop/self', 'directory'], // listed (it matches) but not entered: /loop is its ancestor
      ['/loop/sub', 'directory'],
      ['/loop/sub/back', 'directory'], // -> / : on the path
      ['/loop/sub/g.txt', 'file:data'],
      ['/loop/up', 'directory'],
    ]);
  });

  it('terminates on cycles between siblings and still finds what is reachable', async () => {
    const ms = await glob('/**/*.txt', new FakeWalker(TREE));
    // Each path through a link is a path of its own; a cycle stops where a node repeats.
    expect(paths(ms)).toEqual([
      '/deep/g.txt',
      '/loop/f.txt',
      '/loop/sub/g.txt',
      '/x/toY/y.txt', // /x/toY/toX is /x again: not entered
      '/x/x.txt',
      '/y/toX/x.txt',
      '/y/y.txt',
    ]);
    expect(caps(ms)['/x/toY/y.txt']).toEqual(['x', 'toY', 'y']);
  });

  it('plain components may pass through a directory that ** would not re-enter', async () => {
    const w = new FakeWalker(TREE);
    expect(caps(await glob('/loop/self/self/self/*.txt', w))).toEqual({ '/loop/self/self/self/f.txt': ['f'] });
    expect(caps(await glob('/**/self/*.txt', w))).toEqual({ '/loop/self/f.txt': ['loop', 'f'] });
  });

  it('dangling and looping links match by name as type symlink and are never entered', async () => {
    const w = new FakeWalker(TREE);
    const top = await glob('/*', w);
    expect(top.map((m) => [m.path, m.type, m.nodeId])).toEqual([
      ['/dangling', 'symlink', 'id:/dangling'],
      ['/deep', 'directory', 'id:/loop/sub'],
      ['/l1', 'symlink', 'id:/l1'],
      ['/l2', 'symlink', 'id:/l2'],
      ['/loop', 'directory', 'id:/loop'],
      ['/x', 'directory', 'id:/x'],
      ['/y', 'directory', 'id:/y'],
    ]);
    expect(await glob('/l1/*', w)).toEqual([]);
    expect(await glob('/dangling/**', w)).toEqual([]);
    expect(w.listed).not.toContain('/l1');
    expect(w.listed).not.toContain('/dangling');
  });

  it('the walker’s 10-hop limit: a chain of 10 links resolves, 11 is a looping link', async () => {
    const tree: Tree = { t: { 'f.txt': 'data' } };
    for (let i = 0; i < 11; i++) tree[`c${i}`] = i === 0 ? '->/t' : `->/c${i - 1}`;
    const ms = await glob('/c*/*.txt', new FakeWalker(tree));
    expect(paths(ms)).toEqual(Array.from({ length: 10 }, (_, i) => `/c${i}/f.txt`).sort());
    expect((await glob('/c10', new FakeWalker(tree)))[0].type).toBe('symlink');
  });
});

describe('glob: walking', () => {
  const TREE: Tree = {
    data: {
      '2024': { 'jan.csv': 'table', 'feb.csv': 'table', 'notes.md': 'data' },
      '2025': { 'jan.csv': 'table' },
      'x.csv': 'table',
      sub: { deeper: { 'z.csv': 'series' } },
    },
    logs: { 'a.log': 'data' },
    'top.csv': 'table',
  };

  it('returns [] when nothing matches or the base does not exist', async () => {
    const w = new FakeWalker(TREE);
    expect(await glob('/data/*.parquet', w)).toEqual([]);
    expect(await glob('/nope/*.csv', w)).toEqual([]);
    expect(await glob('/top.csv/*', w)).toEqual([]);
    expect(await glob('/data/2024/jan.csv/x', w)).toEqual([]);
    expect(await glob('/**/nothing', w)).toEqual([]);
  });

  it('resolves relative patterns against cwd (including ..)', async () => {
    const w = new FakeWalker(TREE);
    expect(caps(await glob('*/jan.csv', w, { cwd: '/data' }))).toEqual({ '/data/2024/jan.csv': ['2024'], '/data/2025/jan.csv': ['2025'] });
    expect(paths(await glob('../logs/*', w, { cwd: '/data' }))).toEqual(['/logs/a.log']);
    expect(paths(await glob('.', w, { cwd: '/data/sub' }))).toEqual(['/data/sub']);
    expect(await glob('/', w)).toEqual([{ path: '/', captures: [], type: 'directory', nodeId: ROOT_ID }]);
  });

  it('** at start, middle and end', async () => {
    const w = new FakeWalker(TREE);
    expect(caps(await glob('**/*.csv', w))).toEqual({
      '/data/2024/feb.csv': ['data', '2024', 'feb'],
      '/data/2024/jan.csv': ['data', '2024', 'jan'],
      '/data/2025/jan.csv': ['data', '2025', 'jan'],
      '/data/sub/deeper/z.csv': ['data', 'sub', 'deeper', 'z'],
      '/data/x.csv': ['data', 'x'],
      '/top.csv': ['top'],
    });
    expect(caps(await glob('/data/**/jan.csv', w))).toEqual({ '/data/2024/jan.csv': ['2024'], '/data/2025/jan.csv': ['2025'] });
    expect(caps(await glob('/data/sub/**', w))).toEqual({ '/data/sub/deeper': ['deeper'], '/data/sub/deeper/z.csv': ['deeper', 'z.csv'] });
    expect(caps(await glob('/**/deeper/**', w))).toEqual({ '/data/sub/deeper/z.csv': ['data', 'sub', 'z.csv'] });
  });

  it('several * per component, and types in results', async () => {
    const w = new FakeWalker({ d: { 'HydroVu_FB-VuLink1.htm': 'data', 'VuLink.txt': 'table', 'x.txt': 'series' } });
    const ms = await glob('/d/*VuLink*', w);
    expect(ms.map((m) => [m.path, m.captures, m.type])).toEqual([
      ['/d/HydroVu_FB-VuLink1.htm', ['HydroVu_FB-', '1.htm'], 'file:data'],
      ['/d/VuLink.txt', ['', '.txt'], 'file:table'],
    ]);
  });

  it('orders depth-first by code unit, a directory before its contents, no duplicates', async () => {
    const w = new FakeWalker({
      'a-b': 'data',
      a: { b: 'data', B: 'data' },
      B: 'data',
      é: 'data',
      Z: { '~': 'data' },
      '😀': 'data',
      ｚ: 'data',
    });
    expect(paths(await glob('/**', w))).toEqual(['/B', '/Z', '/Z/~', '/a', '/a/B', '/a/b', '/a-b', '/é', '/😀', '/ｚ']);
    // Several ways to split a path between two **: still one result.
    const twice = await glob('/**/**/*', w);
    expect(paths(twice)).toEqual(['/B', '/Z', '/Z/~', '/a', '/a/B', '/a/b', '/a-b', '/é', '/😀', '/ｚ']);
    const alt = await glob('/{a,a}/*', w);
    expect(paths(alt)).toEqual(['/a/B', '/a/b']);
  });

  it('captures always equal matchPath(pattern, path)', async () => {
    const w = new FakeWalker(TREE);
    for (const p of ['/**/*.csv', '/**/*/**', '/*/**/*.*', '**/2*/*', '/data/**/**/*', '/**/*a*/**', '/{data,logs}/*.[cl]*']) {
      const g = compileGlob(p);
      const ms = await glob(g, w);
      expect(ms.length).toBeGreaterThan(0);
      for (const m of ms) expect(m.captures).toEqual(matchPath(g, m.path));
    }
  });

  it('?, classes, braces and escapes select without capturing', async () => {
    const w = new FakeWalker({ d: { 'file1.csv': 'data', 'file2.csv': 'data', 'fileA.csv': 'data', 'file10.csv': 'data', 'a*b': 'data', axb: 'data' } });
    expect(caps(await glob('/d/file?.csv', w))).toEqual({ '/d/file1.csv': [], '/d/file2.csv': [], '/d/fileA.csv': [] });
    expect(paths(await glob('/d/file[0-9]*.csv', w))).toEqual(['/d/file1.csv', '/d/file10.csv', '/d/file2.csv']);
    expect(caps(await glob('/d/file{1,A}*', w))).toEqual({ '/d/file1.csv': ['.csv'], '/d/file10.csv': ['0.csv'], '/d/fileA.csv': ['.csv'] });
    expect(paths(await glob('/d/a\\*b', w))).toEqual(['/d/a*b']);
  });

  it('lists only directories the pattern can reach; looks plain names up when it can', async () => {
    const listing = new FakeWalker(TREE);
    await glob('/data/2024/*.csv', listing);
    expect(listing.listed).toEqual(['/', '/data', '/data/2024']);

    const lookup = new FakeWalker(TREE, { lookup: true });
    expect(paths(await glob('/data/2024/*.csv', lookup))).toEqual(['/data/2024/feb.csv', '/data/2024/jan.csv']);
    expect(lookup.listed).toEqual(['/data/2024']);
    expect(lookup.looked).toEqual(['/data', '/data/2024']);

    const pruned = new FakeWalker(TREE);
    await glob('/data/*/jan.csv', pruned);
    // Files matched by '*' are not listed; nor is /logs, which 'data' does not match.
    expect(pruned.listed).toEqual(['/', '/data', '/data/2024', '/data/2025', '/data/sub']);

    const literal = new FakeWalker(TREE, { lookup: true });
    expect(paths(await glob('/data/x.csv', literal))).toEqual(['/data/x.csv']);
    expect(literal.listed).toEqual([]);
    expect(paths(await glob('/nope/x.csv', literal))).toEqual([]);
  });

  it('handles a deep tree', async () => {
    const depth = 60;
    const names = Array.from({ length: depth }, (_, i) => `d${i}`);
    let tree: Tree = { 'leaf.txt': 'data' };
    for (const n of [...names].reverse()) tree = { [n]: tree, [`${n}.txt`]: 'data' };
    const w = new FakeWalker(tree);
    const ms = await glob('/**/leaf.txt', w);
    expect(ms).toHaveLength(1);
    expect(ms[0].captures).toEqual(names);
    const all = await glob('/**/*.txt', w);
    expect(all).toHaveLength(depth + 1);
    expect(all[all.length - 1].path).toBe('/' + names[0] + '.txt');
  });

  it('propagates walker errors other than ENOENT/ENOTDIR', async () => {
    const w: GlobWalker = {
      async list(dir) {
        if (dir === '/')
          return [
            { name: 'dyn', type: 'directory', nodeId: 'n1' },
            { name: 'gone', type: 'directory', nodeId: 'n2' },
          ];
        if (dir === '/gone') throw pondError('ENOENT', dir, 'no such file or directory');
        throw pondError('EFACTORY', dir, 'factory failed');
      },
    };
    await expect(glob('/gone/*', w)).resolves.toEqual([]);
    await expect(glob('/*/*', w)).rejects.toMatchObject({ code: 'EFACTORY', data: { path: '/dyn' } });
  });

  it('stops when the signal aborts', async () => {
    const ac = new AbortController();
    const w = new FakeWalker(TREE);
    const inner = w.list.bind(w);
    w.list = async (dir) => {
      if (dir === '/data') ac.abort();
      return inner(dir);
    };
    await expect(glob('/**', w, { signal: ac.signal })).rejects.toMatchObject({ name: 'AbortError' });
    await expect(glob('/**', w, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
  });
});
