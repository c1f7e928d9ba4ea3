// Hostile CSV: whatever the bytes, the reader ends in a table plus a consistent report, or a typed
// EINVAL naming the file; it never hangs or goes quadratic on quote games. `npm test` runs a fast
// sample; HOSTILE_FULL=1 runs many more generated inputs and larger files.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { readCsv } from '../../../src/core/csv/index.ts';
import { isPondError } from '../../../src/core/errors.ts';

const FULL = process.env.HOSTILE_FULL === '1';
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Physical lines in the input (LF, CRLF, lone CR), for checking reported line numbers. */
function lineCount(b: Uint8Array): number {
  let n = 1;
  for (let i = 0; i < b.length; i++) if (b[i] === 10 || (b[i] === 13 && b[i + 1] !== 10)) n++;
  return n;
}

/** Read, and check the invariants a user relies on. */
async function readChecked(bytes: Uint8Array): Promise<void> {
  let r;
  try {
    r = await readCsv(bytes, { path: '/in.csv' });
  } catch (e) {
    expect(isPondError(e, 'EINVAL'), String(e)).toBe(true);
    expect((e as { data: { path: string } }).data.path).toBe('/in.csv');
    return;
  }
  expect(r.table.numRows).toBe(r.rows);
  expect(r.table.numCols).toBe(r.schema.length);
  expect(r.rows + r.rejectedCount).toBe(r.rowsRead);
  expect(r.rejected.length).toBe(Math.min(100, r.rejectedCount));
  const lines = r.rejected.map((x) => x.line);
  expect([...lines].sort((a, b) => a - b)).toEqual(lines);
  expect(new Set(lines).size).toBe(lines.length);
  const max = lineCount(bytes);
  for (const l of lines) expect(l >= 1 && l <= max).toBe(true);
  expect(new Set(r.schema.map((c) => c.name)).size).toBe(r.schema.length);
}

const alphabet = fc.constantFrom('a', '1', '"', ',', ';', '\t', '|', '\n', '\r', '\r\n', ' ', '.', '-', 'é', '\uFEFF', '2024-01-01', 'true', 'T10:00Z');

describe(`hostile CSV (${FULL ? 'full corpus' : 'fast sample; HOSTILE_FULL=1 for all'})`, () => {
  it('arbitrary bytes: a table with a consistent report, or a typed EINVAL', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), readChecked), { numRuns: FULL ? 5000 : 300 });
  });

  it('CSV-shaped noise (quotes, delimiters, line breaks): same', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(alphabet, { maxLength: 120 }).map((a) => enc(a.join(''))),
        readChecked,
      ),
      { numRuns: FULL ? 10000 : 500 },
    );
  });

  const size = FULL ? 400_000 : 60_000;
  it.each([
    ['a stray quote on every line', () => 'a,b\n' + '"x,1\n'.repeat(size)],
    ['quotes that close a line later followed by text', () => 'a,b\n' + '1,"x\n"y,2\n'.repeat(size / 2)],
    ['one quote opened at the top, never closed', () => 'a,b\n1,"' + 'x,1\n'.repeat(size)],
    ['quoted line breaks only', () => 'a\n' + '"\n"\n'.repeat(size)],
    ['a very wide header over nothing', () => Array.from({ length: 5000 }, (_, i) => `c${i}`).join(',') + '\n'],
  ])('%s stays linear', async (_name, make) => {
    const bytes = enc(make());
    const t = performance.now();
    await readChecked(bytes);
    // Linear: ~1 µs per line at most here; quadratic would be minutes.
    expect(performance.now() - t).toBeLessThan(FULL ? 20_000 : 5_000);
  });

  it('more columns than anyone meant is refused, not allocated', async () => {
    const wide = ','.repeat(20_000) + '\n' + ','.repeat(20_000) + '\n';
    await expect(readCsv(enc(wide), { path: '/w.csv' })).rejects.toThrow(/at most 10000 columns/);
  });
});
