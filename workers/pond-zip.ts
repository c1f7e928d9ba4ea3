/**
 * A pond as a .zip of its Delta table: every object of the store at its key, so that unzipping
 * gives a directory that Spark, delta-rs or DuckDB's delta reader open as a table. The zip also
 * carries the publish index (duckpond-index.json: every key with its size and sha256, the stored
 * results under `_results/` included: Export computes them first), so the same
 * unzipped folder can be served by any static host and opened by URL; an import verifies it.
 * An import also reads the zip's central directory itself, to refuse zip bombs before inflating
 * anything and to check every entry's size and CRC-32 (fflate's unzipSync checks neither).
 */
import { Inflate, Zip, ZipDeflate, ZipPassThrough, strFromU8 } from 'fflate';
import { crc32 } from './crc32.ts';
import {
  isPondError,
  pondError,
  keyProblem,
  concatBytes,
  sha256Hex,
  PUBLISH_INDEX,
  RESULTS_DIR,
  encodePublishIndex,
  parsePublishIndex,
  type ObjectStore,
  type PublishIndex,
} from '../src/core/index.ts';
import type { Operation } from './operations.ts';
import { logLast } from './pond-catalog.ts';

/** The first commit: a zip without it is not a pond. */
const FIRST_COMMIT = '_delta_log/00000000000000000000.json';

/**
 * Zip every object in `store` plus its publish index. Parquet and large files are stored as-is
 * (already compressed). With `results`, of the stored results (`_results/`) only those keys go in:
 * the results of the pond's live nodes, not entries of old configs nor the local access record.
 */
export async function zipStore(store: ObjectStore, op: Operation, results?: ReadonlySet<string>): Promise<Uint8Array> {
  const keys = (await store.list('')).filter((k) => k !== PUBLISH_INDEX && (!results || !k.startsWith(RESULTS_DIR) || results.has(k)));
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

/** The most a pond zip may inflate to; an archive that declares more is refused before inflating. */
export const MAX_UNZIPPED_BYTES = 4 * 1024 ** 3;
/** The most compression a real pond reaches (JSON compresses ~20×; Parquet and large files are stored). */
const MAX_RATIO = 200;
/**
 * Entries up to this size skip the per-entry ratio check: alone they do no harm, and the
 * whole-archive cap bounds many of them. Real files compress past MAX_RATIO too (a sparse table, a
 * file of zeros a file manager deflated), so the check is only for entries big enough to hurt.
 */
const SMALL_ENTRY = 64 * 1024 ** 2;
/** A whole archive may always declare this much, whatever its ratio (a pond of small JSON files). */
const SMALL_ARCHIVE = 64 * 1024 ** 2;
/**
 * Deflate inflates at most 1032×. Deflated data is fed to the inflater in steps of at most
 * (bytes still to come) / 1032, between these bounds, so that an entry inflating past its declared
 * size is stopped within about a MiB of it instead of running on to its end.
 */
const INFLATE_STEP = { min: 1024, max: 64 * 1024 };

/** One entry as the central directory describes it. */
interface ZipEntry {
  name: string;
  flags: number;
  method: number;
  crc: number;
  size: number; // compressed
  originalSize: number;
  offset: number; // of its local header
}

/**
 * The objects of a pond zip by store key. Accepts a zip of the table directory itself or of one
 * folder holding it (what zipping a folder in a file manager makes); entries outside that folder
 * are ignored (but checked like the rest). Reads the central directory itself and refuses, before
 * inflating anything: entries that climb out (`..`), absolute or drive paths, duplicate names, and
 * names that are no valid store key (EINVAL); encrypted entries or unknown compression
 * (EUNSUPPORTED); zip bombs (ETOOBIG): an archive that declares more than `limit` bytes in all, or
 * more than max(64 MiB, its own size × MAX_RATIO), or an entry over 64 MiB that declares more than
 * MAX_RATIO × its compressed size. Then inflates each pond entry into a buffer of its declared size
 * and checks it (ECORRUPT naming the entry): an entry that inflates to more or fewer bytes than its
 * header declares (the header lied), or whose CRC-32 differs (damaged). ECORRUPT '<zip>' for an
 * unreadable or truncated archive, and for a zip that holds no pond.
 */
export function unzipPond(zip: Uint8Array, limit = MAX_UNZIPPED_BYTES): Map<string, Uint8Array> {
  try {
    return readPond(zip, limit);
  } catch (e) {
    // Every refusal above is already a PondError; this is the net under a bug or an allocation failure.
    if (isPondError(e)) throw e;
    throw unreadable((e as Error).message ?? String(e), e);
  }
}

function readPond(zip: Uint8Array, limit: number): Map<string, Uint8Array> {
  const entries = readCentralDirectory(zip);
  const seen = new Set<string>();
  let declared = 0;
  for (const f of entries) {
    const name = f.name;
    if (name.startsWith('/') || name.startsWith('\\') || /^[A-Za-z]:/.test(name) || name.includes('\0')) {
      throw pondError('EINVAL', name, 'zip entry has an absolute path');
    }
    if (name.split(/[\\/]/).includes('..')) throw pondError('EINVAL', name, 'zip entry climbs out of the pond (..)');
    if (seen.has(name)) throw pondError('EINVAL', name, 'zip has two entries with this name');
    seen.add(name);
    if (f.flags & 1) throw pondError('EUNSUPPORTED', name, 'zip entry is encrypted');
    if (f.method !== 0 && f.method !== 8)
      throw pondError('EUNSUPPORTED', name, `zip entry uses compression method ${f.method} (only stored and deflate are read)`);
    if (f.method === 0 && f.size !== f.originalSize) {
      throw pondError('ECORRUPT', name, `stored zip entry of ${f.size} bytes declares ${f.originalSize} bytes (a damaged or forged header)`);
    }
    declared += f.originalSize;
    if (declared > limit) throw pondError('ETOOBIG', '<zip>', `the archive would inflate past ${bytesText(limit)}`);
    if (f.originalSize > Math.max(SMALL_ENTRY, f.size * MAX_RATIO)) {
      throw pondError('ETOOBIG', name, `zip entry inflates ${Math.round(f.originalSize / Math.max(1, f.size))}× (a zip bomb?)`);
    }
  }
  const cap = Math.max(SMALL_ARCHIVE, zip.length * MAX_RATIO);
  if (declared > cap) {
    throw pondError('ETOOBIG', '<zip>', `the archive declares ${bytesText(declared)} from ${bytesText(zip.length)}, more than ${MAX_RATIO}× (a zip bomb?)`);
  }
  const names = entries.map((f) => f.name).filter((n) => !n.endsWith('/'));
  const first = names.find((n) => n === FIRST_COMMIT || n.endsWith(`/${FIRST_COMMIT}`));
  if (first === undefined) throw pondError('ECORRUPT', '<zip>', `no ${FIRST_COMMIT}: this zip does not hold a pond (a Delta table)`);
  const prefix = first.slice(0, first.length - FIRST_COMMIT.length);
  const wanted: Array<[string, ZipEntry]> = [];
  for (const f of entries) {
    if (f.name.endsWith('/') || !f.name.startsWith(prefix)) continue;
    const key = f.name.slice(prefix.length);
    const problem = keyProblem(key);
    if (problem) throw pondError('EINVAL', f.name, `zip entry is not a pond file: ${problem}`);
    wanted.push([key, f]);
  }
  const out = new Map<string, Uint8Array>();
  let inflated = 0;
  for (const [key, f] of wanted) {
    const bytes = inflateEntry(zip, f);
    // Checked already against the declared size; kept so that the limit holds whatever the headers say.
    inflated += bytes.length;
    if (inflated > limit) throw pondError('ETOOBIG', '<zip>', `the archive inflated past ${bytesText(limit)}`);
    if (crc32(bytes) !== f.crc) throw pondError('ECORRUPT', f.name, 'zip entry is damaged (CRC-32 mismatch)');
    out.set(key, bytes);
  }
  return out;
}

const bytesText = (n: number) => (n >= 1024 ** 2 ? `${Math.round(n / 1024 ** 2)} MiB` : `${Math.ceil(n / 1024)} KiB`);
const u16 = (d: Uint8Array, i: number) => d[i] | (d[i + 1] << 8);
const u32 = (d: Uint8Array, i: number) => (d[i] | (d[i + 1] << 8) | (d[i + 2] << 16) | (d[i + 3] << 24)) >>> 0;
const u64 = (d: Uint8Array, i: number) => u32(d, i) + u32(d, i + 4) * 2 ** 32;
const unreadable = (why: string, cause?: unknown) => pondError('ECORRUPT', '<zip>', `not a readable zip file (${why})`, {}, cause);

/**
 * The entries of a zip as its central directory lists them (zip64 too), each checked to lie
 * inside the archive, before the directory. ECORRUPT for a truncated or damaged archive.
 */
function readCentralDirectory(zip: Uint8Array): ZipEntry[] {
  // The end record is the last 22 bytes, unless a comment (at most 65535 bytes) follows it.
  let e = zip.length - 22;
  const stop = Math.max(0, zip.length - 22 - 0xffff);
  while (e >= stop && u32(zip, e) !== 0x06054b50) e--;
  if (e < stop) throw unreadable('no end-of-central-directory record: truncated, or not a zip');
  let count = u16(zip, e + 10);
  let start = u32(zip, e + 16);
  let dirEnd = e;
  if (e >= 20 && u32(zip, e - 20) === 0x07064b50) {
    const z = u64(zip, e - 12);
    if (z + 56 > e - 20 || u32(zip, z) !== 0x06064b50) throw unreadable('damaged zip64 end record');
    count = u64(zip, z + 32);
    start = u64(zip, z + 48);
    dirEnd = z;
  }
  if (start > dirEnd) throw unreadable('the central directory lies past the end: truncated');
  const entries: ZipEntry[] = [];
  let o = start;
  for (let i = 0; i < count; i++) {
    if (o + 46 > dirEnd || u32(zip, o) !== 0x02014b50) throw unreadable(`central directory entry ${i + 1} of ${count} is missing or damaged`);
    const flags = u16(zip, o + 8);
    const nameLen = u16(zip, o + 28);
    const extraLen = u16(zip, o + 30);
    const next = o + 46 + nameLen + extraLen + u16(zip, o + 32);
    if (next > dirEnd) throw unreadable(`central directory entry ${i + 1} of ${count} is cut short`);
    const name = strFromU8(zip.subarray(o + 46, o + 46 + nameLen), !(flags & 0x800));
    const f: ZipEntry = {
      name,
      flags,
      method: u16(zip, o + 10),
      crc: u32(zip, o + 16),
      size: u32(zip, o + 20),
      originalSize: u32(zip, o + 24),
      offset: u32(zip, o + 42),
    };
    if (f.size === 0xffffffff || f.originalSize === 0xffffffff || f.offset === 0xffffffff) readZip64Extra(zip, o + 46 + nameLen, extraLen, f);
    if (f.offset + 30 + f.size > start)
      throw pondError('ECORRUPT', name, 'zip entry runs past the start of the central directory (a truncated or damaged archive)');
    entries.push(f);
    o = next;
  }
  return entries;
}

/** The 64-bit sizes and offset of a zip64 entry, from its extra field (id 1: only the fields whose 32-bit value is 0xFFFFFFFF, in this order). */
function readZip64Extra(zip: Uint8Array, at: number, len: number, f: ZipEntry): void {
  for (let p = at; p + 4 <= at + len; p += 4 + u16(zip, p + 2)) {
    if (u16(zip, p) !== 1) continue;
    let q = p + 4;
    const end = q + u16(zip, p + 2);
    const take = () => {
      if (q + 8 > end) throw pondError('ECORRUPT', f.name, 'zip entry has a damaged zip64 field');
      const v = u64(zip, q);
      q += 8;
      return v;
    };
    if (f.originalSize === 0xffffffff) f.originalSize = take();
    if (f.size === 0xffffffff) f.size = take();
    if (f.offset === 0xffffffff) f.offset = take();
    return;
  }
  throw pondError('ECORRUPT', f.name, 'zip entry declares zip64 sizes but has no zip64 field');
}

/**
 * The bytes of one entry, exactly its declared size: ECORRUPT naming it when its local header is
 * missing, its data is cut short or does not inflate, or it inflates to a different size (a lying
 * header). Deflated data is inflated a step at a time and stopped as soon as it overruns.
 */
function inflateEntry(zip: Uint8Array, f: ZipEntry): Uint8Array {
  if (u32(zip, f.offset) !== 0x04034b50) throw pondError('ECORRUPT', f.name, 'zip entry has no local header where the directory says (a damaged archive)');
  const begin = f.offset + 30 + u16(zip, f.offset + 26) + u16(zip, f.offset + 28);
  const end = begin + f.size;
  if (end > zip.length) throw pondError('ECORRUPT', f.name, 'zip entry is cut short (a truncated archive)');
  if (f.method === 0) return zip.slice(begin, end);
  const out = new Uint8Array(f.originalSize);
  let n = 0;
  const inflater = new Inflate((chunk) => {
    if (n + chunk.length > out.length) throw pondError('ECORRUPT', f.name, `zip entry inflates past the ${f.originalSize} bytes its header declares`);
    out.set(chunk, n);
    n += chunk.length;
  });
  try {
    if (begin === end) inflater.push(new Uint8Array(0), true);
    for (let p = begin; p < end;) {
      const step = Math.min(INFLATE_STEP.max, Math.max(INFLATE_STEP.min, Math.ceil((out.length - n) / 1032)));
      const q = Math.min(end, p + step);
      inflater.push(zip.subarray(p, q), q === end);
      p = q;
    }
  } catch (e) {
    if (isPondError(e)) throw e;
    throw pondError('ECORRUPT', f.name, `zip entry is damaged (${(e as Error).message})`, {}, e);
  }
  if (n !== out.length) throw pondError('ECORRUPT', f.name, `zip entry inflates to ${n} bytes, its header declares ${f.originalSize}`);
  return out;
}
