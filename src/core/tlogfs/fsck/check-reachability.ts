/**
 * fsck's tree check: walk the current tree from the root (pond paths, dangling entries, second
 * links to a directory), give removed nodes their last path, and find subtrees that only a cycle
 * of listings holds (lost, although nothing removed them).
 */
import type { DirEntry } from '../../tinyfs/node.ts';
import { ROOT_ID } from '../../tinyfs/entry-type.ts';
import { checkNames } from './check-names.ts';
import { effective, join, nodeKey, ownDir, type Copy, type Finding, type FsckProblem, type Parts, type Snapshots } from './types.ts';

/** A lost subtree: its top, the lost directories whose listings point back at the top, and its size in directories. */
export interface Lost {
  id: string;
  cutFrom: string[];
  size: number;
}

/** The pond's tree as fsck sees it, by node key (`part/node`). */
export interface Tree {
  /** The current path of each node in the tree, or the last path an older snapshot gave it. */
  pathOf: Map<string, string>;
  /** Node keys the current tree reaches. */
  current: Set<string>;
  /** Node ids the current tree reaches. */
  currentIds: Set<string>;
  /** Node key -> its parent directory's id (current tree). */
  parentOf: Map<string, string>;
  /** Directory ids of the current tree, in walk order. */
  currentDirs: string[];
  /** Subtrees the root does not reach although nothing removed them. */
  lost: Lost[];
}

/** A directory's pond path, if a snapshot names it. */
export const dirPath = (tree: Tree, dirId: string): string | undefined => tree.pathOf.get(nodeKey(dirId, dirId));
/** The index key of an entry of `dirId`: a stored directory is its own partition. */
export const childKey = (dirId: string, e: DirEntry): string => (ownDir(e) ? nodeKey(e.nodeId, e.nodeId) : nodeKey(dirId, e.nodeId));

/**
 * Walk the tree: `findings` are dangling entries and lost subtrees (repair fixes them), `notices`
 * the problems repair leaves to a person (name twins, a directory named twice): the pond reads
 * fine, but what to keep is a choice.
 */
export function checkReachability(parts: Parts, snapshots: Snapshots): { tree: Tree; findings: Finding[]; notices: FsckProblem[] } {
  const findings: Finding[] = [];
  const notices: FsckProblem[] = [];
  const hasRows = (k: string) => {
    const [part, node] = k.split('/');
    return (parts.get(part)?.get(node)?.size ?? 0) > 0;
  };
  const tree: Tree = {
    pathOf: new Map<string, string>([[nodeKey(ROOT_ID, ROOT_ID), '/']]),
    current: new Set<string>([nodeKey(ROOT_ID, ROOT_ID)]),
    currentIds: new Set<string>([ROOT_ID]),
    parentOf: new Map<string, string>(),
    currentDirs: [],
    lost: [],
  };
  const { pathOf, current, currentIds, parentOf, currentDirs } = tree;
  // First the current tree, from the newest readable snapshot of each directory.
  for (const queue = [ROOT_ID]; queue.length > 0;) {
    const dirId = queue.shift()!;
    currentDirs.push(dirId);
    const snap = effective(snapshots, dirId);
    if (!snap) continue;
    const here = pathOf.get(nodeKey(dirId, dirId))!;
    notices.push(...checkNames(here, snap));
    for (const e of snap.entries) {
      const ck = childKey(dirId, e);
      if (current.has(ck)) {
        if (ownDir(e)) {
          const first = pathOf.get(ck)!;
          const second = join(here, e.name);
          notices.push({
            kind: 'duplicate-link',
            path: snap.copy.file,
            pondPaths: [second, first],
            repairable: false,
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
      if (!hasRows(ck))
        findings.push({
          kind: 'dangling-entry',
          key: snap.copy.file,
          message: `names node ${e.nodeId}, which has no readable rows`,
          refs: [{ part: ck.split('/')[0], node: e.nodeId, version: 0 }],
          dirId,
        });
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
  tree.lost = findLost(snapshots, current);
  for (const l of tree.lost) {
    const via = l.cutFrom.map((d) => effective(snapshots, d)!).sort((x, y) => y.copy.row.txnSeq - x.copy.row.txnSeq)[0];
    const key = via?.copy.file ?? effective(snapshots, l.id)!.copy.file;
    const below = l.size > 1 ? ` and the ${l.size - 1} director${l.size === 2 ? 'y' : 'ies'} below it` : '';
    findings.push({
      kind: 'unreachable-directory',
      key,
      lostId: l.id,
      refs: [],
      message: `is not reachable from the root${below}, although nothing removed it: it is listed only inside its own subtree (a directory moved into itself, as an old rename through a symlink did)`,
    });
  }
  return { tree, findings, notices };
}

/**
 * Directories with rows that the root does not reach, minus removed ones. A removed directory is
 * history: no current listing names it, and what it lists hangs below it. What is left sits in a
 * cycle of newest listings (or below one) that nothing removed: each cycle gets a top, the
 * directory whose incoming link is newest (the link that closed the cycle).
 */
function findLost(snapshots: Map<string, Array<{ entries: DirEntry[]; copy: Copy }>>, current: Set<string>): Lost[] {
  const live = [...snapshots.keys()].filter((d) => !current.has(nodeKey(d, d)) && (snapshots.get(d)?.length ?? 0) > 0).sort();
  const liveSet = new Set(live);
  const children = new Map(
    live.map((d) => [
      d,
      snapshots
        .get(d)![0]
        .entries.filter((e) => ownDir(e) && liveSet.has(e.nodeId))
        .map((e) => e.nodeId),
    ]),
  );
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
