// Published ponds through the real pond worker: the demo the site ships (public/ponds/demo/, built
// by scripts/build-demo-ponds.ts) opened by URL read-only, copied into OPFS, changed, reset; an
// export carries the index that lets it be published, and an import checks it.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { wrap, releaseProxy, type Remote } from 'comlink';
import { unzipSync, zipSync } from 'fflate';
import type { PondApi } from '../../workers/api.ts';
import { installErrorTransfer } from '../../workers/error-transfer.ts';
import { isPondError } from '../../src/core/errors.ts';

installErrorTransfer();
const RUN = `pub${Date.now().toString(36)}`;
const DEMO = new URL('/ponds/demo/', location.href).href;

async function rejectionOf(p: Promise<unknown>): Promise<unknown> {
  return p.then(() => { throw new Error('expected a rejection, got a value'); }, (e: unknown) => e);
}

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

  it('exports a zip with its index; an import verifies it and refuses a tampered one, writing nothing', async () => {
    await api.openUrl(DEMO, 'demo');
    const zip = await api.exportPond();
    const files = unzipSync(zip);
    const index = JSON.parse(new TextDecoder().decode(files['duckpond-index.json'])) as { files: { key: string; size: number; sha256: string }[] };
    const keys = Object.keys(files).filter((k) => k !== 'duckpond-index.json').sort();
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
