/**
 * A pond as a .zip of its Delta table: every object of the store at its key, so that unzipping
 * gives a directory that Spark, delta-rs or DuckDB's delta reader open as a table.
 */
import { Zip, ZipDeflate, ZipPassThrough, unzipSync } from 'fflate';
import type { ObjectStore } from '../src/core/index.ts';
import { pondError } from '../src/core/errors.ts';
import type { Operation } from './operations.ts';
import { logLast } from './pond-catalog.ts';

/** The first commit: a zip without it is not a pond. */
const FIRST_COMMIT = '_delta_log/00000000000000000000.json';

/** Zip every object in `store`. Parquet and large files are stored as-is (already compressed). */
export async function zipStore(store: ObjectStore, op: Operation): Promise<Uint8Array> {
  const keys = await store.list('');
  const chunks: Uint8Array[] = [];
  let failed: Error | null = null;
  const zip = new Zip((err, data) => {
    if (err) failed = err;
    else chunks.push(data);
  });
  for (let i = 0; i < keys.length; i++) {
    op.check();
    op.progress({ phase: 'zipping', done: i, total: keys.length });
    const key = keys[i];
    const bytes = await store.read(key);
    const entry = key.endsWith('.json') ? new ZipDeflate(key, { level: 6 }) : new ZipPassThrough(key);
    zip.add(entry);
    entry.push(bytes, true);
    if (failed) throw failed;
  }
  zip.end();
  if (failed) throw failed;
  op.progress({ phase: 'zipping', done: keys.length, total: keys.length });
  return concat(chunks);
}

/** Write the objects of a pond zip into an (empty) store, data before commits. */
export async function restoreZip(store: ObjectStore, zip: Blob | Uint8Array, op: Operation): Promise<void> {
  op.progress({ phase: 'unzipping', done: 0 });
  const files = unzipPond(zip instanceof Uint8Array ? zip : new Uint8Array(await zip.arrayBuffer()));
  const keys = logLast([...files.keys()]);
  for (const [i, key] of keys.entries()) {
    op.check();
    op.progress({ phase: 'writing', done: i, total: keys.length });
    await store.write(key, files.get(key)!);
  }
  op.progress({ phase: 'writing', done: keys.length, total: keys.length });
}

/**
 * The objects of a pond zip by store key. Accepts a zip of the table directory itself or of one
 * folder holding it (what zipping a folder in a file manager makes). ECORRUPT when it is no pond.
 */
export function unzipPond(zip: Uint8Array): Map<string, Uint8Array> {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(zip);
  } catch (e) {
    throw pondError('ECORRUPT', '<zip>', `not a readable zip file (${(e as Error).message})`, {}, e);
  }
  const names = Object.keys(files).filter((n) => !n.endsWith('/'));
  const first = names.find((n) => n === FIRST_COMMIT || n.endsWith(`/${FIRST_COMMIT}`));
  if (first === undefined) throw pondError('ECORRUPT', '<zip>', `no ${FIRST_COMMIT}: this zip does not hold a pond (a Delta table)`);
  const prefix = first.slice(0, first.length - FIRST_COMMIT.length);
  const out = new Map<string, Uint8Array>();
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const key = name.slice(prefix.length);
    if (key.split('/').some((part) => part === '' || part === '.' || part === '..')) continue;
    out.set(key, files[name]);
  }
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
