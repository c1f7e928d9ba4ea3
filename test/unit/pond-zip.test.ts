// Pond zips come from strangers: every hostile archive is refused with a clear error before anything is written.
import { describe, it, expect } from 'vitest';
import { Zip, ZipDeflate, deflateSync, inflateSync, strFromU8, unzipSync, zipSync } from 'fflate';
import { tableFromArrays } from 'apache-arrow';
import { openPond, MemoryStore } from '../../src/core/index.ts';
import { tableToParquet } from '../../src/core/arrow/parquet.ts';
import type { Operation } from '../../workers/operations.ts';
import { restoreZip, unzipPond, zipStore } from '../../workers/pond-zip.ts';
import { crc32 } from '../../workers/crc32.ts';
import { concat } from '../shared/streams.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const FIRST = '_delta_log/00000000000000000000.json';
const op = { check() {}, progress() {}, signal: new AbortController().signal } as unknown as Operation;

/** A zip built entry by entry with fflate, so duplicate and odd names survive. */
function rawZip(entries: Array<[string, Uint8Array]>, level: 6 | 9 = 9): Uint8Array {
  const parts: Uint8Array[] = [];
  const zip = new Zip((err, data) => {
    if (err) throw err;
    parts.push(data);
  });
  for (const [name, bytes] of entries) {
    const e = new ZipDeflate(name, { level });
    zip.add(e);
    e.push(bytes, true);
  }
  zip.end();
  return concat(parts);
}

/** One entry as written by `writeZip`: `data` is what the archive holds; the header fields default to the truth. */
interface RawEntry {
  name: string;
  data: Uint8Array;
  method?: number;
  crc?: number;
  originalSize?: number;
  flags?: number;
}

/** A deflated entry whose header tells the truth unless overridden. */
function deflated(name: string, bytes: Uint8Array, lie: Partial<RawEntry> = {}): RawEntry {
  return { name, data: deflateSync(bytes, { level: 6 }), method: 8, crc: crc32(bytes), originalSize: bytes.length, ...lie };
}
const stored = (name: string, bytes: Uint8Array, lie: Partial<RawEntry> = {}): RawEntry => ({
  name,
  data: bytes,
  method: 0,
  crc: crc32(bytes),
  originalSize: bytes.length,
  ...lie,
});

/** The fields local and central headers share, in the same order (from `at`: 6 local, 8 central). */
function headerFields(v: DataView, at: number, e: RawEntry, nameLength: number): void {
  v.setUint16(at, (e.flags ?? 0) | 0x800, true);
  v.setUint16(at + 2, e.method ?? 0, true);
  v.setUint32(at + 8, e.crc ?? crc32(e.data), true);
  v.setUint32(at + 12, e.data.length, true);
  v.setUint32(at + 16, e.originalSize ?? e.data.length, true);
  v.setUint16(at + 20, nameLength, true);
}

/**
 * Zip bytes written field by field (APPNOTE 4.3): the headers say whatever the entries say, so a
 * test can make them lie. `data` is shared, not copied per entry, so thousands of entries are cheap.
 */
function writeZip(entries: RawEntry[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  const header = (size: number) => {
    const b = new Uint8Array(size);
    return [b, new DataView(b.buffer)] as const;
  };
  for (const e of entries) {
    const name = enc(e.name);
    const [l, lv] = header(30);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    headerFields(lv, 6, e, name.length);
    const [c, cv] = header(46);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    headerFields(cv, 8, e, name.length);
    cv.setUint32(42, offset, true);
    parts.push(l, name, e.data);
    central.push(c, name);
    offset += 30 + name.length + e.data.length;
  }
  const dirSize = central.reduce((n, p) => n + p.length, 0);
  const [end, ev] = header(22);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, entries.length, true);
  ev.setUint16(10, entries.length, true);
  ev.setUint32(12, dirSize, true);
  ev.setUint32(16, offset, true);
  return concat([...parts, ...central, end]);
}

/** Byte equality; vitest's toEqual walks a typed array element by element (minutes for a few MB). */
const same = (a: Uint8Array | undefined, b: Uint8Array) =>
  a !== undefined && Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));

/** The offset of `needle` in `hay` (-1 when absent). */
function indexOf(hay: Uint8Array, needle: Uint8Array, from = 0): number {
  outer: for (let i = from; i <= hay.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** 64 MiB of zeros, deflated (~64 KiB): made once, it takes a while. */
let zeros64: RawEntry | undefined;
const zeros64MiB = () => (zeros64 ??= deflated('zeros', new Uint8Array(64 * 1024 ** 2)));

const parquet = () => tableToParquet(tableFromArrays({ x: Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8]), s: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'] }));

describe('pond zip import', () => {
  it('accepts a pond zip, also one wrapped in a folder', () => {
    const files = unzipPond(zipSync({ 'mypond/_delta_log/00000000000000000000.json': enc('{}\n'), 'mypond/part_id=x/part-1.parquet': enc('PAR1') }));
    expect([...files.keys()].sort()).toEqual([FIRST, 'part_id=x/part-1.parquet']);
  });

  it('round-trips a real pond through zipStore and restoreZip, byte for byte', async () => {
    const store = new MemoryStore();
    const pond = await openPond(store, { create: true });
    const big = new Uint8Array(300_000).map((_, i) => (i * 2654435761) >>> 24);
    await pond.transact(async (tx) => {
      await tx.mkdir('/data');
      await tx.writeFile('/data/t.parquet', await parquet());
      await tx.writeFile('/data/big.bin', big);
      await tx.writeFile('/notes.txt', enc('hello '.repeat(2000)));
    });
    await pond.close();
    const zip = await zipStore(store, op);
    expect((await store.list('')).some((k) => k.endsWith('.parquet'))).toBe(true); // the Delta table's own Parquet, stored
    const copy = new MemoryStore();
    await restoreZip(copy, zip, op);
    const keys = (await store.list('')).filter((k) => k !== 'duckpond-index.json').sort();
    expect((await copy.list('')).sort()).toEqual(keys);
    for (const k of keys) expect(same(await copy.read(k), await store.read(k)), k).toBe(true);
    const reopened = await openPond(copy);
    expect(same(await reopened.readFile('/data/big.bin'), big)).toBe(true);
    await reopened.close();
  });

  it('zips only the stored results it is given: not results of old configs, nor the local access record', async () => {
    const store = new MemoryStore();
    await (await openPond(store, { create: true })).close();
    for (const key of ['_results/aaaa', '_results/bbbb', '_results/lru.json']) await store.write(key, enc(key));
    const names = Object.keys(unzipSync(await zipStore(store, op, new Set(['_results/aaaa']))));
    expect(names.filter((n) => n.startsWith('_results/'))).toEqual(['_results/aaaa']);
    expect(names).toContain('_delta_log/00000000000000000000.json');
    const index = JSON.parse(strFromU8(unzipSync(await zipStore(store, op, new Set(['_results/aaaa'])))['duckpond-index.json'])) as {
      files: { key: string }[];
    };
    expect(index.files.map((f) => f.key).filter((k) => k.startsWith('_results/'))).toEqual(['_results/aaaa']);
    // Without a set (a read-only pond exports what it carries), everything goes in.
    expect(
      Object.keys(unzipSync(await zipStore(store, op)))
        .filter((n) => n.startsWith('_results/'))
        .sort(),
    ).toEqual(['_results/aaaa', '_results/bbbb', '_results/lru.json']);
  });

  it('keeps a large, repetitive commit log importable (its ratio is far under the bomb limit)', () => {
    const adds = Array.from({ length: 20_000 }, (_, i) =>
      JSON.stringify({
        add: {
          path: `part_id=00000000-0000-7000-8000-000000000000/part-01a2${(i * 7919).toString(16).padStart(8, '0')}-4a40-7336-beae-84eede1d6a05.parquet`,
          size: 4096 + (i % 17),
          modificationTime: 1700000000000 + i,
          dataChange: true,
          partitionValues: { part_id: '00000000-0000-7000-8000-000000000000' },
        },
      }),
    );
    const log = enc(adds.join('\n') + '\n');
    const zip = rawZip([[FIRST, log]], 6); // as zipStore deflates
    console.log(`commit log of ${(log.length / 1e6).toFixed(1)} MB deflates ${(log.length / zip.length).toFixed(0)}×`);
    expect(same(unzipPond(zip).get(FIRST), log)).toBe(true);
  });

  it.each([
    ['../evil.json', 'climbs out'],
    ['a/../../evil', 'climbs out'],
    ['/etc/passwd', 'absolute'],
    ['C:/Windows/x', 'absolute'],
  ])('refuses the entry %j', (name, why) => {
    const zip = rawZip([
      [FIRST, enc('{}\n')],
      [name, enc('x')],
    ]);
    expect(() => unzipPond(zip)).toThrow(expect.objectContaining({ code: 'EINVAL', message: expect.stringContaining(why) }));
  });

  it('refuses duplicate names', () => {
    const zip = rawZip([
      [FIRST, enc('{}\n')],
      ['part_id=x/a', enc('1')],
      ['part_id=x/a', enc('2')],
    ]);
    expect(() => unzipPond(zip)).toThrow(
      expect.objectContaining({ code: 'EINVAL', message: expect.stringContaining('two entries'), data: { path: 'part_id=x/a' } }),
    );
  });

  it('refuses encrypted entries and unknown compression as EUNSUPPORTED', () => {
    expect(() => unzipPond(writeZip([stored(FIRST, enc('{}\n')), stored('a', enc('x'), { flags: 1 })]))).toThrow(
      expect.objectContaining({ code: 'EUNSUPPORTED', data: { path: 'a' } }),
    );
    expect(() => unzipPond(writeZip([stored(FIRST, enc('{}\n')), stored('a', enc('x'), { method: 14 })]))).toThrow(
      expect.objectContaining({ code: 'EUNSUPPORTED', data: { path: 'a' } }),
    );
  });

  it('imports a real file that compresses far past the bomb ratio (zeros deflated by another zip tool)', () => {
    const sparse = new Uint8Array(2 * 1024 ** 2);
    sparse[12345] = 7;
    const zip = writeZip([stored(FIRST, enc('{}\n')), deflated('_large_files/sparse', sparse)]);
    expect(zip.length * 200).toBeLessThan(sparse.length); // over 200×
    expect(Buffer.from(unzipPond(zip).get('_large_files/sparse')!).equals(Buffer.from(sparse))).toBe(true);
  });

  it('refuses a one-entry zip bomb before inflating it', () => {
    const zip = writeZip([stored(FIRST, enc('{}\n')), deflated('part_id=x/zeros', new Uint8Array(80 * 1024 ** 2))]);
    expect(zip.length).toBeLessThan(200_000); // tiny on the wire
    expect(() => unzipPond(zip)).toThrow(expect.objectContaining({ code: 'ETOOBIG', data: { path: 'part_id=x/zeros' } }));
  });

  it('refuses a bomb of thousands of 1 MiB zero entries fast, without inflating any', () => {
    // ~4,000 entries sharing one deflated MiB of zeros: ~4 MB on the wire, 4 GiB declared.
    const mib = deflateSync(new Uint8Array(1024 ** 2), { level: 9 });
    const entries = [stored(FIRST, enc('{}\n'))];
    for (let i = 0; i < 4095; i++) entries.push({ name: `z/${i}`, data: mib, method: 8, crc: 0, originalSize: 1024 ** 2 });
    const zip = writeZip(entries);
    expect(zip.length).toBeLessThan(6_000_000);
    const before = process.memoryUsage().arrayBuffers;
    const t0 = performance.now();
    expect(() => unzipPond(zip)).toThrow(expect.objectContaining({ code: 'ETOOBIG' }));
    const ms = performance.now() - t0;
    const grew = process.memoryUsage().arrayBuffers - before;
    console.log(
      `bomb of ${entries.length - 1} × 1 MiB (${(zip.length / 1e6).toFixed(1)} MB zip): refused in ${ms.toFixed(1)} ms, array buffers grew ${(grew / 1e6).toFixed(1)} MB`,
    );
    expect(ms).toBeLessThan(2000); // ~10-40 ms; inflating 4 GiB would take minutes, if memory lasted
    expect(grew).toBeLessThan(64 * 1024 ** 2);
  });

  it('refuses a bomb of entries each small enough to skip the per-entry check, by the whole-archive ratio', () => {
    const small = deflateSync(new Uint8Array(64 * 1024), { level: 9 });
    const entries = [stored(FIRST, enc('{}\n'))];
    for (let i = 0; i < 2000; i++) entries.push({ name: `z/${i}`, data: small, method: 8, crc: 0, originalSize: 64 * 1024 });
    const zip = writeZip(entries); // ~125 MiB declared from ~0.3 MB
    const before = process.memoryUsage().arrayBuffers;
    const t0 = performance.now();
    expect(() => unzipPond(zip)).toThrow(expect.objectContaining({ code: 'ETOOBIG', data: { path: '<zip>' }, message: expect.stringContaining('zip bomb') }));
    const ms = performance.now() - t0;
    const grew = process.memoryUsage().arrayBuffers - before;
    console.log(
      `bomb of 2000 × 64 KiB (${(zip.length / 1e6).toFixed(2)} MB zip): refused in ${ms.toFixed(1)} ms, array buffers grew ${(grew / 1e6).toFixed(1)} MB`,
    );
    expect(ms).toBeLessThan(2000);
    expect(grew).toBeLessThan(32 * 1024 ** 2); // nothing inflated: 2000 entries would be 125 MiB
    // The same entries, fewer of them (under 64 MiB in all), are a legitimate archive.
    const fine = writeZip([stored(FIRST, enc('{}\n')), ...Array.from({ length: 50 }, (_, i) => deflated(`z/${i}`, new Uint8Array(64 * 1024)))]);
    expect(unzipPond(fine).size).toBe(51);
  });

  it('refuses an archive over the size limit', () => {
    const big = new Uint8Array(3 * 1024 ** 2).map((_, i) => (i * 2654435761) >>> 24); // incompressible
    expect(() =>
      unzipPond(
        rawZip([
          [FIRST, enc('{}\n')],
          ['part_id=x/big', big],
        ]),
        1024 ** 2,
      ),
    ).toThrow(expect.objectContaining({ code: 'ETOOBIG' }));
  });

  it('reports truncation at any point as ECORRUPT', async () => {
    const pq = await parquet();
    const zip = zipSync({ [FIRST]: enc('{"commitInfo":{}}\n'.repeat(20)), 'part_id=x/a.parquet': [pq, { level: 0 }], 'part_id=x/b': enc('b') });
    const dataAt = indexOf(zip, pq);
    const dirAt = indexOf(zip, new Uint8Array([0x50, 0x4b, 0x01, 0x02]));
    expect(dataAt).toBeGreaterThan(0);
    expect(dirAt).toBeGreaterThan(dataAt);
    const cuts = {
      'nothing left': 0,
      'inside the first header': 10,
      'inside the first entry': 60,
      'middle of the Parquet entry': dataAt + (pq.length >> 1),
      'start of the central directory': dirAt,
      'inside the central directory': dirAt + 50,
      'inside the end record': zip.length - 10,
      'the last byte': zip.length - 1,
    };
    for (const [where, at] of Object.entries(cuts)) {
      expect(() => unzipPond(zip.subarray(0, at)), where).toThrow(expect.objectContaining({ code: 'ECORRUPT' }));
    }
    // A chunk cut out of the middle, the end record intact: the offsets no longer point at entries.
    const holed = concat([zip.subarray(0, dataAt + 10), zip.subarray(dataAt + 200)]);
    expect(() => unzipPond(holed)).toThrow(expect.objectContaining({ code: 'ECORRUPT' }));
    // The end record, with nothing before it.
    expect(() => unzipPond(zip.subarray(zip.length - 22))).toThrow(expect.objectContaining({ code: 'ECORRUPT' }));
    expect(() => unzipPond(zipSync({ 'readme.txt': enc('hi') }))).toThrow(
      expect.objectContaining({ code: 'ECORRUPT', message: expect.stringContaining('does not hold a pond') }),
    );
  });

  it('catches a flipped byte inside a stored Parquet entry by its CRC-32, and writes nothing', async () => {
    const pq = await parquet();
    const zip = zipSync({ [FIRST]: enc('{}\n'), 'part_id=x/a.parquet': [pq, { level: 0 }] }); // no duckpond-index.json
    const at = indexOf(zip, pq);
    for (const i of [4, pq.length >> 1, pq.length - 5]) {
      const bad = zip.slice();
      bad[at + i] ^= 0x01;
      expect(() => unzipPond(bad)).toThrow(
        expect.objectContaining({ code: 'ECORRUPT', data: { path: 'part_id=x/a.parquet' }, message: expect.stringContaining('damaged (CRC-32 mismatch)') }),
      );
      const store = new MemoryStore();
      await expect(restoreZip(store, bad, op)).rejects.toMatchObject({ code: 'ECORRUPT' });
      expect(await store.list('')).toEqual([]);
    }
    expect(unzipPond(zip).get('part_id=x/a.parquet')).toEqual(pq);
  });

  it('catches damage inside a deflated entry', () => {
    const json = enc('{"add":{"path":"part-1.parquet","size":1234}}\n'.repeat(50));
    const entry = deflated(FIRST, json);
    for (let i = 0; i < entry.data.length; i += 7) {
      const data = entry.data.slice();
      data[i] ^= 0x10;
      expect(() => unzipPond(writeZip([{ ...entry, data }]))).toThrow(expect.objectContaining({ code: 'ECORRUPT', data: { path: FIRST } }));
    }
  });

  it('refuses entries whose declared size lies', () => {
    const json = enc('{"a":1}\n'.repeat(1000)); // 8000 bytes
    const lying = (e: RawEntry) => () => unzipPond(writeZip([stored(FIRST, enc('{}\n')), e]));
    // Stored: the size it claims is not the size it has; refused before reading it.
    expect(lying(stored('s', json, { originalSize: 9000 }))).toThrow(expect.objectContaining({ code: 'ECORRUPT', data: { path: 's' } }));
    // Deflated, claiming more than it inflates to.
    expect(lying(deflated('d', json, { originalSize: 9000 }))).toThrow(
      expect.objectContaining({ code: 'ECORRUPT', data: { path: 'd' }, message: expect.stringContaining('inflates to 8000 bytes, its header declares 9000') }),
    );
    // Deflated, claiming less: stopped as soon as it overruns, in a buffer of the declared size.
    expect(lying(deflated('d', json, { originalSize: 100 }))).toThrow(
      expect.objectContaining({ code: 'ECORRUPT', data: { path: 'd' }, message: expect.stringContaining('inflates past the 100 bytes') }),
    );
  });

  it('stops a bomb hidden behind a small declared size without inflating it', () => {
    const zip = writeZip([stored(FIRST, enc('{}\n')), { ...zeros64MiB(), name: 'hidden', originalSize: 1000 }]);
    const before = process.memoryUsage().arrayBuffers;
    const t0 = performance.now();
    expect(() => unzipPond(zip)).toThrow(expect.objectContaining({ code: 'ECORRUPT', data: { path: 'hidden' } }));
    const ms = performance.now() - t0;
    const t1 = performance.now();
    inflateSync(zeros64MiB().data, { out: new Uint8Array(64 * 1024 ** 2) }); // what fflate's unzipSync would have done
    const full = performance.now() - t1;
    console.log(
      `64 MiB entry declared as 1000 bytes (${zip.length} byte zip): stopped in ${ms.toFixed(1)} ms; inflating it in full takes ${full.toFixed(0)} ms`,
    );
    expect(ms).toBeLessThan(Math.max(100, full / 4));
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 ** 2);
  });

  it('reads the zip64 layout', () => {
    // The same entries with zip64 headers: 0xFFFFFFFF sizes and offset in the central directory, the real ones in an extra field, and a zip64 end record.
    const body = enc('{}\n');
    const zip = writeZip([stored(FIRST, body)]);
    const dirAt = indexOf(zip, new Uint8Array([0x50, 0x4b, 0x01, 0x02]));
    const dir = zip.slice(dirAt, zip.length - 22);
    const dv = new DataView(dir.buffer);
    dv.setUint32(20, 0xffffffff, true);
    dv.setUint32(24, 0xffffffff, true);
    dv.setUint32(42, 0xffffffff, true);
    dv.setUint16(30, 28, true);
    const extra = new Uint8Array(28);
    const xv = new DataView(extra.buffer);
    xv.setUint16(0, 1, true);
    xv.setUint16(2, 24, true);
    xv.setBigUint64(4, BigInt(body.length), true); // original size
    xv.setBigUint64(12, BigInt(body.length), true); // compressed size
    xv.setBigUint64(20, 0n, true); // local header offset
    const newDir = concat([dir, extra]);
    const z64 = new Uint8Array(56 + 20 + 22);
    const zv = new DataView(z64.buffer);
    zv.setUint32(0, 0x06064b50, true);
    zv.setBigUint64(4, 44n, true);
    zv.setBigUint64(24, 1n, true);
    zv.setBigUint64(32, 1n, true);
    zv.setBigUint64(40, BigInt(newDir.length), true);
    zv.setBigUint64(48, BigInt(dirAt), true);
    zv.setUint32(56, 0x07064b50, true);
    zv.setBigUint64(56 + 8, BigInt(dirAt + newDir.length), true);
    zv.setUint32(56 + 16, 1, true);
    zv.setUint32(76, 0x06054b50, true);
    zv.setUint16(76 + 8, 0xffff, true);
    zv.setUint16(76 + 10, 0xffff, true);
    zv.setUint32(76 + 12, 0xffffffff, true);
    zv.setUint32(76 + 16, 0xffffffff, true);
    const zip64 = concat([zip.subarray(0, dirAt), newDir, z64]);
    expect(unzipPond(zip64).get(FIRST)).toEqual(body);
  });
});
