// Tree integrity against hostile input: rename ancestry by node (symlinks, views), symlink
// resolution, and NFC names (issue 12, classes 5 and 7).
import { describe, it, expect } from 'vitest';
import { openPond, MemoryStore, type Pond } from '../../../src/core/index.ts';
import { fsck } from '../../../src/core/tlogfs/fsck.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const NFC = 'caf\u00e9';
const NFD = 'cafe\u0301';

/** Everything a user can see of a pond: version and the whole tree with file bodies. */
async function snapshot(pond: Pond): Promise<string> {
  const out: string[] = [`v${pond.version}`];
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (depth > 8) return;
    for (const e of await pond.readdir(dir)) {
      const p = dir === '/' ? `/${e.name}` : `${dir}/${e.name}`;
      out.push(`${p}:${e.type}`);
      if (e.type === 'directory') await walk(p, depth + 1);
      else if (e.type === 'symlink') out.push(`-> ${await pond.readlink(p)}`);
      else out.push(dec(await pond.readFile(p)));
    }
  };
  await walk('/', 0);
  return out.join('\n');
}

async function pondWithTree(): Promise<{ pond: Pond; store: MemoryStore }> {
  const store = new MemoryStore();
  const pond = await openPond(store, { create: true });
  await pond.transact(async (tx) => {
    await tx.mkdir('/a/b/c', { parents: true });
    await tx.writeFile('/a/b/c/f.txt', enc('data'));
    await tx.symlink('/a/b', '/link');
  });
  return { pond, store };
}

describe('rename checks ancestry by node', () => {
  it('refuses to move a directory into its own subtree through a symlinked parent, naming both paths', async () => {
    const { pond, store } = await pondWithTree();
    const before = await snapshot(pond);
    const err = await pond.transact((tx) => tx.rename('/a', '/link/x')).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'EINVAL' });
    expect(String((err as Error).message)).toContain('/a');
    expect(String((err as Error).message)).toContain('/link/x');
    expect(await snapshot(pond)).toBe(before);
    expect((await fsck(store)).problems).toEqual([]);
  });

  it('refuses it through a symlink chain and a relative symlink too', async () => {
    const { pond } = await pondWithTree();
    await pond.transact(async (tx) => {
      await tx.symlink('/link', '/link2'); // link2 -> link -> /a/b
      await tx.symlink('b/c', '/a/rel'); // /a/rel -> /a/b/c
    });
    await expect(pond.transact((tx) => tx.rename('/a', '/link2/c/x'))).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(pond.transact((tx) => tx.rename('/a/b', '/a/rel/x'))).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(pond.transact((tx) => tx.rename('/a', '/a/rel/x'))).rejects.toMatchObject({ code: 'EINVAL' });
    expect((await pond.stat('/a/b/c/f.txt')).type).toBe('file:data');
  });

  it('still moves a directory next to or out of a symlinked place', async () => {
    const { pond, store } = await pondWithTree();
    await pond.transact((tx) => tx.mkdir('/other'));
    await pond.transact((tx) => tx.rename('/other', '/link/other')); // /other -> /a/b/other: not an ancestor
    expect((await pond.stat('/a/b/other')).type).toBe('directory');
    await pond.transact((tx) => tx.rename('/link/c', '/c2')); // /a/b/c moves to the root
    expect(dec(await pond.readFile('/c2/f.txt'))).toBe('data');
    expect((await fsck(store)).problems).toEqual([]);
  });

  it('refuses it through a directory factory that re-exposes a stored directory (the chain alone cannot tell)', async () => {
    const { openDynamic } = await import('../dynamic/fixtures.ts');
    const { pond, store } = await openDynamic();
    await pond.transact(async (tx) => {
      await tx.mkdir('/a/b/c', { parents: true });
      await tx.mknod('/view', 'directory', { pattern: '/a/*', filter: { types: ['directory'] } });
    });
    expect((await pond.readdir('/view')).map((e) => e.name)).toEqual(['b']);
    const before = await snapshot(pond);
    await expect(pond.transact((tx) => tx.rename('/a', '/view/b/x'))).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(pond.transact((tx) => tx.rename('/a', '/view/b/c/x'))).rejects.toMatchObject({ code: 'EINVAL' });
    expect(await snapshot(pond)).toBe(before);
    // Not an ancestor: allowed through the view.
    await pond.transact((tx) => tx.mkdir('/other'));
    await pond.transact((tx) => tx.rename('/other', '/view/b/other'));
    expect((await pond.stat('/a/b/other')).type).toBe('directory');
    expect((await fsck(store)).problems).toEqual([]);
  });

  it('a symlink loop in the destination path is ELOOP and changes nothing', async () => {
    const { pond } = await pondWithTree();
    await pond.transact(async (tx) => {
      await tx.symlink('/l2', '/l1');
      await tx.symlink('/l1', '/l2');
    });
    const before = await snapshot(pond);
    await expect(pond.transact((tx) => tx.rename('/a', '/l1/x'))).rejects.toMatchObject({ code: 'ELOOP' });
    await expect(pond.transact((tx) => tx.mkdir('/l1/x', { parents: true }))).rejects.toMatchObject({ code: expect.stringMatching(/ELOOP|EEXIST/) });
    expect(await snapshot(pond)).toBe(before);
  });

  it('the root cannot be moved, by name or through a symlink to it', async () => {
    const { pond } = await pondWithTree();
    await pond.transact((tx) => tx.symlink('/', '/top'));
    await expect(pond.transact((tx) => tx.rename('/', '/x'))).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(pond.transact((tx) => tx.rename('/top/..', '/x'))).rejects.toMatchObject({ code: 'EINVAL' });
    // Moving the link moves the link, not the root.
    await pond.transact((tx) => tx.rename('/top', '/a/top'));
    expect(await pond.readlink('/a/top')).toBe('/');
    expect((await pond.readdir('/')).map((e) => e.name)).toEqual(['a', 'link']);
  });

  it('writing through a dangling symlink is refused instead of replacing the link', async () => {
    const { pond } = await pondWithTree();
    await pond.transact((tx) => tx.symlink('/nowhere/f', '/dangling'));
    const before = await snapshot(pond);
    await expect(pond.transact((tx) => tx.writeFile('/dangling', enc('x')))).rejects.toMatchObject({ code: 'EEXIST' });
    expect(await snapshot(pond)).toBe(before);
    expect(await pond.readlink('/dangling')).toBe('/nowhere/f');
  });

  it('mkdir -p accepts a symlink to a directory as an existing ancestor', async () => {
    const { pond } = await pondWithTree();
    await pond.transact((tx) => tx.mkdir('/link/new/deep', { parents: true }));
    expect((await pond.stat('/a/b/new/deep')).type).toBe('directory');
  });

  it('a relative symlink resolves against the directory that holds it, however it was reached', async () => {
    const { pond } = await pondWithTree();
    await pond.transact(async (tx) => {
      await tx.writeFile('/a/sibling.txt', enc('sibling'));
      await tx.symlink('../sibling.txt', '/a/b/up'); // physically /a/b/up -> /a/sibling.txt
    });
    expect(dec(await pond.readFile('/a/b/up'))).toBe('sibling');
    expect(dec(await pond.readFile('/link/up'))).toBe('sibling');
  });
});

describe('names are NFC on write and on lookup', () => {
  it('NFD and NFC spellings of a name are one entry, stored as NFC', async () => {
    const pond = await openPond(new MemoryStore(), { create: true });
    await pond.transact((tx) => tx.writeFile(`/${NFD}.txt`, enc('one')));
    await pond.transact((tx) => tx.writeFile(`/${NFC}.txt`, enc('two')));
    expect((await pond.readdir('/')).map((e) => e.name)).toEqual([`${NFC}.txt`]);
    expect(dec(await pond.readFile(`/${NFD}.txt`))).toBe('two');
    expect((await pond.versions(`/${NFC}.txt`)).length).toBe(2);
    await expect(pond.transact((tx) => tx.mkdir(`/${NFD}.txt`))).rejects.toMatchObject({ code: 'EEXIST' });
    // Å as ANGSTROM SIGN (U+212B) and as A-ring (U+00C5) are one name too.
    await pond.transact((tx) => tx.mkdir('/\u212B'));
    expect((await pond.stat('/\u00C5')).type).toBe('directory');
    expect((await pond.readdir('/')).map((e) => e.name)).toContain('\u00C5');
  });

  it('mkdir, symlink, rename and setAttributes store NFC names; globs match either spelling', async () => {
    const pond = await openPond(new MemoryStore(), { create: true });
    await pond.transact(async (tx) => {
      await tx.mkdir(`/${NFD}`);
      await tx.writeFile(`/${NFC}/x.csv`, enc('x'));
      await tx.symlink(`/${NFD}`, `/l-${NFD}`);
      await tx.writeFile('/tmp', enc('t'));
      await tx.rename('/tmp', `/${NFD}/t-${NFD}`);
      await tx.setAttributes(`/${NFD}/x.csv`, { k: 'v' });
    });
    const names = (await pond.readdir('/')).map((e) => e.name);
    expect(names).toEqual([NFC, `l-${NFC}`]);
    expect((await pond.readdir(`/${NFD}`)).map((e) => e.name)).toEqual([`t-${NFC}`, 'x.csv']);
    expect((await pond.stat(`/l-${NFC}/x.csv`)).attributes.k).toBe('v');
    expect((await pond.glob(`/${NFD}/*.csv`)).map((m) => m.path)).toEqual([`/${NFC}/x.csv`]);
    expect((await pond.glob(`/caf?/t-*`)).map((m) => m.captures)).toEqual([[`${NFC}`]]);
  });
});

describe('extended attributes keep every key', () => {
  it('__proto__, constructor and toString are ordinary attribute keys, after a reopen too', async () => {
    const store = new MemoryStore();
    const pond = await openPond(store, { create: true });
    await pond.transact(async (tx) => {
      await tx.mkdir('/d');
      await tx.writeFile('/d/f', enc('x'));
      const attrs = JSON.parse('{"__proto__": "p", "constructor": "c", "toString": "t"}') as Record<string, string>;
      await tx.setAttributes('/d/f', attrs);
      await tx.setAttributes('/d', attrs);
    });
    for (const p of [pond, await openPond(store)]) {
      for (const path of ['/d/f', '/d']) {
        const a = (await p.stat(path)).attributes;
        expect(Object.keys(a).sort()).toEqual(['__proto__', 'constructor', 'toString']);
        expect(Object.getOwnPropertyDescriptor(a, '__proto__')?.value).toBe('p');
      }
    }
    // Deleting a key that only the prototype has is a no-op, not a crash.
    await pond.transact((tx) => tx.setAttributes('/d/f', JSON.parse('{"__proto__": null, "hasOwnProperty": null}') as Record<string, null>));
    expect(Object.keys((await pond.stat('/d/f')).attributes).sort()).toEqual(['constructor', 'toString']);
  });
});
