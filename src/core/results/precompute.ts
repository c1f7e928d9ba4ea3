/**
 * Publishing a pond ships the results of its dynamic nodes: compute every one now (recursing into
 * dynamic directories) so that the pond's stored results (`_results/`) hold them, and a visitor of
 * the published copy reads them instead of loading DuckDB or the template VM. The pond is opened
 * over a result store without a total cap (publishResultOptions), and the report says which
 * results that store actually holds once its writes are done: only those ship.
 */
import type { Pond } from '../pond.ts';
import { STATIC_FACTORY } from '../tinyfs/entry-type.ts';
import { joinPath } from '../tinyfs/path.ts';

/** Where a precompute is: the node it is at and how many it has done. */
export interface PrecomputeProgress {
  path: string;
  done: number;
}

/** What became of one dynamic file's result in the pond's stored results (ResultStore.outcome). */
export type PrecomputeOutcome =
  | { state: 'stored'; key: string; bytes: number }
  | { state: 'too-big'; bytes: number; limit: number }
  | { state: 'failed'; message: string }
  | { state: 'evicted'; key: string };

/** The stored results the pond computes into, as a precompute asks them (a ResultStore). */
export interface PrecomputeResults {
  /** What became of the result of the dynamic file at `path`; undefined when it was never stored. */
  outcome(path: string): Promise<PrecomputeOutcome | undefined>;
}

/** What a precompute did. */
export interface PrecomputeReport {
  /** Dynamic files read (computed, or already stored). */
  files: string[];
  /** Dynamic directories walked. */
  directories: string[];
  /** Dynamic files whose result is in the stored results now (`key`, `bytes`: the entry): these ship. */
  stored: Array<{ path: string; key: string; bytes: number }>;
  /** Dynamic files computed whose result is not stored (too big, never storable, its write failed): a visitor computes them. */
  notShipped: Array<{ path: string; reason: string }>;
  /** Dynamic files whose compute failed, with the error's message: they ship without a result. */
  failed: Array<{ path: string; message: string }>;
}

/**
 * Compute every dynamic file of `pond` (in path order; nodes inside dynamic directories too), wait
 * until their results are written to its stored results, `results` (the ResultStore the pond was
 * opened with: open it with publishResultOptions so that none is evicted), and report which are
 * stored. A pond whose store is read-only (published, time travel) keeps what it has. A failing
 * node is listed, not thrown: it ships without a result.
 */
export async function precomputeResults(pond: Pond, results: PrecomputeResults, onProgress?: (p: PrecomputeProgress) => void): Promise<PrecomputeReport> {
  const report: PrecomputeReport = { files: [], directories: [], stored: [], notShipped: [], failed: [] };
  const failed = new Set<string>();
  const walk = async (dir: string, inDynamic: boolean): Promise<void> => {
    let entries: Awaited<ReturnType<Pond['readdir']>>;
    try {
      entries = await pond.readdir(dir);
    } catch (e) {
      if (inDynamic) report.failed.push({ path: dir, message: (e as Error).message });
      return;
    }
    for (const e of entries) {
      const path = joinPath(dir, e.name);
      const dynamic = e.factory !== STATIC_FACTORY;
      if (e.type === 'directory') {
        if (dynamic) report.directories.push(path);
        await walk(path, inDynamic || dynamic);
      } else if (dynamic && e.type !== 'symlink') {
        onProgress?.({ path, done: report.files.length });
        try {
          await pond.readFile(path);
        } catch (err) {
          report.failed.push({ path, message: (err as Error).message });
          failed.add(path);
        }
        report.files.push(path);
      }
    }
  };
  await walk('/', false);
  await pond.flushResults();
  // What the store holds now, not what was computed: a result too big to store, or evicted, does not ship.
  for (const path of report.files) {
    if (failed.has(path)) continue;
    const o = await results.outcome(path);
    if (o?.state === 'stored') report.stored.push({ path, key: o.key, bytes: o.bytes });
    else report.notShipped.push({ path, reason: notShippedReason(o) });
  }
  return report;
}

function notShippedReason(o: Exclude<PrecomputeOutcome, { state: 'stored' }> | undefined): string {
  if (!o) return 'its result is not stored (it expires, or one of its inputs has no content identity)';
  if (o.state === 'too-big') return `its result (${o.bytes} bytes) is over the ${o.limit} bytes a stored result may take`;
  if (o.state === 'evicted') return 'its stored result was removed before the publish';
  return `its result could not be stored: ${o.message}`;
}
