/** Phrase fsck's findings as problems: the store key, the pond paths each affects, and whether repair can fix it. */
import { logKey } from '../delta-log.ts';
import { dirPath, type Tree } from './check-reachability.ts';
import { nodeKey, type Finding, type FsckProblem, type Ref } from './types.ts';

/** One problem per finding, in order; when the log is broken at `brokenAt`, repair waits for it. */
export function toProblems(findings: Finding[], tree: Tree, brokenAt: number | undefined): { problems: FsckProblem[]; byFinding: Map<Finding, FsckProblem> } {
  const { pathOf, current } = tree;
  const where = (ref: Ref) => {
    const p = pathOf.get(nodeKey(ref.part, ref.node));
    const name = p ?? `node ${ref.node}`;
    const gone = p !== undefined && !current.has(nodeKey(ref.part, ref.node)) ? ', no longer in the pond' : '';
    return ref.version > 0 ? `${name} (version ${ref.version}${gone})` : name;
  };
  const blocked = brokenAt !== undefined ? `Repair first needs the damaged commit ${logKey(brokenAt)}, which it cannot fix (see that problem)` : undefined;
  const problems: FsckProblem[] = [];
  const byFinding = new Map<Finding, FsckProblem>();
  for (const f of findings) {
    let pondPaths: string[];
    let message: string;
    if (f.kind === 'missing-file' || f.kind === 'bad-parquet') {
      const d = dirPath(tree, f.partId!);
      pondPaths = d ? [d] : [];
      message = `${f.message}; the versions it held of ${d ? `${d} and its files` : `the nodes of partition ${f.partId}`} cannot be read`;
    } else if (f.kind === 'bad-directory') {
      const d = dirPath(tree, f.dirId!);
      pondPaths = d ? [d] : [];
      message = `directory ${d ?? f.dirId}: ${f.message}`;
    } else if (f.kind === 'dangling-entry') {
      pondPaths = [pathOf.get(nodeKey(f.refs[0].part, f.refs[0].node))!];
      message = `${pondPaths[0]} ${f.message}`;
    } else if (f.kind === 'unreachable-directory') {
      const d = dirPath(tree, f.lostId!);
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
  return { problems, byFinding };
}
