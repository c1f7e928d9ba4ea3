// The strict CSV reader (src/core/csv): what a user importing a CSV relies on — every good row in
// the table with the right type, every bad row reported with the line it starts on, never a
// silent one-column table.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import type * as arrow from 'apache-arrow';
import { readCsv, inspectCsv, type CsvReadOptions, type CsvType } from '../../../src/core/csv/index.ts';
import { isPondError } from '../../../src/core/errors.ts';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const read = (s: string | Uint8Array, o?: CsvReadOptions) => readCsv(typeof s === 'string' ? enc(s) : s, o);

/** Rows as plain values (bigint -> number when safe, timestamps as ISO strings). */
function rows(t: arrow.Table): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let r = 0; r < t.numRows; r++) {
    const row: Record<string, unknown> = {};
    for (const f of t.schema.fields) {
      let v: unknown = t.getChild(f.name)!.get(r);
      const tid = String(f.type);
      if (typeof v === 'bigint') v = Number(v);
      if (v !== null && tid.startsWith('Timestamp')) v = new Date(Number(v)).toISOString();
      if (v !== null && tid.startsWith('Date32')) v = new Date(Number(v)).toISOString().slice(0, 10);
      row[f.name] = v;
    }
    out.push(row);
  }
  return out;
}

const types = (s: { schema: { name: string; type: CsvType }[] }) => Object.fromEntries(s.schema.map((c) => [c.name, c.type]));
const lines = (s: { rejected: { line: number }[] }) => s.rejected.map((r) => r.line);

describe('quoting and line breaks', () => {
  const cases: { name: string; csv: string; want: Record<string, unknown>[] }[] = [
    { name: 'quoted delimiter', csv: 'a,b\n"x,y",1\n', want: [{ a: 'x,y', b: 1 }] },
    { name: 'doubled quote', csv: 'a,b\n"say ""hi""",1\n', want: [{ a: 'say "hi"', b: 1 }] },
    { name: 'embedded LF', csv: 'a,b\n"two\nlines",1\n', want: [{ a: 'two\nlines', b: 1 }] },
    { name: 'embedded CRLF', csv: 'a,b\r\n"two\r\nlines",1\r\n', want: [{ a: 'two\r\nlines', b: 1 }] },
    {
      name: 'CRLF endings',
      csv: 'a,b\r\nx,1\r\ny,2\r\n',
      want: [
        { a: 'x', b: 1 },
        { a: 'y', b: 2 },
      ],
    },
    {
      name: 'lone CR endings',
      csv: 'a,b\rx,1\ry,2',
      want: [
        { a: 'x', b: 1 },
        { a: 'y', b: 2 },
      ],
    },
    { name: 'no final newline', csv: 'a,b\nx,1', want: [{ a: 'x', b: 1 }] },
    { name: 'UTF-8 BOM', csv: '\uFEFFa,b\nx,1\n', want: [{ a: 'x', b: 1 }] },
    {
      name: 'blank lines skipped',
      csv: 'a,b\n\nx,1\n\n\ny,2\n',
      want: [
        { a: 'x', b: 1 },
        { a: 'y', b: 2 },
      ],
    },
    {
      name: 'unicode text',
      csv: 'name,n\nZürich ☃,1\n日本,2\n',
      want: [
        { name: 'Zürich ☃', n: 1 },
        { name: '日本', n: 2 },
      ],
    },
    { name: 'quoted empty is null', csv: 'a,b\n"",1\n', want: [{ a: null, b: 1 }] },
  ];
  it.each(cases)('$name', async ({ csv, want }) => {
    const r = await read(csv);
    expect(r.rejectedCount).toBe(0);
    expect(rows(r.table)).toEqual(want);
  });

  it('a row after an embedded newline keeps its physical line number', async () => {
    const r = await read('a,b\n"one\ntwo\nthree",1\nx,2,EXTRA\n');
    expect(r.rejected).toEqual([{ line: 5, reason: '3 fields where 2 are expected', text: 'x,2,EXTRA' }]);
  });
});

describe('delimiters and header', () => {
  it.each([
    [',', 'a,b,c\n1,2,3\n4,5,6\n'],
    ['\t', 'a\tb\tc\n1\t2\t3\n4\t5\t6\n'],
    [';', 'a;b;c\n1;2,5;3\n4;5;6\n'],
    ['|', 'a|b|c\n1|2|3\n4|5|6\n'],
  ])('detects %j', async (d, csv) => {
    const r = await read(csv);
    expect(r.delimiter).toBe(d);
    expect(r.schema.map((c) => c.name)).toEqual(['a', 'b', 'c']);
    expect(r.rows).toBe(2);
  });

  it('a semicolon file with decimal commas is not read as commas', async () => {
    const r = await read('x;y\n1,5;2\n3,5;4\n');
    expect(r.delimiter).toBe(';');
    expect(types(r)).toEqual({ x: 'Utf8', y: 'Int64' });
  });

  it('no header when the first row fits the column types', async () => {
    const r = await read('1,2.5,2024-01-01\n3,4.5,2024-01-02\n');
    expect(r.header).toBe(false);
    expect(r.schema.map((c) => c.name)).toEqual(['column1', 'column2', 'column3']);
    expect(r.rows).toBe(2);
  });

  it('a header over all-text columns is taken, with a warning', async () => {
    const r = await read('first,last\nada,lovelace\nalan,turing\n');
    expect(r.header).toBe(true);
    expect(r.rows).toBe(2);
    expect(r.warnings.join()).toMatch(/header/);
  });

  it('header and delimiter can be forced', async () => {
    const r = await read('first,last\nada,lovelace\n', { header: false });
    expect(r.rows).toBe(2);
    expect(rows(r.table)[0]).toEqual({ column1: 'first', column2: 'last' });
    const semi = await read('a;b,c\n1;2,3\n', { delimiter: ',' });
    expect(semi.schema.map((c) => c.name)).toEqual(['a;b', 'c']);
  });

  it('empty and duplicate header names are made unique', async () => {
    const r = await read('a,,a,a, b \n1,2,3,4,5\n');
    expect(r.schema.map((c) => c.name)).toEqual(['a', 'column2', 'a_2', 'a_3', 'b']);
  });

  it('a one-column file is one column, with no rows rejected', async () => {
    const r = await read('city\nParis\nBerlin\nRome\n');
    expect(r.schema).toEqual([{ name: 'city', type: 'Utf8', nullable: false }]);
    expect(r.rows).toBe(3);
    expect(r.rejectedCount).toBe(0);
  });

  it('a one-field header over delimited rows is an error that says so, not a one-column table', async () => {
    const err = await read('just a title\n1,2,3\n4,5,6\n7,8,9\n').catch((e: unknown) => e);
    expect(isPondError(err, 'EINVAL')).toBe(true);
    expect(String((err as Error).message)).toMatch(/line 1.*1 field but most rows have 3/);
  });

  it('a header using another delimiter than the rows is an error that says so', async () => {
    const err = await read('a;b;c\n1,2,3\n4,5,6\n').catch((e: unknown) => e);
    expect(String((err as Error).message)).toMatch(/line 1.*1 field but most rows have 3 \(delimiter ","\)/);
  });

  it('empty input and UTF-16 are refused with a reason', async () => {
    await expect(read('')).rejects.toThrow(/empty/);
    await expect(read('\n\n')).rejects.toThrow(/empty/);
    await expect(read(new Uint8Array([0xff, 0xfe, 0x61, 0x00]))).rejects.toThrow(/UTF-16/);
  });
});

describe('types', () => {
  it('infers each column as the narrowest type all its values fit', async () => {
    const r = await read(
      [
        'i,f,b,d,ts,tz,s,code,mix,big',
        '1,1.5,true,2024-01-31,2024-01-31 10:00:00,2024-01-31T10:00:00Z,x,007,1,9223372036854775807',
        '-2,2,FALSE,2024-02-29,2024-02-29T23:59:59.5,2024-02-29T23:59:59+02:00,y,012,2.5,1',
        '3,1e3,true,2023-12-01,2023-12-01T00:00,2023-12-01T00:00:00.000001-0130,z,999,x,99999999999999999999',
      ].join('\n'),
    );
    expect(types(r)).toEqual({
      i: 'Int64',
      f: 'Float64',
      b: 'Bool',
      d: 'Date',
      ts: 'Timestamp',
      tz: 'Timestamp(UTC)',
      s: 'Utf8',
      code: 'Utf8',
      mix: 'Utf8',
      big: 'Float64',
    });
    const [a, b, c] = rows(r.table);
    expect(a).toMatchObject({ i: 1, f: 1.5, b: true, d: '2024-01-31', ts: '2024-01-31T10:00:00.000Z', tz: '2024-01-31T10:00:00.000Z', code: '007', mix: '1' });
    expect(b).toMatchObject({ i: -2, b: false, d: '2024-02-29', ts: '2024-02-29T23:59:59.500Z', tz: '2024-02-29T21:59:59.000Z' });
    expect(c).toMatchObject({ f: 1000, tz: '2023-12-01T01:30:00.000Z' });
    // A column widened to Float64 (by 99999999999999999999) holds the nearest double of Int64's
    // maximum; microseconds survive exactly.
    expect(r.table.getChild('big')!.get(0)).toBe(2 ** 63);
    const us = r.table.getChild('tz')!.data[0].values as BigInt64Array;
    expect(us[2]).toBe(1701394200000001n);
  });

  it('Int64 beyond 2^53 is exact', async () => {
    const r = await read('n\n9007199254740993\n-9223372036854775808\n');
    const v = r.table.getChild('n')!.data[0].values as BigInt64Array;
    expect([...v]).toEqual([9007199254740993n, -9223372036854775808n]);
  });

  it('a date column with timestamps becomes Timestamp; naive and zoned mixed stay text', async () => {
    expect(types(await read('t\n2024-01-01\n2024-01-01T05:00\n'))).toEqual({ t: 'Timestamp' });
    expect(types(await read('t\n2024-01-01\n2024-01-01T05:00Z\n'))).toEqual({ t: 'Timestamp(UTC)' });
    expect(types(await read('t\n2024-01-01T05:00\n2024-01-01T05:00Z\n'))).toEqual({ t: 'Utf8' });
    expect(types(await read('t\n2024-02-30\n2024-01-01\n'))).toEqual({ t: 'Utf8' });
  });

  it('empty fields are null in every type; an all-empty column is nullable text', async () => {
    const r = await read('a,b,c,d\n1,,x,\n,2.5,,\n');
    expect(r.schema).toEqual([
      { name: 'a', type: 'Int64', nullable: true },
      { name: 'b', type: 'Float64', nullable: true },
      { name: 'c', type: 'Utf8', nullable: true },
      { name: 'd', type: 'Utf8', nullable: true },
    ]);
    expect(rows(r.table)).toEqual([
      { a: 1, b: null, c: 'x', d: null },
      { a: null, b: 2.5, c: null, d: null },
    ]);
  });

  it('spaces around numbers are ignored for the type, kept in text', async () => {
    const r = await read('a, b\n 1 , x \n2,y\n');
    expect(types(r)).toEqual({ a: 'Int64', b: 'Utf8' });
    expect(rows(r.table)[0]).toEqual({ a: 1, b: ' x ' });
  });
});

describe('rejected rows', () => {
  const bad = [
    'id,name,score', //          1
    '1,alice,3.5', //            2
    '2,bob,4.0,EXTRA', //        3
    '3,carol,2.5', //            4
    '4,"dave,1.0', //            5 unclosed quote
    '5,erin,4.5', //             6
    '6,frank', //                7 too few
    '7,gr"ace,1', //             8 quote inside unquoted field
    '8,"heidi"x,1', //           9 text after closing quote
    '9,ivan,2', //              10
  ].join('\n');

  it('reports each bad row with its line and reason, keeps the good ones', async () => {
    const r = await read(bad);
    expect(lines(r)).toEqual([3, 5, 7, 8, 9]);
    expect(r.rejected.map((x) => x.reason)).toEqual([
      '4 fields where 3 are expected',
      'unbalanced quote: the quoted field opened on this line closes on line 8, followed by text',
      '2 fields where 3 are expected',
      'a quote inside an unquoted field (quote the whole field and double the quote)',
      'text after a closing quote',
    ]);
    expect(r.rejected[0].text).toBe('2,bob,4.0,EXTRA');
    expect(r.rowsRead).toBe(9);
    expect(r.rows).toBe(4);
    expect(rows(r.table).map((x) => x.id)).toEqual([1, 3, 5, 9]);
    expect(types(r)).toEqual({ id: 'Int64', name: 'Utf8', score: 'Float64' });
  });

  it('an unclosed quote at the very end costs one row', async () => {
    const r = await read('a,b\n1,x\n2,"y\n');
    expect(lines(r)).toEqual([3]);
    expect(r.rows).toBe(1);
  });

  it('a quote that closes lines later with text after it costs only its own line', async () => {
    const r = await read('a,b\n1,"open\n2,x\n3,"y"\n4,z\n');
    expect(lines(r)).toEqual([2]);
    expect(rows(r.table).map((x) => x.a)).toEqual([2, 3, 4]);
  });

  it('invalid UTF-8 rejects the row, not the file', async () => {
    const bytes = new Uint8Array([...enc('a,b\n1,ok\n2,'), 0xff, 0xfe, ...enc('\n3,fine\n')]);
    const r = await read(bytes);
    expect(r.rejected).toHaveLength(1);
    expect(r.rejected[0]).toMatchObject({ line: 3 });
    expect(r.rejected[0].reason).toMatch(/invalid UTF-8/);
    expect(rows(r.table).map((x) => x.b)).toEqual(['ok', 'fine']);
  });

  it('the list is capped but every rejected row is counted', async () => {
    const csv = 'a,b\n' + Array.from({ length: 600 }, (_, i) => (i % 3 ? `${i},x` : `${i},x,y`)).join('\n');
    const r = await inspectCsv(enc(csv), { maxRejected: 10 });
    expect(r.rejectedCount).toBe(200);
    expect(r.rejected).toHaveLength(10);
    expect(lines(r).slice(0, 3)).toEqual([2, 5, 8]);
    expect(r.rows).toBe(400);
  });

  it('inspect reports what read would, without a table', async () => {
    const { table, ...full } = await read(bad);
    expect(table.numRows).toBe(4);
    expect(await inspectCsv(enc(bad))).toEqual(full);
  });

  it("a cancelled read stops with the signal's reason", async () => {
    const big = enc('a,b\n' + '1,x\n'.repeat(200_000));
    const ac = new AbortController();
    const p = readCsv(big, { signal: ac.signal });
    ac.abort(new Error('stop'));
    await expect(p).rejects.toThrow('stop');
  });
});

describe('round trip (fast-check)', () => {
  const cell = fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.string({ unit: fc.constantFrom('a', ',', '"', '\n', '\r\n', ' ', 'é', ';', '\t', '|'), maxLength: 8 }),
  );
  const quote = (v: string) => `"${v.replaceAll('"', '""')}"`;

  it('a text table written as quoted CSV reads back equal', async () => {
    // Non-empty values start with a letter so every column stays text; '' is written as "" (null).
    const value = fc.oneof(
      fc.constant(''),
      cell.map((v) => `x${v}`),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }).chain((cols) => fc.array(fc.array(value, { minLength: cols, maxLength: cols }), { minLength: 1, maxLength: 20 })),
        fc.constantFrom(',', ';', '\t', '|'),
        fc.constantFrom('\n', '\r\n'),
        async (data, d, nl) => {
          const names = data[0].map((_, i) => `c${i}`);
          const text = [names.join(d), ...data.map((r) => r.map(quote).join(d))].join(nl) + nl;
          const r = await read(text, { delimiter: d as ',' });
          expect(r.rejectedCount).toBe(0);
          expect(r.header).toBe(true);
          const got = Array.from({ length: r.table.numRows }, (_, i) => names.map((n) => r.table.getChild(n)!.get(i)));
          expect(got).toEqual(data.map((row) => row.map((v) => (v === '' ? null : v))));
          // Detection finds the same delimiter and header when the file has more than one column.
          if (names.length > 1) expect((await inspectCsv(enc(text))).delimiter).toBe(d);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('typed columns written and read back keep their values', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            i: fc.option(fc.integer({ min: -1e9, max: 1e9 }), { nil: null }),
            f: fc.option(fc.double({ noNaN: true, noDefaultInfinity: true }), { nil: null }),
            b: fc.option(fc.boolean(), { nil: null }),
            t: fc.option(fc.date({ min: new Date('1900-01-01'), max: new Date('2200-01-01'), noInvalidDate: true }), { nil: null }),
          }),
          { minLength: 1, maxLength: 30 },
        ),
        async (data) => {
          const text = 'i,f,b,t\n' + data.map((r) => [r.i ?? '', r.f === null ? '' : String(r.f), r.b ?? '', r.t?.toISOString() ?? ''].join(',')).join('\n');
          const r = await read(text);
          expect(r.rejectedCount).toBe(0);
          const t = r.table;
          for (const [k, r0] of data.entries()) {
            const i = t.getChild('i')!.get(k);
            expect(i === null ? null : Number(i)).toBe(r0.i);
            const f = t.getChild('f')!.get(k);
            expect(f === null ? null : Number(f)).toBe(r0.f === null ? null : Number(String(r0.f)));
            expect(t.getChild('b')!.get(k)).toBe(r0.b);
            const ts = t.getChild('t')!.get(k);
            expect(ts === null ? null : Number(ts)).toBe(r0.t === null ? null : r0.t.getTime());
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
