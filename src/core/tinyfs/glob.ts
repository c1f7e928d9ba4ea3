/**
 * Glob with captures over any directory tree: the walk. Storage comes in as a GlobWalker; the
 * pattern language and capture rules are in glob-pattern.ts and docs/glob.md.
 */
import { isPondError } from '../errors.ts';
import { ROOT_ID, type EntryType } from './entry-type.ts';
import { joinPath, nfc, splitPath } from './path.ts';
import { compileGlob, matchComponent, matchComponents, type CompiledGlob, type GlobComponent } from './glob-pattern.ts';

export { compileGlob, matchPath, escapeGlob, type CompiledGlob, type GlobComponent } from './glob-pattern.ts';

/** One directory entry as the walk sees it, symlinks already followed by the walker. */
export interface GlobEntry {
  name: string;
  /** The type after following symlinks; 'symlink' only for a dangling or looping link. */
  type: EntryType;
  /** The node after following symlinks (the link's own id for a dangling or looping link). */
  nodeId: string;
  isSymlink?: boolean;
}

/** Directory access for the walk; paths are absolute and normalized and may pass through symlinks. */
export interface GlobWalker {
  /** Entries of a directory, in any order; throws PondError ENOENT/ENOTDIR like the fs would. */
  list(dirPath: string): Promise<GlobEntry[]>;
  /** Optional single-name lookup (undefined when absent), used for plain-name components instead of listing. */
  lookup?(dirPath: string, name: string): Promise<GlobEntry | undefined>;
}

/** One match: its path (as walked, through symlinks), what the wildcards captured, and the node it leads to. */
export interface GlobMatch {
  path: string;
  captures: string[];
  type: EntryType;
  nodeId: string;
  isSymlink?: boolean;
}

/** Options of `glob`. */
export interface GlobOptions {
  /** Directory a relative pattern is resolved against (default '/'); ignored for a CompiledGlob. */
  cwd?: string;
  signal?: AbortSignal;
}

/**
 * Every path matching `pattern`, with captures, depth-first with names sorted by code unit; each
 * path once. Symlinks are followed; `**` never re-enters a directory on its own descent path.
 * @example await glob('/logs/*-*.csv', walker) // [{ path: '/logs/2024-jan.csv', captures: ['2024', 'jan'], type: 'file:table', nodeId }]
 */
export async function glob(pattern: string | CompiledGlob, walker: GlobWalker, opts: GlobOptions = {}): Promise<GlobMatch[]> {
  const g = typeof pattern === 'string' ? compileGlob(pattern, opts.cwd) : pattern;
  opts.signal?.throwIfAborted();
  const comps = g.components;
  const out: GlobMatch[] = [];
  const start = closure(comps, [0]);
  if (start.includes(comps.length)) out.push({ path: '/', captures: [], type: 'directory', nodeId: ROOT_ID });
  await walk(g, walker, opts.signal, '/', start, [ROOT_ID], out);
  return out;
}

/**
 * Visit `dir` holding the live NFA states (indices into components, epsilon-closed). Each child
 * is visited at most once, so results come out in order and without duplicates.
 */
async function walk(
  g: CompiledGlob,
  walker: GlobWalker,
  signal: AbortSignal | undefined,
  dir: string,
  states: number[],
  ancestors: string[],
  out: GlobMatch[],
): Promise<void> {
  const comps = g.components;
  const n = comps.length;
  const live = states.filter((i) => i < n);
  if (live.length === 0) return;
  const entries = await childrenOf(
    walker,
    signal,
    dir,
    live.map((i) => comps[i]),
  );
  for (const e of entries) {
    const isDir = e.type === 'directory';
    const key = nfc(e.name);
    const advanced: number[] = [];
    const stayed: number[] = [];
    let accept = false;
    for (const i of live) {
      const c = comps[i];
      if (c.kind === 'globstar') {
        if (c.terminal) accept = true;
        if (isDir) stayed.push(i);
      } else if (matchComponent(c, key)) advanced.push(i + 1);
    }
    const next = closure(comps, [...advanced, ...stayed]);
    if (next.includes(n)) accept = true;
    if (!accept && next.length === 0) continue;
    const path = joinPath(dir, e.name);
    if (accept) {
      const captures = matchComponents(comps, splitPath(path).map(nfc));
      // The walk runs the same automaton as matchComponents, so this cannot disagree.
      if (!captures) throw new Error(`glob: ${path} accepted by the walk but not by ${g.pattern}`);
      out.push(e.isSymlink ? { path, captures, type: e.type, nodeId: e.nodeId, isSymlink: true } : { path, captures, type: e.type, nodeId: e.nodeId });
    }
    if (!isDir) continue;
    // A directory already on the descent path (a symlink cycle) is not entered by `**` again;
    // plain components still may, as each one moves the pattern forward and so cannot loop.
    const descend = ancestors.includes(e.nodeId) ? closure(comps, advanced) : next;
    if (descend.some((i) => i < n)) {
      ancestors.push(e.nodeId);
      await walk(g, walker, signal, path, descend, ancestors, out);
      ancestors.pop();
    }
  }
}

/** The entries any live component could match, sorted by name; plain names are looked up when the walker can. */
async function childrenOf(walker: GlobWalker, signal: AbortSignal | undefined, dir: string, live: GlobComponent[]): Promise<GlobEntry[]> {
  signal?.throwIfAborted();
  const literals = live.filter((c): c is Extract<GlobComponent, { kind: 'literal' }> => c.kind === 'literal');
  const names = literals.length === live.length ? [...new Set(literals.map((c) => c.name))] : null;
  let entries: GlobEntry[];
  try {
    if (names && walker.lookup) {
      const found = await Promise.all(names.map((name) => walker.lookup!(dir, name)));
      entries = found.filter((e): e is GlobEntry => e !== undefined);
    } else {
      entries = await walker.list(dir);
      if (names) entries = entries.filter((e) => names.includes(nfc(e.name)));
    }
  } catch (err) {
    // Gone or not a directory (a race, a dynamic dir that changed): nothing there to match.
    if (isPondError(err, 'ENOENT') || isPondError(err, 'ENOTDIR')) return [];
    throw err;
  }
  return [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Add the zero-directory step of every non-terminal `**`; sorted, without duplicates. */
function closure(comps: readonly GlobComponent[], states: number[]): number[] {
  const set = new Set<number>();
  for (let i of states) {
    set.add(i);
    for (let c = comps[i]; c?.kind === 'globstar' && !c.terminal; c = comps[i]) set.add(++i);
  }
  return [...set].sort((a, b) => a - b);
}
