/**
 * A pond as a .zip of its Delta table: every object of the store at its key, so that unzipping
 * gives a directory that Spark, delta-rs or DuckDB's delta reader open as a table. The zip also
 * carries the publish index (duckpond-index.json: every key with its size and sha256), so the same
 * unzipped folder can be served by any static host and opened by URL; an import verifies it.
 */
import { Zip, ZipDeflate, ZipPassThrough, unzipSync } from 'fflate';
import type { ObjectStore } from '../src/core/index.ts';
import { isPondError, pondError } from '../src/core/errors.ts';
import { keyProblem } from '../src/core/storage/common.ts';
import { concatBytes } from '../src/core/bytes.ts';
import { sha256Hex } from '../src/core/hash.ts';
import { PUBLISH_INDEX, encodePublishIndex, parsePublishIndex, type PublishIndex } from '../src/core/storage/publish-index.ts';
import type { Operation } from './operations.ts';
import { logLast } from './pond-catalog.ts';

/** The first commit: a zip without it is not a pond. */
const FIRST_COMMIT = '_delta_log/00000000000000000000.json';

/** Zip every object in `store` plus its publish index. Parquet and large files are stored as-is (already compressed). */
export async function zipStore(store: ObjectStore, op: Operation): Promise<Uint8Array> {
  const keys = (await store.list('')).filter((k) => k !== PUBLISH_INDEX);
  const index: PublishIndex = { format: 'duckpond-index', version: 1, created: new Date().toISOString(), files: [] };
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
    // Hashed here, while the bytes are in hand, rather than in a second pass over the store.
    index.files.push({ key, size: bytes.length, sha256: await sha256Hex(bytes) });
    const entry = key.endsWith('.json') ? new ZipDeflate(key, { level: 6 }) : new ZipPassThrough(key);
    zip.add(entry);
    entry.push(bytes, true);
    if (failed) throw failed;
  }
  const indexEntry = new ZipDeflate(PUBLISH_INDEX, { level: 6 });
  zip.add(indexEntry);
  indexEntry.push(encodePublishIndex(index), true);
  zip.end();
  if (failed) throw failed;
  op.progress({ phase: 'zipping', done: keys.length, total: keys.length });
  return concatBytes(chunks);
}

/** Write the objects of a pond zip into an (empty) store, data before commits. */
export async function restoreZip(store: ObjectStore, zip: Blob | Uint8Array, op: Operation): Promise<void> {
  op.progress({ phase: 'unzipping', done: 0 });
  const files = unzipPond(zip instanceof Uint8Array ? zip : new Uint8Array(await zip.arrayBuffer()));
  const indexBytes = files.get(PUBLISH_INDEX);
  files.delete(PUBLISH_INDEX);
  if (indexBytes) await verifyAgainstIndex(files, indexBytes);
  const keys = logLast([...files.keys()]);
  for (const [i, key] of keys.entries()) {
    op.check();
    op.progress({ phase: 'writing', done: i, total: keys.length });
    await store.write(key, files.get(key)!);
  }
  op.progress({ phase: 'writing', done: keys.length, total: keys.length });
}

/**
 * Check an archive against the publish index it carries: the same keys, each of the listed size
 * and sha256. ECORRUPT naming the first object that differs (a damaged or tampered archive).
 */
async function verifyAgainstIndex(files: Map<string, Uint8Array>, indexBytes: Uint8Array): Promise<void> {
  const index = parsePublishIndex(new TextDecoder().decode(indexBytes), PUBLISH_INDEX);
  const listed = new Set(index.files.map((f) => f.key));
  for (const key of files.keys()) {
    if (!listed.has(key)) throw pondError('ECORRUPT', key, `the archive holds a file its ${PUBLISH_INDEX} does not list`);
  }
  for (const f of index.files) {
    const bytes = files.get(f.key);
    if (!bytes) throw pondError('ECORRUPT', f.key, `listed in ${PUBLISH_INDEX} but missing from the archive`);
    if (bytes.length !== f.size || (await sha256Hex(bytes)) !== f.sha256) {
      throw pondError('ECORRUPT', f.key, `its bytes differ from what ${PUBLISH_INDEX} lists (size ${bytes.length}, expected ${f.size})`);
    }
  }
}

/** The most a pond zip may inflate to; a tiny archive that claims more is refused before inflating. */
export const MAX_UNZIPPED_BYTES = 4 * 1024 ** 3;
/** The most compression a real pond reaches (JSON compresses ~20×; Parquet and large files are stored). */
const MAX_RATIO = 200;

/**
 * The objects of a pond zip by store key. Accepts a zip of the table directory itself or of one
 * folder holding it (what zipping a folder in a file manager makes). Refuses, before inflating
 * anything: entries that climb out (`..`), absolute or drive paths, duplicate names, and archives
 * that would inflate past MAX_UNZIPPED_BYTES or MAX_RATIO (zip bombs). ECORRUPT when it is no pond.
 */
export function unzipPond(zip: Uint8Array, limit = MAX_UNZIPPED_BYTES): Map<string, Uint8Array> {
  const seen = new Set<string>();
  let declared = 0;
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(zip, {
      filter: (f) => {
        const name = f.name;
        if (name.startsWith('/') || name.startsWith('\\') || /^[A-Za-z]:/.test(name) || name.includes('\0')) {
          throw pondError('EINVAL', name, 'zip entry has an absolute path');
        }
        if (name.split(/[\\/]/).includes('..')) throw pondError('EINVAL', name, 'zip entry climbs out of the pond (..)');
        if (seen.has(name)) throw pondError('EINVAL', name, 'zip has two entries with this name');
        seen.add(name);
        declared += f.originalSize;
        if (declared > limit) throw pondError('ETOOBIG', '<zip>', `the archive would inflate past ${Math.round(limit / 1024 ** 2)} MiB`);
        if (f.originalSize > Math.max(1024 ** 2, f.size * MAX_RATIO)) {
          throw pondError('ETOOBIG', name, `zip entry inflates ${Math.round(f.originalSize / Math.max(1, f.size))}× (a zip bomb?)`);
        }
        return true;
      },
    });
  } catch (e) {
    if (isPondError(e)) throw e;
    throw pondError('ECORRUPT', '<zip>', `not a readable zip file (${(e as Error).message})`, {}, e);
  }
  const names = Object.keys(files).filter((n) => !n.endsWith('/'));
  const inflated = names.reduce((n, k) => n + files[k].length, 0);
  if (inflated > limit) throw pondError('ETOOBIG', '<zip>', `the archive inflated past ${Math.round(limit / 1024 ** 2)} MiB`);
  const first = names.find((n) => n === FIRST_COMMIT || n.endsWith(`/${FIRST_COMMIT}`));
  if (first === undefined) throw pondError('ECORRUPT', '<zip>', `no ${FIRST_COMMIT}: this zip does not hold a pond (a Delta table)`);
  const prefix = first.slice(0, first.length - FIRST_COMMIT.length);
  const out = new Map<string, Uint8Array>();
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const key = name.slice(prefix.length);
    const problem = keyProblem(key);
    if (problem) throw pondError('EINVAL', name, `zip entry is not a pond file: ${problem}`);
    out.set(key, files[name]);
  }
  return out;
}
