/**
 * The version of how this app lays out ponds in the browser's storage (OPFS folders, IndexedDB
 * databases, bookkeeping beside them), and the migrations between versions. A new release may
 * change the layout; it must never make existing local ponds disappear. So: every start reads the
 * layout marker, runs the migrations from that version up, and writes the new version only after
 * they all succeeded. A layout newer than this build (an old cached app meeting data a newer one
 * wrote) is refused without touching anything.
 *
 * Versions: 0 = release 0.1, which wrote no marker (ponds in OPFS `duckpond/<name>/`, or IndexedDB
 * databases `duckpond:<name>`); 1 = the same places plus this marker and the origins of local
 * copies of published ponds (IndexedDB `duckpond-meta`, which also journals a reset's swap under
 * `.reset:<name>`), and a reset's scratch copy beside the ponds as `.reset.<name>` (a name no pond
 * can have; never listed, and finished or removed at every start). 0 -> 1 moves no data.
 */
import { createStore, get, set } from 'idb-keyval';
import { pondError } from '../src/core/index.ts';
import type { StoreBackend } from './pond-catalog.ts';

/** The layout this build writes. */
export const LAYOUT_VERSION = 1;

/** Where the layout version is recorded. */
export interface LayoutMarker {
  /** Where it lives, for error messages. */
  readonly where: string;
  read(): Promise<number | null>;
  write(version: number): Promise<void>;
}

/** One step from layout `from` to `from + 1`. */
export interface Migration {
  from: number;
  description: string;
  run(backend: StoreBackend): Promise<void>;
}

/** The migrations of released layouts, in order. */
export const MIGRATIONS: readonly Migration[] = [
  { from: 0, description: 'record the layout version (release 0.1 ponds stay where they are)', run: async () => {} },
];

/** What `ensureLayout` found and did. */
export interface LayoutReport {
  /** The version found (0 for unversioned ponds of release 0.1; null for empty storage). */
  found: number | null;
  version: number;
  migrated: string[];
}

/**
 * Bring the storage behind `backend` to `target`: a fresh store gets the marker, an older layout is
 * migrated step by step (the marker advancing after each step, so an interrupted upgrade resumes),
 * a newer one is refused with EUNSUPPORTED naming the marker.
 */
export async function ensureLayout(
  backend: StoreBackend,
  marker: LayoutMarker,
  migrations: readonly Migration[] = MIGRATIONS,
  target = LAYOUT_VERSION,
): Promise<LayoutReport> {
  const recorded = await marker.read();
  if (recorded !== null && recorded > target) {
    throw pondError(
      'EUNSUPPORTED',
      marker.where,
      `the ponds in this browser were written by a newer DuckPond (storage layout ${recorded}; this one knows up to ${target}); reload the page to get the new version`,
    );
  }
  const found = recorded ?? ((await backend.names()).length ? 0 : null);
  if (found === null) {
    await marker.write(target);
    return { found, version: target, migrated: [] };
  }
  const migrated: string[] = [];
  for (let v = found; v < target; v++) {
    const step = migrations.find((m) => m.from === v);
    if (!step) throw pondError('EUNSUPPORTED', marker.where, `no migration from storage layout ${v}; local ponds were left untouched`);
    await step.run(backend);
    await marker.write(v + 1);
    migrated.push(step.description);
  }
  return { found, version: target, migrated };
}

/** The marker of OPFS ponds: `duckpond/layout.json` beside the pond folders (listings skip files). */
export function opfsLayoutMarker(): LayoutMarker {
  const where = 'opfs:duckpond/layout.json';
  const root = async () => (await navigator.storage.getDirectory()).getDirectoryHandle('duckpond', { create: true });
  return {
    where,
    async read() {
      try {
        const file = await (await (await root()).getFileHandle('layout.json')).getFile();
        return parseMarker(await file.text(), where);
      } catch (e) {
        if ((e as { name?: unknown }).name === 'NotFoundError') return null;
        throw e;
      }
    },
    async write(version) {
      const handle = await (await root()).getFileHandle('layout.json', { create: true });
      // createWritable exists in workers and pages; it replaces the file atomically on close.
      const out = await handle.createWritable();
      await out.write(JSON.stringify({ layout: version }) + '\n');
      await out.close();
    },
  };
}

/** The marker of IndexedDB ponds: a key in its own small database (pond databases are `duckpond:<name>`). */
export function idbLayoutMarker(): LayoutMarker {
  const where = 'indexeddb:duckpond-layout';
  const store = createStore('duckpond-layout', 'layout');
  return {
    where,
    async read() {
      const value = await get<unknown>('layout', store);
      return value === undefined ? null : parseMarker(JSON.stringify({ layout: value }), where);
    },
    write: (version) => set('layout', version, store),
  };
}

/** A marker held in memory (ponds in memory never outlive the worker; tests use it too). */
export function memoryLayoutMarker(): LayoutMarker {
  let version: number | null = null;
  return {
    where: 'memory',
    async read() {
      return version;
    },
    async write(v) {
      version = v;
    },
  };
}

function parseMarker(text: string, where: string): number {
  let layout: unknown;
  try {
    layout = (JSON.parse(text) as { layout?: unknown }).layout;
  } catch {
    layout = undefined;
  }
  if (typeof layout !== 'number' || !Number.isInteger(layout) || layout < 0) {
    throw pondError('ECORRUPT', where, `the storage layout marker does not hold a layout version (${text.slice(0, 60)}); local ponds were left untouched`);
  }
  return layout;
}
