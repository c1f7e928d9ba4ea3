import { v7 as uuidv7 } from 'uuid';
import type { ObjectStore } from '../storage/object-store.ts';
import type { DirEntry, NodeVersion } from '../tinyfs/node.ts';
import { decodeDirectory, encodeDirectory } from '../tinyfs/dir-codec.ts';
import { ROOT_ID, STATIC_FACTORY } from '../tinyfs/entry-type.ts';
import { parquetToTable, tableToParquet } from '../arrow/parquet.ts';
import { sha256Hex } from '../hash.ts';
import { isPondError, pondError } from '../errors.ts';
import { nfc } from '../tinyfs/path.ts';
import { LOG_DIR, encodeCommit, isComplete, isTorn, logKey, parseCommit, versionOfKey, type Action, type AddAction } from './delta-log.ts';
import { readCheckpoint, readLastCheckpoint } from './checkpoint.ts';
import { LogState } from './log-state.ts';
import { PARTITION_COLUMN, rowsToTable, tableToRows } from './oplog-schema.ts';
import { checkLarge, largeKey } from './large-files.ts';

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
}

export interface FsckOptions {
  repair?: boolean;
  now?: () => number;
  newId?: () => string;
}

/** One stored copy of a node version: the row the pond reads, and the data file holding it. */
interface Copy { row: NodeVersion; file: string }
interface Ref { part: string; node: string; version: number }
type Finding = { kind: FsckKind; key: string; message: string; refs: Ref[]; partId?: string; dirId?: string; inline?: boolean; lostId?: string };

const nodeKey = (part: string, node: string) => `${part}/${node}`;
const rowKey = (r: Ref) => `${r.part}/${r.node}@${r.version}`;
const join = (dir: string, name: string) => (dir === '/' ? `/${name}` : `${dir}/${name}`);
const ownDir = (e: DirEntry) => e.type === 'directory' && e.factory === STATIC_FACTORY;

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
 * the pond's writer lock.
 */
export async function fsck(store: ObjectStore, options: FsckOptions = {}): Promise<FsckReport> {
  const now = options.now ?? Date.now;
  const newId = options.newId ?? uuidv7;
  const problems: FsckProblem[] = [];
  let state = new LogState();
  let commits = 0;
  let brokenAt: number | undefined;
  // One listing of the log tells the end of the log from a gap (of any length), as open does.
  const listed = (await store.list(LOG_DIR)).map(versionOfKey).filter((x): x is number => x !== undefined).sort((a, b) => a - b);
  const laterThan = (v: number) => listed.find((x) => x > v);
  // Versions at or before the last checkpoint may be gone (open never reads them): when replay
  // breaks there, fsck carries on from the checkpoint, as open does.
  const cp = await readLastCheckpoint(store);
  let fromCheckpoint = false;
  const resumeAt = async (v: number): Promise<number | undefined> => {
    if (fromCheckpoint || cp === undefined || v > cp.version) return undefined;
    try {
      const actions = await readCheckpoint(store, cp.version, cp.size);
      state = new LogState();
      state.apply(cp.version, actions);
      fromCheckpoint = true;
      return cp.version + 1;
    } catch (e) {
      if (!isPondError(e, 'ECORRUPT') && !isPondError(e, 'ENOENT')) throw e;
      return undefined; // an unreadable checkpoint: open replays the whole log, and breaks here too
    }
  };
  for (let v = 0; ; v++) {
    const key = logKey(v);
    let bytes: Uint8Array;
    try {
      bytes = await store.read(key);
    } catch (e) {
      if (!isPondError(e, 'ENOENT')) throw e;
      const next = laterThan(v);
      if (next === undefined) break;
      const resume = await resumeAt(v);
      if (resume !== undefined) { v = resume - 1; continue; }
      brokenAt = v;
      problems.push(badCommit(key, v, `${missingVersions(v, next - 1)} missing but commit ${next} exists; later commits cannot be applied`, true));
      break;
    }
    let parsed: ReturnType<typeof parseCommit>;
    try {
      parsed = parseCommit(bytes, key);
      if (!isComplete(parsed)) throw pondError('ECORRUPT', key, 'commit file has no commitInfo (cut short)', { torn: true });
    } catch (e) {
      if (!isPondError(e, 'ECORRUPT')) throw e;
      const newest = laterThan(v) === undefined;
      // Only a commit cut short by a crash, and only the newest, is set aside; a file written whole
      // and wrong is damage, whichever commit it is (open stops before it and refuses writes).
      if (newest && isTorn(e)) {
        const p: FsckProblem = { kind: 'torn-commit', path: key, pondPaths: [], message: 'the newest commit is torn and ignored', repairable: true };
        if (options.repair && store.writable) {
          const aside = `${key}.torn-${now()}`;
          await store.write(aside, bytes);
          await store.delete(key);
          p.repaired = `moved to ${aside}`;
        }
        problems.push(p);
        break;
      }
      const what = isTorn(e) ? 'is cut short' : 'does not parse';
      const resume = await resumeAt(v);
      if (resume !== undefined) {
        problems.push({
          kind: 'bad-commit', path: key, pondPaths: [], repairable: false,
          message: `commit ${v} ${what} (${reason(e, key)}); the checkpoint of version ${cp!.version} covers it, so the pond opens without it`,
          nextStep: `Nothing is lost at the current version. Time travel to a version before ${cp!.version} replays the log and stops at version ${v - 1}; restore ${key} from a backup to bring those versions back.`,
        });
        v = resume - 1;
        continue;
      }
      brokenAt = v;
      problems.push(badCommit(key, v, `${newest ? 'the newest commit' : 'commit'} ${v} ${what} (${reason(e, key)})${newest ? '' : '; later commits cannot be applied'}`, !newest));
      break;
    }
    state.apply(v, parsed.actions, parsed.commitInfo);
    commits++;
  }

  // Every live data file, indexed as the pond reads it: per partition, per node, per version, the
  // copy in the latest file wins (a relocated or compacted copy replaces older ones).
  const parts = new Map<string, Map<string, Map<number, Copy>>>();
  const shadowed = new Map<string, string[]>(); // row key -> data files holding an older copy of it
  const findings: Finding[] = [];
  const unreadable: Array<{ path: string; partId: string; size: number; exists: boolean; finding: Finding }> = [];
  let rows = 0;
  let bodies = 0;
  const files = state.liveFiles();
  const commitNote = (version: number) => {
    const m = state.txns.get(version)?.message;
    return m ? ` (“${m}”)` : '';
  };
  for (const f of files) {
    let bytes: Uint8Array;
    try {
      bytes = await store.read(f.path);
    } catch (e) {
      if (!isPondError(e, 'ENOENT')) throw e;
      const finding: Finding = { kind: 'missing-file', key: f.path, message: `data file of commit ${f.version}${commitNote(f.version)} is missing`, refs: [], partId: f.partId };
      findings.push(finding);
      unreadable.push({ ...f, exists: false, finding });
      continue;
    }
    let fileRows: NodeVersion[];
    try {
      // As the pond reads it: the size and row count its add action declares, no row from a later
      // commit (a data file swapped for another valid one, or a footer that lies, fails here).
      if (bytes.length !== f.size) throw pondError('ECORRUPT', f.path, `holds ${bytes.length} bytes; its add action says ${f.size}`);
      fileRows = tableToRows(await parquetToTable(bytes, f.path), f.partId, f.path, { numRecords: f.numRecords, maxTxnSeq: f.version });
    } catch (e) {
      const finding: Finding = { kind: 'bad-parquet', key: f.path, message: `data file of commit ${f.version}${commitNote(f.version)} is unreadable: ${reason(e, f.path)}`, refs: [], partId: f.partId };
      findings.push(finding);
      unreadable.push({ ...f, exists: true, finding });
      continue;
    }
    let part = parts.get(f.partId);
    if (!part) parts.set(f.partId, (part = new Map()));
    for (const r of fileRows) {
      rows++;
      let versions = part.get(r.nodeId);
      if (!versions) part.set(r.nodeId, (versions = new Map()));
      const older = versions.get(r.version);
      if (older) {
        const rk = rowKey({ part: f.partId, node: r.nodeId, version: r.version });
        shadowed.set(rk, [...(shadowed.get(rk) ?? []), older.file]);
      }
      versions.set(r.version, { row: r, file: f.path });
    }
  }

  // Bodies: each inline one, and each large file once (many rows may share one content address).
  const large = new Map<string, { status: 'ok' | 'missing' | 'mismatch'; finding?: Finding }>();
  for (const [partId, part] of parts) {
    for (const [nodeId, versions] of part) {
      for (const [version, { row: r, file }] of versions) {
        if (r.sha256 === null || r.factory !== STATIC_FACTORY) continue;
        const ref: Ref = { part: partId, node: nodeId, version };
        if (r.content) {
          bodies++;
          if ((await sha256Hex(r.content)) !== r.sha256 || (r.size !== null && r.size !== r.content.length)) {
            findings.push({ kind: 'hash-mismatch', key: file, message: 'inline body does not match its sha256', refs: [ref], inline: true });
          }
        } else if (r.size) {
          const key = largeKey(r.sha256);
          let seen = large.get(key);
          if (!seen) {
            bodies++;
            const status = await checkLarge(store, r.sha256, r.size);
            seen = { status };
            if (status !== 'ok') {
              seen.finding = status === 'missing'
                ? { kind: 'missing-large-file', key, message: 'large file is missing', refs: [] }
                : { kind: 'hash-mismatch', key, message: 'large file does not match its name (sha256) or size', refs: [] };
              findings.push(seen.finding);
            }
            large.set(key, seen);
          }
          seen.finding?.refs.push(ref);
        }
      }
    }
  }

  // Directory snapshots: every version of every stored directory.
  const snapshots = new Map<string, Array<{ version: number; entries: DirEntry[]; copy: Copy }>>(); // newest first, decodable only
  for (const [partId, part] of parts) {
    const versions = part.get(partId);
    if (!versions) continue;
    const good: Array<{ version: number; entries: DirEntry[]; copy: Copy }> = [];
    for (const [version, copy] of [...versions].sort((a, b) => b[0] - a[0])) {
      if (copy.row.type !== 'directory' || copy.row.factory !== STATIC_FACTORY) continue;
      try {
        good.push({ version, entries: decodeDirectory(copy.row.content, partId), copy });
      } catch (e) {
        findings.push({ kind: 'bad-directory', key: copy.file, message: `snapshot version ${version} does not decode: ${reason(e, partId)}`, refs: [{ part: partId, node: partId, version }], dirId: partId });
      }
    }
    snapshots.set(partId, good);
  }
  const effective = (dirId: string) => snapshots.get(dirId)?.[0];
  const childKey = (dirId: string, e: DirEntry) => (ownDir(e) ? nodeKey(e.nodeId, e.nodeId) : nodeKey(dirId, e.nodeId));
  const hasRows = (k: string) => {
    const [part, node] = k.split('/');
    return (parts.get(part)?.get(node)?.size ?? 0) > 0;
  };

  // Pond paths. First the current tree, from the newest readable snapshot of each directory.
  const pathOf = new Map<string, string>([[nodeKey(ROOT_ID, ROOT_ID), '/']]);
  const current = new Set<string>([nodeKey(ROOT_ID, ROOT_ID)]);
  const currentIds = new Set<string>([ROOT_ID]);
  const parentOf = new Map<string, string>(); // node key -> parent directory id (current tree)
  const currentDirs: string[] = [];
  // Problems repair leaves to a person: the pond reads fine, but what to keep is a choice.
  const notices: FsckProblem[] = [];
  for (const queue = [ROOT_ID]; queue.length > 0;) {
    const dirId = queue.shift()!;
    currentDirs.push(dirId);
    const snap = effective(dirId);
    if (!snap) continue;
    const here = pathOf.get(nodeKey(dirId, dirId))!;
    const spellings = new Map<string, string[]>();
    for (const e of snap.entries) spellings.set(nfc(e.name), [...(spellings.get(nfc(e.name)) ?? []), e.name]);
    for (const [key, all] of spellings) {
      if (all.length < 2) continue;
      // The NFC spelling first: it is the one to keep, the others are to rename.
      const names = [...all.filter((n) => n === key), ...all.filter((n) => n !== key)];
      const paths = names.map((n) => join(here, n));
      notices.push({
        kind: 'name-twins', path: snap.copy.file, pondPaths: paths, repairable: false,
        message: `${here} holds ${names.length} entries whose names are equal in NFC and look identical: ${names.map((n) => JSON.stringify(n)).join(', ')}; each reads under its exact spelling`,
        nextStep: `Keep one name: rename the others to distinct names (e.g. pond mv ${JSON.stringify(paths[1])} ${JSON.stringify(`${paths[0]}-2`)}); new names are always written in NFC.`,
      });
    }
    for (const e of snap.entries) {
      const ck = childKey(dirId, e);
      if (current.has(ck)) {
        if (ownDir(e)) {
          const first = pathOf.get(ck)!;
          const second = join(here, e.name);
          notices.push({
            kind: 'duplicate-link', path: snap.copy.file, pondPaths: [second, first], repairable: false,
            message: `${second} names directory ${e.nodeId}, which is already ${first}: the tree has a second link${first === '/' || second.startsWith(`${first}/`) ? ' that loops back to an ancestor (paths through it never end)' : ''}`,
            nextStep: `Remove the extra name: pond rm -r ${JSON.stringify(second)} only unlinks it; ${first} and its contents stay.`,
          });
        }
        continue;
      }
      const path = join(pathOf.get(nodeKey(dirId, dirId))!, e.name);
      pathOf.set(ck, path);
      current.add(ck);
      currentIds.add(e.nodeId);
      parentOf.set(ck, dirId);
      if (!hasRows(ck)) findings.push({ kind: 'dangling-entry', key: snap.copy.file, message: `names node ${e.nodeId}, which has no readable rows`, refs: [{ part: ck.split('/')[0], node: e.nodeId, version: 0 }], dirId });
      // A stored directory without rows of its own is still visited: repair re-creates it when its partition holds rows.
      if (ownDir(e)) queue.push(e.nodeId);
    }
  }
  // Then the paths of nodes that are no longer in the pond, from older snapshots.
  for (const queue = [...snapshots.keys()].filter((d) => pathOf.has(nodeKey(d, d))); queue.length > 0;) {
    const dirId = queue.shift()!;
    for (const snap of snapshots.get(dirId) ?? []) {
      for (const e of snap.entries) {
        const ck = childKey(dirId, e);
        if (pathOf.has(ck)) continue;
        pathOf.set(ck, join(pathOf.get(nodeKey(dirId, dirId))!, e.name));
        if (ownDir(e)) queue.push(e.nodeId);
      }
    }
  }
  const where = (ref: Ref) => {
    const p = pathOf.get(nodeKey(ref.part, ref.node));
    const name = p ?? `node ${ref.node}`;
    const gone = p !== undefined && !current.has(nodeKey(ref.part, ref.node)) ? ', no longer in the pond' : '';
    return ref.version > 0 ? `${name} (version ${ref.version}${gone})` : name;
  };
  const dirPath = (dirId: string) => pathOf.get(nodeKey(dirId, dirId));
  const lostRoots = findLost(snapshots, current);
  for (const l of lostRoots) {
    const via = l.cutFrom.map((d) => effective(d)!).sort((x, y) => y.copy.row.txnSeq - x.copy.row.txnSeq)[0];
    const key = via?.copy.file ?? effective(l.id)!.copy.file;
    const below = l.size > 1 ? ` and the ${l.size - 1} director${l.size === 2 ? 'y' : 'ies'} below it` : '';
    findings.push({ kind: 'unreachable-directory', key, lostId: l.id, refs: [], message: `is not reachable from the root${below}, although nothing removed it: it is listed only inside its own subtree (a directory moved into itself, as an old rename through a symlink did)` });
  }

  const blocked = brokenAt !== undefined
    ? `Repair first needs the damaged commit ${logKey(brokenAt)}, which it cannot fix (see that problem)`
    : undefined;
  const byFinding = new Map<Finding, FsckProblem>();
  for (const f of findings) {
    let pondPaths: string[];
    let message: string;
    if (f.kind === 'missing-file' || f.kind === 'bad-parquet') {
      const d = dirPath(f.partId!);
      pondPaths = d ? [d] : [];
      message = `${f.message}; the versions it held of ${d ? `${d} and its files` : `the nodes of partition ${f.partId}`} cannot be read`;
    } else if (f.kind === 'bad-directory') {
      const d = dirPath(f.dirId!);
      pondPaths = d ? [d] : [];
      message = `directory ${d ?? f.dirId}: ${f.message}`;
    } else if (f.kind === 'dangling-entry') {
      pondPaths = [pathOf.get(nodeKey(f.refs[0].part, f.refs[0].node))!];
      message = `${pondPaths[0]} ${f.message}`;
    } else if (f.kind === 'unreachable-directory') {
      const d = dirPath(f.lostId!);
      pondPaths = d ? [d] : [];
      message = `directory ${f.lostId}${d ? ` (last at ${d})` : ''} ${f.message}`;
    } else {
      pondPaths = [...new Set(f.refs.map((r) => pathOf.get(nodeKey(r.part, r.node))).filter((p): p is string => p !== undefined))];
      message = `${f.message}: the body of ${f.refs.map(where).join(', ')}`;
    }
    const p: FsckProblem = { kind: f.kind, path: f.key, pondPaths, message, repairable: blocked === undefined };
    if (blocked) p.nextStep = blocked;
    problems.push(p);
    byFinding.set(f, p);
  }

  problems.push(...notices);
  const report: FsckReport = { version: state.version, commits, dataFiles: files.length, rows, bodiesVerified: bodies, problems };
  if (!options.repair || !store.writable || blocked || findings.length === 0) return report;

  // --- Repair: plan one commit ------------------------------------------------------------------
  const v = state.version + 1;
  // The rows whose body or snapshot is damaged are dropped; their data files are re-written without them.
  const droppedRefs = findings.filter((f) => f.kind === 'hash-mismatch' || f.kind === 'missing-large-file' || f.kind === 'bad-directory').flatMap((f) => f.refs);
  const dropped = new Set(droppedRefs.map(rowKey));
  const rewrite = new Map<string, string>(); // data file -> part id: every file holding a copy of a dropped row
  for (const r of droppedRefs) {
    const winner = parts.get(r.part)!.get(r.node)!.get(r.version)!;
    for (const file of [winner.file, ...(shadowed.get(rowKey(r)) ?? [])]) rewrite.set(file, r.part);
  }
  const remaining = (part: string, node: string) =>
    [...(parts.get(part)?.get(node) ?? new Map<number, Copy>())].filter(([version]) => !dropped.has(rowKey({ part, node, version }))).sort((a, b) => a[0] - b[0]);
  /** A node is gone when none of its rows remain; a stored directory only when its whole partition is empty. */
  const gone = (k: string) => {
    const [part, node] = k.split('/');
    if (part === ROOT_ID && node === ROOT_ID) return false;
    return part === node ? (parts.get(part)?.size ?? 0) === 0 : remaining(part, node).length === 0;
  };

  // New snapshots for the directories of the current tree whose entries change.
  const newDirs = new Map<string, { row: NodeVersion; removed: string[]; relinked: string[]; fallback?: number }>();
  const snapshotRow = (dirId: string, base: NodeVersion | undefined, version: number, entries: DirEntry[]): NodeVersion => ({
    partId: dirId, nodeId: dirId, type: 'directory', timestampUs: now() * 1000, version,
    content: encodeDirectory(entries), sha256: null, size: null, minEventTime: null, maxEventTime: null,
    attributes: base?.attributes ?? {}, factory: STATIC_FACTORY, txnSeq: v,
  });
  const newestOf = (dirId: string) => {
    const own = parts.get(dirId)?.get(dirId);
    return own && own.size ? Math.max(...own.keys()) : 0;
  };
  // A lost subtree comes back as /lost+found-<id>; the links inside the cycle that pointed at its
  // top are cut, so it is reachable exactly once.
  const rootNames = new Set((effective(ROOT_ID)?.entries ?? []).map((e) => e.name));
  const lostLinks: DirEntry[] = [];
  const cut = new Map<string, Set<string>>(); // lost directory -> node ids its new snapshot drops
  for (const l of lostRoots) {
    let name = `lost+found-${l.id}`;
    for (let i = 2; rootNames.has(name); i++) name = `lost+found-${l.id}-${i}`;
    rootNames.add(name);
    lostLinks.push({ name, nodeId: l.id, type: 'directory', factory: STATIC_FACTORY });
    for (const d of l.cutFrom) cut.set(d, new Set([...(cut.get(d) ?? []), l.id]));
  }
  for (const [dirId, ids] of cut) {
    const snap = effective(dirId)!;
    const removed = snap.entries.filter((e) => ownDir(e) && ids.has(e.nodeId));
    newDirs.set(dirId, {
      row: snapshotRow(dirId, snap.copy.row, newestOf(dirId) + 1, snap.entries.filter((e) => !removed.includes(e))),
      removed: removed.map((e) => join(dirPath(dirId) ?? `partition ${dirId}`, e.name)), relinked: [], fallback: snap.version,
    });
  }
  for (const dirId of currentDirs) {
    if (gone(nodeKey(dirId, dirId))) continue;
    const own = parts.get(dirId)?.get(dirId);
    const newestVersion = own && own.size ? Math.max(...own.keys()) : 0;
    const newestBad = newestVersion > 0 && dropped.has(rowKey({ part: dirId, node: dirId, version: newestVersion }));
    const snap = effective(dirId);
    const entries = snap?.entries ?? [];
    const removed = entries.filter((e) => gone(childKey(dirId, e)));
    const kept = entries.filter((e) => !removed.includes(e));
    const relinked: DirEntry[] = [];
    if (newestBad || !snap) {
      // The newest listing is lost: nodes of this partition that no readable snapshot names (those
      // it added) are linked back under a name that says where they come from.
      const named = new Set((snapshots.get(dirId) ?? []).flatMap((s) => s.entries.map((e) => e.nodeId)));
      const names = new Set(kept.map((e) => e.name));
      for (const nodeId of parts.get(dirId)?.keys() ?? []) {
        if (nodeId === dirId || named.has(nodeId) || currentIds.has(nodeId)) continue;
        const rest = remaining(dirId, nodeId);
        if (rest.length === 0) continue;
        const newest = rest[rest.length - 1][1].row;
        let name = `lost+found-${nodeId}`;
        for (let i = 2; names.has(name); i++) name = `lost+found-${nodeId}-${i}`;
        names.add(name);
        relinked.push({ name, nodeId, type: newest.type, factory: newest.factory });
      }
    }
    if (dirId === ROOT_ID) relinked.push(...lostLinks);
    if (!newestBad && snap && removed.length === 0 && relinked.length === 0) continue;
    const base = snap?.copy.row;
    newDirs.set(dirId, {
      row: snapshotRow(dirId, base, newestVersion + 1, [...kept, ...relinked]),
      removed: removed.map((e) => join(dirPath(dirId)!, e.name)),
      relinked: relinked.map((e) => join(dirPath(dirId)!, e.name)),
      fallback: snap?.version,
    });
  }

  // Keep the damaged bytes first, then write the new data files, then publish the commit.
  const keptAt = new Map<string, string>();
  const keep = async (key: string) => {
    const to = LOST_AND_FOUND + key;
    await store.writeStream(to, store.readStream(key));
    keptAt.set(key, to);
  };
  for (const u of unreadable) if (u.exists) await keep(u.path);
  for (const file of rewrite.keys()) await keep(file);
  const damagedLarge = findings.filter((f) => f.kind === 'hash-mismatch' && !f.inline && f.key.startsWith('_large_files/'));
  for (const f of damagedLarge) await keep(f.key);

  const ts = now();
  const actions: Action[] = [];
  for (const u of unreadable) actions.push({ remove: { path: u.path, deletionTimestamp: ts, dataChange: true, partitionValues: { [PARTITION_COLUMN]: u.partId }, size: u.size } });
  for (const f of files) if (rewrite.has(f.path)) actions.push({ remove: { path: f.path, deletionTimestamp: ts, dataChange: true, partitionValues: { [PARTITION_COLUMN]: f.partId }, size: f.size } });
  const touched = new Set([...rewrite.values(), ...newDirs.keys()]);
  for (const partId of touched) {
    const out: NodeVersion[] = [];
    for (const [node, versions] of parts.get(partId) ?? []) {
      for (const [version, copy] of versions) if (rewrite.has(copy.file) && !dropped.has(rowKey({ part: partId, node, version }))) out.push(copy.row);
    }
    const dir = newDirs.get(partId);
    if (dir) out.push(dir.row);
    if (out.length === 0) continue;
    const bytes = await tableToParquet(rowsToTable(out));
    const add: AddAction = {
      path: `${PARTITION_COLUMN}=${partId}/part-${newId()}.parquet`, partitionValues: { [PARTITION_COLUMN]: partId },
      size: bytes.length, modificationTime: ts, dataChange: true, stats: JSON.stringify({ numRecords: out.length }),
    };
    await store.write(add.path, bytes);
    actions.push({ add });
  }

  // What changed, by pond path, for the report and the commit message.
  const fate = (ref: Ref): string => {
    const k = nodeKey(ref.part, ref.node);
    const name = pathOf.get(k) ?? `node ${ref.node}`;
    if (!current.has(k)) return `${name} v${ref.version} dropped (it was no longer in the pond)`;
    const rest = remaining(ref.part, ref.node);
    if (rest.length === 0) return `${name} removed from ${dirPath(parentOf.get(k)!) ?? 'its directory'} (no intact version left)`;
    const newest = rest[rest.length - 1][1].row;
    const lostNewest = ref.version > newest.version;
    return newest.type === 'file:series'
      ? `${name} v${ref.version} dropped; the series reads without it`
      : `${name} v${ref.version} dropped${lostNewest ? `; it now reads as version ${newest.version}` : ''}`;
  };
  const dirFate = (dirId: string): string => {
    const d = dirPath(dirId) ?? `partition ${dirId}`;
    const parent = parentOf.get(nodeKey(dirId, dirId));
    if (gone(nodeKey(dirId, dirId))) return `${d} removed from ${(parent && dirPath(parent)) ?? 'its directory'}`;
    const nd = newDirs.get(dirId);
    const snap = effective(dirId);
    const listing = nd ? (nd.fallback !== undefined ? `${d} lists as its version ${nd.fallback} did` : `${d} is re-created`) : snap ? `${d} lists as of commit ${snap.copy.row.txnSeq}` : '';
    const relinked = nd?.relinked.length ? `, with ${nd.relinked.join(', ')} linked back` : '';
    const removed = nd?.removed.length ? `, without ${nd.removed.join(', ')}` : '';
    return listing + relinked + removed;
  };
  const changed: string[] = [];
  const describe = new Map<Finding, string>();
  for (const f of findings) {
    let text: string;
    if (f.kind === 'missing-file' || f.kind === 'bad-parquet') {
      text = `removed from the table${f.kind === 'bad-parquet' ? `, bytes kept at ${LOST_AND_FOUND}${f.key}` : ''}; ${dirFate(f.partId!) || 'its rows are lost'}`;
      changed.push(dirPath(f.partId!) ?? f.key);
    } else if (f.kind === 'bad-directory') {
      text = `snapshot dropped (its row kept in ${LOST_AND_FOUND}${f.key}); ${dirFate(f.dirId!) || `${dirPath(f.dirId!) ?? f.dirId} is no longer in the pond`}`;
      changed.push(dirPath(f.dirId!) ?? f.key);
    } else if (f.kind === 'unreachable-directory') {
      const link = lostLinks.find((e) => e.nodeId === f.lostId)!;
      const cutText = [...cut].filter(([, ids]) => ids.has(f.lostId!)).flatMap(([d]) => newDirs.get(d)!.removed);
      text = `linked back as /${link.name}${cutText.length ? `; the link${cutText.length > 1 ? 's' : ''} inside it that closed the loop (${cutText.join(', ')}) removed` : ''}`;
      changed.push(`/${link.name}`);
    } else if (f.kind === 'dangling-entry') {
      const p = pathOf.get(nodeKey(f.refs[0].part, f.refs[0].node))!;
      const nd = newDirs.get(f.dirId!);
      text = nd?.removed.includes(p) ? `entry removed from ${dirPath(f.dirId!)}` : `${p} is re-created from the rows left in its partition`;
      changed.push(p);
    } else {
      const aside = f.inline ? `row kept in ${LOST_AND_FOUND}${f.key}` : keptAt.has(f.key) ? `bytes kept at ${keptAt.get(f.key)}` : 'the body is gone';
      text = `${aside}; ${f.refs.map(fate).join('; ')}`;
      changed.push(...f.refs.map((r) => pathOf.get(nodeKey(r.part, r.node)) ?? `node ${r.node}`));
    }
    describe.set(f, text);
  }
  const uniq = [...new Set(changed)];
  const message = `fsck repair: ${findings.length} problem(s) in ${uniq.slice(0, 5).join(', ')}${uniq.length > 5 ? ` and ${uniq.length - 5} more` : ''}; damaged bytes kept under ${LOST_AND_FOUND}`;
  if (actions.length === 0) return report;
  const ok = await store.putIfAbsent(logKey(v), encodeCommit(actions, { timestamp: ts, operation: 'FSCK REPAIR', operationParameters: { problems: findings.length }, txn_seq: v, message }));
  if (!ok) {
    for (const f of findings) byFinding.get(f)!.nextStep = `another writer committed version ${v} meanwhile: check again`;
    return report;
  }
  report.repairedAt = v;
  // The damaged large files are now named by no row: move them out of the way (their bytes are
  // kept), so writing the same content again stores an intact body.
  for (const f of damagedLarge) await store.delete(f.key);
  for (const f of findings) byFinding.get(f)!.repaired = `in version ${v}: ${describe.get(f)}`;
  return report;
}

/** An error's message without the code and path a PondError puts in front (the problem names them already). */
function reason(e: unknown, path: string): string {
  const m = (e as Error).message ?? String(e);
  return m.replace(/^E[A-Z]+: /, '').replace(`${path}: `, '');
}

/** "commit 4 is" / "commits 4 and 5 are" / "commits 4 to 9 are": the versions a gap leaves out. */
function missingVersions(from: number, to: number): string {
  if (from === to) return `commit ${from} is`;
  return `commits ${from} ${to === from + 1 ? 'and' : 'to'} ${to} are`;
}

/** A commit replay cannot pass (`later`: commits after it exist): not repairable; what to do instead. */
function badCommit(key: string, v: number, message: string, later: boolean): FsckProblem {
  return {
    kind: 'bad-commit', path: key, pondPaths: [], message, repairable: false,
    nextStep: `The pond opens read-only at version ${v - 1}${later ? `; the commits after ${v} are kept untouched` : ''}. ` +
      `Export the pond to keep every object as it is, then copy what you need from version ${v - 1} into a new pond, ` +
      `or restore ${key} from a backup, which brings ${later ? 'the later versions' : 'that version'} back.`,
  };
}

/** A lost subtree: its top, the lost directories whose listings point back at the top, and its size in directories. */
interface Lost { id: string; cutFrom: string[]; size: number }

/**
 * Directories with rows that the root does not reach, minus removed ones. A removed directory is
 * history: no current listing names it, and what it lists hangs below it. What is left sits in a
 * cycle of newest listings (or below one) that nothing removed: each cycle gets a top, the
 * directory whose incoming link is newest (the link that closed the cycle).
 */
function findLost(snapshots: Map<string, Array<{ entries: DirEntry[]; copy: Copy }>>, current: Set<string>): Lost[] {
  const live = [...snapshots.keys()].filter((d) => !current.has(nodeKey(d, d)) && (snapshots.get(d)?.length ?? 0) > 0).sort();
  const liveSet = new Set(live);
  const children = new Map(live.map((d) => [d, snapshots.get(d)![0].entries.filter((e) => ownDir(e) && liveSet.has(e.nodeId)).map((e) => e.nodeId)]));
  const parents = new Map<string, string[]>();
  for (const [p, cs] of children) for (const c of cs) parents.set(c, [...(parents.get(c) ?? []), p]);
  const settled = new Set<string>();
  const spread = (from: string): number => {
    let n = 0;
    const queue = [from];
    for (let i = 0; i < queue.length; i++) {
      const d = queue[i];
      if (settled.has(d)) continue;
      settled.add(d);
      n++;
      queue.push(...children.get(d)!);
    }
    return n;
  };
  for (const d of live) if (!parents.has(d)) spread(d);
  const out: Lost[] = [];
  for (;;) {
    const lost = live.filter((d) => !settled.has(d));
    if (lost.length === 0) return out;
    const incoming = (d: string) => [...new Set(parents.get(d) ?? [])].filter((p) => !settled.has(p));
    const newestLink = (d: string) => Math.max(...incoming(d).map((p) => snapshots.get(p)![0].copy.row.txnSeq));
    const top = lost.reduce((a, b) => (newestLink(b) > newestLink(a) ? b : a));
    const cutFrom = incoming(top);
    out.push({ id: top, cutFrom, size: spread(top) });
  }
}
