/**
 * The repair planner: from the findings, which rows to drop, which data files to re-write, and the
 * new snapshot of each directory whose entries change (lost subtrees and orphans linked back).
 */
import type { DirEntry, NodeVersion } from '../../tinyfs/node.ts';
import { encodeDirectory } from '../../tinyfs/dir-codec.ts';
import { ROOT_ID, STATIC_FACTORY } from '../../tinyfs/entry-type.ts';
import type { DataFilesCheck } from './check-data-files.ts';
import { childKey, dirPath, type Tree } from './check-reachability.ts';
import { effective, join, nodeKey, ownDir, rowKey, type Copy, type Finding, type Snapshots } from './types.ts';

/** What the checks found, as the planner and the repair read it. */
export interface FsckIndex {
  data: DataFilesCheck;
  snapshots: Snapshots;
  tree: Tree;
  findings: Finding[];
}

/** A directory's new snapshot, and the pond paths it drops and links back. */
export interface NewDir {
  row: NodeVersion;
  removed: string[];
  relinked: string[];
  fallback?: number;
}

export interface RepairPlan {
  /** The version the repair commits. */
  version: number;
  /** Row keys of the rows dropped (damaged body or snapshot). */
  dropped: Set<string>;
  /** Data file -> part id: every file holding a copy of a dropped row. */
  rewrite: Map<string, string>;
  newDirs: Map<string, NewDir>;
  /** The root's new entries for lost subtrees (`lost+found-<id>`). */
  lostLinks: DirEntry[];
  /** Lost directory -> node ids its new snapshot drops (the links that closed a cycle). */
  cut: Map<string, Set<string>>;
  /** A node's versions left after the drop, oldest first. */
  remaining(part: string, node: string): Array<[number, Copy]>;
  /** A node is gone when none of its rows remain; a stored directory only when its whole partition is empty. */
  gone(k: string): boolean;
}

/** Plan one repair commit at `version`; `now` stamps the new snapshots. */
export function planRepair(index: FsckIndex, version: number, now: () => number): RepairPlan {
  const {
    data: { parts, shadowed },
    snapshots,
    tree,
    findings,
  } = index;
  // The rows whose body or snapshot is damaged are dropped; their data files are re-written without them.
  const droppedRefs = findings
    .filter((f) => f.kind === 'hash-mismatch' || f.kind === 'missing-large-file' || f.kind === 'bad-directory')
    .flatMap((f) => f.refs);
  const dropped = new Set(droppedRefs.map(rowKey));
  const rewrite = new Map<string, string>();
  for (const r of droppedRefs) {
    const winner = parts.get(r.part)!.get(r.node)!.get(r.version)!;
    for (const file of [winner.file, ...(shadowed.get(rowKey(r)) ?? [])]) rewrite.set(file, r.part);
  }
  const remaining = (part: string, node: string) =>
    [...(parts.get(part)?.get(node) ?? new Map<number, Copy>())]
      .filter(([version]) => !dropped.has(rowKey({ part, node, version })))
      .sort((a, b) => a[0] - b[0]);
  const gone = (k: string) => {
    const [part, node] = k.split('/');
    if (part === ROOT_ID && node === ROOT_ID) return false;
    return part === node ? (parts.get(part)?.size ?? 0) === 0 : remaining(part, node).length === 0;
  };

  // New snapshots for the directories of the current tree whose entries change.
  const newDirs = new Map<string, NewDir>();
  const snapshotRow = (dirId: string, base: NodeVersion | undefined, v: number, entries: DirEntry[]): NodeVersion => ({
    partId: dirId,
    nodeId: dirId,
    type: 'directory',
    timestampUs: now() * 1000,
    version: v,
    content: encodeDirectory(entries),
    sha256: null,
    size: null,
    minEventTime: null,
    maxEventTime: null,
    attributes: base?.attributes ?? {},
    factory: STATIC_FACTORY,
    txnSeq: version,
  });
  const newestOf = (dirId: string) => {
    const own = parts.get(dirId)?.get(dirId);
    return own && own.size ? Math.max(...own.keys()) : 0;
  };
  // A lost subtree comes back as /lost+found-<id>; the links inside the cycle that pointed at its
  // top are cut, so it is reachable exactly once.
  const rootNames = new Set((effective(snapshots, ROOT_ID)?.entries ?? []).map((e) => e.name));
  const lostLinks: DirEntry[] = [];
  const cut = new Map<string, Set<string>>();
  for (const l of tree.lost) {
    let name = `lost+found-${l.id}`;
    for (let i = 2; rootNames.has(name); i++) name = `lost+found-${l.id}-${i}`;
    rootNames.add(name);
    lostLinks.push({ name, nodeId: l.id, type: 'directory', factory: STATIC_FACTORY });
    for (const d of l.cutFrom) cut.set(d, new Set([...(cut.get(d) ?? []), l.id]));
  }
  for (const [dirId, ids] of cut) {
    const snap = effective(snapshots, dirId)!;
    const removed = snap.entries.filter((e) => ownDir(e) && ids.has(e.nodeId));
    newDirs.set(dirId, {
      row: snapshotRow(
        dirId,
        snap.copy.row,
        newestOf(dirId) + 1,
        snap.entries.filter((e) => !removed.includes(e)),
      ),
      removed: removed.map((e) => join(dirPath(tree, dirId) ?? `partition ${dirId}`, e.name)),
      relinked: [],
      fallback: snap.version,
    });
  }
  for (const dirId of tree.currentDirs) {
    if (gone(nodeKey(dirId, dirId))) continue;
    const own = parts.get(dirId)?.get(dirId);
    const newestVersion = own && own.size ? Math.max(...own.keys()) : 0;
    const newestBad = newestVersion > 0 && dropped.has(rowKey({ part: dirId, node: dirId, version: newestVersion }));
    const snap = effective(snapshots, dirId);
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
        if (nodeId === dirId || named.has(nodeId) || tree.currentIds.has(nodeId)) continue;
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
      removed: removed.map((e) => join(dirPath(tree, dirId)!, e.name)),
      relinked: relinked.map((e) => join(dirPath(tree, dirId)!, e.name)),
      fallback: snap?.version,
    });
  }
  return { version, dropped, rewrite, newDirs, lostLinks, cut, remaining, gone };
}
