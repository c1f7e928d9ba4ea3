import type { Directory } from '../tinyfs/directory.ts';
import { compareNames } from '../tinyfs/directory.ts';
import type { DirEntry } from '../tinyfs/node.ts';
import { validateName } from '../tinyfs/path.ts';
import { pondError } from '../errors.ts';

/** The dynamic directory node a virtual tree hangs from (its subdirectories borrow its identity). */
export interface TreeOwner {
  nodeId: string;
  partId: string;
  factory: string;
}

/** Separates the owner's node id from the subdirectory path in a synthetic node id. */
const SUBDIR_MARK = '#';

/** The synthetic node id of the virtual subdirectory `segments` of dynamic directory `ownerId`. */
export function subdirNodeId(ownerId: string, segments: readonly string[]): string {
  return `${ownerId}${SUBDIR_MARK}${segments.join('/')}`;
}

/** Split a synthetic subdirectory node id; undefined for a real node id. */
export function parseSubdirNodeId(nodeId: string): { ownerId: string; segments: string[] } | undefined {
  const i = nodeId.indexOf(SUBDIR_MARK);
  if (i < 0) return undefined;
  return { ownerId: nodeId.slice(0, i), segments: nodeId.slice(i + 1).split('/') };
}

/** A tree of names: files point at real nodes, subdirectories exist only in the tree. */
export class VirtualTree {
  readonly files = new Map<string, DirEntry>();
  readonly dirs = new Map<string, VirtualTree>();

  /** Add `entry` under `segments` (the last one is its name); EFACTORY naming `path` on a clash. */
  add(segments: readonly string[], entry: Omit<DirEntry, 'name'>, path: string): void {
    if (segments.length === 0) throw pondError('EFACTORY', path, 'an entry needs a non-empty name');
    let here: VirtualTree = this;
    for (const [i, seg] of segments.entries()) {
      validateName(seg, `${path}/${segments.join('/')}`);
      const last = i === segments.length - 1;
      const where = `${path}/${segments.slice(0, i + 1).join('/')}`;
      if (last) {
        if (here.files.has(seg) || here.dirs.has(seg)) throw pondError('EFACTORY', where, 'two matches map to the same name');
        here.files.set(seg, { ...entry, name: seg });
      } else {
        if (here.files.has(seg)) throw pondError('EFACTORY', where, 'a match maps to a name that is also a subdirectory');
        let next = here.dirs.get(seg);
        if (!next) here.dirs.set(seg, (next = new VirtualTree()));
        here = next;
      }
    }
  }

  /** The subtree at `segments`, if it exists. */
  at(segments: readonly string[]): VirtualTree | undefined {
    let here: VirtualTree | undefined = this;
    for (const s of segments) here = here?.dirs.get(s);
    return here;
  }

  /** Number of names in the whole tree. */
  get count(): number {
    let n = this.files.size + this.dirs.size;
    for (const d of this.dirs.values()) n += d.count;
    return n;
  }
}

/**
 * A read-only Directory over a VirtualTree. Files are the original nodes (reading through gives
 * their bytes); subdirectories carry a synthetic node id `<owner>#<a/b>` in the owner's partition,
 * so the resolver can find the tree again when a path walks into them.
 */
export class VirtualDirectory implements Directory {
  constructor(
    readonly tree: VirtualTree,
    private readonly path = '<virtual>',
    private readonly owner?: TreeOwner,
    private readonly prefix: readonly string[] = [],
  ) {}

  /** The same tree seen from the subdirectory `prefix` of `owner`, at `path`. */
  mount(owner: TreeOwner, prefix: readonly string[], path: string): VirtualDirectory {
    return new VirtualDirectory(this.tree, path, owner, prefix);
  }

  async get(name: string): Promise<DirEntry | undefined> {
    const here = this.tree.at(this.prefix);
    const file = here?.files.get(name);
    if (file) return file;
    return here?.dirs.has(name) ? this.#dirEntry(name) : undefined;
  }

  async entries(): Promise<DirEntry[]> {
    const here = this.tree.at(this.prefix);
    if (!here) return [];
    const out = [...here.files.values(), ...[...here.dirs.keys()].map((n) => this.#dirEntry(n))];
    return out.sort((a, b) => compareNames(a.name, b.name));
  }

  async insert(): Promise<void> {
    throw pondError('EROFS', this.path, 'a dynamic directory is read-only');
  }

  async remove(): Promise<DirEntry | undefined> {
    throw pondError('EROFS', this.path, 'a dynamic directory is read-only');
  }

  #dirEntry(name: string): DirEntry {
    if (!this.owner) throw pondError('EFACTORY', this.path, 'a virtual subdirectory needs its owning node (mount the tree first)');
    return { name, nodeId: subdirNodeId(this.owner.nodeId, [...this.prefix, name]), partId: this.owner.partId, type: 'directory', factory: this.owner.factory };
  }
}
