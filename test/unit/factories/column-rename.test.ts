// column-rename, the Rust DuckPond's table transform: its rules (the Rust unit tests' cases), casts,
// use through the `transforms` field of temporal-reduce and sql-derived, config errors, and a
// change of the rules reaching the factories that use them.
import { describe, it, expect, beforeAll } from 'vitest';
import * as arrow from 'apache-arrow';
import { openDynamic, parquet, floats, ints, strs, dec } from '../dynamic/fixtures.ts';
import { parseConfigText } from '../../../src/core/dynamic/config.ts';
import { loadRegexEngine, renameColumns, renamedColumn, type RenameRule } from '../../../src/core/factories/column-rename.ts';

// renamedColumn and renameColumns need the regex engine, which loads with the first rename.
beforeAll(() => loadRegexEngine());

/** The example of Rust's docs/cli-reference.md (column-rename), verbatim. */
const RUST_EXAMPLE = `rules:
  - type: direct
    from: "Date Time"
    to: "timestamp"
    cast: timestamp              # Optional: cast to type
  - type: pattern
    pattern: "^(.+) \\\\((.+)\\\\)$"
    replacement: "$1.$2"         # Regex capture groups
`;

const rules = (r: RenameRule[]) => r;
const T0 = Date.UTC(2024, 0, 1);

describe('column-rename rules (the cases of Rust column_rename.rs tests)', () => {
  it('direct, pattern and combined rules; the first rule that applies wins', () => {
    const direct = rules([{ type: 'direct', from: 'DateTime', to: 'timestamp' }]);
    expect(renamedColumn(direct, 'DateTime')).toBe('timestamp');
    expect(renamedColumn(direct, 'OtherColumn')).toBe('OtherColumn');
    const pattern = rules([{ type: 'pattern', pattern: String.raw`^(.+) \((.+)\)$`, replacement: '$1.$2' }]);
    expect(renamedColumn(pattern, 'Temperature (C)')).toBe('Temperature.C');
    expect(renamedColumn(pattern, 'DO (mg/L)')).toBe('DO.mg/L');
    expect(renamedColumn(pattern, 'SimpleColumn')).toBe('SimpleColumn');
    const both = [...direct, ...pattern];
    expect(['DateTime', 'Temperature (C)', 'Simple'].map((c) => renamedColumn(both, c))).toEqual(['timestamp', 'Temperature.C', 'Simple']);
    // Rust's replacement syntax: named groups, ${n}, $$, and a `$name` that names no group is empty.
    const named = rules([{ type: 'pattern', pattern: '(?P<site>[A-Z]+)_(?P<param>\\w+)', replacement: '${param}@$site$$ $1x' }]);
    expect(renamedColumn(named, 'NORTH_temp')).toBe('temp@NORTH$ ');
    // Only the first match is replaced (Regex::replace), the rest of the name is kept.
    expect(renamedColumn(rules([{ type: 'pattern', pattern: 'a', replacement: 'b' }]), 'banana')).toBe('bbnana');
  });

  it('casts a direct rule says (timestamp is Timestamp(s, +00:00) as in Rust), renames keep the data', () => {
    const table = new arrow.Table({
      'Date Time': arrow.vectorFromArray([1_700_000_000n, 1_700_000_060n], new arrow.Int64()),
      'Temp (C)': floats([1.5, 2.5]),
      n: strs(['7', null]),
    });
    const config = {
      rules: rules([
        { type: 'direct', from: 'Date Time', to: 'timestamp', cast: 'timestamp' },
        { type: 'direct', from: 'n', to: 'count', cast: 'INT64' },
        { type: 'pattern', pattern: String.raw`^(.+) \((.+)\)$`, replacement: '$1.$2' },
      ]),
    };
    const out = renameColumns(table, config, '/in');
    expect(out.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual(['timestamp:Timestamp<SECOND, +00:00>', 'Temp.C:Float64', 'count:Int64']);
    expect([...out.getChild('timestamp')!]).toEqual([1_700_000_000_000, 1_700_000_060_000]);
    expect([...out.getChild('Temp.C')!]).toEqual([1.5, 2.5]);
    expect([...out.getChild('count')!]).toEqual([7n, null]);
    expect(() => renameColumns(table, { rules: rules([{ type: 'pattern', pattern: '.*', replacement: 'same' }]) }, '/in')).toThrow(
      /EFACTORY: \/in: column-rename gives two columns the name "same"/,
    );
  });
});

describe('column-rename safety and Arrow fidelity', () => {
  it('a pond-supplied regex runs in linear time: ^(a+)+$ over a 60-character name answers at once', () => {
    const hostile = rules([{ type: 'pattern', pattern: '^(a+)+$', replacement: 'x' }]);
    const start = performance.now();
    expect(renamedColumn(hostile, 'a'.repeat(60) + '!')).toBe('a'.repeat(60) + '!');
    expect(renamedColumn(hostile, 'a'.repeat(60))).toBe('x');
    // A backtracking engine takes hours on this name; RE2's automaton a fraction of a millisecond.
    expect(performance.now() - start).toBeLessThan(250);
  });

  it('Rust regex syntax: inline (?i), named groups; lookaround and backreferences are ECONFIG naming the field', async () => {
    expect(renamedColumn(rules([{ type: 'pattern', pattern: '(?i)^temp_(?P<u>[a-z]+)$', replacement: 'T.$u' }]), 'TEMP_Cel')).toBe('T.Cel');
    // Indexes are UTF-16 units: a name with a non-BMP character keeps its tail.
    expect(renamedColumn(rules([{ type: 'pattern', pattern: 'b', replacement: 'B' }]), '😀ab😀')).toBe('😀aB😀');
    const { pond } = await openDynamic();
    for (const pattern of ['(?=a)b', '(a)\\1', '(?<=a)b']) {
      const e = (await pond
        .transact((tx) => tx.mknod('/t', 'column-rename', { rules: [{ type: 'pattern', pattern, replacement: 'x' }] }))
        .catch((x: unknown) => x)) as Error;
      expect(e.message).toMatch(/^ECONFIG: \/t: invalid column-rename config: rules\[0\]\.pattern: invalid regex: .*no lookaround or backreferences/);
    }
  });

  it('the timestamp cast of text reads a time without offset as UTC, whatever the host zone (Arrow casts naive as UTC)', () => {
    const table = new arrow.Table({ when: strs(['2024-01-01 06:00:00', '2024-01-01T06:00:00.5', '2024-01-01', '2024-01-01T06:00:00+02:00', null]) });
    const config = { rules: rules([{ type: 'direct', from: 'when', to: 'timestamp', cast: 'timestamp' }]) };
    const saved = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      // The zone really changed: a Date built from local fields is not UTC here.
      expect(new Date(2024, 0, 1).getTimezoneOffset()).toBe(300);
      const out = renameColumns(table, config, '/in');
      expect([...out.getChild('timestamp')!]).toEqual([Date.UTC(2024, 0, 1, 6), Date.UTC(2024, 0, 1, 6), Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 1, 4), null]);
      expect(() => renameColumns(new arrow.Table({ when: strs(['2024-01-01T00:00:00Z', '01/02/2024']) }), config, '/in')).toThrow(
        /^EFACTORY: \/in: column when, row 1: cannot cast to a timestamp: "01\/02\/2024" is not a timestamp/,
      );
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });
});

describe('column-rename nodes', () => {
  it("the Rust docs' example validates; reading the node gives its rules", async () => {
    const { pond } = await openDynamic();
    await pond.transact(async (tx) => {
      await tx.mkdir('/etc');
      await tx.mknod('/etc/10-hrename', 'column-rename', parseConfigText(RUST_EXAMPLE, '/etc/10-hrename'));
    });
    expect(dec(await pond.readFile('/etc/10-hrename'))).toContain('replacement: $1.$2');
    expect((await pond.stat('/etc/10-hrename')).type).toBe('file:data');
  });

  it('config errors are ECONFIG naming the field', async () => {
    const { pond } = await openDynamic();
    const bad = async (config: unknown) => ((await pond.transact((tx) => tx.mknod('/t', 'column-rename', config)).catch((e: unknown) => e)) as Error).message;
    expect(await bad({ rules: [{ type: 'pattern', pattern: '(?P<unclosed', replacement: '$1' }] })).toMatch(
      /^ECONFIG: \/t: invalid column-rename config: rules\[0\]\.pattern: invalid regex/,
    );
    expect(await bad({ rules: [{ type: 'direct', from: 'a', to: 'b', cast: 'decimal' }] })).toMatch(/rules\[0\]\.cast: unknown cast type/);
    expect(await bad({ rules: [{ type: 'rename', from: 'a', to: 'b' }] })).toMatch(/rules\[0\]\.type: /);
    expect(await bad({ rules: [{ type: 'direct', from: 'a' }] })).toMatch(/rules\[0\]\.to: /);
    expect(await bad({ rules: [{ type: 'direct', from: 'a', to: 'b', when: 1 }] })).toMatch(/rules\[0\]: unknown field "when"/);
    expect(await bad({})).toMatch(/rules: /);
  });

  it('temporal-reduce and sql-derived apply transforms in order; changing the rules changes their output', async () => {
    const { pond } = await openDynamic();
    await pond.transact(async (tx) => {
      await tx.mkdir('/etc');
      await tx.mkdir('/raw');
      await tx.writeFile(
        '/raw/north',
        await parquet({
          'Date Time': arrow.vectorFromArray([T0 / 1000, T0 / 1000 + 60, T0 / 1000 + 3600].map(BigInt), new arrow.Int64()),
          'Temp (C)': floats([1, 3, 10]),
        }),
        { type: 'file:series' },
      );
      await tx.mknod('/etc/10-rename', 'column-rename', parseConfigText(RUST_EXAMPLE, '/etc/10-rename'));
      await tx.mknod('/etc/20-upper', 'column-rename', { rules: [{ type: 'direct', from: 'Temp.C', to: 'TEMP' }] });
      await tx.mknod('/reduced', 'temporal-reduce', {
        in_pattern: 'series:///raw/*',
        out_pattern: '$0',
        time_column: 'timestamp',
        resolutions: ['1h'],
        aggregations: [{ type: 'avg' }],
        transforms: ['/etc/10-rename', '/etc/20-upper'],
      });
      await tx.mknod('/derived', 'sql-derived-table', { patterns: { source: 'series:///raw/north' }, transforms: ['/etc/10-rename'] });
    });
    const r = await pond.readTable('/reduced/north/res=1h.series');
    expect(r.schema.fields.map((f) => f.name)).toEqual(['timestamp', 'TEMP.avg']);
    expect([...r.getChild('TEMP.avg')!]).toEqual([2, 10]);
    expect((await pond.readTable('/derived')).schema.fields.map((f) => f.name)).toEqual(['timestamp', 'Temp.C']);
    await pond.transact((tx) => tx.mknod('/etc/20-upper', 'column-rename', { rules: [{ type: 'direct', from: 'Temp.C', to: 'water' }] }));
    expect((await pond.readTable('/reduced/north/res=1h.series')).schema.fields.map((f) => f.name)).toEqual(['timestamp', 'water.avg']);
  });

  it('a transform that is not a column-rename node is EFACTORY naming it', async () => {
    const { pond } = await openDynamic();
    await pond.transact(async (tx) => {
      await tx.writeFile('/t.parquet', await parquet({ a: ints([1]) }), { type: 'file:table' });
      await tx.mknod('/d', 'sql-derived-table', { patterns: { source: 'table:///t.parquet' }, transforms: ['/t.parquet'] });
    });
    await expect(pond.readTable('/d')).rejects.toThrow(/^EFACTORY: \/d: transform \/t\.parquet is a stored file, not a table transform \(column-rename\)/);
  });
});
