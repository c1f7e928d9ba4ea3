// Upgrading the app never makes local ponds disappear: a pond laid out by release 0.1 (no layout
// marker) is found, kept and marked; storage from a newer release is refused untouched, also by
// the real pond worker.
import { describe, it, expect, afterAll } from 'vitest';
import { wrap, releaseProxy } from 'comlink';
import { openPond } from '../../src/core/index.ts';
import { OpfsStore, listOpfsPonds, deleteOpfsPond } from '../../src/core/storage/opfs.ts';
import { isPondError } from '../../src/core/errors.ts';
import { IdbStore, deleteIdbPond, listIdbPonds } from '../../src/core/storage/idb.ts';
import { idbBackend, opfsBackend } from '../../workers/backends.ts';
import { ensureLayout, idbLayoutMarker, opfsLayoutMarker, LAYOUT_VERSION } from '../../workers/storage-layout.ts';
import { installErrorTransfer } from '../../workers/error-transfer.ts';
import type { PondApi } from '../../workers/api.ts';

installErrorTransfer();
const RUN = `layout${Date.now().toString(36)}`;
const legacy = `${RUN}-legacy`;

async function rootDir(): Promise<FileSystemDirectoryHandle> {
  return (await navigator.storage.getDirectory()).getDirectoryHandle('duckpond', { create: true });
}

async function setMarker(text: string | null): Promise<void> {
  const root = await rootDir();
  if (text === null) {
    await root.removeEntry('layout.json').catch(() => {});
    return;
  }
  const out = await (await root.getFileHandle('layout.json', { create: true })).createWritable();
  await out.write(text);
  await out.close();
}

async function readLegacy(): Promise<string> {
  const pond = await openPond(new OpfsStore(legacy), { create: false });
  try {
    return new TextDecoder().decode(await pond.readFile('/notes/kept.txt'));
  } finally {
    await pond.close();
  }
}

describe('storage layout in OPFS', () => {
  afterAll(async () => {
    await setMarker(JSON.stringify({ layout: LAYOUT_VERSION }));
    await deleteOpfsPond(legacy);
  });

  it('keeps and marks ponds written by release 0.1, which had no layout marker', async () => {
    // The fixture is made the way release 0.1 made ponds: a folder per pond under duckpond/.
    await setMarker(null);
    const pond = await openPond(new OpfsStore(legacy), { create: true });
    await pond.transact(async (tx) => {
      await tx.mkdir('/notes');
      await tx.writeFile('/notes/kept.txt', new TextEncoder().encode('written before the upgrade'));
    });
    await pond.close();

    const marker = opfsLayoutMarker();
    expect(await marker.read()).toBeNull();
    const report = await ensureLayout(opfsBackend(), marker);
    expect(report.found).toBe(0);
    expect(report.version).toBe(LAYOUT_VERSION);
    expect(await marker.read()).toBe(LAYOUT_VERSION);
    expect(await listOpfsPonds()).toContain(legacy);
    expect(await readLegacy()).toBe('written before the upgrade');
  });

  it('refuses a layout from a newer release, and a damaged marker, leaving ponds untouched', async () => {
    await setMarker(JSON.stringify({ layout: LAYOUT_VERSION + 1 }));
    const newer = await ensureLayout(opfsBackend(), opfsLayoutMarker()).catch((e: unknown) => e);
    expect(isPondError(newer, 'EUNSUPPORTED')).toBe(true);
    expect((newer as Error).message).toContain('opfs:duckpond/layout.json');

    await setMarker('{"layout": "two"');
    const damaged = await ensureLayout(opfsBackend(), opfsLayoutMarker()).catch((e: unknown) => e);
    expect(isPondError(damaged, 'ECORRUPT')).toBe(true);

    expect(await listOpfsPonds()).toContain(legacy);
    expect(await readLegacy()).toBe('written before the upgrade');
    await setMarker(JSON.stringify({ layout: LAYOUT_VERSION }));
  });

  it('the pond worker tells the page when an old cached app meets newer storage', async () => {
    await setMarker(JSON.stringify({ layout: LAYOUT_VERSION + 1 }));
    const worker = new Worker(new URL('../../workers/pond.worker.ts', import.meta.url), { type: 'module' });
    const api = wrap<PondApi>(worker);
    try {
      const error = await api.listPonds().then(
        () => null,
        (e: unknown) => e,
      );
      expect(isPondError(error, 'EUNSUPPORTED')).toBe(true);
      expect((error as Error).message).toMatch(/newer DuckPond/);
    } finally {
      api[releaseProxy]();
      worker.terminate();
      await setMarker(JSON.stringify({ layout: LAYOUT_VERSION }));
    }
    expect(await readLegacy()).toBe('written before the upgrade');
  });
});

describe('storage layout in IndexedDB', () => {
  const name = `${RUN}-idb`;

  afterAll(async () => {
    await deleteIdbPond(name).catch(() => {});
  });

  it('keeps and marks a release-0.1 IndexedDB pond, and refuses a newer layout', async () => {
    await new Promise<void>((resolve, reject) => {
      const req = indexedDB.deleteDatabase('duckpond-layout');
      req.onsuccess = () => resolve();
      req.onerror = () => reject(req.error);
    });
    const pond = await openPond(new IdbStore(name), { create: true });
    await pond.transact((tx) => tx.writeFile('/kept.txt', new TextEncoder().encode('in IndexedDB')));
    await pond.close();

    const marker = idbLayoutMarker();
    expect(await marker.read()).toBeNull();
    expect((await ensureLayout(idbBackend(), marker)).found).toBe(0);
    expect(await marker.read()).toBe(LAYOUT_VERSION);
    expect(await listIdbPonds()).toContain(name);

    await marker.write(LAYOUT_VERSION + 1);
    const error = await ensureLayout(idbBackend(), marker).catch((e: unknown) => e);
    expect(isPondError(error, 'EUNSUPPORTED')).toBe(true);
    const reopened = await openPond(new IdbStore(name), { create: false });
    expect(new TextDecoder().decode(await reopened.readFile('/kept.txt'))).toBe('in IndexedDB');
    await reopened.close();
    await marker.write(LAYOUT_VERSION);
  });
});
