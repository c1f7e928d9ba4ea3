import { describe, it, expect } from 'vitest';
import * as arrow from 'apache-arrow';
import { openDynamic } from '../dynamic/fixtures.ts';
import { generate, scribble } from '../../../src/core/factories/scribble.ts';

const cfg = (c: Record<string, unknown>) => scribble.schema.parse(c);
const collect = (c: Record<string, unknown>) => new arrow.Table([...generate(cfg(c))]);

describe('scribble', () => {
  it('with a seed, the bytes are identical on every read and in every pond', async () => {
    const config = { schema: { id: 'integer', x: 'float', s: 'string', b: 'boolean', t: 'timestamp' }, row_count: 1000, seed: 42, distribution: 'normal' };
    const a = await openDynamic();
    const b = await openDynamic();
    await a.pond.transact((tx) => tx.mknod('/s', 'scribble', config));
    await b.pond.transact(async (tx) => {
      await tx.mkdir('/other');
      await tx.mknod('/other/s', 'scribble', config);
    });
    const first = await a.pond.readFile('/s');
    a.resolver.clearCache();
    expect(await a.pond.readFile('/s')).toEqual(first);
    expect(await b.pond.readFile('/other/s')).toEqual(first);
    expect(a.resolver.computeCount).toBe(2);
  });

  it('the seeded values are fixed (golden values: a change here breaks every stored demo)', () => {
    const t = collect({
      schema: [
        { name: 'i', type: 'integer', min: 1, max: 6 },
        { name: 'f', type: 'float', distribution: 'normal' },
        { name: 's', type: 'string', values: ['x', 'y', 'z'] },
      ],
      row_count: 4,
      seed: 7,
    });
    const values = t.toArray().map((r) => r.toJSON());
    for (const v of values) expect(Number(v.i)).toBeGreaterThanOrEqual(1);
    for (const v of values) expect(Number(v.i)).toBeLessThanOrEqual(6);
    expect(JSON.stringify(values, (_k, v) => (typeof v === 'bigint' ? Number(v) : v))).toMatchInlineSnapshot(
      `"[{"i":6,"f":0.2349430728378643,"s":"x"},{"i":2,"f":0.6784263400112205,"s":"z"},{"i":1,"f":0.715130879078451,"s":"x"},{"i":3,"f":-0.8022756067724598,"s":"x"}]"`,
    );
  });

  it('column types map to Arrow: integer Int64, float Float64, string Utf8, boolean Bool, timestamp µs UTC', () => {
    const t = collect({ schema: { i: 'integer', f: 'float', s: 'string', b: 'boolean', t: 'timestamp' }, row_count: 3, seed: 1 });
    expect(t.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual(['i:Int64', 'f:Float64', 's:Utf8', 'b:Bool', 't:Timestamp<MICROSECOND, UTC>']);
    expect([...t.getChild('t')!].map(Number)).toEqual([Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 1) + 60_000, Date.UTC(2024, 0, 1) + 120_000]);
  });

  it('distributions have the right shape', () => {
    const n = 20_000;
    const t = collect({
      schema: [
        { name: 'u', type: 'float', min: 10, max: 20 },
        { name: 'g', type: 'float', distribution: 'normal', mean: 5, stddev: 2 },
        { name: 'e', type: 'float', distribution: 'exponential', mean: 3 },
        { name: 'k', type: 'integer', min: -2, max: 2 },
        { name: 'p', type: 'boolean', probability: 0.25 },
      ],
      row_count: n,
      seed: 'shape',
    });
    const col = (name: string) => [...t.getChild(name)!] as number[];
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const u = col('u');
    expect(Math.min(...u)).toBeGreaterThanOrEqual(10);
    expect(Math.max(...u)).toBeLessThan(20);
    expect(mean(u)).toBeCloseTo(15, 0);
    const g = col('g');
    const gm = mean(g);
    expect(gm).toBeCloseTo(5, 1);
    expect(Math.sqrt(mean(g.map((x) => (x - gm) ** 2)))).toBeCloseTo(2, 1);
    const e = col('e');
    expect(Math.min(...e)).toBeGreaterThanOrEqual(0);
    expect(mean(e)).toBeGreaterThan(2.8);
    expect(mean(e)).toBeLessThan(3.2);
    const k = ([...t.getChild('k')!] as bigint[]).map(Number);
    expect(new Set(k)).toEqual(new Set([-2, -1, 0, 1, 2]));
    const p = [...t.getChild('p')!] as boolean[];
    expect(p.filter(Boolean).length / n).toBeGreaterThan(0.22);
    expect(p.filter(Boolean).length / n).toBeLessThan(0.28);
  });

  it('null_fraction, values and more than one batch', () => {
    const t = collect({ schema: [{ name: 's', type: 'string', values: ['a', 'b'], null_fraction: 0.5 }], row_count: 70_000, seed: 3 });
    expect(t.numRows).toBe(70_000);
    expect(t.batches.length).toBe(2);
    const s = t.getChild('s')!;
    expect(s.nullCount / 70_000).toBeGreaterThan(0.45);
    expect(s.nullCount / 70_000).toBeLessThan(0.55);
    expect(new Set([...s].filter((x) => x !== null))).toEqual(new Set(['a', 'b']));
  });

  it('adding a column leaves the others unchanged (each column has its own stream)', () => {
    const a = collect({ schema: { x: 'float' }, row_count: 10, seed: 5 });
    const b = collect({ schema: { y: 'integer', x: 'float' }, row_count: 10, seed: 5 });
    expect([...b.getChild('x')!]).toEqual([...a.getChild('x')!]);
  });

  it('without a seed each compute differs', () => {
    const a = collect({ schema: { x: 'float' }, row_count: 5 });
    const b = collect({ schema: { x: 'float' }, row_count: 5 });
    expect([...a.getChild('x')!]).not.toEqual([...b.getChild('x')!]);
  });

  it('output_type file:series makes a series node; zero rows still have the schema', async () => {
    const { pond } = await openDynamic();
    await pond.transact(async (tx) => {
      await tx.mknod('/ser', 'scribble', { schema: { t: 'timestamp', v: 'float' }, row_count: 10, seed: 1, output_type: 'file:series' });
      await tx.mknod('/empty', 'scribble', { schema: { v: 'float' }, row_count: 0, seed: 1 });
    });
    expect((await pond.stat('/ser')).type).toBe('file:series');
    expect((await pond.readTable('/ser')).numRows).toBe(10);
    const empty = await pond.readTable('/empty');
    expect(empty.numRows).toBe(0);
    expect(empty.schema.fields.map((f) => f.name)).toEqual(['v']);
  });

  it('config errors name the field', async () => {
    const { pond } = await openDynamic();
    const bad = async (config: unknown) => (await pond.transact((tx) => tx.mknod('/s', 'scribble', config)).catch((e) => e)) as Error;
    expect(
      (
        await bad({
          schema: [
            { name: 'a', type: 'integer' },
            { name: 'a', type: 'float' },
          ],
          row_count: 1,
        })
      ).message,
    ).toMatch(/schema\[1\]\.name: duplicate column name "a"/);
    expect((await bad({ schema: [{ name: 'a', type: 'decimal' }], row_count: 1 })).message).toMatch(/ECONFIG: \/s: .*schema/);
    expect((await bad({ schema: { a: 'integer' }, row_count: 10_000_001 })).message).toMatch(/row_count: /);
    expect((await bad({ schema: { a: 'integer' }, row_count: 1, distribution: 'poisson' })).message).toMatch(/distribution: /);
    expect((await bad({ schema: [{ name: 'a', type: 'integer', min: 5, max: 1 }], row_count: 1 })).message).toMatch(
      /schema\[0\]\.min: min must not exceed max/,
    );
  });
});
