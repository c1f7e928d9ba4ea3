// Every Arrow type real Parquet files carry, paged through the worker's service from any offset:
// a table written as Parquet (as Polars writes it: large strings), imported into a pond, opened for
// the grid, paged sorted and unsorted, charted and exported as CSV; the values are checked.
import { describe, it, expect, beforeAll } from 'vitest';
import * as arrow from 'apache-arrow';
import { PondService } from '../../workers/pond-service.ts';
import { memoryBackend } from '../../workers/backends.ts';
import { ResultSets } from '../../workers/result-sets.ts';
import { tableToParquet } from '../../src/core/arrow/parquet.ts';
import type { TableHandle } from '../../workers/api.ts';

const ROWS = 1_234;
const BIG = 2n ** 60n;
const T0 = Date.UTC(2024, 0, 1);

/** Row i's values, as the grid should show them (decimals as text, nested values as JSON). */
function expected(i: number) {
  return {
    id: i,
    name: i % 7 === 0 ? null : `name ${i}`,
    blob: i % 5 === 0 ? null : [i & 255, (i >> 8) & 255],
    big: BIG + BigInt(i),
    ubig: 2n ** 64n - 1n - BigInt(i),
    price: `${Math.floor(i / 100)}.${String(i % 100).padStart(2, '0')}`,
    at: T0 + i * 60_000,
    day: T0 + i * 86_400_000,
    kind: ['red', 'green', 'blue'][i % 3],
    tags: i % 4 === 0 ? null : [i, i + 1],
    point: { x: i, label: `p${i}` },
  };
}

function vec(values: unknown[], type: arrow.DataType): arrow.Vector {
  return arrow.vectorFromArray(values, type);
}

/** The table of `expected` rows, with the wide and awkward types. */
function wideTable(rows = ROWS): arrow.Table {
  const r = Array.from({ length: rows }, (_, i) => expected(i));
  // Decimal(10, 2): the unscaled value i in the low 32 bits of each 128-bit word.
  const words = new Uint32Array(rows * 4);
  for (let i = 0; i < rows; i++) words[i * 4] = i;
  const price = arrow.makeVector(arrow.makeData({ type: new arrow.Decimal(2, 10, 128), length: rows, nullCount: 0, data: words }));
  return new arrow.Table({
    id: vec(
      r.map((x) => x.id),
      new arrow.Int32(),
    ),
    name: vec(
      r.map((x) => x.name),
      new arrow.LargeUtf8(),
    ),
    blob: vec(
      r.map((x) => (x.blob ? Uint8Array.from(x.blob) : null)),
      new arrow.LargeBinary(),
    ),
    big: vec(
      r.map((x) => x.big),
      new arrow.Int64(),
    ),
    ubig: vec(
      r.map((x) => x.ubig),
      new arrow.Uint64(),
    ),
    price,
    at: vec(
      r.map((x) => x.at),
      new arrow.Timestamp(arrow.TimeUnit.NANOSECOND, 'Europe/Paris'),
    ),
    day: vec(
      r.map((x) => x.day),
      new arrow.DateDay(),
    ),
    kind: vec(
      r.map((x) => x.kind),
      new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32()),
    ),
    tags: vec(
      r.map((x) => x.tags?.map(BigInt) ?? null),
      new arrow.List(new arrow.Field('item', new arrow.Int64(), true)),
    ),
    point: vec(
      r.map((x) => x.point),
      new arrow.Struct([new arrow.Field('x', new arrow.Int32(), true), new arrow.Field('label', new arrow.Utf8(), true)]),
    ),
  });
}

/** A page's rows as plain values, the way the UI decodes them (state/table.svelte.ts). */
function decodePage(ipc: Uint8Array): Record<string, unknown>[] {
  const table = arrow.tableFromIPC(ipc);
  const out: Record<string, unknown>[] = [];
  for (let r = 0; r < table.numRows; r++) {
    const row: Record<string, unknown> = {};
    for (const f of table.schema.fields) row[f.name] = plain(table.getChild(f.name)!.get(r));
    out.push(row);
  }
  return out;
}

function plain(v: unknown): unknown {
  if (v instanceof Uint8Array) return [...v];
  return v;
}

/** Row i as a page shows it. */
function shown(i: number): Record<string, unknown> {
  const e = expected(i);
  return {
    ...e,
    tags: e.tags === null ? null : JSON.stringify(e.tags),
    point: JSON.stringify(e.point),
  };
}

describe('grid paging over every Arrow type', () => {
  let api: PondService;
  let handle: TableHandle;

  beforeAll(async () => {
    api = new PondService(async () => memoryBackend());
    await api.createPond('types');
    await api.mkdir('/data');
    await api.writeFile('/data/wide.parquet', await tableToParquet(wideTable()), { type: 'file:table' });
    handle = await api.openTable('/data/wide.parquet');
  });

  it('keeps the large types through Parquet and classifies every column', () => {
    expect(handle.rows).toBe(ROWS);
    const kinds = Object.fromEntries(handle.columns.map((c) => [c.name, c.kind]));
    expect(kinds).toEqual({
      id: 'number',
      name: 'string',
      blob: 'other',
      big: 'bigint',
      ubig: 'bigint',
      price: 'number',
      at: 'time',
      day: 'time',
      kind: 'string',
      tags: 'other',
      point: 'other',
    });
    const types = Object.fromEntries(handle.columns.map((c) => [c.name, c.type]));
    expect(types.name).toBe('LargeUtf8');
    expect(types.blob).toBe('LargeBinary');
  });

  it('pages from any offset, unsorted', async () => {
    for (const offset of [0, 190, 500, ROWS - 200, ROWS - 34]) {
      const page = await api.tablePage(handle.id, offset, 200);
      expect(page.offset).toBe(offset);
      expect(page.rows).toBe(Math.min(200, ROWS - offset));
      const rows = decodePage(page.ipc);
      expect(rows).toHaveLength(page.rows);
      for (const k of [0, 1, 7, page.rows - 1]) expect(rows[k], `row ${offset + k}`).toEqual(shown(offset + k));
    }
  });

  it('pages from any offset, sorted by each column', async () => {
    // Descending by id, name (text, nulls last) and the 64-bit columns: every page comes back whole.
    const desc = await api.tablePage(handle.id, 190, 200, { column: 'id', desc: true });
    const rows = decodePage(desc.ipc);
    expect(rows[0]).toEqual(shown(ROWS - 1 - 190));
    expect(rows[199]).toEqual(shown(ROWS - 1 - 389));
    const byUbig = decodePage((await api.tablePage(handle.id, 500, 10, { column: 'ubig', desc: false })).ipc);
    expect(byUbig[0]).toEqual(shown(ROWS - 1 - 500));
    const byBig = decodePage((await api.tablePage(handle.id, ROWS - 1, 10, { column: 'big', desc: false })).ipc);
    expect(byBig).toEqual([shown(ROWS - 1)]);
    const byPrice = decodePage((await api.tablePage(handle.id, 0, 3, { column: 'price', desc: true })).ipc);
    expect(byPrice.map((r) => r.price)).toEqual(['12.33', '12.32', '12.31']);
    const byName = decodePage((await api.tablePage(handle.id, ROWS - 3, 3, { column: 'name', desc: false })).ipc);
    expect(byName.map((r) => r.name)).toEqual([null, null, null]);
    for (const column of ['blob', 'at', 'day', 'kind', 'tags', 'point']) {
      const page = await api.tablePage(handle.id, 500, 200, { column, desc: true });
      expect(decodePage(page.ipc)).toHaveLength(200);
    }
  });

  it('charts 64-bit integers, decimals and time zones as numbers', async () => {
    const data = await api.chartData(handle.id, 'at', ['big', 'price', 'ubig'], 4000);
    expect(data.xIsTime).toBe(true);
    expect(data.total).toBe(ROWS);
    expect(data.x[300]).toBe(T0 + 300 * 60_000);
    expect(data.ys[0][300]).toBe(Number(BIG + 300n));
    expect(data.ys[1][300]).toBeCloseTo(3, 10);
    expect(data.ys[2][300]).toBe(Number(2n ** 64n - 301n));
    const byDay = await api.chartData(handle.id, 'day', ['id'], 4000, 'kind');
    expect(byDay.labels).toEqual(['red', 'green', 'blue']);
    expect(byDay.ys[1][4]).toBe(4);
  });

  it('exports every type as CSV', async () => {
    const csv = new TextDecoder().decode(await api.exportFile('/data/wide.parquet', 'csv')).split('\r\n');
    expect(csv[0]).toBe('id,name,blob,big,ubig,price,at,day,kind,tags,point');
    expect(csv[1 + 302]).toBe(
      `302,name 302,2e01,${BIG + 302n},${2n ** 64n - 303n},3.02,2024-01-01T05:02:00.000Z,2024-10-29,blue,"[302,303]","{""x"":302,""label"":""p302""}"`,
    );
    expect(csv[1 + 301]).toMatch(/^301,,"?[0-9a-f]+"?,/);
    expect(csv).toHaveLength(ROWS + 2);
  });
});

describe('ResultSets over a table of many batches', () => {
  it('pages across batch boundaries', async () => {
    const whole = wideTable(600);
    const table = new arrow.Table([whole.slice(0, 280), whole.slice(280, 280), whole.slice(280, 600)].flatMap((t) => t.batches));
    expect(table.batches.length).toBeGreaterThan(1);
    const results = new ResultSets();
    const { id } = results.hold(table, '/t');
    const rows = decodePage(results.page(id, 250, 100).ipc);
    expect(rows.map((r) => r.id)).toEqual(Array.from({ length: 100 }, (_, k) => 250 + k));
    expect(rows[60]).toEqual(shown(310));
    await results.sorted(id, { column: 'name', desc: true });
    const sorted = decodePage(results.page(id, 250, 100, { column: 'name', desc: true }).ipc);
    expect(sorted.every((r) => typeof r.name === 'string')).toBe(true);
  });
});
