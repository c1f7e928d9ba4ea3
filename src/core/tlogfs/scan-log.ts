/**
 * The forward scan of `_delta_log` that opening a pond and fsck share: read commits one version
 * at a time until the first one that is not there or does not parse, and say why it stopped (the
 * end of the log, a gap, a torn newest commit, or a damaged commit).
 */
import type { ObjectStore } from '../storage/object-store.ts';
import { isPondError, pondError, type PondError } from '../errors.ts';
import { LOG_DIR, isComplete, isTorn, logKey, parseCommit, versionOfKey, type Action, type CommitInfoAction } from './delta-log.ts';

/** One commit the scan read whole. */
export interface ScannedCommit {
  version: number;
  key: string;
  actions: Action[];
  commitInfo: CommitInfoAction | undefined;
}

/**
 * Why a scan stopped before the end of the log:
 * - `gap`: the version is missing but a later one (`next`) exists;
 * - `torn`: the newest commit is cut short (a crashed writer's; readers ignore it);
 * - `damaged`: a commit that does not parse, or one cut short that is not the newest.
 */
export type LogProblem =
  | { kind: 'gap'; version: number; key: string; next: number }
  | { kind: 'torn'; version: number; key: string; bytes: Uint8Array; error: PondError }
  | { kind: 'damaged'; version: number; key: string; bytes: Uint8Array; error: PondError; torn: boolean; newest: boolean };

export interface LogScan {
  commits: ScannedCommit[];
  /** The first problem, if the scan stopped before the end of the log (or before `asOf`). */
  problem?: LogProblem;
}

export interface ScanOptions {
  /** First version to read (default 0). */
  from?: number;
  /** Last version to read (default: to the end of the log). */
  asOf?: number;
  /** Called on each commit before it is accepted; throw to abort the scan (e.g. an unsupported protocol). */
  check?: (commit: ScannedCommit) => void;
  /** A listing to share between scans of one store (one listing answers every "is there a later commit?"). */
  listing?: LogListing;
}

/** The versions `_delta_log/` holds, listed once on first use. */
export class LogListing {
  #versions: Promise<number[]> | undefined;

  constructor(private readonly store: ObjectStore) {}

  /** The first listed version after `v`, if any. */
  async laterThan(v: number): Promise<number | undefined> {
    this.#versions ??= this.store.list(LOG_DIR).then((keys) =>
      keys
        .map(versionOfKey)
        .filter((x): x is number => x !== undefined)
        .sort((a, b) => a - b),
    );
    return (await this.#versions).find((x) => x > v);
  }
}

/** Read the log forward from `from` until its end, `asOf`, or the first problem. */
export async function scanLog(store: ObjectStore, options: ScanOptions = {}): Promise<LogScan> {
  const { from = 0, asOf, check } = options;
  const listing = options.listing ?? new LogListing(store);
  const commits: ScannedCommit[] = [];
  for (let v = from; asOf === undefined || v <= asOf; v++) {
    const key = logKey(v);
    let bytes: Uint8Array;
    try {
      bytes = await store.read(key);
    } catch (e) {
      if (!isPondError(e, 'ENOENT')) throw e;
      // A missing version is the end of the log unless a later one exists.
      const next = await listing.laterThan(v);
      return next === undefined ? { commits } : { commits, problem: { kind: 'gap', version: v, key, next } };
    }
    let parsed: ReturnType<typeof parseCommit>;
    try {
      parsed = parseCommit(bytes, key);
      if (!isComplete(parsed)) throw pondError('ECORRUPT', key, 'commit file has no commitInfo (cut short)', { torn: true });
    } catch (e) {
      if (!isPondError(e, 'ECORRUPT')) throw e;
      // Only a commit cut short by a crash, and only the newest, is torn; a file written whole and
      // wrong is damage, whichever commit it is.
      const newest = (await listing.laterThan(v)) === undefined;
      const torn = isTorn(e);
      const problem: LogProblem =
        newest && torn ? { kind: 'torn', version: v, key, bytes, error: e } : { kind: 'damaged', version: v, key, bytes, error: e, torn, newest };
      return { commits, problem };
    }
    const commit: ScannedCommit = { version: v, key, actions: parsed.actions, commitInfo: parsed.commitInfo };
    check?.(commit);
    commits.push(commit);
  }
  return { commits };
}
