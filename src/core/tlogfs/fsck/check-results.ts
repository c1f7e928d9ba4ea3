/**
 * fsck's look at the stored results (`_results/`): they are an accelerator, never data, so nothing
 * here is a problem of the pond. A damaged entry, an entry no live dynamic node can use (its node
 * is gone or has another config), or a stray file is garbage, which repair removes.
 */
import type { ObjectStore } from '../../storage/object-store.ts';
import { STATIC_FACTORY } from '../../tinyfs/entry-type.ts';
import { DEFAULT_MAX_RESULT_BYTES, RESULTS_DIR, RESULTS_LRU, decodeResultEntry, maxEntryBytes, slotOfKey } from '../result-entry.ts';
import { pondError } from '../../errors.ts';
import type { Tree } from './check-reachability.ts';
import type { Parts } from './types.ts';

/** The largest entry fsck reads: one that could hold a result of the default size limit. */
const MAX_ENTRY = maxEntryBytes(DEFAULT_MAX_RESULT_BYTES);

/** A stored object under `_results/` that nothing needs. */
export interface ResultGarbage {
  key: string;
  /** `damaged` (fails verification), `orphan` (no live dynamic node has its path and config), `stray` (not a result entry). */
  kind: 'damaged' | 'orphan' | 'stray';
  message: string;
  /** True when repair removed it. */
  removed?: boolean;
}

/** What fsck says about the stored results. */
export interface ResultsCheck {
  /** Entries that verify and belong to a live dynamic node. */
  entries: number;
  bytes: number;
  garbage: ResultGarbage[];
}

/** The live dynamic nodes: path -> factory, config text and type (configs are stored inline). */
function liveDynamic(parts: Parts, tree: Tree): Map<string, { factory: string; config: string | undefined; type: string }> {
  const live = new Map<string, { factory: string; config: string | undefined; type: string }>();
  for (const key of tree.current) {
    const [part, node] = key.split('/');
    const versions = parts.get(part)?.get(node);
    const path = tree.pathOf.get(key);
    if (!versions || path === undefined) continue;
    const newest = versions.get(Math.max(...versions.keys()))?.row;
    if (!newest || newest.factory === STATIC_FACTORY) continue;
    const config = newest.content ? new TextDecoder().decode(newest.content) : undefined;
    live.set(path, { factory: newest.factory, config, type: newest.type });
  }
  return live;
}

/** Whether a result made for `path` with `factory` and `config` can still be read by the pond. */
function isLive(live: ReturnType<typeof liveDynamic>, path: string, factory: string, config: string): boolean {
  const node = live.get(path);
  if (node) return node.factory === factory && (node.config === undefined || node.config === config);
  // A node inside a dynamic directory (its config comes from the directory's own): kept while that directory lives.
  for (let at = path.lastIndexOf('/'); at > 0; at = path.lastIndexOf('/', at - 1)) {
    const dir = live.get(path.slice(0, at));
    if (dir) return dir.type === 'directory';
  }
  return false;
}

/** Verify every object under `_results/`; with `repair` (and a writable store), remove the garbage. */
export async function checkResults(store: ObjectStore, parts: Parts, tree: Tree, repair: boolean): Promise<ResultsCheck> {
  const live = liveDynamic(parts, tree);
  const check: ResultsCheck = { entries: 0, bytes: 0, garbage: [] };
  // Never a reason for fsck to fail: a store that cannot list the folder has no results to report.
  const keys = await store.list(RESULTS_DIR).catch(() => [] as string[]);
  for (const key of keys) {
    if (key === RESULTS_LRU) continue;
    if (slotOfKey(key) === undefined) {
      check.garbage.push({ key, kind: 'stray', message: 'not a stored result' });
      continue;
    }
    let bytes: Uint8Array;
    try {
      // Sized before it is read: an imported pond's `_results/` may hold anything (a result is only an accelerator).
      const size = await store.size(key);
      if (size !== undefined && size > MAX_ENTRY) throw pondError('ETOOBIG', key, `stored result of ${size} bytes is over the ${MAX_ENTRY} bytes a read takes`);
      bytes = await store.read(key);
      const { header } = await decodeResultEntry(bytes, key);
      if (!isLive(live, header.path, header.factory, header.config)) {
        check.garbage.push({
          key,
          kind: 'orphan',
          message: `the result of ${header.path} (${header.factory}) belongs to no live dynamic node with that config`,
        });
        continue;
      }
    } catch (e) {
      check.garbage.push({ key, kind: 'damaged', message: (e as Error).message.replace(/^E[A-Z]+: /, '') });
      continue;
    }
    check.entries++;
    check.bytes += bytes.length;
  }
  if (repair && store.writable) {
    for (const g of check.garbage) {
      g.removed = await store.delete(g.key).then(
        () => true,
        () => false,
      );
    }
    // The access record may still count what was removed: it is a hint, rebuilt from a listing.
    if (check.garbage.length > 0) await store.delete(RESULTS_LRU).catch(() => {});
  }
  return check;
}
