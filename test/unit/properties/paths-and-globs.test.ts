// Property-based: any string as a path or a glob pattern either works or fails with a typed
// PondError naming it — never another exception, never a hang — and a failed write leaves the
// pond exactly as it was.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { openPond, MemoryStore, type Pond } from '../../../src/core/index.ts';
import { isPondError } from '../../../src/core/errors.ts';
import { normalizePath } from '../../../src/core/tinyfs/path.ts';
import { escapeGlob, matchPath } from '../../../src/core/tinyfs/glob.ts';

/** Strings that look like paths: separators, dots, globs, unicode, NUL, and long ones. */
const pathish = fc.oneof(
  fc.string({ unit: fc.constantFrom('/', '.', '..', 'a', 'b', 'é', '日', ' ', '\0', '\\', '*', '?', '[', ']', '{', '}', ':', '%', '\n'), maxLength: 40 }),
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }).map((s) => `/${s}`),
);

function expectTyped(e: unknown): void {
  expect(isPondError(e), `not a PondError: ${String(e)}`).toBe(true);
  const err = e as { code: string; data: { path?: unknown } };
  expect(typeof err.code).toBe('string');
  expect(typeof err.data.path).toBe('string');
}

async function manifest(pond: Pond): Promise<string> {
  return JSON.stringify({ version: pond.version, history: (await pond.history()).length, root: await pond.readdir('/') });
}

describe('paths (fast-check)', () => {
  it('normalizePath returns an absolute clean path or throws EINVAL naming the input', () => {
    fc.assert(
      fc.property(pathish, (p) => {
        try {
          const n = normalizePath(p);
          expect(n.startsWith('/')).toBe(true);
          expect(n === '/' || !n.endsWith('/')).toBe(true);
          expect(
            n
              .split('/')
              .slice(1)
              .every((c) => n === '/' || (c !== '' && c !== '.' && c !== '..')),
          ).toBe(true);
          // Normalizing is idempotent.
          expect(normalizePath(n)).toBe(n);
        } catch (e) {
          expectTyped(e);
          expect((e as { code: string }).code).toBe('EINVAL');
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('mkdir and writeFile with any path either land where normalizePath says or change nothing', async () => {
    const pond = await openPond(new MemoryStore(), { create: true });
    let landed = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(pathish, fc.boolean(), async (p, asDir) => {
        const before = await manifest(pond);
        const body = new TextEncoder().encode(`body of ${p}`);
        try {
          await pond.transact(async (tx) => {
            if (asDir) await tx.mkdir(p, { parents: true });
            else await tx.writeFile(p, body);
          });
          landed++;
          const at = normalizePath(p);
          if (asDir) expect((await pond.stat(at)).type).toBe('directory');
          else expect(await pond.readFile(at)).toEqual(body);
        } catch (e) {
          refused++;
          expectTyped(e);
          expect(await manifest(pond)).toBe(before);
        }
      }),
      { numRuns: 400 },
    );
    expect(landed).toBeGreaterThan(20);
    expect(refused).toBeGreaterThan(20);
    await pond.close();
  });
});

describe('glob patterns (fast-check)', () => {
  it('any pattern matches or fails with EINVAL, quickly', async () => {
    const pond = await openPond(new MemoryStore(), { create: true });
    await pond.transact(async (tx) => {
      for (const d of ['a', 'a/b', 'a/b/c', 'x', 'x/y']) await tx.mkdir(`/${d}`, { parents: true });
      for (const f of ['a/1.csv', 'a/b/2.csv', 'a/b/c/3.parquet', 'x/y/z.txt', 'top.md']) await tx.writeFile(`/${f}`, new Uint8Array([1]));
    });
    const patternish = fc.oneof(
      fc.string({ unit: fc.constantFrom('/', '*', '**', '?', '[', ']', '{', '}', ',', '!', '\\', 'a', 'b', 'c', '.', 'csv', '-', '^'), maxLength: 24 }),
      fc.string({ maxLength: 60 }),
    );
    let slowest = 0;
    await fc.assert(
      fc.asyncProperty(patternish, async (pattern) => {
        const started = performance.now();
        try {
          const matches = await pond.glob(pattern);
          for (const m of matches) expect(m.path.startsWith('/')).toBe(true);
        } catch (e) {
          expectTyped(e);
          expect(['EINVAL', 'ENOENT', 'ENOTDIR']).toContain((e as { code: string }).code);
        }
        slowest = Math.max(slowest, performance.now() - started);
      }),
      { numRuns: 1000 },
    );
    // A pathological pattern must not backtrack for seconds over a small tree.
    expect(slowest).toBeLessThan(1000);
    await pond.close();
  });
});

/** Names where NFC and NFD differ: letters with accents, Hangul, compatibility singletons. */
const unicodeName = fc
  .string({
    unit: fc.constantFrom('a', 'e', '\u00e9', 'e\u0301', '\u00C5', '\u212B', 'A\u030A', '\u212A', '\uAC00', '\u1100\u1161', 'o\u0308\u0304', '\u200D', '_'),
    minLength: 1,
    maxLength: 8,
  })
  .filter((s) => s.normalize('NFC') !== '' && !s.startsWith('\u0301'));

describe('names in NFC (fast-check)', () => {
  it('a name written in any normalization form is one NFC entry, read back under every form', async () => {
    const pond = await openPond(new MemoryStore(), { create: true });
    let i = 0;
    await fc.assert(
      fc.asyncProperty(unicodeName, fc.constantFrom('NFC', 'NFD', 'NFKC'), fc.constantFrom('NFC', 'NFD'), async (raw, writeForm, readForm) => {
        const dir = `/d${i++}`;
        const written = raw.normalize(writeForm as 'NFC');
        const body = new TextEncoder().encode(raw);
        await pond.transact(async (tx) => {
          await tx.mkdir(dir);
          await tx.writeFile(`${dir}/${written}`, body);
        });
        const names = (await pond.readdir(dir)).map((e) => e.name);
        expect(names).toEqual([written.normalize('NFC')]);
        for (const form of ['NFC', 'NFD'] as const) expect(await pond.readFile(`${dir}/${written.normalize(form)}`)).toEqual(body);
        // Writing again under the other form is a new version of the same node, never a twin.
        await pond.transact((tx) => tx.writeFile(`${dir}/${written.normalize(readForm as 'NFC')}`, body));
        expect((await pond.readdir(dir)).length).toBe(1);
        expect(await pond.glob(`${dir}/${escapeGlob(written.normalize(readForm as 'NFC'))}`)).toHaveLength(1);
      }),
      { numRuns: 150 },
    );
    await pond.close();
  });

  it('glob matching does not depend on the normalization form of the pattern or the path', () => {
    fc.assert(
      fc.property(unicodeName, fc.constantFrom('NFC', 'NFD'), fc.constantFrom('NFC', 'NFD'), (raw, pf, nf) => {
        const name = raw.normalize(nf as 'NFC');
        expect(matchPath(`/x/${escapeGlob(raw.normalize(pf as 'NFC'))}`, `/x/${name}`)).toEqual([]);
        expect(matchPath('/x/*', `/x/${name}`)).toEqual([raw.normalize('NFC')]);
      }),
      { numRuns: 500 },
    );
  });
});
