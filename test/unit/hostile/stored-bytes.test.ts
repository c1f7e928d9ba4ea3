// Hostile corpus, stored bytes (issue 12, class 6): real ponds whose log lines, Parquet files,
// directory snapshots, checkpoint and publish index are damaged the way a stranger publishing a
// pond could damage them. Every outcome must be correct data or a typed PondError naming what is
// wrong: never a TypeError/RangeError/URIError, never a body that differs from its hash, never a
// table silently shorter than its file says. A fast sample runs in `npm test`; HOSTILE_FULL=1 runs the corpus.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fc from 'fast-check';
import * as arrow from 'apache-arrow';
import { createHash } from 'node:crypto';
import { openPond, MemoryStore, type Pond } from '../../../src/core/index.ts';
import type { ObjectStore } from '../../../src/core/storage/object-store.ts';
import { isPondError } from '../../../src/core/errors.ts';
import { parquetToTable, tableToParquet } from '../../../src/core/arrow/parquet.ts';
import { LOG_DIR, logKey } from '../../../src/core/tlogfs/delta-log.ts';
import { decodeDirectory } from '../../../src/core/tinyfs/dir-codec.ts';
import { rowsToTable, tableToRows } from '../../../src/core/tlogfs/oplog-schema.ts';
import { buildPublishIndex, encodePublishIndex, parsePublishIndex } from '../../../src/core/storage/publish-index.ts';
import { keyProblem } from '../../../src/core/storage/common.ts';
import {
  actionEdit,
  addActions,
  byteMutation,
  editAction,
  judgeCommit,
  commitLines,
  copyStore,
  editJson,
  jsonEdit,
  lieAboutRows,
  mutateBytes,
  replaceDataFile,
  snapshotOf,
} from '../../shared/hostile-stored.ts';

const FULL = process.env.HOSTILE_FULL === '1';
/** Runs per property: a few in `npm test`, the corpus with HOSTILE_FULL=1. */
const runs = (fast: number, full: number) => ({ numRuns: FULL ? full : fast, seed: FULL ? undefined : 12 });
const TIMEOUT = FULL ? 1_800_000 : 60_000;
const enc = (s: string) => new TextEncoder().encode(s);
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const UNTYPED = /TypeError|RangeError|URIError|SyntaxError|ReferenceError/;

const tried: Record<string, number> = {};
afterAll(() => console.log(`hostile stored-bytes inputs tried: ${JSON.stringify(tried)}`));
const count = (name: string) => {
  tried[name] = (tried[name] ?? 0) + 1;
};

/** A typed PondError that names what it is about (a store key or a pond path). */
function expectTyped(e: unknown, where: string): asserts e is { code: string; data: { path: string }; message: string } {
  const detail = e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e);
  expect(isPondError(e), `${where}: not a PondError: ${detail}`).toBe(true);
  expect(typeof (e as { data: { path?: unknown } }).data.path, `${where}: names no path`).toBe('string');
  expect((e as Error).message, where).not.toMatch(UNTYPED);
}

/**
 * Open the pond and read everything in it. Returns a fingerprint of what it read (version, tree,
 * each body's size and hash, and each typed error with its code and path). Asserts on the way that
 * nothing untyped escapes and that every body read is the one its row's sha256 names.
 */
async function exercise(store: ObjectStore, where: string): Promise<string> {
  let pond: Pond;
  try {
    pond = await openPond(store, { create: false });
  } catch (e) {
    expectTyped(e, `${where}: open`);
    return `open failed: ${e.code} ${e.data.path}`;
  }
  const seen: string[] = [`v${pond.version}`, ...pond.warnings.map((w) => `warn ${w.code} ${w.path}`)];
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (depth > 8) return;
    let entries: Awaited<ReturnType<Pond['readdir']>>;
    try {
      entries = await pond.readdir(dir);
    } catch (e) {
      expectTyped(e, `${where}: readdir ${dir}`);
      seen.push(`${dir}: ${e.code} ${e.data.path}`);
      return;
    }
    for (const entry of entries) {
      const path = dir === '/' ? `/${entry.name}` : `${dir}/${entry.name}`;
      try {
        if (entry.type === 'directory') {
          seen.push(`${path}/`);
          await walk(path, depth + 1);
          continue;
        }
        if (entry.type === 'symlink') {
          seen.push(`${path} -> ${await pond.readlink(path)}`);
          continue;
        }
        const st = await pond.stat(path, { follow: false });
        const bytes = await pond.readFile(path);
        // A body read back is the body its row's hash names, or the read failed: never silently other bytes.
        if (st.sha256 && st.factory === 'tlogfs' && entry.type !== 'file:series') expect(sha(bytes), `${where}: ${path}`).toBe(st.sha256);
        seen.push(`${path} ${entry.type} ${bytes.length} ${sha(bytes).slice(0, 16)}`);
        if (entry.type === 'file:table') seen.push(`${path} rows ${(await pond.readTable(path)).numRows}`);
      } catch (e) {
        expectTyped(e, `${where}: read ${path}`);
        seen.push(`${path}: ${e.code} ${e.data.path}`);
      }
    }
  };
  await walk('/', 0);
  try {
    seen.push(`history ${(await pond.history()).length}`);
  } catch (e) {
    expectTyped(e, `${where}: history`);
  }
  await pond.close();
  return seen.join('\n');
}

/** A pond with folders, inline and large files, a table, a symlink, a series, and several commits. */
async function buildPond(store: ObjectStore, commits: number): Promise<void> {
  const pond = await openPond(store, { create: true });
  const big = new Uint8Array(100_000).map((_, i) => (i * 13) % 256);
  await pond.transact(
    async (tx) => {
      await tx.mkdir('/data/raw', { parents: true });
      await tx.writeFile('/data/raw/a.txt', enc('hello'));
      await tx.writeFile('/data/big.bin', big);
      await tx.writeFile('/data/t.parquet', await tableToParquet(arrow.tableFromArrays({ x: Int32Array.from([1, 2, 3]), s: ['a', 'b', null] })), {
        type: 'file:table',
      });
      await tx.symlink('/data/raw/a.txt', '/link');
    },
    { message: 'load' },
  );
  await pond.transact(async (tx) => {
    await tx.writeFile('/data/raw/a.txt', enc('hello again'));
    await tx.mkdir('/docs');
    await tx.writeFile('/docs/readme.md', enc('# hi\n'));
  });
  for (let i = 0; i < commits; i++) await pond.transact((tx) => tx.writeFile(`/docs/n${i % 3}.txt`, enc(`note ${i}`)));
  await pond.close();
}

async function fresh(base: ObjectStore): Promise<ObjectStore> {
  return copyStore(base, new MemoryStore());
}

describe('hostile stored bytes (fast-check)', () => {
  let small: ObjectStore; // 5 commits: every commit is replayed from JSON
  let checkpointed: ObjectStore; // 103 commits: opens from the checkpoint at 100
  let smallPrint: string;
  let newest: number;
  let checkpointedPrint: string;

  beforeAll(async () => {
    small = new MemoryStore();
    await buildPond(small, 3);
    checkpointed = new MemoryStore();
    await buildPond(checkpointed, 101);
    smallPrint = await exercise(small, 'small');
    newest = Number(/^v(\d+)/.exec(smallPrint)![1]);
    checkpointedPrint = await exercise(checkpointed, 'checkpointed');
    expect(smallPrint).not.toMatch(/E[A-Z]+ /);
  }, 120_000);

  it(
    'log lines: JSON edits (type swaps, nulls, deletions, bad escapes, escaping paths) open as the same pond, or as a typed, named error',
    async () => {
      const edit = fc.oneof(
        jsonEdit.map((json) => ({ json })),
        actionEdit.map((action) => ({ action })),
      );
      await fc.assert(
        fc.asyncProperty(fc.nat(), fc.array(edit, { minLength: 1, maxLength: 3 }), async (pickVersion, edits) => {
          count('log-json');
          const store = await fresh(small);
          const v = pickVersion % (newest + 1);
          const lines = await commitLines(store, v);
          const edited = edits.reduce<unknown>((acc, e) => ('json' in e ? editJson(acc, e.json) : editAction(acc as unknown[], e.action)), lines) as unknown[];
          const text = (Array.isArray(edited) ? edited : [edited]).map((l) => JSON.stringify(l) ?? 'undefined').join('\n') + '\n';
          await store.write(logKey(v), enc(text));
          // The oracle (written apart from the reader) decides what the pond must look like.
          const verdict = judgeCommit(edited);
          const same = verdict === 'valid' && JSON.stringify(edited) === JSON.stringify(lines);
          const print = await exercise(store, `v${v} ${text.slice(0, 300)}`);
          const at = `v${v} ${text.slice(0, 300)}\n→ ${print.slice(0, 300)}`;
          if (verdict === 'invalid') {
            // Damaged: reported and named, the pond at the version before it (version 0: no pond at all).
            if (v === 0) expect(print, at).toMatch(/^open failed: ECORRUPT _delta_log\/0{20}\.json/);
            else expect(print.startsWith(`v${v - 1}\nwarn ECORRUPT ${logKey(v)}`), at).toBe(true);
          } else if (verdict === 'unsupported') {
            expect(print, at).toMatch(/^open failed: EUNSUPPORTED /);
          } else if (same) {
            // Nothing the reader uses changed: the pond reads exactly as before (history may differ).
            expect(print.replace(/history \d+/, '')).toBe(smallPrint.replace(/history \d+/, ''));
          } else if (print.startsWith('v') && !print.includes(`warn ECORRUPT ${logKey(v)}`)) {
            // A different, valid log (e.g. a deleted line): it must still be read without loss of typing.
            count('log-json:valid-but-different');
          }
        }),
        runs(40, 1500),
      );
    },
    TIMEOUT,
  );

  it(
    'log files: raw byte damage (flips, cuts, zeros, appended junk) is a torn tail, a reported damaged commit, or a typed error',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.nat(), byteMutation, async (pickVersion, m) => {
          count('log-bytes');
          const store = await fresh(small);
          const v = pickVersion % (newest + 1);
          await store.write(logKey(v), mutateBytes(await store.read(logKey(v)), m));
          await exercise(store, `v${v} ${JSON.stringify(m)}`);
        }),
        runs(15, 1000),
      );
    },
    TIMEOUT,
  );

  it(
    'a gap anywhere after version 0 is ECORRUPT naming the first missing commit',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 3 }), async (start, length) => {
          count('log-gap');
          const store = await fresh(small);
          const from = Math.min(start, newest);
          const gone = Array.from({ length }, (_, i) => from + i).filter((v) => v <= newest);
          for (const v of gone) await store.delete(logKey(v));
          const pond = await openPond(store);
          expect(pond.version).toBe(from - 1);
          if (gone.at(-1)! < newest) expect(pond.warnings[0]).toMatchObject({ code: 'ECORRUPT', path: logKey(from) });
          else expect(pond.warnings).toEqual([]); // the newest versions simply are not there: an older pond
        }),
        runs(8, 60),
      );
    },
    TIMEOUT,
  );

  it(
    'data files: byte damage decodes to exactly the stored row count or ECORRUPT naming the file; bodies still match their hashes',
    async () => {
      const adds = await addActions(small);
      await fc.assert(
        fc.asyncProperty(fc.nat(), byteMutation, async (pick, m) => {
          count('parquet-bytes');
          const store = await fresh(small);
          const add = adds[pick % adds.length];
          const original = await store.read(add.path);
          const damaged = mutateBytes(original, m, 600); // half the positions land in the footer
          await store.write(add.path, damaged);
          try {
            const t = await parquetToTable(damaged, add.path);
            expect(t.numRows, `${add.path} ${JSON.stringify(m)}`).toBe((await parquetToTable(original)).numRows);
          } catch (e) {
            expectTyped(e, `parquetToTable ${JSON.stringify(m)}`);
            expect(e.code).toBe('ECORRUPT');
            expect(e.data.path).toBe(add.path);
          }
          await exercise(store, `${add.path} ${JSON.stringify(m)}`);
          // The decoder survives what it refused: the intact file still decodes (no poisoned wasm state).
          expect((await parquetToTable(original)).numRows).toBeGreaterThan(0);
        }),
        runs(20, 1500),
      );
    },
    TIMEOUT,
  );

  it(
    'data files: a footer that lies about num_rows (file, row groups, column chunks) is ECORRUPT naming the file',
    async () => {
      const adds = await addActions(small);
      await fc.assert(
        fc.asyncProperty(
          fc.nat(),
          fc.integer({ min: 0, max: 2 ** 40 }),
          fc.constantFrom('file', 'row-groups', 'file+row-groups', 'all') as fc.Arbitrary<'file' | 'row-groups' | 'file+row-groups' | 'all'>,
          fc.boolean(),
          async (pick, rows, where, consistentLog) => {
            count('parquet-num-rows');
            const store = await fresh(small);
            const add = adds[pick % adds.length];
            const original = await store.read(add.path);
            const truth = (await parquetToTable(original)).numRows;
            fc.pre(rows !== truth);
            const lying = lieAboutRows(original, rows, where);
            // An attacker who also fixes the add action's size (a consistent log) gains nothing.
            if (consistentLog) await replaceDataFile(store, add.path, lying);
            else await store.write(add.path, lying);
            await expect(parquetToTable(lying, add.path)).rejects.toMatchObject({ code: 'ECORRUPT', data: { path: add.path } });
            const print = await exercise(store, `${add.path} ${where} ${rows}`);
            expect(print).toContain(`ECORRUPT ${add.path}`);
          },
        ),
        runs(12, 400),
      );
    },
    TIMEOUT,
  );

  it(
    'directory snapshots: damaged or hostile Arrow IPC (bad names, twins, nulls, junk) is ECORRUPT naming the directory',
    async () => {
      const real = snapshotOf([
        { name: 'a', node_id: 'n1', file_type: 'file:data', factory: 'tlogfs' },
        { name: 'b', node_id: 'n2', file_type: 'directory', factory: 'tlogfs' },
      ]);
      const row = fc.record({
        name: fc.oneof(fc.constantFrom('', '.', '..', 'a/b', 'x\u0000y', 'a', 'b', null), fc.string({ maxLength: 6 })),
        node_id: fc.oneof(fc.constantFrom('', null, 'n1'), fc.string({ maxLength: 6 })),
        file_type: fc.oneof(fc.constantFrom('directory', 'file:data', 'file:table', 'symlink', 'nope', null)),
        factory: fc.oneof(fc.constantFrom('tlogfs', '', null, undefined), fc.string({ maxLength: 6 })),
      });
      await fc.assert(
        fc.property(
          fc.oneof(
            fc.array(row, { maxLength: 5 }).map((rows) => ({ bytes: snapshotOf(rows), rows })),
            byteMutation.map((m) => ({ bytes: mutateBytes(real, m), rows: null })),
          ),
          ({ bytes, rows }) => {
            count('dir-snapshot');
            try {
              const entries = decodeDirectory(bytes, '/some/dir');
              const names = entries.map((e) => e.name);
              expect(new Set(names).size).toBe(names.length);
              for (const e of entries) {
                expect(e.name === '' || e.name === '.' || e.name === '..' || e.name.includes('/') || e.name.includes('\0')).toBe(false);
                expect(typeof e.nodeId === 'string' && e.nodeId !== '').toBe(true);
              }
              if (rows) expect(entries).toHaveLength(rows.length);
            } catch (e) {
              expectTyped(e, `decodeDirectory ${JSON.stringify(rows)}`);
              expect(e.code).toBe('ECORRUPT');
              expect(e.data.path).toBe('/some/dir');
            }
          },
        ),
        runs(200, 20_000),
      );
    },
    TIMEOUT,
  );

  it(
    'directory snapshots inside a pond: a damaged snapshot fails reads of that directory, typed and named',
    async () => {
      const adds = await addActions(small);
      await fc.assert(
        fc.asyncProperty(fc.nat(), byteMutation, async (pick, m) => {
          count('dir-snapshot-in-pond');
          const store = await fresh(small);
          const add = adds[pick % adds.length];
          const rows = tableToRows(await parquetToTable(await store.read(add.path)), add.partId, add.path);
          const damaged = rows.map((r) => (r.type === 'directory' && r.content?.length ? { ...r, content: mutateBytes(r.content, m) } : r));
          await replaceDataFile(store, add.path, await tableToParquet(rowsToTable(damaged)));
          await exercise(store, `${add.path} ${JSON.stringify(m)}`);
        }),
        runs(10, 600),
      );
    },
    TIMEOUT,
  );

  it(
    'the checkpoint: byte damage or a lying footer is skipped and reported; the pond reads the same from the log',
    async () => {
      const key = '_delta_log/00000000000000000100.checkpoint.parquet';
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            byteMutation.map((m) => ({ m, rows: undefined as number | undefined })),
            fc.integer({ min: 0, max: 1000 }).map((rows) => ({ m: undefined, rows })),
          ),
          async ({ m, rows }) => {
            count('checkpoint');
            const store = await fresh(checkpointed);
            const original = await store.read(key);
            const truth = (await parquetToTable(original)).numRows;
            fc.pre(rows === undefined || rows !== truth);
            await store.write(key, m ? mutateBytes(original, m, 800) : lieAboutRows(original, rows!, 'file+row-groups'));
            const print = await exercise(store, `checkpoint ${JSON.stringify(m ?? rows)}`);
            const withoutWarning = print
              .split('\n')
              .filter((l) => l !== `warn ECORRUPT ${key}`)
              .join('\n');
            if (!/E[A-Z]+ /.test(withoutWarning)) expect(withoutWarning).toBe(checkpointedPrint);
          },
        ),
        runs(12, 600),
      );
    },
    TIMEOUT,
  );

  it(
    '_last_checkpoint: any JSON opens the same pond (it only points at an accelerator)',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.jsonValue({ maxDepth: 2 }),
            fc.record(
              { version: fc.oneof(fc.integer(), fc.constantFrom(100, 99, 101, -1, 1e300, '100')), size: fc.oneof(fc.integer(), fc.constant(null)) },
              { requiredKeys: [] },
            ),
          ),
          async (json) => {
            count('last-checkpoint');
            const store = await fresh(checkpointed);
            await store.write(`${LOG_DIR}_last_checkpoint`, enc(JSON.stringify(json) ?? ''));
            const print = await exercise(store, `_last_checkpoint ${JSON.stringify(json)}`);
            const kept = print
              .split('\n')
              .filter((l) => !l.startsWith('warn ECORRUPT _delta_log/') || !l.includes('checkpoint'))
              .join('\n');
            expect(kept).toBe(checkpointedPrint);
          },
        ),
        runs(10, 300),
      );
    },
    TIMEOUT,
  );

  it(
    'the publish index: edited JSON parses to a safe index or is ECORRUPT naming it',
    async () => {
      const index = await buildPublishIndex(small, { created: '2025-01-01T00:00:00Z' });
      const text = new TextDecoder().decode(encodePublishIndex(index));
      await fc.assert(
        fc.property(
          fc.oneof(
            fc.array(jsonEdit, { minLength: 1, maxLength: 3 }).map((edits) => JSON.stringify(edits.reduce<unknown>((acc, e) => editJson(acc, e), index)) ?? ''),
            byteMutation.map((m) => new TextDecoder().decode(mutateBytes(enc(text), m))),
          ),
          (mutated) => {
            count('publish-index');
            try {
              const parsed = parsePublishIndex(mutated, 'https://host/p/duckpond-index.json');
              const keys = new Set<string>();
              for (const f of parsed.files) {
                expect(keyProblem(f.key)).toBeUndefined();
                expect(Number.isSafeInteger(f.size) && f.size >= 0).toBe(true);
                expect(f.sha256).toMatch(/^[0-9a-f]{64}$/);
                expect(keys.has(f.key)).toBe(false);
                keys.add(f.key);
              }
            } catch (e) {
              expectTyped(e, `index ${mutated.slice(0, 200)}`);
              expect(e.code).toBe('ECORRUPT');
              expect(e.data.path).toBe('https://host/p/duckpond-index.json');
            }
          },
        ),
        runs(100, 10_000),
      );
    },
    TIMEOUT,
  );
});
