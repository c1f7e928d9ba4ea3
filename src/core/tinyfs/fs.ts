import type { Directory } from './directory.ts';
import { MapDirectory, OddNames, findEntry } from './directory.ts';
import type { DirEntry, NodeRef, NodeVersion, VersionInfo } from './node.ts';
import type { Persistence } from './persistence.ts';
import { ROOT_ID, STATIC_FACTORY, type EntryType } from './entry-type.ts';
import { decodeDirectory } from './dir-codec.ts';
import { dirname, joinPath, normalizePath, splitPath } from './path.ts';
import { pondError } from '../errors.ts';

/** Symlink hops allowed while resolving one path (as in the Rust tinyfs). */
export const MAX_SYMLINK_HOPS = 10;

/** The root directory's reference. */
export const ROOT_REF: NodeRef = { path: '/', nodeId: ROOT_ID, partId: ROOT_ID, type: 'directory', factory: STATIC_FACTORY };

/** Hooks through which dynamic nodes (factories) plug into path resolution and reads. */
export interface DynamicHooks {
  /** The virtual directory a dynamic directory node lists. */
  openDirectory(node: NodeRef, config: NodeVersion, fs: TinyFs): Promise<Directory>;
  /** The bytes a dynamic file node produces. */
  readFile(node: NodeRef, config: NodeVersion, fs: TinyFs): Promise<Uint8Array>;
  /** Size and hash of what a dynamic file produces, so `stat` cannot tell it from a stored file. */
  statFile?(node: NodeRef, config: NodeVersion, fs: TinyFs): Promise<{ size: number | null; sha256: string | null }>;
  /** Versions of a node that exists only inside a dynamic directory (a virtual subdirectory); undefined for real nodes. */
  virtualVersions?(node: NodeRef, fs: TinyFs): Promise<NodeVersion[] | undefined>;
}

/** Staged, not yet committed state a transaction lays over the persisted pond. */
export interface Overlay {
  /** Versions staged in this transaction for a node, oldest first. */
  staged(partId: string, nodeId: string): NodeVersion[] | undefined;
  /** The working copy of a directory this transaction edits. */
  directory(nodeId: string): MapDirectory | undefined;
}

/** What `readdir` returns per entry. */
export interface ReaddirEntry {
  name: string;
  type: EntryType;
  factory: string;
}

/** What `stat` returns. */
export interface Stat {
  path: string;
  nodeId: string;
  partId: string;
  type: EntryType;
  factory: string;
  version: number;
  size: number | null;
  sha256: string | null;
  /** Milliseconds since the Unix epoch. */
  timestamp: number;
  attributes: Record<string, string>;
}

/**
 * The read side of TinyFS: path resolution through directories (stored, staged or virtual) and
 * symlinks, listings and raw node versions. Knows nothing about how versions are stored.
 */
export class TinyFs {
  #dirCache = new Map<string, ReadonlyDirectory>();

  constructor(
    readonly persistence: Persistence,
    readonly overlay?: Overlay,
    readonly dynamic?: DynamicHooks,
  ) {}

  /** The node's partition: a stored directory is its own partition; everything else lives in its parent's. */
  static partitionOf(entry: DirEntry, parentId: string): string {
    if (entry.partId) return entry.partId;
    return entry.type === 'directory' && entry.factory === STATIC_FACTORY ? entry.nodeId : parentId;
  }

  /** Every version of a node, persisted then staged, oldest first. */
  async versionsOf(ref: NodeRef): Promise<NodeVersion[]> {
    if (ref.factory !== STATIC_FACTORY && this.dynamic?.virtualVersions) {
      const virtual = await this.dynamic.virtualVersions(ref, this);
      if (virtual) return virtual;
    }
    const stored = await this.persistence.loadNode(ref.partId, ref.nodeId);
    const staged = this.overlay?.staged(ref.partId, ref.nodeId);
    if (!staged?.length) return stored;
    const byVersion = new Map(stored.map((v) => [v.version, v]));
    for (const v of staged) byVersion.set(v.version, v);
    return [...byVersion.values()].sort((a, b) => a.version - b.version);
  }

  /** The newest version of a node; ENOENT when it has none (a dangling reference). */
  async latest(ref: NodeRef): Promise<NodeVersion> {
    const all = await this.versionsOf(ref);
    const last = all[all.length - 1];
    if (!last) throw pondError('ENOENT', ref.path, `node ${ref.nodeId} has no stored version`);
    return last;
  }

  /** The directory behind a directory node: the staged working copy, the stored snapshot, or a factory's virtual directory. */
  async directory(ref: NodeRef): Promise<Directory> {
    if (ref.type !== 'directory') throw pondError('ENOTDIR', ref.path, 'not a directory');
    const staged = this.overlay?.directory(ref.nodeId);
    if (staged) return staged;
    if (ref.factory !== STATIC_FACTORY) {
      if (!this.dynamic) throw pondError('EUNSUPPORTED', ref.path, `dynamic directory (factory ${ref.factory}) needs a factory registry`);
      return this.dynamic.openDirectory(ref, await this.latest(ref), this);
    }
    const v = await this.latest(ref);
    const key = `${ref.nodeId}@${v.version}/${v.txnSeq}`;
    let dir = this.#dirCache.get(key);
    if (!dir) {
      // Entries carry their partition so a virtual directory can re-expose them anywhere.
      const entries = decodeDirectory(v.content ?? (await this.persistence.readBody(v, ref.path)), ref.path).map((e) => ({
        ...e,
        partId: TinyFs.partitionOf(e, ref.nodeId),
      }));
      dir = new ReadonlyDirectory(entries, ref.path);
      this.#dirCache.set(key, dir);
    }
    return dir;
  }

  /**
   * Resolve a path to a node. Symlinks in the middle are always followed; the last component's
   * only when `follow` (default true). More than MAX_SYMLINK_HOPS hops is ELOOP.
   */
  async resolve(path: string, options: { follow?: boolean; cwd?: string } = {}): Promise<NodeRef> {
    return (await this.resolveChain(path, options)).ref;
  }

  /**
   * Resolve a path and tell which directories the node really sits under: `ancestors` are the
   * directory nodes from the root down to its parent, after every symlink on the way was followed
   * (a symlink's target replaces the chain that led to the link). Rename checks ancestry with it.
   */
  async resolveChain(path: string, options: { follow?: boolean; cwd?: string } = {}): Promise<{ ref: NodeRef; ancestors: NodeRef[] }> {
    const r = await this.#resolve(normalizePath(path, options.cwd), options.follow ?? true, { hops: 0 });
    return { ref: r.ref, ancestors: r.ancestors };
  }

  async #resolve(abs: string, follow: boolean, budget: { hops: number }): Promise<{ ref: NodeRef; ancestors: NodeRef[]; physical: string }> {
    const parts = splitPath(abs);
    let cur = ROOT_REF;
    let ancestors: NodeRef[] = [];
    // Where `cur` really is (symlinks replaced by their targets): a relative link target is
    // resolved against the directory that holds the link, however the walk reached it.
    let physical = '/';
    for (let i = 0; i < parts.length; i++) {
      const name = parts[i];
      const here = joinPath(cur.path, name);
      if (cur.type !== 'directory') throw pondError('ENOTDIR', cur.path, 'not a directory');
      const dir = await this.directory(cur);
      const entry = await findEntry(dir, name);
      if (!entry)
        throw pondError('ENOENT', i === parts.length - 1 ? here : abs, i === parts.length - 1 ? 'no such file or directory' : `no such directory ${here}`);
      let next: NodeRef = { path: here, nodeId: entry.nodeId, partId: TinyFs.partitionOf(entry, cur.nodeId), type: entry.type, factory: entry.factory };
      // Pushed, not copied: a path of many components stays linear.
      ancestors.push(cur);
      let nextAncestors = ancestors;
      let nextPhysical = joinPath(physical, entry.name);
      const last = i === parts.length - 1;
      if (next.type === 'symlink' && (!last || follow)) {
        if (++budget.hops > MAX_SYMLINK_HOPS) throw pondError('ELOOP', abs, `too many levels of symbolic links (more than ${MAX_SYMLINK_HOPS})`);
        const target = await this.readlinkRef(next);
        const resolved = await this.#resolve(normalizePath(target, dirname(nextPhysical)), true, budget);
        next = { ...resolved.ref, path: here };
        nextAncestors = resolved.ancestors;
        nextPhysical = resolved.physical;
      }
      cur = next;
      ancestors = nextAncestors;
      physical = nextPhysical;
    }
    return { ref: cur, ancestors, physical };
  }

  /** The target text of a symlink node. */
  async readlinkRef(ref: NodeRef): Promise<string> {
    const v = await this.latest(ref);
    return new TextDecoder().decode(v.content ?? (await this.persistence.readBody(v, ref.path)));
  }

  /** Entries of the directory at `path`, sorted by name (symlinks to directories are followed). */
  async readdir(path: string, cwd?: string): Promise<ReaddirEntry[]> {
    const ref = await this.resolve(path, { cwd });
    const dir = await this.directory(ref);
    const list = (await dir.entries()).map((e) => ({ name: e.name, type: e.type, factory: e.factory }));
    return list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Raw directory entries with their node ids (what glob and the UI walk). */
  async entries(ref: NodeRef): Promise<DirEntry[]> {
    return (await this.directory(ref)).entries();
  }

  /** Metadata of the node at `path` (following a final symlink unless `follow: false`). */
  async stat(path: string, options: { follow?: boolean; cwd?: string } = {}): Promise<Stat> {
    const ref = await this.resolve(path, options);
    const v = await this.latest(ref);
    const computed =
      ref.factory !== STATIC_FACTORY && ref.type.startsWith('file:') && this.dynamic?.statFile ? await this.dynamic.statFile(ref, v, this) : undefined;
    return {
      path: normalizePath(path, options.cwd),
      nodeId: ref.nodeId,
      partId: ref.partId,
      type: ref.type,
      factory: ref.factory,
      version: v.version,
      size: computed?.size ?? v.size,
      sha256: computed?.sha256 ?? v.sha256,
      timestamp: Math.floor(v.timestampUs / 1000),
      attributes: { ...v.attributes },
    };
  }

  /** A node's versions, oldest first. */
  async versionInfos(ref: NodeRef): Promise<VersionInfo[]> {
    return (await this.versionsOf(ref)).map((v) => ({
      version: v.version,
      txnSeq: v.txnSeq,
      timestamp: Math.floor(v.timestampUs / 1000),
      size: v.size,
      minEventTime: v.minEventTime,
      maxEventTime: v.maxEventTime,
    }));
  }
}

/** A stored directory snapshot seen through the Directory interface; edits go through transactions. */
class ReadonlyDirectory implements Directory {
  #byName: Map<string, DirEntry>;
  #odd = new OddNames();
  constructor(
    private readonly list: DirEntry[],
    private readonly path: string,
  ) {
    this.#byName = new Map(list.map((e) => [e.name, e]));
    for (const e of list) this.#odd.add(e.name);
  }
  async get(name: string): Promise<DirEntry | undefined> {
    return this.#byName.get(name);
  }
  async equivalent(key: string): Promise<DirEntry | undefined> {
    const name = this.#odd.first(key);
    return name === undefined ? undefined : this.#byName.get(name);
  }
  async insert(): Promise<void> {
    throw pondError('EROFS', this.path, 'directories change only inside a transaction');
  }
  async remove(): Promise<DirEntry | undefined> {
    throw pondError('EROFS', this.path, 'directories change only inside a transaction');
  }
  async entries(): Promise<DirEntry[]> {
    return [...this.list];
  }
}
