/**
 * fsck: check a pond and, on request, repair it. Each check is a module under `fsck/`; this file
 * runs them in order and holds the public types.
 */
import { v7 as uuidv7 } from 'uuid';
import type { ObjectStore } from '../storage/object-store.ts';
import { checkLog } from './fsck/check-log.ts';
import { checkDataFiles } from './fsck/check-data-files.ts';
import { checkBodies } from './fsck/check-bodies.ts';
import { checkSnapshots } from './fsck/check-snapshots.ts';
import { checkReachability } from './fsck/check-reachability.ts';
import { toProblems } from './fsck/problems.ts';
import { checkResults } from './fsck/check-results.ts';
import { planRepair, type FsckIndex } from './fsck/plan-repair.ts';
import { commitRepair } from './fsck/repair.ts';
import type { FsckOptions, FsckReport } from './fsck/types.ts';

export type { ResultGarbage, ResultsCheck } from './fsck/check-results.ts';
export { LOST_AND_FOUND, type FsckKind, type FsckOptions, type FsckProblem, type FsckReport } from './fsck/types.ts';

/**
 * Check a pond: replay every commit, read every live data file, verify every stored body against
 * its sha256 (each large file once), decode every version of every directory snapshot and walk the
 * tree from the root. Problems name the store key and the pond paths they affect.
 *
 * With `repair`, everything but a damaged older commit is repaired, and nothing is deleted
 * silently: a torn newest commit is set aside (`*.torn-<ms>`); damaged bytes are copied under
 * `_lost+found/`; one commit (operation `FSCK REPAIR`) removes unreadable data files, drops the
 * rows whose body or snapshot is damaged (the rest of their data file is re-written), writes a new
 * snapshot of every directory that named something now gone (or whose newest snapshot was
 * damaged), and every problem's `repaired` says which pond paths that changed. The caller holds
 * the pond's writer lock. Stored results (`_results/`) are checked too but are never a problem:
 * damaged, orphan and stray ones are listed in `report.results.garbage`, and repair removes them.
 */
export async function fsck(store: ObjectStore, options: FsckOptions = {}): Promise<FsckReport> {
  const now = options.now ?? Date.now;
  const newId = options.newId ?? uuidv7;
  const log = await checkLog(store, { repair: options.repair, now });
  const data = await checkDataFiles(store, log.state);
  const bodies = await checkBodies(store, data.parts);
  const dirs = checkSnapshots(data.parts);
  const reach = checkReachability(data.parts, dirs.snapshots);
  const findings = [...data.findings, ...bodies.findings, ...dirs.findings, ...reach.findings];
  const { problems, byFinding } = toProblems(findings, reach.tree, log.brokenAt);
  const report: FsckReport = {
    version: log.state.version,
    commits: log.commits,
    dataFiles: data.files.length,
    rows: data.rows,
    bodiesVerified: bodies.bodies,
    problems: [...log.problems, ...problems, ...reach.notices],
    // Stored results are never needed for correctness: their garbage is reported apart from the problems.
    results: await checkResults(store, data.parts, reach.tree, options.repair === true),
  };
  if (!options.repair || !store.writable || log.brokenAt !== undefined || findings.length === 0) return report;

  const index: FsckIndex = { data, snapshots: dirs.snapshots, tree: reach.tree, findings };
  const plan = planRepair(index, log.state.version + 1, now);
  const repairedAt = await commitRepair(store, index, plan, byFinding, { now, newId });
  if (repairedAt !== undefined) report.repairedAt = repairedAt;
  return report;
}
