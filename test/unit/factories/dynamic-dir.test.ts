// dynamic-dir as in the Rust DuckPond: named entries, each made by its own factory from the
// registry, readable like any dynamic node (listed, stat'ed, cached per entry), reading each other,
// nested; entry configs checked with the directory's, errors naming the entry.
import { describe, it, expect } from 'vitest';
import { openDynamic, rows, dec, enc } from '../dynamic/fixtures.ts';
import { childNodeId, parseChildNodeId } from '../../../src/core/dynamic/children.ts';
import { findReaders } from '../../../workers/readers.ts';

const synth = (name: string, offset: number) => ({
  name,
  factory: 'synthetic-timeseries',
  config: {
    start: '2024-01-01T00:00:00Z',
    end: '2024-01-01T03:00:00Z',
    interval: '1h',
    points: [{ name: 'v', components: [{ type: 'line', offset, slope: 0 }] }],
  },
});

describe('dynamic-dir: entries', () => {
  it('lists its entries with the type each factory produces; each reads as that factory makes it', async () => {
    const { pond } = await openDynamic();
    await pond.transact(async (tx) => {
      await tx.mkdir('/notes');
      await tx.writeFile('/notes/a.txt', enc('hello'));
      await tx.mknod('/d', 'dynamic-dir', {
        entries: [
          synth('s', 5),
          { name: 'sum', factory: 'sql_query', config: { query: 'SELECT SUM(v) AS total, COUNT(*) AS n FROM t', tables: { t: 's' } } },
          { name: 'listing', factory: 'directory', config: { pattern: '/notes/*' } },
          { name: 'inner', factory: 'dynamic-dir', config: { entries: [synth('deep', 2)] } },
        ],
      });
    });
    expect(await pond.readdir('/d')).toEqual([
      { name: 'inner', type: 'directory', factory: 'dynamic-dir' },
      { name: 'listing', type: 'directory', factory: 'directory' },
      { name: 's', type: 'file:series', factory: 'synthetic-timeseries' },
      { name: 'sum', type: 'file:table', factory: 'sql_query' },
    ]);
    expect(rows(await pond.readTable('/d/s')).map((r) => r.v)).toEqual([5, 5, 5, 5]);
    // An entry reads a sibling by a path relative to the directory.
    expect(rows(await pond.readTable('/d/sum'))).toEqual([{ total: 20, n: 4 }]);
    expect(dec(await pond.readFile('/d/listing/a.txt'))).toBe('hello');
    expect(rows(await pond.readTable('/d/inner/deep')).map((r) => r.v)).toEqual([2, 2, 2, 2]);
    expect((await pond.glob('/d/**/deep')).map((m) => m.path)).toEqual(['/d/inner/deep']);

    const stat = await pond.stat('/d/s');
    expect([stat.type, stat.factory, stat.version]).toEqual(['file:series', 'synthetic-timeseries', 1]);
    expect(stat.size).toBeGreaterThan(0);
    expect(await pond.config('/d/sum')).toEqual({ query: 'SELECT SUM(v) AS total, COUNT(*) AS n FROM t', tables: { t: 's' } });
    expect((await pond.versions('/d/s')).map((v) => v.version)).toEqual([1]);
  });

  it('entry names are NFC, as every stored name: an NFD name is reachable by both spellings; NFD and NFC of one name are duplicates', async () => {
    const { pond } = await openDynamic();
    const nfd = 'cafe\u0301';
    await pond.transact((tx) => tx.mknod('/d', 'dynamic-dir', { entries: [synth(nfd, 3)] }));
    expect((await pond.readdir('/d')).map((e) => e.name)).toEqual([nfd.normalize('NFC')]);
    for (const name of [nfd, nfd.normalize('NFC')]) expect(rows(await pond.readTable(`/d/${name}`)).map((r) => r.v)).toEqual([3, 3, 3, 3]);
    const e = (await pond
      .transact((tx) => tx.mknod('/e', 'dynamic-dir', { entries: [synth(nfd, 1), synth(nfd.normalize('NFC'), 2)] }))
      .catch((x: unknown) => x)) as Error;
    expect(e.message).toMatch(/^ECONFIG: \/e: invalid dynamic-dir config: entries\[1\]\.name: duplicate entry name "café"/);
  });

  it('each entry is computed once and cached on its own; a new config recomputes only the entries it changed', async () => {
    const { pond, resolver } = await openDynamic();
    await pond.transact((tx) => tx.mknod('/d', 'dynamic-dir', { entries: [synth('a', 1), synth('b', 2)] }));
    await pond.readTable('/d/a');
    await pond.readTable('/d/b');
    const afterFirst = resolver.computeCount;
    await pond.readTable('/d/a');
    await pond.readTable('/d/b');
    expect(resolver.computeCount).toBe(afterFirst);
    await pond.transact((tx) => tx.mknod('/d', 'dynamic-dir', { entries: [synth('a', 1), synth('b', 3)] }));
    expect(rows(await pond.readTable('/d/b')).map((r) => r.v)).toEqual([3, 3, 3, 3]);
    expect(rows(await pond.readTable('/d/a')).map((r) => r.v)).toEqual([1, 1, 1, 1]);
    // The directory's listing and entry b ran again; entry a (same config) did not.
    expect(resolver.computeCount).toBe(afterFirst + 2);
    expect((await pond.versions('/d/b')).map((v) => v.version)).toEqual([1, 2]);
  });

  it('an entry removed from the config is gone; entries reading each other in a cycle are ELOOP', async () => {
    const { pond } = await openDynamic();
    await pond.transact((tx) =>
      tx.mknod('/d', 'dynamic-dir', {
        entries: [
          { name: 'x', factory: 'sql_query', config: { tables: { t: '/d/y' } } },
          { name: 'y', factory: 'sql_query', config: { tables: { t: '/d/x' } } },
          synth('gone', 1),
        ],
      }),
    );
    await expect(pond.readTable('/d/x')).rejects.toThrow(/ELOOP: .*cycle between dynamic nodes: .*\/d\/x → \/d\/y → \/d\/x/);
    await pond.transact((tx) => tx.mknod('/d', 'dynamic-dir', { entries: [synth('kept', 1)] }));
    await expect(pond.stat('/d/gone')).rejects.toThrow(/ENOENT/);
    expect((await pond.readdir('/d')).map((e) => e.name)).toEqual(['kept']);
  });

  it('a temporal-reduce entry reduces a sibling entry (directory entries with their own subdirectories)', async () => {
    const { pond } = await openDynamic();
    await pond.transact((tx) =>
      tx.mknod('/d', 'dynamic-dir', {
        entries: [
          synth('station', 4),
          {
            name: 'reduced',
            factory: 'temporal-reduce',
            config: {
              in_pattern: 'series:///d/*',
              out_pattern: '$0',
              time_column: 'timestamp',
              resolutions: ['2h'],
              aggregations: [{ type: 'count', columns: ['*'] }],
            },
          },
        ],
      }),
    );
    expect((await pond.glob('/d/reduced/**/*')).map((m) => m.path)).toEqual(['/d/reduced/station', '/d/reduced/station/res=2h.series']);
    expect(rows(await pond.readTable('/d/reduced/station/res=2h.series')).map((r) => r['timestamp.count'])).toEqual([2, 2]);
  });

  it('entry node ids name the directory and the entry', () => {
    const id = childNodeId('0190-abc', 'a>b#c/d é');
    expect(parseChildNodeId(id)).toEqual({ ownerId: '0190-abc', name: 'a>b#c/d é' });
    expect(parseChildNodeId(childNodeId(id, 'x'))).toEqual({ ownerId: id, name: 'x' });
    expect(parseChildNodeId('0190-abc')).toBeUndefined();
    expect(parseChildNodeId(`${id}#sub/dir`)).toBeUndefined();
  });
});

describe('dynamic-dir: config', () => {
  const bad = async (config: unknown) => {
    const { pond } = await openDynamic();
    return (await pond.transact((tx) => tx.mknod('/sensors', 'dynamic-dir', config)).catch((e: unknown) => e)) as Error & { code?: string };
  };

  it("an invalid entry config is ECONFIG naming the entry's path and the field, when the directory is made", async () => {
    const e = await bad({ entries: [synth('ok', 1), { ...synth('station_a', 1), config: { ...synth('x', 1).config, interval: 'soon' } }] });
    expect(e.code).toBe('ECONFIG');
    expect(e.message).toMatch(/^ECONFIG: \/sensors\/station_a: invalid synthetic-timeseries config: interval: /);
    const join = await bad({ entries: [{ name: 'combined', factory: 'timeseries-join', config: { inputs: [{ pattern: '/a' }] } }] });
    expect(join.message).toMatch(/^ECONFIG: \/sensors\/combined: invalid timeseries-join config: inputs: timeseries-join requires at least 2 inputs/);
    const nested = await bad({
      entries: [{ name: 'inner', factory: 'dynamic-dir', config: { entries: [{ name: 'deep', factory: 'timeseries-pivot', config: { pattern: '/a' } }] } }],
    });
    expect(nested.message).toMatch(/^ECONFIG: \/sensors\/inner\/deep: invalid timeseries-pivot config: columns: /);
  });

  it('an unknown factory is EFACTORY naming the entry; the directory itself is checked field by field', async () => {
    expect((await bad({ entries: [{ name: 'x', factory: 'no-such', config: {} }] })).message).toMatch(/^EFACTORY: \/sensors\/x: unknown factory "no-such"/);
    expect((await bad({ entries: [] })).message).toMatch(/^ECONFIG: \/sensors: invalid dynamic-dir config: entries: entries list cannot be empty/);
    expect((await bad({})).message).toMatch(/entries: /);
    expect((await bad({ entries: [synth('a', 1), synth('a', 2)] })).message).toMatch(/entries\[1\]\.name: duplicate entry name "a"/);
    expect((await bad({ entries: [synth('a/b', 1)] })).message).toMatch(/entries\[0\]\.name: name "a\/b" contains '\/'/);
    expect((await bad({ entries: [{ name: 'x', config: {} }] })).message).toMatch(/entries\[0\]\.factory: /);
    expect((await bad({ entries: [{ ...synth('a', 1), extra: true }] })).message).toMatch(/entries\[0\]: unknown field "extra"/);
  });
});

describe('dynamic-dir: readers of a path', () => {
  it("the Inspector's readers scan finds a directory whose entries read a path (join inputs, pivot patterns, nested entries)", async () => {
    const { pond } = await openDynamic();
    await pond.transact(async (tx) => {
      await tx.mkdir('/data');
      await tx.writeFile('/data/a.series', enc('x'));
      await tx.mknod('/sensors', 'dynamic-dir', {
        entries: [
          synth('s', 1),
          { name: 'j', factory: 'timeseries-join', config: { inputs: [{ pattern: 'series:///data/a.series' }, { pattern: 's' }] } },
          {
            name: 'inner',
            factory: 'dynamic-dir',
            config: { entries: [{ name: 'p', factory: 'timeseries-pivot', config: { pattern: 'series:///data/b*', columns: ['v'] } }] },
          },
        ],
      });
      await tx.mknod('/pivot', 'timeseries-pivot', { pattern: 'series:///data/*.series', columns: ['v'] });
    });
    const source = {
      readdir: (p: string) => pond.readdir(p),
      config: (p: string) => pond.config(p),
      readText: async (p: string) => dec(await pond.readFile(p)),
    };
    const a = await findReaders(source, '/data/a.series');
    expect(a.readers.map((r) => [r.path, r.via])).toEqual([
      ['/pivot', '/data/*.series'],
      ['/sensors', '/data/a.series'],
    ]);
    expect(a.uncertain).toEqual([]);
    expect((await findReaders(source, '/data/b1')).readers.map((r) => r.path)).toEqual(['/sensors']);
  });
});
