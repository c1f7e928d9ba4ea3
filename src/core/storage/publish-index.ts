/**
 * The publish index: `duckpond-index.json` beside a pond's Delta table, listing every object with
 * its size and sha256. Static hosts cannot list folders, so a pond published for the web carries
 * this list; HttpStore answers `list`, `exists` and `size` from it and verifies what it downloads.
 * It lists every object, so the stored results a published pond ships (`_results/`) are read and
 * verified like its data.
 */
import { z } from 'zod';
import { pondError } from '../errors.ts';
import { createSha256 } from '../hash.ts';
import { keyProblem } from './common.ts';
import type { ObjectStore } from './object-store.ts';

/** The index's key in a published pond's folder. */
export const PUBLISH_INDEX = 'duckpond-index.json';

export interface PublishedFile {
  key: string;
  size: number;
  /** Lower-case hex sha256 of the object's bytes. */
  sha256: string;
}

export interface PublishIndex {
  format: 'duckpond-index';
  version: 1;
  /** When the index was written (ISO 8601). */
  created: string;
  /** Every object of the pond but the index itself, sorted by key. */
  files: PublishedFile[];
}

const indexSchema = z.object({
  format: z.literal('duckpond-index'),
  version: z.literal(1),
  created: z.string(),
  files: z.array(
    z.object({
      key: z.string(),
      size: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
      sha256: z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 is 64 lower-case hex digits'),
    }),
  ),
});

/** Parse and check an index (`where` names it in errors): ECORRUPT for anything a real export would not write. */
export function parsePublishIndex(text: string, where: string): PublishIndex {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw pondError('ECORRUPT', where, `the publish index is not JSON (${(e as Error).message})`, {}, e);
  }
  const parsed = indexSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw pondError('ECORRUPT', where, `the publish index is malformed at ${issue.path.join('.') || 'the top'}: ${issue.message}`);
  }
  const seen = new Set<string>();
  for (const f of parsed.data.files) {
    // A hostile index must not steer reads outside the pond's folder.
    const problem = keyProblem(f.key) ?? (f.key === PUBLISH_INDEX ? 'the index cannot list itself' : undefined);
    if (problem) throw pondError('ECORRUPT', where, `the publish index lists a bad key "${f.key}": ${problem}`);
    if (seen.has(f.key)) throw pondError('ECORRUPT', where, `the publish index lists "${f.key}" twice`);
    seen.add(f.key);
  }
  return { ...parsed.data, files: [...parsed.data.files].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)) };
}

/** Options of building an index. */
export interface PublishIndexOptions {
  /** The `created` stamp (default: now); builds that must be reproducible pass a fixed one. */
  created?: string;
}

/** The index of every object in `store`, hashing each as a stream so large files are never held twice. */
export async function buildPublishIndex(store: ObjectStore, options: PublishIndexOptions = {}): Promise<PublishIndex> {
  const files: PublishedFile[] = [];
  for (const key of await store.list('')) {
    if (key === PUBLISH_INDEX) continue;
    const hash = await createSha256();
    let size = 0;
    const reader = store.readStream(key).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      hash.update(value);
      size += value.length;
    }
    files.push({ key, size, sha256: hash.hex() });
  }
  return { format: 'duckpond-index', version: 1, created: options.created ?? new Date().toISOString(), files };
}

/** The index as the bytes of `duckpond-index.json`. */
export function encodePublishIndex(index: PublishIndex): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(index, null, 1) + '\n');
}

/** Write the index of a (writable) store into it, e.g. before its folder is copied to a static host. */
export async function writePublishIndex(store: ObjectStore, options: PublishIndexOptions = {}): Promise<PublishIndex> {
  const index = await buildPublishIndex(store, options);
  await store.write(PUBLISH_INDEX, encodePublishIndex(index));
  return index;
}
