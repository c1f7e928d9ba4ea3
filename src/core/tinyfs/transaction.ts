import { v7 as uuidv7 } from 'uuid';
import { MapDirectory, findEntry } from './directory.ts';
import type { DirEntry, NodeRef, NodeVersion } from './node.ts';
import type { PersistenceWriter, StoredBody } from './persistence.ts';
import { ROOT_ID, STATIC_FACTORY, isEntryType, isFileType, type EntryType } from './entry-type.ts';
import { encodeDirectory } from './dir-codec.ts';
import { TinyFs, ROOT_REF, type DynamicHooks, type Overlay } from './fs.ts';
import { basename, dirname, nfc, normalizePath, validateName } from './path.ts';
import { looksLikeParquet, parquetToTable } from '../arrow/parquet.ts';
import { eventTimeRange, TIMESTAMP_COLUMN_ATTR } from '../arrow/event-time.ts';
import { pondError } from '../errors.ts';

/** Checks a dynamic node's config and tells what it produces (supplied by the factory registry). */
export interface NodeValidator {
  validate(factory: string, config: unknown, path: string): { type: EntryType; config: unknown };
}

/** Injectable effects, so tests can fix time and ids. */
export interface Effects {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  newId(): string;
}

export const defaultEffects: Effects = { now: () => Date.now(), newId: () => uuidv7() };

/** Options of `tx.writeFile`. */
export interface WriteFileOptions {
  type?: 'file:data' | 'file:table' | 'file:series';
  /** Temporal bounds of a series version, in ms (written to min/max_event_time). */
  eventTimeRange?: [number, number];
}

interface EditedDir {
  ref: NodeRef;
  dir: MapDirectory;
  attributes: Record<string, string>;
  /** Version of the directory this transaction started from (0 for a new one). */
  baseVersion: number;
  dirty: boolean;
}

/**
 * One transaction: stages every change in memory over the committed pond, then hands the rows
 * to the persistence writer in one commit. Nothing reaches the log unless the whole callback succeeds.
 */
export class Transaction implements Overlay {
  readonly fs: TinyFs;
  readonly ops: string[] = [];
  #staged = new Map<string, NodeVersion[]>();
  #dirs = new Map<string, EditedDir>();
  #finished = false;
  #timestampUs: number;

  constructor(
    private readonly base: TinyFs,
    private readonly writer: PersistenceWriter,
    private readonly effects: Effects = defaultEffects,
    private readonly validator?: NodeValidator,
    dynamic?: DynamicHooks,
  ) {
    this.fs = new TinyFs(base.persistence, this, dynamic);
    this.#timestampUs = effects.now() * 1000;
  }

  /** The txn_seq this transaction will commit as. */
  get txnSeq(): number {
    return this.writer.txnSeq;
  }

  staged(partId: string, nodeId: string): NodeVersion[] | undefined {
    return this.#staged.get(`${partId}/${nodeId}`);
  }

  directory(nodeId: string): MapDirectory | undefined {
    return this.#dirs.get(nodeId)?.dir;
  }

  /** Create a directory; with `parents`, create missing ancestors and accept an existing directory. */
  async mkdir(path: string, options: { parents?: boolean } = {}): Promise<void> {
    this.#check();
    const abs = normalizePath(path);
    if (abs === '/') {
      if (options.parents) return;
      throw pondError('EEXIST', abs, 'the root directory exists');
    }
    if (options.parents) await this.mkdir(dirname(abs), { parents: true });
    const existing = await this.#lookup(abs);
    if (existing) {
      // With `parents`, a symlink to a directory is an existing directory, as in `mkdir -p`.
      const dir = options.parents && existing.type === 'symlink' ? await this.#lookup(abs, true) : existing;
      if (options.parents && dir?.type === 'directory') return;
      throw pondError('EEXIST', abs, 'file exists');
    }
    const { parent, name } = await this.#newEntry(abs);
    const nodeId = this.effects.newId();
    const ref: NodeRef = { path: abs, nodeId, partId: nodeId, type: 'directory', factory: STATIC_FACTORY };
    this.#dirs.set(nodeId, { ref, dir: new MapDirectory(), attributes: {}, baseVersion: 0, dirty: true });
    await this.#link(parent, { name, nodeId, type: 'directory', factory: STATIC_FACTORY });
    this.ops.push(`mkdir ${abs}`);
  }

  /**
   * Write a file. `file:series` appends a version; other types get a new version (one per
   * transaction: a second write in the same transaction replaces the first).
   */
  async writeFile(path: string, data: Uint8Array | ReadableStream<Uint8Array>, options: WriteFileOptions = {}): Promise<void> {
    this.#check();
    const abs = normalizePath(path);
    if (options.type !== undefined && (!isEntryType(options.type) || !isFileType(options.type))) {
      throw pondError('EINVAL', abs, `unknown file type ${JSON.stringify(options.type)}`);
    }
    let target = await this.#lookup(abs, true);
    if (target) {
      if (target.type === 'directory') throw pondError('EISDIR', abs, 'is a directory');
      if (target.factory !== STATIC_FACTORY) throw pondError('EINVAL', abs, `is a dynamic node (factory ${target.factory}); remove it before writing bytes`);
      if (options.type && options.type !== target.type) throw pondError('EINVAL', abs, `is a ${target.type}, cannot write it as ${options.type}`);
    }
    const type = (target?.type ?? options.type ?? 'file:data') as 'file:data' | 'file:table' | 'file:series';
    if (type === 'file:table' && data instanceof Uint8Array && !looksLikeParquet(data)) {
      throw pondError('EINVAL', abs, 'a file:table must hold Parquet bytes');
    }
    if (!target) {
      const { parent, name } = await this.#newEntry(abs);
      const nodeId = this.effects.newId();
      target = { path: abs, nodeId, partId: parent.nodeId, type, factory: STATIC_FACTORY };
      await this.#link(parent, { name, nodeId, type, factory: STATIC_FACTORY });
    }
    const body = await this.writer.putBody(data, abs);
    if (type === 'file:table' && !(data instanceof Uint8Array) && body.content && !looksLikeParquet(body.content)) {
      throw pondError('EINVAL', abs, 'a file:table must hold Parquet bytes');
    }
    let range = options.eventTimeRange;
    if (!range && type === 'file:series' && data instanceof Uint8Array && looksLikeParquet(data)) {
      // Record the version's temporal bounds so readers can skip versions outside a time window.
      const preferred = (await this.fs.latest(target).catch(() => undefined))?.attributes[TIMESTAMP_COLUMN_ATTR];
      range = eventTimeRange(await parquetToTable(data, abs), preferred);
    }
    await this.#stageVersion(target, body, { replaceSameTxn: type !== 'file:series', eventTimeRange: range });
    this.ops.push(`write ${abs}`);
  }

  /** Create a symlink at `path` pointing to `target` (absolute, or relative to the link's directory). */
  async symlink(target: string, path: string): Promise<void> {
    this.#check();
    const abs = normalizePath(path);
    if (typeof target !== 'string' || target === '' || target.includes('\0')) throw pondError('EINVAL', abs, 'symlink target must be a non-empty path');
    if (await this.#lookup(abs)) throw pondError('EEXIST', abs, 'file exists');
    const { parent, name } = await this.#newEntry(abs);
    const nodeId = this.effects.newId();
    const ref: NodeRef = { path: abs, nodeId, partId: parent.nodeId, type: 'symlink', factory: STATIC_FACTORY };
    await this.#link(parent, { name, nodeId, type: 'symlink', factory: STATIC_FACTORY });
    const bytes = new TextEncoder().encode(target);
    this.#push(ref, { content: bytes, sha256: null, size: null }, 1, {});
    this.ops.push(`symlink ${abs} -> ${target}`);
  }

  /** Create a dynamic node, or give an existing one of the same factory a new config version. */
  async mknod(path: string, factory: string, config: unknown): Promise<void> {
    this.#check();
    const abs = normalizePath(path);
    if (!this.validator) throw pondError('EUNSUPPORTED', abs, 'dynamic nodes need a factory registry');
    const { type, config: valid } = this.validator.validate(factory, config, abs);
    const bytes = new TextEncoder().encode(JSON.stringify(valid));
    let ref = await this.#lookup(abs);
    if (ref) {
      if (ref.factory !== factory) throw pondError('EEXIST', abs, `exists as ${ref.factory === STATIC_FACTORY ? ref.type : `a ${ref.factory} node`}`);
      if (ref.type !== type) ref = await this.#retype(ref, type);
    } else {
      const { parent, name } = await this.#newEntry(abs);
      const nodeId = this.effects.newId();
      ref = { path: abs, nodeId, partId: parent.nodeId, type, factory };
      await this.#link(parent, { name, nodeId, type, factory });
    }
    await this.#stageVersion(ref, { content: bytes, sha256: null, size: null }, { replaceSameTxn: true });
    this.ops.push(`mknod ${abs} (${factory})`);
  }

  /**
   * Move or rename a node. The destination must not exist (another spelling of the same name is
   * the same entry: renaming an old NFD name to its NFC form is allowed). A directory cannot move
   * into itself: ancestry is checked by node after every symlink on the way is followed, not by
   * path text.
   */
  async rename(from: string, to: string): Promise<void> {
    this.#check();
    const src = normalizePath(from);
    const dst = normalizePath(to);
    if (src === '/' || dst === '/') throw pondError('EINVAL', src, 'cannot rename the root directory', { from: src, to: dst });
    const node = await this.#lookup(src);
    if (!node) throw pondError('ENOENT', src, 'no such file or directory');
    if (node.nodeId === ROOT_ID) throw pondError('EINVAL', src, `cannot move the root directory (to ${dst})`, { from: src, to: dst });
    const { parent: srcParent, entry } = await this.#existing(src);
    const { parent: dstParent, name: dstName, ancestors } = await this.#newEntry(dst, true);
    if (node.type === 'directory' && (await this.#isInside(node, dstParent, ancestors))) {
      throw pondError('EINVAL', src, `cannot move ${src} into itself: ${dst} is inside it`, { from: src, to: dst });
    }
    const existing = await this.#lookup(dst);
    const respell = existing !== undefined && existing.nodeId === node.nodeId && dstParent.nodeId === srcParent.nodeId;
    if (existing && !respell) throw pondError('EEXIST', dst, 'file exists');
    if (respell && entry.name === dstName) return;
    const ownPartition = node.type === 'directory' && node.factory === STATIC_FACTORY;
    if (!ownPartition && srcParent.nodeId !== dstParent.nodeId) {
      // Files live in their parent's partition: carry every version over, so history moves with the node.
      const moved = { ...node, partId: dstParent.nodeId };
      for (const v of await this.fs.versionsOf(node)) this.#put({ ...v }, moved);
    }
    await this.#unlink(srcParent, entry.name);
    await this.#link(dstParent, { ...entry, name: dstName, partId: undefined });
    this.ops.push(`rename ${src} -> ${dst}`);
  }

  /** Remove a node. A non-empty directory needs `recursive`. History keeps every version. */
  async remove(path: string, options: { recursive?: boolean } = {}): Promise<void> {
    this.#check();
    const abs = normalizePath(path);
    if (abs === '/') throw pondError('EINVAL', abs, 'cannot remove the root directory');
    const node = await this.#lookup(abs);
    if (!node) throw pondError('ENOENT', abs, 'no such file or directory');
    if (node.type === 'directory' && node.factory === STATIC_FACTORY && !options.recursive) {
      if ((await this.fs.entries(node)).length > 0) throw pondError('ENOTEMPTY', abs, 'directory not empty (use recursive)');
    }
    const { parent, entry } = await this.#existing(abs);
    await this.#unlink(parent, entry.name);
    this.ops.push(`remove ${abs}`);
  }

  /** Merge extended attributes into a node (a null value deletes a key); makes a new version. */
  async setAttributes(path: string, attrs: Record<string, string | null>): Promise<void> {
    this.#check();
    const abs = normalizePath(path);
    for (const [k, v] of Object.entries(attrs ?? {})) {
      if (v !== null && typeof v !== 'string') throw pondError('EINVAL', abs, `attribute ${k} must be a string or null`);
    }
    const ref = await this.fs.resolve(abs);
    const merge = (base: Record<string, string>) => {
      // Null prototype: '__proto__' and 'constructor' are ordinary keys (a plain object drops or shadows them).
      const out = Object.create(null) as Record<string, string>;
      for (const [k, v] of [...Object.entries(base), ...Object.entries(attrs)])
        if (v === null) delete out[k];
        else out[k] = v;
      return out;
    };
    if (ref.type === 'directory' && ref.factory === STATIC_FACTORY) {
      const edited = await this.#editDir(ref);
      edited.attributes = merge(edited.attributes);
      edited.dirty = true;
    } else {
      const versions = await this.fs.versionsOf(ref);
      const last = versions[versions.length - 1];
      const mine = last && last.txnSeq === this.txnSeq && this.staged(ref.partId, ref.nodeId)?.includes(last);
      if (mine) {
        last.attributes = merge(last.attributes);
      } else {
        // A series version concatenates on read, so an attribute-only version carries no bytes.
        const body =
          ref.type === 'file:series' ? await this.writer.putBody(new Uint8Array(0), abs) : { content: last.content, sha256: last.sha256, size: last.size };
        const v = this.#push(ref, body, (last?.version ?? 0) + 1, merge(last?.attributes ?? {}));
        if (ref.type !== 'file:series' && last) [v.minEventTime, v.maxEventTime] = [last.minEventTime, last.maxEventTime];
      }
    }
    this.ops.push(`setattr ${abs}`);
  }

  /** The rows to commit: staged versions plus a new snapshot of every changed directory. */
  rows(): NodeVersion[] {
    const out: NodeVersion[] = [];
    for (const list of this.#staged.values()) out.push(...list);
    for (const d of this.#dirs.values()) {
      if (!d.dirty) continue;
      out.push({
        partId: d.ref.nodeId,
        nodeId: d.ref.nodeId,
        type: 'directory',
        timestampUs: this.#timestampUs,
        version: d.baseVersion + 1,
        content: encodeDirectory(d.dir.map.values()),
        sha256: null,
        size: null,
        minEventTime: null,
        maxEventTime: null,
        attributes: d.attributes,
        factory: STATIC_FACTORY,
        txnSeq: this.txnSeq,
      });
    }
    return out;
  }

  /** Seal the transaction: later calls fail. */
  finish(): void {
    this.#finished = true;
  }

  #check(): void {
    if (this.#finished) throw pondError('EINVAL', '/', 'this transaction has already finished');
  }

  /** Resolve `abs` if it exists (the final symlink not followed unless `follow`); undefined on ENOENT. */
  async #lookup(abs: string, follow = false): Promise<NodeRef | undefined> {
    try {
      return await this.fs.resolve(abs, { follow });
    } catch (e) {
      if ((e as { code?: string }).code === 'ENOENT') {
        // A missing parent is the caller's error to report; a missing leaf is "absent".
        await this.fs.resolve(dirname(abs));
        return undefined;
      }
      throw e;
    }
  }

  /**
   * The directory a new entry for `abs` goes into, its NFC name, and that directory's ancestors
   * (for the rename check). With `replaceable`, an existing entry is the caller's to judge.
   */
  async #newEntry(abs: string, replaceable = false): Promise<{ parent: NodeRef; name: string; ancestors: NodeRef[] }> {
    const name = nfc(basename(abs));
    validateName(name, abs);
    const { ref: parent, ancestors } = dirname(abs) === '/' ? { ref: ROOT_REF, ancestors: [] } : await this.fs.resolveChain(dirname(abs));
    if (parent.type !== 'directory') throw pondError('ENOTDIR', parent.path, 'not a directory');
    if (parent.factory !== STATIC_FACTORY) throw pondError('EROFS', parent.path, `is a dynamic directory (factory ${parent.factory})`);
    // Never replace an entry silently (a dangling symlink, another spelling of the name).
    const clash = replaceable ? undefined : await findEntry(await this.fs.directory(parent), name);
    if (clash) throw pondError('EEXIST', abs, clash.type === 'symlink' ? 'is a symbolic link whose target does not exist' : 'file exists');
    return { parent, name, ancestors };
  }

  /** The directory holding the existing entry `abs` names, and that entry as stored (its stored spelling). */
  async #existing(abs: string): Promise<{ parent: NodeRef; entry: DirEntry }> {
    const parent = dirname(abs) === '/' ? ROOT_REF : await this.fs.resolve(dirname(abs));
    if (parent.type !== 'directory') throw pondError('ENOTDIR', parent.path, 'not a directory');
    if (parent.factory !== STATIC_FACTORY) throw pondError('EROFS', parent.path, `is a dynamic directory (factory ${parent.factory})`);
    const entry = await findEntry(await this.fs.directory(parent), basename(abs));
    if (!entry) throw pondError('ENOENT', abs, 'no such file or directory');
    return { parent, entry };
  }

  /**
   * Whether the destination directory `target` is `node` or lies inside it. The chain answers when every
   * directory on it is stored; when a dynamic directory re-exposed a stored one on the way, the
   * chain does not show where that one really is, so the subtree of `node` is searched.
   */
  async #isInside(node: NodeRef, target: NodeRef, ancestors: NodeRef[]): Promise<boolean> {
    const chain = [...ancestors, target];
    if (chain.some((a) => a.nodeId === node.nodeId)) return true;
    if (chain.every((a) => a.factory === STATIC_FACTORY) || node.factory !== STATIC_FACTORY) return false;
    const seen = new Set<string>([node.nodeId]);
    const queue = [node];
    for (let i = 0; i < queue.length; i++) {
      const d = queue[i];
      for (const e of await this.fs.entries(d)) {
        if (e.type !== 'directory' || e.factory !== STATIC_FACTORY || seen.has(e.nodeId)) continue;
        if (e.nodeId === target.nodeId) return true;
        seen.add(e.nodeId);
        queue.push({ path: `${d.path}/${e.name}`, nodeId: e.nodeId, partId: e.nodeId, type: 'directory', factory: STATIC_FACTORY });
      }
    }
    return false;
  }

  async #editDir(ref: NodeRef): Promise<EditedDir> {
    let d = this.#dirs.get(ref.nodeId);
    if (!d) {
      const latest = await this.fs.latest(ref);
      const entries = await this.fs.entries(ref);
      d = { ref, dir: new MapDirectory(entries), attributes: { ...latest.attributes }, baseVersion: latest.version, dirty: false };
      this.#dirs.set(ref.nodeId, d);
    }
    return d;
  }

  async #link(parent: NodeRef, entry: DirEntry): Promise<void> {
    const d = await this.#editDir(parent);
    const e = { name: entry.name, nodeId: entry.nodeId, type: entry.type, factory: entry.factory };
    await d.dir.insert({ ...e, partId: TinyFs.partitionOf(e, parent.nodeId) });
    d.dirty = true;
  }

  async #unlink(parent: NodeRef, name: string): Promise<void> {
    const d = await this.#editDir(parent);
    await d.dir.remove(name);
    d.dirty = true;
  }

  async #retype(ref: NodeRef, type: EntryType): Promise<NodeRef> {
    const { parent, entry } = await this.#existing(ref.path);
    await this.#link(parent, { name: entry.name, nodeId: ref.nodeId, type, factory: ref.factory });
    return { ...ref, type };
  }

  async #stageVersion(ref: NodeRef, body: StoredBody, opts: { replaceSameTxn: boolean; eventTimeRange?: [number, number] }): Promise<void> {
    const versions = await this.fs.versionsOf(ref);
    const last = versions[versions.length - 1];
    const stagedList = this.#staged.get(`${ref.partId}/${ref.nodeId}`);
    const replacing = opts.replaceSameTxn && last !== undefined && stagedList?.includes(last) && last.txnSeq === this.txnSeq;
    const version = replacing ? last.version : (last?.version ?? 0) + 1;
    const v = this.#push(ref, body, version, { ...(last?.attributes ?? {}) });
    if (opts.eventTimeRange) [v.minEventTime, v.maxEventTime] = opts.eventTimeRange;
  }

  #push(ref: NodeRef, body: StoredBody, version: number, attributes: Record<string, string>): NodeVersion {
    const v: NodeVersion = {
      partId: ref.partId,
      nodeId: ref.nodeId,
      type: ref.type,
      timestampUs: this.#timestampUs,
      version,
      content: body.content,
      sha256: body.sha256,
      size: body.size,
      minEventTime: null,
      maxEventTime: null,
      attributes,
      factory: ref.factory,
      txnSeq: this.txnSeq,
    };
    this.#put(v, ref);
    return v;
  }

  #put(v: NodeVersion, ref: NodeRef): void {
    const key = `${ref.partId}/${ref.nodeId}`;
    v.partId = ref.partId;
    v.type = ref.type;
    const list = (this.#staged.get(key) ?? []).filter((x) => x.version !== v.version);
    list.push(v);
    list.sort((a, b) => a.version - b.version);
    this.#staged.set(key, list);
  }
}
