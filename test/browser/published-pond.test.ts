// Published ponds through the real pond worker: the demo the site ships (public/ponds/demo/, built
// by scripts/build-demo-ponds.ts) opened by URL read-only, copied into OPFS, changed, reset; an
// export carries the index that lets it be published, and an import checks it.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { wrap, proxy, releaseProxy, type Remote } from 'comlink';
import { unzipSync, zipSync } from 'fflate';
import type { PondApi, Progress } from '../../workers/api.ts';
import { installErrorTransfer } from '../../workers/error-transfer.ts';
import { isPondError } from '../../src/core/errors.ts';
import { openPond } from '../../src/core/index.ts';
import { OpfsStore, listOpfsPonds, deleteOpfsPond } from '../../src/core/storage/opfs.ts';
import { pondOrigins } from '../../workers/pond-origins.ts';
import { logLast, resetScratchName } from '../../workers/pond-catalog.ts';
import { rejectionOf } from '../shared/rejection.ts';

installErrorTransfer();
const RUN = `pub${Date.now().toString(36)}`;
const DEMO = new URL('/ponds/demo/', location.href).href;

describe('published ponds in the pond worker', () => {
  let worker: Worker;
  let api: Remote<PondApi>;

  beforeAll(() => {
    worker = new Worker(new URL('../../workers/pond.worker.ts', import.meta.url), { type: 'module' });
    api = wrap<PondApi>(worker);
  });

  afterAll(async () => {
    for (const p of await api.listPonds()) if (p.name.startsWith(RUN)) await api.deletePond(p.name);
    api[releaseProxy]();
    worker.terminate();
  });

  it('opens the shipped demo by URL, read-only, with its history', async () => {
    const info = await api.openUrl(DEMO, 'demo');
    expect(info).toMatchObject({ name: 'demo', kind: 'http', url: DEMO, origin: null, readOnly: true, asOf: null });
    expect(info.latest).toBeGreaterThan(3);
    expect((await api.readdir('/')).map((e) => e.name)).toEqual(expect.arrayContaining(['README.md', 'data', 'sensors', 'views']));
    const readme = new TextDecoder().decode(await api.readFile('/README.md'));
    expect(readme).toMatch(/\| 2012 \| [\d.]+ \| \d+ \| \d+ \|/);
    // Version 0 created the pond; every version after it is a transaction of the demo's story.
    expect((await api.history()).length).toBe(info.latest + 1);
    // Every write is refused with a reason that says what to do, and changes nothing.
    const error = await rejectionOf(api.mkdir('/mine'));
    expect(isPondError(error, 'EROFS')).toBe(true);
    expect((error as Error).message).toMatch(/make a local copy/);
    expect((await api.info())?.latest).toBe(info.latest);
    // Time travel works over HTTP too.
    const first = await api.travel(1);
    expect(first.version).toBe(1);
    await api.travel(null);
  });

  it('copies the published pond into OPFS, where it can be changed and then reset', async () => {
    const published = await api.openUrl(DEMO, 'demo');
    const name = `${RUN}-copy`;
    const copy = await api.copyToLocal(name);
    expect(copy).toMatchObject({ name, kind: 'opfs', url: null, origin: DEMO, readOnly: false, latest: published.latest });
    expect(new TextDecoder().decode(await api.readFile('/README.md'))).toMatch(/\| 2015 \|/);
    const changed = await api.mkdir('/mine');
    expect(changed).toBe(published.latest + 1);

    const reset = await api.resetPond(name);
    expect(reset).toMatchObject({ name, kind: 'opfs', origin: DEMO, latest: published.latest });
    expect((await api.readdir('/')).map((e) => e.name)).not.toContain('mine');
    expect((await api.listPonds()).filter((p) => p.name.startsWith(RUN)).map((p) => p.name)).toEqual([name]);
    // A pond that was not copied from anywhere has nothing to reset to.
    await api.createPond(`${RUN}-plain`);
    expect(isPondError(await rejectionOf(api.resetPond(`${RUN}-plain`)), 'EINVAL')).toBe(true);
  });

  it('never lets a stale origin record offer to reset a pond that is not a copy', async () => {
    await api.openUrl(DEMO, 'demo');
    const name = `${RUN}-reused`;
    expect((await api.copyToLocal(name)).origin).toBe(DEMO);
    await api.deletePond(name);
    // A new pond under the same name is nobody's copy: no "Reset to the published version".
    expect((await api.createPond(name)).origin).toBeNull();
    expect((await api.openPond(name)).origin).toBeNull();
    expect(isPondError(await rejectionOf(api.resetPond(name)), 'EINVAL')).toBe(true);

    // Records a crash could leave behind (the worker's steps are ordered so that none does):
    // creating, importing or renaming onto that name clears them.
    const origins = pondOrigins();
    await origins.set(`${RUN}-stale-new`, DEMO);
    await api.createPond(`${RUN}-stale-new`);
    expect((await api.openPond(`${RUN}-stale-new`)).origin).toBeNull();
    const zip = await api.exportPond();
    await origins.set(`${RUN}-stale-zip`, DEMO);
    expect((await api.importPond(`${RUN}-stale-zip`, zip)).origin).toBeNull();
    await origins.set(`${RUN}-stale-to`, DEMO);
    await api.renamePond(`${RUN}-stale-zip`, `${RUN}-stale-to`);
    expect((await api.openPond(`${RUN}-stale-to`)).origin).toBeNull();
    expect(await origins.get(`${RUN}-stale-zip`)).toBeNull();

    // A copy keeps its origin through a rename, and the old name's record goes.
    await api.openUrl(DEMO, 'demo');
    await api.copyToLocal(`${RUN}-moved`);
    await api.renamePond(`${RUN}-moved`, `${RUN}-moved-2`);
    expect((await api.info())?.origin).toBe(DEMO);
    expect(await origins.get(`${RUN}-moved`)).toBeNull();
    await api.deletePond(`${RUN}-moved-2`);
    expect(await origins.get(`${RUN}-moved-2`)).toBeNull();
  });

  it('never lists the scratch copy of a reset in progress', async () => {
    await api.openUrl(DEMO, 'demo');
    const name = `${RUN}-listed`;
    await api.copyToLocal(name);
    // Look while the reset runs: during the download, and while it swaps the copy in.
    const looks: Promise<string[]>[] = [];
    const phases = new Set<string>();
    const onProgress = proxy((p: Progress) => {
      if (!phases.has(p.phase)) looks.push(api.listPonds().then((ponds) => ponds.map((x) => x.name)));
      phases.add(p.phase);
    });
    await api.resetPond(name, {}, onProgress);
    looks.push(api.listPonds().then((ponds) => ponds.map((x) => x.name)));
    expect([...phases]).toEqual(expect.arrayContaining(['downloading', 'replacing']));
    const seen = (await Promise.all(looks)).flat();
    expect(seen.filter((n) => n.startsWith('.') || (n.includes(name) && n !== name))).toEqual([]);
    expect((await listOpfsPonds()).filter((n) => n.includes(name))).toEqual([name]);
  });

  it('finishes at the next start a reset that a closed tab interrupted, and removes abandoned scratch copies', async () => {
    const name = `${RUN}-interrupted`;
    const scratch = resetScratchName(name);
    const orphan = resetScratchName(`${RUN}-abandoned`);
    // The state a tab closed in mid-swap leaves: the download complete under the scratch name,
    // the swap journalled, and the local pond half-copied (data files and only the first commit).
    const full = await openPond(new OpfsStore(scratch), { create: true });
    await full.transact((tx) => tx.mkdir('/fresh'));
    await full.transact((tx) => tx.writeFile('/fresh/latest.txt', new TextEncoder().encode('the published version')));
    const version = full.version;
    await full.close();
    const from = new OpfsStore(scratch);
    const to = new OpfsStore(name);
    const keys = logLast(await from.list(''));
    const firstCommit = keys.findIndex((k) => k.startsWith('_delta_log/')) + 1;
    for (const key of keys.slice(0, firstCommit)) await to.write(key, await from.read(key));
    await from.close();
    await to.close();
    const origins = pondOrigins();
    await origins.set(name, DEMO);
    await origins.beginReset(name, DEMO);
    // And a download that never finished: a scratch copy with no journal.
    const abandoned = new OpfsStore(orphan);
    await abandoned.write('part-0.parquet', new Uint8Array([1, 2, 3]));
    await abandoned.close();

    const next = new Worker(new URL('../../workers/pond.worker.ts', import.meta.url), { type: 'module' });
    const fresh = wrap<PondApi>(next);
    try {
      const listed = (await fresh.listPonds()).map((p) => p.name);
      expect(listed).toContain(name);
      expect(listed.filter((n) => n.startsWith('.'))).toEqual([]);
      const raw = await listOpfsPonds();
      expect(raw).not.toContain(scratch);
      expect(raw).not.toContain(orphan);
      expect((await origins.pendingResets()).has(name)).toBe(false);
      const info = await fresh.openPond(name);
      expect(info).toMatchObject({ origin: DEMO, latest: version });
      expect(new TextDecoder().decode(await fresh.readFile('/fresh/latest.txt'))).toBe('the published version');
    } finally {
      fresh[releaseProxy]();
      next.terminate();
      await deleteOpfsPond(scratch).catch(() => {});
      await deleteOpfsPond(orphan).catch(() => {});
      await origins.endReset(name);
    }
  });

  it('exports a zip with its index; an import verifies it and refuses a tampered one, writing nothing', async () => {
    await api.openUrl(DEMO, 'demo');
    const zip = await api.exportPond();
    const files = unzipSync(zip);
    const index = JSON.parse(new TextDecoder().decode(files['duckpond-index.json'])) as { files: { key: string; size: number; sha256: string }[] };
    const keys = Object.keys(files)
      .filter((k) => k !== 'duckpond-index.json')
      .sort();
    expect(index.files.map((f) => f.key).sort()).toEqual(keys);
    for (const f of index.files) expect(f.size).toBe(files[f.key].length);

    const imported = await api.importPond(`${RUN}-imported`, zip);
    expect(new TextDecoder().decode(await api.readFile('/README.md'))).toMatch(/The demo pond/);
    expect(imported.kind).toBe('opfs');

    const parquet = keys.find((k) => k.endsWith('.parquet'))!;
    const tampered = { ...files, [parquet]: files[parquet].slice() };
    tampered[parquet][tampered[parquet].length >> 1] ^= 0xff;
    const error = await rejectionOf(api.importPond(`${RUN}-tampered`, zipSync(tampered)));
    expect(isPondError(error, 'ECORRUPT')).toBe(true);
    expect((error as { data: { path?: string } }).data.path).toBe(parquet);
    expect((await api.listPonds()).map((p) => p.name)).not.toContain(`${RUN}-tampered`);
  });

  it('names the index URL when a folder was not published with one', async () => {
    const error = await rejectionOf(api.openUrl(new URL('/ponds/no-such-pond/', location.href).href, 'missing'));
    expect(isPondError(error, 'ENOENT')).toBe(true);
    expect((error as Error).message).toContain('no-such-pond/duckpond-index.json');
    expect(isPondError(await rejectionOf(api.openUrl('file:///etc/', 'x')), 'EINVAL')).toBe(true);
  });
});
