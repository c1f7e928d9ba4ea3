/**
 * What fsck reports (problems, the report, options) and the shapes its checks pass along: the
 * index of stored rows, directory snapshots, findings, and the small key helpers they share.
 */
import type { DirEntry, NodeVersion } from '../../tinyfs/node.ts';
import { STATIC_FACTORY } from '../../tinyfs/entry-type.ts';
import type { ResultsCheck } from './check-results.ts';

/**
 * Where repair keeps what it takes out of the table: `_lost+found/<original key>` (data files,
 * large files). Nothing in the pond reads it and nothing deletes it; it is exported with the pond.
 */
export const LOST_AND_FOUND = '_lost+found/';

/** What kind of damage a problem is. */
export type FsckKind =
  | 'torn-commit' // newest commit file cut short (ignored on open)
  | 'bad-commit' // a commit file written whole that does not parse (the newest included), a torn older one, or missing versions
  | 'missing-file' // an add action names a file that is not there
  | 'bad-parquet' // a data file that does not parse as OplogEntry rows, or whose size or row count differs from its add action
  | 'missing-large-file'
  | 'hash-mismatch' // inline or large body whose sha256 (or size) differs from the row
  | 'bad-directory' // a directory snapshot (any version) that does not decode
  | 'dangling-entry' // a directory entry whose node has no rows
  | 'unreachable-directory' // a live directory (and its subtree) no path from the root reaches: a cycle
  | 'duplicate-link' // a stored directory named by a second entry (a hard link or a back-link: paths never end)
  | 'name-twins'; // entries of one directory whose names are equal in NFC (they look identical)

export interface FsckProblem {
  kind: FsckKind;
  /**
   * The store key of the damaged object: the commit, data file or large file; for a directory
   * snapshot or a dangling entry, the data file that holds the snapshot.
   */
  path: string;
  /**
   * The pond paths it affects (several when nodes share one large body): the current path, or
   * the last path a directory snapshot gave it when it is no longer in the pond. Empty when no
   * readable snapshot names the node.
   */
  pondPaths: string[];
  message: string;
  /** Whether `fsck(store, { repair: true })` repairs it. */
  repairable: boolean;
  /** For a problem repair cannot fix: what to do instead. */
  nextStep?: string;
  /** What repair did about it, if anything. */
  repaired?: string;
}

export interface FsckReport {
  version: number;
  commits: number;
  dataFiles: number;
  rows: number;
  /** Bodies hashed: inline bodies, and each large file once however many rows share it. */
  bodiesVerified: number;
  problems: FsckProblem[];
  /** The version a repair committed (when it committed one). */
  repairedAt?: number;
  /** The stored results (`_results/`): verified entries and garbage (never a problem of the pond). */
  results?: ResultsCheck;
}

export interface FsckOptions {
  repair?: boolean;
  now?: () => number;
  newId?: () => string;
}

/** One stored copy of a node version: the row the pond reads, and the data file holding it. */
export interface Copy {
  row: NodeVersion;
  file: string;
}
/** One node version, by partition and node id (version 0: the node as a whole). */
export interface Ref {
  part: string;
  node: string;
  version: number;
}
/** A repairable problem before it is phrased: the object, the rows it affects, and what repair needs to know. */
export type Finding = { kind: FsckKind; key: string; message: string; refs: Ref[]; partId?: string; dirId?: string; inline?: boolean; lostId?: string };
/** Every stored row as the pond reads it: partition -> node -> version -> the winning copy. */
export type Parts = Map<string, Map<string, Map<number, Copy>>>;
/** A decodable directory snapshot. */
export interface Snapshot {
  version: number;
  entries: DirEntry[];
  copy: Copy;
}
/** Per directory, its decodable snapshots, newest first. */
export type Snapshots = Map<string, Snapshot[]>;

/** `part/node`: a node's key in the index (a stored directory is its own partition). */
export const nodeKey = (part: string, node: string): string => `${part}/${node}`;
/** `part/node@version`: a row's key. */
export const rowKey = (r: Ref): string => `${r.part}/${r.node}@${r.version}`;
/** A child's pond path. */
export const join = (dir: string, name: string): string => (dir === '/' ? `/${name}` : `${dir}/${name}`);
/** Whether an entry names a stored (not dynamic) directory, which is its own partition. */
export const ownDir = (e: DirEntry): boolean => e.type === 'directory' && e.factory === STATIC_FACTORY;

/** An error's message without the code and path a PondError puts in front (the problem names them already). */
export function reason(e: unknown, path: string): string {
  const m = (e as Error).message ?? String(e);
  return m.replace(/^E[A-Z]+: /, '').replace(`${path}: `, '');
}

/** The snapshot the pond lists a directory by: its newest decodable one. */
export const effective = (snapshots: Snapshots, dirId: string): Snapshot | undefined => snapshots.get(dirId)?.[0];
