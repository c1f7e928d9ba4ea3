// Property-based: hostile factory configs and damaged imported files. Every input ends in
// success or a typed PondError naming the node or file; a refused one leaves the pond unchanged.
import { describe, it, expect, afterAll } from 'vitest';
import fc from 'fast-check';
import { tableFromArrays } from 'apache-arrow';
import { Zip, ZipDeflate, ZipPassThrough, unzipSync, strToU8 } from 'fflate';
import { openPond, MemoryStore, defaultRegistry, fsck, parseConfigText, type Pond } from '../../../src/core/index.ts';
import { isPondError } from '../../../src/core/errors.ts';
import { concatBytes } from '../../../src/core/bytes.ts';
import { tableToParquet } from '../../../src/core/arrow/parquet.ts';
import { prepareImport } from '../../../workers/importer.ts';
import { restoreZip, zipStore } from '../../../workers/pond-zip.ts';
import { keyProblem } from '../../../src/core/storage/common.ts';
import { PUBLISH_INDEX } from '../../../src/core/storage/publish-index.ts';
import type { Operation } from '../../../workers/operations.ts';

function expectTyped(e: unknown, where: string): void {
  expect(isPondError(e), `${where}: not a PondError: ${e instanceof Error ? e.stack : String(e)}`).toBe(true);
  expect(typeof (e as { data: { path?: unknown } }).data.path).toBe('string');
}

async function fingerprint(pond: Pond): Promise<string> {
  return JSON.stringify({ v: pond.version, root: await pond.readdir('/'), views: await pond.readdir('/views').catch(() => null) });
}

const tried: Record<string, number> = {};
afterAll(() => console.log(`property inputs tried: ${JSON.stringify(tried)}`));

describe('factory configs (fast-check)', () => {
  const factories = defaultRegistry().names();

  it.each(factories)(
    '%s: any JSON config is validated, stored, and read, or refused with a typed error',
    async (factory) => {
      const pond = await openPond(new MemoryStore(), { create: true });
      await pond.transact(async (tx) => {
        await tx.mkdir('/data');
        await tx.writeFile('/data/t.parquet', await tableToParquet(tableFromArrays({ x: Float64Array.from([1, 2, 3]) })), { type: 'file:table' });
        await tx.mkdir('/views');
      });
      // Random JSON, plus configs shaped like the factory's (right keys, wrong or odd values).
      const shaped = fc.record(
        {
          query: fc.oneof(fc.string(), fc.constant('SELECT * FROM t'), fc.constant('SELECT 1; DROP TABLE t')),
          tables: fc.oneof(fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 20 })), fc.constant({ t: '/data/*.parquet' })),
          template: fc.string({ maxLength: 80 }),
          file_patterns: fc.array(fc.string({ maxLength: 20 }), { maxLength: 3 }),
          pattern: fc.string({ maxLength: 20 }),
          virtual_structure: fc.string({ maxLength: 20 }),
          row_count: fc.oneof(fc.integer({ min: -5, max: 50 }), fc.double()),
          schema: fc.array(fc.record({ name: fc.string({ maxLength: 6 }), type: fc.constantFrom('float', 'int', 'string', 'timestamp', 'nope') }), {
            maxLength: 3,
          }),
          output_type: fc.constantFrom('file:table', 'file:series', 'file:data', 'directory', 'x'),
          output_format: fc.constantFrom('markdown', 'html', 'text', 'csv', 7),
        },
        { requiredKeys: [] },
      );
      let n = 0;
      await fc.assert(
        fc.asyncProperty(fc.oneof(fc.jsonValue({ maxDepth: 3 }), shaped), async (config) => {
          n++;
          const path = '/views/node';
          const before = await fingerprint(pond);
          let created = false;
          try {
            await pond.transact((tx) => tx.mknod(path, factory, config));
            created = true;
          } catch (e) {
            expectTyped(e, `mknod ${factory} ${JSON.stringify(config)}`);
            expect(await fingerprint(pond)).toBe(before);
          }
          if (!created) return;
          try {
            const st = await pond.stat(path);
            if (st.type === 'directory') await pond.readdir(path);
            else await pond.readFile(path);
          } catch (e) {
            expectTyped(e, `read ${factory} ${JSON.stringify(config)}`);
          }
          await pond.transact((tx) => tx.remove(path, { recursive: true }));
        }),
        { numRuns: factory === 'sql_query' ? 60 : 150 },
      );
      tried[`config:${factory}`] = n;
      await pond.close();
    },
    120_000,
  );

  it('any text as a config parses to a value or fails with ECONFIG naming the node', () => {
    let n = 0;
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.string({ unit: fc.constantFrom('a', ':', ' ', '\n', '-', '[', ']', '{', '}', '"', "'", '&', '*', '!', '|', '>', '#', '%', '@'), maxLength: 60 }),
        ),
        (text) => {
          n++;
          try {
            parseConfigText(text, '/views/x');
          } catch (e) {
            expectTyped(e, `parse ${JSON.stringify(text)}`);
            expect((e as { code: string }).code).toBe('ECONFIG');
          }
        },
      ),
      { numRuns: 1500 },
    );
    tried['config-text'] = n;
  });
});

describe('imported files (fast-check)', () => {
  it('damaged Parquet and arbitrary bytes import as a table or fail with ECORRUPT naming the file', async () => {
    const good = await tableToParquet(tableFromArrays({ a: Float64Array.from([1, 2, 3, 4]), b: ['w', 'x', 'y', 'z'] }));
    const damaged = fc.oneof(
      fc.uint8Array({ maxLength: 400 }),
      fc.integer({ min: 0, max: good.length }).map((n) => good.slice(0, n)),
      fc.tuple(fc.integer({ min: 0, max: good.length - 1 }), fc.integer({ min: 1, max: 255 })).map(([i, x]) => {
        const b = good.slice();
        b[i] ^= x;
        return b;
      }),
    );
    let n = 0;
    await fc.assert(
      fc.asyncProperty(damaged, async (bytes) => {
        n++;
        try {
          const r = await prepareImport({ name: 'in.parquet', data: bytes }, '/data/in');
          expect(r.rows).not.toBeNull();
        } catch (e) {
          expectTyped(e, `import ${bytes.length} bytes`);
          expect((e as { data: { path: string } }).data.path).toBe('/data/in');
        }
      }),
      { numRuns: 300 },
    );
    tried['parquet-import'] = n;
  });

  it('damaged CSV reads as a table or fails with a typed error', async () => {
    const csv = 'time,station,temperature\n2024-01-01T00:00:00Z,north,1.5\n2024-01-01T01:00:00Z,south,"2,5"\n';
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 200 }).map((s) => new TextEncoder().encode(s)),
          fc
            .tuple(fc.integer({ min: 0, max: csv.length }), fc.string({ maxLength: 10 }))
            .map(([i, s]) => new TextEncoder().encode(csv.slice(0, i) + s + csv.slice(i))),
          fc.uint8Array({ maxLength: 200 }),
        ),
        fc.boolean(),
        async (bytes, skipRejected) => {
          n++;
          // The import path's reader is the strict one (src/core/csv): rows it rejects stop the import
          // unless the user chose to skip them, and then the table holds only the rows it accepted.
          try {
            const r = await prepareImport({ name: 'in.csv', data: bytes, csv: { skipRejected } }, '/data/in');
            if (r.csv) expect(r.rows).toBe(r.csv.rows);
            if (r.csv && !skipRejected) expect(r.csv.rejectedCount).toBe(0);
          } catch (e) {
            expectTyped(e, `csv ${JSON.stringify(new TextDecoder().decode(bytes))}`);
          }
        },
      ),
      { numRuns: 300 },
    );
    tried['csv-import'] = n;
  }, 120_000);

  it('a stored table with damaged bytes is refused at write or read with a typed error', async () => {
    const pond = await openPond(new MemoryStore(), { create: true });
    const good = await tableToParquet(tableFromArrays({ a: Float64Array.from([1, 2, 3]) }));
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: good.length }), fc.integer({ min: 0, max: good.length - 1 }), async (cut, flip) => {
        n++;
        const bytes = good.slice(0, cut);
        if (flip < bytes.length) bytes[flip] ^= 0x5a;
        const before = await fingerprint(pond);
        try {
          await pond.transact((tx) => tx.writeFile('/t', bytes, { type: 'file:table' }));
        } catch (e) {
          expectTyped(e, 'write');
          expect(await fingerprint(pond)).toBe(before);
          return;
        }
        try {
          await pond.readTable('/t');
        } catch (e) {
          expectTyped(e, 'read');
          expect((e as { data: { path: string } }).data.path).toBe('/t');
        }
      }),
      { numRuns: 200 },
    );
    tried['stored-table'] = n;
    await pond.close();
  });

  it("a pond zip, genuine or hostile or damaged, restores with safe keys and intact bytes, or is refused (by the unzip with a typed error and nothing written, or by the import's fsck)", async () => {
    const op: Operation = { check() {}, progress() {}, signal: new AbortController().signal } as unknown as Operation;
    // One genuine pond, zipped by zipStore (so with its duckpond-index.json), taken apart into entries.
    const source = new MemoryStore();
    const pond = await openPond(source, { create: true });
    await pond.transact(async (tx) => {
      await tx.mkdir('/d');
      await tx.writeFile('/d/a.txt', strToU8('hello'));
    });
    await pond.close();
    const original = new Map<string, Uint8Array>();
    for (const k of await source.list('')) original.set(k, await source.read(k));
    const pondEntries = Object.entries(unzipSync(await zipStore(source, op)));
    const pondNames = pondEntries.map(([name]) => name);
    const entryName = fc.oneof(
      fc.constantFrom('_delta_log/00000000000000000000.json', '../escape', '/abs', 'C:/win', 'a/../../b', 'ok.json', 'dir/', 'x\\..\\y', 'mypond/ok.json'),
      fc.constantFrom(...pondNames, ...pondNames.map((name) => `mypond/${name}`)), // collides with the pond's own entries
      fc.string({ maxLength: 30 }),
    );
    const sometimes = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 2, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arb });
    // More entries: [name, bytes, deflate?], often none, so that the genuine pond comes through as it is.
    const extraEntries: fc.Arbitrary<Array<[string, Uint8Array, boolean]>> = fc.oneof(
      { weight: 1, arbitrary: fc.constant<Array<[string, Uint8Array, boolean]>>([]) },
      { weight: 1, arbitrary: fc.array(fc.tuple(entryName, fc.uint8Array({ maxLength: 64 }), fc.boolean()), { minLength: 1, maxLength: 4 }) },
    );
    const archive = fc.record({
      base: fc.constantFrom('none', 'pond', 'pond', 'wrapped'), // start from nothing, the pond, or the pond inside a folder
      index: fc.boolean(), // keep duckpond-index.json
      extra: extraEntries,
      twice: sometimes(fc.nat()), // add one entry a second time, under the same name
      cut: sometimes(fc.nat()),
      flip: sometimes(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 }))),
    });
    let n = 0;
    const outcome = { accepted: 0, refused: 0 };
    const codes: Record<string, number> = {};
    await fc.assert(
      fc.asyncProperty(archive, async ({ base, index, extra, twice, cut, flip }) => {
        n++;
        const list: Array<[string, Uint8Array, boolean]> = [];
        if (base !== 'none') {
          for (const [name, bytes] of pondEntries)
            if (index || name !== PUBLISH_INDEX) list.push([base === 'wrapped' ? `mypond/${name}` : name, bytes, name.endsWith('.json')]);
        }
        for (const [name, body, deflate] of extra) list.push([name, body.length ? body : strToU8('{}'), deflate]);
        if (twice !== null && list.length) {
          const [name, bytes, deflate] = list[twice % list.length];
          list.push([name, bytes.length > 1 ? bytes.subarray(1) : strToU8('x'), !deflate]);
        }
        let zip: Uint8Array;
        try {
          zip = zipEntries(list);
        } catch {
          return; // a name fflate itself cannot encode
        }
        if (cut !== null) zip = zip.slice(0, cut % (zip.length + 1));
        if (flip !== null && zip.length) zip[flip[0] % zip.length] ^= flip[1];
        const untouched = base !== 'none' && !extra.length && twice === null && cut === null && flip === null;
        const store = new MemoryStore();
        const what = `zip ${JSON.stringify({ base, index, extra: extra.map(([name]) => name), twice, cut, flip })}`;
        try {
          await restoreZip(store, zip, op);
        } catch (e) {
          outcome.refused++;
          expectTyped(e, what);
          const { code, message, data } = e as { code: string; message: string; data: { path: string } };
          expect(code, what).toMatch(/^E[A-Z]+$/);
          codes[code] = (codes[code] ?? 0) + 1;
          expect(message, what).toContain(data.path);
          expect(untouched, `${what}: a genuine pond was refused: ${message}`).toBe(false);
          expect(await store.list(''), what).toEqual([]);
          return;
        }
        // The import then reads the whole pond (fsck) before anyone relies on it, as the worker's importPond does:
        // an archive whose entries are each intact can still carry a damaged pond (a second entry of a name wins
        // once a flip renamed the first), and that must be refused there.
        const report = await fsck(store);
        if (report.problems.length > 0) {
          outcome.refused++;
          codes['fsck'] = (codes['fsck'] ?? 0) + 1;
          expect(untouched, `${what}: a genuine pond failed fsck: ${report.problems[0]?.message}`).toBe(false);
          for (const problem of report.problems) expect(problem.path, what).toBeTruthy();
          return;
        }
        outcome.accepted++;
        const keys = await store.list('');
        for (const k of keys) {
          expect(keyProblem(k), `${what}: key ${JSON.stringify(k)}`).toBeUndefined();
          expect(k.startsWith('/') || k.split(/[\\/]/).includes('..'), `${what}: key ${JSON.stringify(k)}`).toBe(false);
        }
        // Damage is never imported silently: what the archive carried of the genuine pond arrives byte for byte
        // (unless an extra entry of the same name took its place, e.g. after a flip renamed the pond's own).
        // Buffer.equals, as vitest's toEqual walks a typed array element by element, slowly.
        const extraNames = new Set(extra.map(([name]) => name));
        for (const k of keys) {
          if (base === 'none' || !original.has(k) || extraNames.has(k) || extraNames.has(`mypond/${k}`)) continue;
          expect(Buffer.from(await store.read(k)).equals(original.get(k)!), `${what}: ${k} differs`).toBe(true);
        }
        if (untouched) expect(keys.sort(), what).toEqual([...original.keys()].sort());
      }),
      { numRuns: 300 },
    );
    tried['pond-zip'] = n;
    tried['pond-zip-accepted'] = outcome.accepted;
    tried['pond-zip-refused'] = outcome.refused;
    for (const [code, count] of Object.entries(codes)) tried[`pond-zip-${code}`] = count;
    expect(outcome.accepted).toBeGreaterThan(0);
    expect(outcome.refused).toBeGreaterThan(0);
  }, 120_000);

  /** A zip built entry by entry with fflate's streaming Zip, which (unlike zipSync) keeps duplicate names. */
  function zipEntries(entries: Array<[string, Uint8Array, boolean]>): Uint8Array {
    const parts: Uint8Array[] = [];
    const zip = new Zip((err, data) => {
      if (err) throw err;
      parts.push(data);
    });
    for (const [name, bytes, deflate] of entries) {
      const entry = deflate ? new ZipDeflate(name, { level: 6 }) : new ZipPassThrough(name);
      zip.add(entry);
      entry.push(bytes, true);
    }
    zip.end();
    return concatBytes(parts);
  }
});
