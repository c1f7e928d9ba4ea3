// Pond zips come from strangers: every hostile archive is refused with a clear error before anything is written.
import { describe, it, expect } from 'vitest';
import { Zip, ZipDeflate, zipSync } from 'fflate';
import { unzipPond } from '../../workers/pond-zip.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const FIRST = '_delta_log/00000000000000000000.json';

/** A zip built entry by entry, so duplicate and odd names survive. */
function rawZip(entries: Array<[string, Uint8Array]>): Uint8Array {
  const parts: Uint8Array[] = [];
  const zip = new Zip((err, data) => { if (err) throw err; parts.push(data); });
  for (const [name, bytes] of entries) {
    const e = new ZipDeflate(name, { level: 9 });
    zip.add(e);
    e.push(bytes, true);
  }
  zip.end();
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

describe('pond zip import', () => {
  it('accepts a pond zip, also one wrapped in a folder', () => {
    const files = unzipPond(zipSync({ 'mypond/_delta_log/00000000000000000000.json': enc('{}\n'), 'mypond/part_id=x/part-1.parquet': enc('PAR1') }));
    expect([...files.keys()].sort()).toEqual([FIRST, 'part_id=x/part-1.parquet']);
  });

  it.each([
    ['../evil.json', 'climbs out'],
    ['a/../../evil', 'climbs out'],
    ['/etc/passwd', 'absolute'],
    ['C:/Windows/x', 'absolute'],
  ])('refuses the entry %j', (name, why) => {
    const zip = rawZip([[FIRST, enc('{}\n')], [name, enc('x')]]);
    expect(() => unzipPond(zip)).toThrow(expect.objectContaining({ code: 'EINVAL', message: expect.stringContaining(why) }));
  });

  it('refuses duplicate names', () => {
    const zip = rawZip([[FIRST, enc('{}\n')], ['part_id=x/a', enc('1')], ['part_id=x/a', enc('2')]]);
    expect(() => unzipPond(zip)).toThrow(expect.objectContaining({ code: 'EINVAL', message: expect.stringContaining('two entries') }));
  });

  it('refuses a zip bomb before inflating it', () => {
    const zip = rawZip([[FIRST, enc('{}\n')], ['part_id=x/zeros', new Uint8Array(64 * 1024 ** 2)]]);
    expect(zip.length).toBeLessThan(200_000); // tiny on the wire
    expect(() => unzipPond(zip)).toThrow(expect.objectContaining({ code: 'ETOOBIG' }));
  });

  it('refuses an archive over the size limit', () => {
    const big = new Uint8Array(3 * 1024 ** 2).map((_, i) => (i * 2654435761) >>> 24); // incompressible
    expect(() => unzipPond(rawZip([[FIRST, enc('{}\n')], ['part_id=x/big', big]]), 1024 ** 2)).toThrow(expect.objectContaining({ code: 'ETOOBIG' }));
  });

  it('reports a truncated archive or one without a pond as ECORRUPT', () => {
    const zip = zipSync({ [FIRST]: enc('{}\n'), 'part_id=x/a': enc('a') });
    expect(() => unzipPond(zip.subarray(0, zip.length - 30))).toThrow(expect.objectContaining({ code: 'ECORRUPT' }));
    expect(() => unzipPond(zipSync({ 'readme.txt': enc('hi') }))).toThrow(expect.objectContaining({ code: 'ECORRUPT', message: expect.stringContaining('does not hold a pond') }));
  });
});
