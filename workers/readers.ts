/**
 * Which dynamic nodes read a path, found from their stored configs without computing anything:
 * `sql_query` table patterns, `combine` file patterns, a `directory` pattern, a `template`'s
 * `template_file` and the literal paths its text passes to `table()`, `read()`, `glob()`,
 * `query()` and `{% include %}`. What a config cannot say (a template computing a path, a factory
 * this code does not know) is reported as uncertain rather than guessed. Nodes that read a
 * reader are listed too, as indirect readers.
 */
import { compileGlob, matchPath, normalizePath, dirname, joinPath, parsePatternUrl, STATIC_FACTORY, type EntryType } from '../src/core/index.ts';
import type { NodeReader, ReadersReport } from './api.ts';

/** What the scan needs of a pond. */
export interface ReaderSource {
  readdir(path: string): Promise<{ name: string; type: EntryType; factory: string }[]>;
  /** A dynamic node's stored config (undefined when unreadable). */
  config(path: string): Promise<unknown>;
  /** A stored file's text (a template_file). */
  readText(path: string): Promise<string>;
}

/** Entries walked at most: a bigger pond is reported as scanned in part. */
const MAX_ENTRIES = 50_000;

/** One input reference of a node: a glob pattern or a plain path, as written (`text`). */
interface Ref {
  kind: 'glob' | 'path';
  text: string;
  /** Absolute, normalized (a glob compiled against the node's directory). */
  test: (path: string) => boolean;
}

interface Node {
  path: string;
  factory: string;
  refs: Ref[];
  /** Why some of what it reads cannot be known from the config. */
  unknown: string | null;
}

/**
 * The dynamic nodes reading `path` (or anything below it), directly or through another reader.
 * With `to`, each direct reader also says whether it still reads the moved node at `to`.
 */
export async function findReaders(source: ReaderSource, path: string, to?: string): Promise<ReadersReport> {
  const target = normalizePath(path);
  const dest = to === undefined ? undefined : normalizePath(to, dirname(target));
  const { nodes, below, truncated } = await walk(source, target);
  const inside = (p: string) => p === target || p.startsWith(target === '/' ? '/' : `${target}/`);
  const affected = [target, ...below];
  const readers: NodeReader[] = [];
  const seen = new Set<string>();
  for (const node of nodes) {
    // A node that is itself moved or removed goes with the target.
    if (inside(node.path)) continue;
    const ref = node.refs.find((r) => affected.some((p) => r.test(p)));
    if (!ref) continue;
    const moved = dest === undefined ? undefined : affected.map((p) => dest + p.slice(target.length));
    readers.push({ path: node.path, factory: node.factory, via: ref.text, through: null, stillReads: moved ? moved.some((p) => ref.test(p)) : false });
    seen.add(node.path);
  }
  // Readers of readers: they break (or change) when a reader does.
  for (let i = 0; i < readers.length; i++) {
    const reader = readers[i];
    for (const node of nodes) {
      if (seen.has(node.path) || inside(node.path)) continue;
      const ref = node.refs.find((r) => r.test(reader.path));
      if (!ref) continue;
      readers.push({ path: node.path, factory: node.factory, via: ref.text, through: reader.path, stillReads: false });
      seen.add(node.path);
    }
  }
  const uncertain = nodes
    .filter((n) => n.unknown !== null && !seen.has(n.path) && !inside(n.path))
    .map((n) => ({ path: n.path, factory: n.factory, reason: n.unknown! }));
  return { path: target, readers, uncertain, truncated };
}

async function walk(source: ReaderSource, target: string): Promise<{ nodes: Node[]; below: string[]; truncated: boolean }> {
  const nodes: Node[] = [];
  const below: string[] = [];
  const queue = ['/'];
  let count = 0;
  let truncated = false;
  while (queue.length) {
    const dir = queue.shift()!;
    let entries: Awaited<ReturnType<ReaderSource['readdir']>>;
    try {
      entries = await source.readdir(dir);
    } catch {
      continue;
    }
    for (const e of entries) {
      if (++count > MAX_ENTRIES) {
        truncated = true;
        break;
      }
      const path = joinPath(dir, e.name);
      if (path !== target && path.startsWith(target === '/' ? '/' : `${target}/`)) below.push(path);
      if (e.factory !== STATIC_FACTORY) nodes.push(await describe(source, path, e.factory));
      // A dynamic directory's children are computed from its inputs: nothing stored to find there.
      else if (e.type === 'directory') queue.push(path);
    }
    if (truncated) break;
  }
  return { nodes, below, truncated };
}

async function describe(source: ReaderSource, path: string, factory: string): Promise<Node> {
  const cwd = dirname(path);
  const node: Node = { path, factory, refs: [], unknown: null };
  // A read that races the pond's refresh after a commit can fail once; the second try reads the
  // refreshed state. What still fails is named, so the user (and a bug report) sees why.
  let failure = '';
  const read = () =>
    source.config(path).catch((e: unknown) => {
      failure = e instanceof Error ? e.message : String(e);
      return undefined;
    });
  const config = (await read()) ?? (failure ? await read() : undefined);
  if (!isRecord(config)) return { ...node, unknown: failure ? `its config could not be read (${failure})` : 'its config could not be read' };
  const globs = (list: unknown[]) => list.filter((p): p is string => typeof p === 'string').forEach((p) => addGlob(node, p, cwd));
  switch (factory) {
    case 'sql_query':
      if (isRecord(config.tables)) globs(Object.values(config.tables));
      break;
    case 'combine':
      if (Array.isArray(config.file_patterns)) globs(config.file_patterns);
      break;
    case 'directory':
      if (typeof config.pattern === 'string') globs([config.pattern]);
      break;
    case 'scribble':
      break;
    case 'temporal-reduce':
      if (typeof config.in_pattern === 'string') globs([patternPath(config.in_pattern)]);
      break;
    case 'timeseries-join':
      if (Array.isArray(config.inputs))
        globs(config.inputs.map((i: unknown) => (isRecord(i) && typeof i.pattern === 'string' ? patternPath(i.pattern) : undefined)));
      break;
    case 'timeseries-pivot':
      if (typeof config.pattern === 'string') globs([patternPath(config.pattern)]);
      break;
    case 'dynamic-dir':
      // What the directory reads is what its entries read, each described from its own config.
      for (const e of Array.isArray(config.entries) ? config.entries.filter(isRecord) : []) {
        if (typeof e.name !== 'string' || typeof e.factory !== 'string') continue;
        const entrySource: ReaderSource = { readdir: (p) => source.readdir(p), readText: (p) => source.readText(p), config: async () => e.config };
        const entry = await describe(entrySource, joinPath(path, e.name), e.factory);
        node.refs.push(...entry.refs);
        node.unknown ??= entry.unknown;
      }
      break;
    case 'template': {
      let text = typeof config.template === 'string' ? config.template : '';
      if (typeof config.template_file === 'string') {
        addPath(node, config.template_file, cwd);
        text = await source.readText(normalizePath(config.template_file, cwd)).catch(() => '');
      }
      scanTemplate(node, text, cwd);
      break;
    }
    default:
      node.unknown = `what a “${factory}” node reads is not known to this check`;
  }
  return node;
}

/** The literal paths a template's text reads; a call with a computed argument makes the node uncertain. */
function scanTemplate(node: Node, text: string, cwd: string): void {
  const STRING = String.raw`(?:"([^"\\]*)"|'([^'\\]*)')`;
  const call = /\b(table|read|glob|query)\s*\(\s*/g;
  let computed = false;
  for (const m of text.matchAll(call)) {
    const rest = text.slice((m.index ?? 0) + m[0].length);
    const literal = new RegExp(`^${STRING}`).exec(rest);
    if (m[1] === 'query') {
      // query(sql, { name: "pattern", ... }): the patterns are the string values of the object.
      const close = rest.indexOf(')');
      const args = close < 0 ? rest : rest.slice(0, close);
      const obj = /\{([^}]*)\}/.exec(args);
      if (!obj) computed = true;
      else for (const v of obj[1].matchAll(new RegExp(`:\\s*${STRING}`, 'g'))) addGlob(node, v[1] ?? v[2], cwd);
      if (obj && /:\s*[^\s"']/.test(obj[1])) computed = true;
    } else if (!literal) {
      computed = true;
    } else if (m[1] === 'glob') {
      addGlob(node, literal[1] ?? literal[2], cwd);
    } else {
      addPath(node, literal[1] ?? literal[2], cwd);
    }
  }
  for (const m of text.matchAll(new RegExp(String.raw`\{%-?\s*(?:include|extends|import|from)\s+(${STRING}|\S)`, 'g'))) {
    if (m[2] !== undefined || m[3] !== undefined) addPath(node, m[2] ?? m[3], cwd);
    else computed = true;
  }
  if (computed) node.unknown = 'its template computes some of the paths it reads, which only rendering can tell';
}

function addGlob(node: Node, pattern: string, cwd: string): void {
  try {
    const g = compileGlob(pattern, cwd);
    node.refs.push({ kind: 'glob', text: pattern, test: (p) => matchPath(g, p) !== null });
  } catch {
    node.unknown = `its pattern ${JSON.stringify(pattern)} is not a valid glob`;
  }
}

function addPath(node: Node, path: string, cwd: string): void {
  if (!path) return;
  const abs = normalizePath(path, cwd);
  node.refs.push({ kind: 'path', text: path, test: (p) => p === abs });
}

/** The pond glob of a Rust URL pattern (`series:///a/*` → `/a/*`); a pattern that does not parse is kept as written. */
function patternPath(pattern: string): string {
  const parsed = parsePatternUrl(pattern);
  return parsed.ok ? parsed.url.path : pattern;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
