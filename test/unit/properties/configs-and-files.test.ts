// Property-based: hostile factory configs and damaged imported files. Every input ends in
// success or a typed PondError naming the node or file; a refused one leaves the pond unchanged.
import { describe, it, expect, afterAll } from 'vitest';
import fc from 'fast-check';
import { tableFromArrays } from 'apache-arrow';
import { zipSync, strToU8 } from 'fflate';
import { openPond, MemoryStore, defaultRegistry, parseConfigText, type Pond } from '../../../src/core/index.ts';
import { isPondError } from '../../../src/core/errors.ts';
import { tableToParquet } from '../../../src/core/arrow/parquet.ts';
import { csvToTable } from '../../../src/core/sql/index.ts';
import { prepareImport } from '../../../workers/importer.ts';
import { restoreZip } from '../../../workers/pond-zip.ts';
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

  it.each(factories)('%s: any JSON config is validated, stored, and read, or refused with a typed error', async (factory) => {
    const pond = await openPond(new MemoryStore(), { create: true });
    await pond.transact(async (tx) => {
      await tx.mkdir('/data');
      await tx.writeFile('/data/t.parquet', await tableToParquet(tableFromArrays({ x: Float64Array.from([1, 2, 3]) })), { type: 'file:table' });
      await tx.mkdir('/views');
    });
    // Random JSON, plus configs shaped like the factory's (right keys, wrong or odd values).
    const shaped = fc.record({
      query: fc.oneof(fc.string(), fc.constant('SELECT * FROM t'), fc.constant('SELECT 1; DROP TABLE t')),
      tables: fc.oneof(fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 20 })), fc.constant({ t: '/data/*.parquet' })),
      template: fc.string({ maxLength: 80 }),
      file_patterns: fc.array(fc.string({ maxLength: 20 }), { maxLength: 3 }),
      pattern: fc.string({ maxLength: 20 }),
      virtual_structure: fc.string({ maxLength: 20 }),
      row_count: fc.oneof(fc.integer({ min: -5, max: 50 }), fc.double()),
      schema: fc.array(fc.record({ name: fc.string({ maxLength: 6 }), type: fc.constantFrom('float', 'int', 'string', 'timestamp', 'nope') }), { maxLength: 3 }),
      output_type: fc.constantFrom('file:table', 'file:series', 'file:data', 'directory', 'x'),
      output_format: fc.constantFrom('markdown', 'html', 'text', 'csv', 7),
    }, { requiredKeys: [] });
    let n = 0;
    await fc.assert(fc.asyncProperty(fc.oneof(fc.jsonValue({ maxDepth: 3 }), shaped), async (config) => {
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
    }), { numRuns: factory === 'sql_query' ? 60 : 150 });
    tried[`config:${factory}`] = n;
    await pond.close();
  }, 120_000);

  it('any text as a config parses to a value or fails with ECONFIG naming the node', () => {
    let n = 0;
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: fc.constantFrom('a', ':', ' ', '\n', '-', '[', ']', '{', '}', '"', "'", '&', '*', '!', '|', '>', '#', '%', '@'), maxLength: 60 })), (text) => {
      n++;
      try {
        parseConfigText(text, '/views/x');
      } catch (e) {
        expectTyped(e, `parse ${JSON.stringify(text)}`);
        expect((e as { code: string }).code).toBe('ECONFIG');
      }
    }), { numRuns: 1500 });
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
    await fc.assert(fc.asyncProperty(damaged, async (bytes) => {
      n++;
      try {
        const r = await prepareImport({ name: 'in.parquet', data: bytes }, '/data/in', (b, p) => csvToTable(b, { path: p }));
        expect(r.rows).not.toBeNull();
      } catch (e) {
        expectTyped(e, `import ${bytes.length} bytes`);
        expect((e as { data: { path: string } }).data.path).toBe('/data/in');
      }
    }), { numRuns: 300 });
    tried['parquet-import'] = n;
  });

  it('damaged CSV reads as a table or fails with a typed error', async () => {
    const csv = 'time,station,temperature\n2024-01-01T00:00:00Z,north,1.5\n2024-01-01T01:00:00Z,south,"2,5"\n';
    let n = 0;
    await fc.assert(fc.asyncProperty(fc.oneof(
      fc.string({ maxLength: 200 }).map((s) => new TextEncoder().encode(s)),
      fc.tuple(fc.integer({ min: 0, max: csv.length }), fc.string({ maxLength: 10 })).map(([i, s]) => new TextEncoder().encode(csv.slice(0, i) + s + csv.slice(i))),
      fc.uint8Array({ maxLength: 200 }),
    ), async (bytes) => {
      n++;
      try {
        await prepareImport({ name: 'in.csv', data: bytes }, '/data/in', (b, p) => csvToTable(b, { path: p }));
      } catch (e) {
        expectTyped(e, `csv ${JSON.stringify(new TextDecoder().decode(bytes))}`);
      }
    }), { numRuns: 80 });
    tried['csv-import'] = n;
  }, 120_000);

  it('a stored table with damaged bytes is refused at write or read with a typed error', async () => {
    const pond = await openPond(new MemoryStore(), { create: true });
    const good = await tableToParquet(tableFromArrays({ a: Float64Array.from([1, 2, 3]) }));
    let n = 0;
    await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: good.length }), fc.integer({ min: 0, max: good.length - 1 }), async (cut, flip) => {
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
    }), { numRuns: 200 });
    tried['stored-table'] = n;
    await pond.close();
  });

  it('a hostile pond zip is refused with a typed error, and nothing is written', async () => {
    const op: Operation = { check() {}, progress() {}, signal: new AbortController().signal } as unknown as Operation;
    const entryName = fc.oneof(
      fc.constantFrom('_delta_log/00000000000000000000.json', '../escape', '/abs', 'C:/win', 'a/../../b', 'ok.json', 'dir/', 'x\\..\\y'),
      fc.string({ maxLength: 30 }),
    );
    let n = 0;
    await fc.assert(fc.asyncProperty(
      fc.array(fc.tuple(entryName, fc.uint8Array({ maxLength: 64 })), { maxLength: 5 }),
      fc.option(fc.integer({ min: 0, max: 400 })),
      async (entries, cutAt) => {
        n++;
        const files: Record<string, Uint8Array> = {};
        for (const [name, body] of entries) if (name) files[name] = body.length ? body : strToU8('{}');
        let zip: Uint8Array;
        try {
          zip = zipSync(files);
        } catch {
          return; // a name fflate itself cannot encode
        }
        if (cutAt !== null) zip = zip.slice(0, Math.min(cutAt, zip.length));
        const store = new MemoryStore();
        try {
          await restoreZip(store, zip, op);
          // Accepted: then it was a pond-shaped archive with only safe keys.
          const keys = await store.list('');
          for (const k of keys) expect(k.includes('..') || k.startsWith('/')).toBe(false);
        } catch (e) {
          expectTyped(e, `zip ${JSON.stringify(Object.keys(files))}`);
          expect(await store.list('')).toEqual([]);
        }
      },
    ), { numRuns: 300 });
    tried['pond-zip'] = n;
  });
});
