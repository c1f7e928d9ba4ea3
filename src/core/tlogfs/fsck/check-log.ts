/**
 * fsck's first check: replay the commit log as open does (the shared scan), report a torn, damaged
 * or missing commit, and carry on from the checkpoint when the break lies at or before it.
 */
import type { ObjectStore } from '../../storage/object-store.ts';
import { isPondError } from '../../errors.ts';
import { readCheckpoint, readLastCheckpoint } from '../checkpoint.ts';
import type { Action } from '../delta-log.ts';
import { LogState } from '../log-state.ts';
import { LogListing, scanLog, type LogScan } from '../scan-log.ts';
import { reason, type FsckProblem } from './types.ts';

export interface LogCheck {
  /** The log as replayed up to the last readable version. */
  state: LogState;
  /** Commit files applied (not counting what a checkpoint folded in). */
  commits: number;
  /** The commit replay cannot pass (repair waits for it), if any. */
  brokenAt?: number;
  problems: FsckProblem[];
}

/**
 * Replay every commit from version 0. A torn newest commit is set aside with `repair`; a break at
 * or before the last checkpoint is reported and replay resumes from the checkpoint (as open reads
 * it), any other break stops replay there.
 */
export async function checkLog(store: ObjectStore, options: { repair?: boolean; now: () => number }): Promise<LogCheck> {
  const problems: FsckProblem[] = [];
  // One listing of the log tells the end of the log from a gap (of any length), for both scans.
  const listing = new LogListing(store);
  const cp = await readLastCheckpoint(store);
  let state = new LogState();
  let commits = 0;
  const replay = (scan: LogScan) => {
    for (const c of scan.commits) state.apply(c.version, c.actions, c.commitInfo);
    commits += scan.commits.length;
    return scan.problem;
  };
  let problem = replay(await scanLog(store, { listing }));
  // Versions at or before the last checkpoint may be gone (open never reads them): when replay
  // breaks there, fsck carries on from the checkpoint, as open does.
  if (problem && problem.kind !== 'torn' && cp !== undefined && problem.version <= cp.version) {
    const actions = await checkpointActions(store, cp);
    if (actions) {
      if (problem.kind === 'damaged') {
        const { key, version: v } = problem;
        problems.push({
          kind: 'bad-commit',
          path: key,
          pondPaths: [],
          repairable: false,
          message: `commit ${v} ${problem.torn ? 'is cut short' : 'does not parse'} (${reason(problem.error, key)}); the checkpoint of version ${cp.version} covers it, so the pond opens without it`,
          nextStep: `Nothing is lost at the current version. Time travel to a version before ${cp.version} replays the log and stops at version ${v - 1}; restore ${key} from a backup to bring those versions back.`,
        });
      }
      state = new LogState();
      state.apply(cp.version, actions);
      problem = replay(await scanLog(store, { from: cp.version + 1, listing }));
    }
  }
  let brokenAt: number | undefined;
  if (problem?.kind === 'gap') {
    brokenAt = problem.version;
    problems.push(
      badCommit(
        problem.key,
        problem.version,
        `${missingVersions(problem.version, problem.next - 1)} missing but commit ${problem.next} exists; later commits cannot be applied`,
        true,
      ),
    );
  } else if (problem?.kind === 'torn') {
    // Only a commit cut short by a crash, and only the newest, is set aside; a file written whole
    // and wrong is damage, whichever commit it is (open stops before it and refuses writes).
    const p: FsckProblem = { kind: 'torn-commit', path: problem.key, pondPaths: [], message: 'the newest commit is torn and ignored', repairable: true };
    if (options.repair && store.writable) {
      const aside = `${problem.key}.torn-${options.now()}`;
      await store.write(aside, problem.bytes);
      await store.delete(problem.key);
      p.repaired = `moved to ${aside}`;
    }
    problems.push(p);
  } else if (problem?.kind === 'damaged') {
    const { key, version: v, newest } = problem;
    brokenAt = v;
    const what = problem.torn ? 'is cut short' : 'does not parse';
    problems.push(
      badCommit(
        key,
        v,
        `${newest ? 'the newest commit' : 'commit'} ${v} ${what} (${reason(problem.error, key)})${newest ? '' : '; later commits cannot be applied'}`,
        !newest,
      ),
    );
  }
  return { state, commits, brokenAt, problems };
}

/** The last checkpoint's actions, or undefined when it is unreadable (open then replays the whole log, and breaks where fsck did). */
async function checkpointActions(store: ObjectStore, cp: { version: number; size?: number }): Promise<Action[] | undefined> {
  try {
    return await readCheckpoint(store, cp.version, cp.size);
  } catch (e) {
    if (!isPondError(e, 'ECORRUPT') && !isPondError(e, 'ENOENT')) throw e;
    return undefined;
  }
}

/** "commit 4 is" / "commits 4 and 5 are" / "commits 4 to 9 are": the versions a gap leaves out. */
function missingVersions(from: number, to: number): string {
  if (from === to) return `commit ${from} is`;
  return `commits ${from} ${to === from + 1 ? 'and' : 'to'} ${to} are`;
}

/** A commit replay cannot pass (`later`: commits after it exist): not repairable; what to do instead. */
function badCommit(key: string, v: number, message: string, later: boolean): FsckProblem {
  return {
    kind: 'bad-commit',
    path: key,
    pondPaths: [],
    message,
    repairable: false,
    nextStep:
      `The pond opens read-only at version ${v - 1}${later ? `; the commits after ${v} are kept untouched` : ''}. ` +
      `Export the pond to keep every object as it is, then copy what you need from version ${v - 1} into a new pond, ` +
      `or restore ${key} from a backup, which brings ${later ? 'the later versions' : 'that version'} back.`,
  };
}
