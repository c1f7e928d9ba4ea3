// Hostile corpus for the tree (issue 12, classes 5 and 7): random sequences of mkdir, symlink,
// rename, remove, writeFile and setAttributes over names an attacker picks (NFC/NFD pairs,
// compatibility characters, zero-width joiners, prototype keys, dots, very long names, symlinks to
// ancestors and loops). After every step the tree must be whole. HOSTILE_FULL=1 runs all of it.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { openPond, MemoryStore, type Pond } from '../../../src/core/index.ts';
import { isPondError } from '../../../src/core/errors.ts';
import { fsck } from '../../../src/core/tlogfs/fsck.ts';

const FULL = process.env.HOSTILE_FULL === '1';
const enc = (s: string) => new TextEncoder().encode(s);

/** Names that look alike, collide in NFC, or mean something to JavaScript or to a path. */
const NASTY = [
  'a',
  'b',
  'caf\u00e9',
  'cafe\u0301',
  '\u00C5',
  '\u212B',
  'A\u030A',
  '\u212A',
  'K',
  'a\u200Db',
  'a\u200Bb',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  '.',
  '..',
  ' ',
  'x'.repeat(300),
  '\uD83D\uDC4D',
  '\u0130',
];
// 'a' and 'b' often, so paths meet the seed tree and its symlinks.
const name = fc.oneof({ weight: 2, arbitrary: fc.constantFrom('a', 'b') }, { weight: 3, arbitrary: fc.constantFrom(...NASTY) });
const path = fc.array(name, { minLength: 1, maxLength: 3 }).map((parts) => `/${parts.join('/')}`);
/** Symlink targets: other paths, ancestors, the root, relative climbs, and themselves (loops come from pairs). */
const target = fc.oneof(
  path,
  fc.constantFrom('/', '..', '../..', '.', 'a/../a', '/a/b/../..'),
  fc.array(name, { minLength: 1, maxLength: 2 }).map((p) => p.join('/')),
);

type Op =
  | { op: 'mkdir'; path: string; parents: boolean }
  | { op: 'write'; path: string }
  | { op: 'symlink'; target: string; path: string }
  | { op: 'rename'; from: string; to: string }
  | { op: 'remove'; path: string; recursive: boolean }
  | { op: 'setattr'; path: string; key: string };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('mkdir' as const), path, parents: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('write' as const), path }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('symlink' as const), target, path }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('rename' as const), from: path, to: path }) },
  // The seed tree's directories into paths through its links: where the old rename lost subtrees.
  { weight: 2, arbitrary: fc.record({ op: fc.constant('rename' as const), from: fc.constantFrom('/a', '/a/b', '/a/b/up'), to: path }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('remove' as const), path, recursive: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('setattr' as const), path, key: name }) },
);

async function apply(pond: Pond, o: Op): Promise<void> {
  await pond.transact(async (tx) => {
    if (o.op === 'mkdir') await tx.mkdir(o.path, { parents: o.parents });
    else if (o.op === 'write') await tx.writeFile(o.path, enc(`body of ${o.path}`));
    else if (o.op === 'symlink') await tx.symlink(o.target, o.path);
    else if (o.op === 'rename') await tx.rename(o.from, o.to);
    else if (o.op === 'remove') await tx.remove(o.path, { recursive: o.recursive });
    else await tx.setAttributes(o.path, { [o.key]: 'v' });
  });
}

/**
 * Walk the tree without following symlinks: every name is NFC (new ponds only hold NFC names),
 * can be stat'ed and read back, and every stored directory is reached exactly once. Returns a
 * text of the whole tree, to compare before and after a refused step.
 */
async function checkTree(pond: Pond, ids = new Set<string>()): Promise<string> {
  const seenDirs = new Set<string>();
  const lines: string[] = [`v${pond.version}`];
  const walk = async (dir: string): Promise<void> => {
    for (const e of await pond.readdir(dir)) {
      const p = dir === '/' ? `/${e.name}` : `${dir}/${e.name}`;
      expect(e.name, `${p} is stored as NFC`).toBe(e.name.normalize('NFC'));
      const st = await pond.stat(p, { follow: false });
      expect(st.type).toBe(e.type);
      lines.push(`${p} ${e.type} ${st.nodeId} v${st.version} ${JSON.stringify(st.attributes)}`);
      ids.add(st.nodeId);
      if (e.type === 'directory') {
        expect(seenDirs.has(st.nodeId), `${p} reached twice`).toBe(false);
        seenDirs.add(st.nodeId);
        await walk(p);
      } else if (e.type === 'symlink') {
        lines.push(`  -> ${await pond.readlink(p)}`);
      } else {
        lines.push(`  ${new TextDecoder().decode(await pond.readFile(p))}`);
      }
    }
  };
  await walk('/');
  return lines.join('\n');
}

describe('hostile tree operations (fast-check)', () => {
  it(
    'every committed step leaves a whole tree; every refused step is a PondError and changes nothing',
    async () => {
      let committed = 0;
      let refused = 0;
      const codes = new Map<string, number>();
      await fc.assert(
        fc.asyncProperty(fc.array(opArb, { minLength: 4, maxLength: FULL ? 40 : 14 }), async (ops) => {
          const store = new MemoryStore();
          const pond = await openPond(store, { create: true });
          // A seed tree with a symlink to an ancestor, so renames through links are likely.
          await pond.transact(async (tx) => {
            await tx.mkdir('/a/b', { parents: true });
            await tx.symlink('/a/b', '/b');
            await tx.symlink('..', '/a/b/up');
          });
          for (const o of ops) {
            const had = new Set<string>();
            const before = await checkTree(pond, had);
            try {
              await apply(pond, o);
              committed++;
            } catch (e) {
              refused++;
              expect(isPondError(e), `${JSON.stringify(o)} threw ${String(e)}`).toBe(true);
              const code = (e as { code: string }).code;
              codes.set(code, (codes.get(code) ?? 0) + 1);
              expect(await checkTree(pond), `${JSON.stringify(o)} was refused (${code}) but changed the pond`).toBe(before);
              continue;
            }
            // Conservation, checked without fsck: a rename or setAttributes keeps every reachable
            // node reachable, creating adds only, removing takes only.
            const has = new Set<string>();
            await checkTree(pond, has);
            const lost = [...had].filter((id) => !has.has(id));
            const gained = [...has].filter((id) => !had.has(id));
            if (o.op === 'rename' || o.op === 'setattr') expect([lost, gained], `${JSON.stringify(o)} changed which nodes are reachable`).toEqual([[], []]);
            else if (o.op === 'remove') expect(gained, JSON.stringify(o)).toEqual([]);
            else expect(lost, `${JSON.stringify(o)} lost nodes`).toEqual([]);
          }
          // fsck sees every partition, reachable or not: a lost subtree, a second link or NFC twins show here.
          const report = await fsck(store);
          expect(report.problems, JSON.stringify(ops)).toEqual([]);
          await pond.close();
        }),
        { numRuns: FULL ? 400 : 40, seed: FULL ? undefined : 12 },
      );
      console.log(
        `tree corpus: ${committed} committed, ${refused} refused steps (${[...codes]
          .sort()
          .map(([c, n]) => `${c} ${n}`)
          .join(', ')})`,
      );
      expect(committed).toBeGreaterThan(FULL ? 1000 : 40);
      expect(refused).toBeGreaterThan(FULL ? 1000 : 40);
      // The corpus reaches the refusals that matter here, not just ENOENT.
      if (FULL) for (const c of ['EINVAL', 'EEXIST', 'ENOENT']) expect(codes.get(c) ?? 0, c).toBeGreaterThan(0);
    },
    FULL ? 600_000 : 60_000,
  );

  it('the cycle the old rename made is refused whichever way the destination is spelled', async () => {
    const pond = await openPond(new MemoryStore(), { create: true });
    await pond.transact(async (tx) => {
      await tx.mkdir('/a/b/c', { parents: true });
      await tx.symlink('/a/b', '/l');
      await tx.symlink('b', '/a/rel');
      await tx.symlink('/a/b/c/..', '/dotdot');
      await tx.symlink('/l', '/l2');
    });
    const before = await checkTree(pond);
    for (const to of ['/l/x', '/l/c/x', '/a/rel/x', '/l2/x', '/l2/c/y', '/a/b/../b/x', '/a/./b/x']) {
      await expect(
        pond.transact((tx) => tx.rename('/a', to)),
        to,
      ).rejects.toMatchObject({ code: 'EINVAL' });
    }
    // dotdot -> /a/b/c/.. is /a/b lexically: still inside /a.
    await expect(pond.transact((tx) => tx.rename('/a', '/dotdot/x'))).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(pond.transact((tx) => tx.rename('/a/b', '/l/c/x'))).rejects.toMatchObject({ code: 'EINVAL' });
    expect(await checkTree(pond)).toBe(before);
  });
});
