/** What a planned repair changes, by pond path: each finding's `repaired` text and the commit message. */
import { dirPath } from './check-reachability.ts';
import type { FsckIndex, RepairPlan } from './plan-repair.ts';
import { LOST_AND_FOUND, effective, nodeKey, type Finding, type Ref } from './types.ts';

/** Phrase the plan per finding; `keptAt` maps a damaged key to where its bytes were kept. */
export function describeRepair(index: FsckIndex, plan: RepairPlan, keptAt: Map<string, string>): { texts: Map<Finding, string>; message: string } {
  const { tree, snapshots, findings } = index;
  const { pathOf, current, parentOf } = tree;
  const { remaining, gone, newDirs, lostLinks, cut } = plan;
  const fate = (ref: Ref): string => {
    const k = nodeKey(ref.part, ref.node);
    const name = pathOf.get(k) ?? `node ${ref.node}`;
    if (!current.has(k)) return `${name} v${ref.version} dropped (it was no longer in the pond)`;
    const rest = remaining(ref.part, ref.node);
    if (rest.length === 0) return `${name} removed from ${dirPath(tree, parentOf.get(k)!) ?? 'its directory'} (no intact version left)`;
    const newest = rest[rest.length - 1][1].row;
    const lostNewest = ref.version > newest.version;
    return newest.type === 'file:series'
      ? `${name} v${ref.version} dropped; the series reads without it`
      : `${name} v${ref.version} dropped${lostNewest ? `; it now reads as version ${newest.version}` : ''}`;
  };
  const dirFate = (dirId: string): string => {
    const d = dirPath(tree, dirId) ?? `partition ${dirId}`;
    const parent = parentOf.get(nodeKey(dirId, dirId));
    if (gone(nodeKey(dirId, dirId))) return `${d} removed from ${(parent && dirPath(tree, parent)) ?? 'its directory'}`;
    const nd = newDirs.get(dirId);
    const snap = effective(snapshots, dirId);
    const listing = nd
      ? nd.fallback !== undefined
        ? `${d} lists as its version ${nd.fallback} did`
        : `${d} is re-created`
      : snap
        ? `${d} lists as of commit ${snap.copy.row.txnSeq}`
        : '';
    const relinked = nd?.relinked.length ? `, with ${nd.relinked.join(', ')} linked back` : '';
    const removed = nd?.removed.length ? `, without ${nd.removed.join(', ')}` : '';
    return listing + relinked + removed;
  };
  const changed: string[] = [];
  const texts = new Map<Finding, string>();
  for (const f of findings) {
    let text: string;
    if (f.kind === 'missing-file' || f.kind === 'bad-parquet') {
      text = `removed from the table${f.kind === 'bad-parquet' ? `, bytes kept at ${LOST_AND_FOUND}${f.key}` : ''}; ${dirFate(f.partId!) || 'its rows are lost'}`;
      changed.push(dirPath(tree, f.partId!) ?? f.key);
    } else if (f.kind === 'bad-directory') {
      text = `snapshot dropped (its row kept in ${LOST_AND_FOUND}${f.key}); ${dirFate(f.dirId!) || `${dirPath(tree, f.dirId!) ?? f.dirId} is no longer in the pond`}`;
      changed.push(dirPath(tree, f.dirId!) ?? f.key);
    } else if (f.kind === 'unreachable-directory') {
      const link = lostLinks.find((e) => e.nodeId === f.lostId)!;
      const cutText = [...cut].filter(([, ids]) => ids.has(f.lostId!)).flatMap(([d]) => newDirs.get(d)!.removed);
      text = `linked back as /${link.name}${cutText.length ? `; the link${cutText.length > 1 ? 's' : ''} inside it that closed the loop (${cutText.join(', ')}) removed` : ''}`;
      changed.push(`/${link.name}`);
    } else if (f.kind === 'dangling-entry') {
      const p = pathOf.get(nodeKey(f.refs[0].part, f.refs[0].node))!;
      const nd = newDirs.get(f.dirId!);
      text = nd?.removed.includes(p) ? `entry removed from ${dirPath(tree, f.dirId!)}` : `${p} is re-created from the rows left in its partition`;
      changed.push(p);
    } else {
      const aside = f.inline ? `row kept in ${LOST_AND_FOUND}${f.key}` : keptAt.has(f.key) ? `bytes kept at ${keptAt.get(f.key)}` : 'the body is gone';
      text = `${aside}; ${f.refs.map(fate).join('; ')}`;
      changed.push(...f.refs.map((r) => pathOf.get(nodeKey(r.part, r.node)) ?? `node ${r.node}`));
    }
    texts.set(f, text);
  }
  const uniq = [...new Set(changed)];
  const message = `fsck repair: ${findings.length} problem(s) in ${uniq.slice(0, 5).join(', ')}${uniq.length > 5 ? ` and ${uniq.length - 5} more` : ''}; damaged bytes kept under ${LOST_AND_FOUND}`;
  return { texts, message };
}
