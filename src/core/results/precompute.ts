/**
 * Publishing a pond ships the results of its dynamic nodes: compute every one now (recursing into
 * dynamic directories) so that the pond's stored results (`_results/`) hold them, and a visitor of
 * the published copy reads them instead of loading DuckDB or the template VM.
 */
import type { Pond } from '../pond.ts';
import { STATIC_FACTORY } from '../tinyfs/entry-type.ts';
import { joinPath } from '../tinyfs/path.ts';

/** Where a precompute is: the node it is at and how many it has done. */
export interface PrecomputeProgress {
  path: string;
  done: number;
}

/** What a precompute did. */
export interface PrecomputeReport {
  /** Dynamic files read (computed, or already stored). */
  files: string[];
  /** Dynamic directories walked. */
  directories: string[];
  /** Dynamic files whose compute failed, with the error's message: they ship without a result. */
  failed: Array<{ path: string; message: string }>;
}

/**
 * Compute every dynamic file of `pond` (in path order; nodes inside dynamic directories too) and
 * wait until their results are written to its store. A pond whose store is read-only (published,
 * time travel) keeps what it has. A failing node is listed, not thrown: it ships without a result.
 */
export async function precomputeResults(pond: Pond, onProgress?: (p: PrecomputeProgress) => void): Promise<PrecomputeReport> {
  const report: PrecomputeReport = { files: [], directories: [], failed: [] };
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
        }
        report.files.push(path);
      }
    }
  };
  await walk('/', false);
  await pond.flushResults();
  return report;
}
