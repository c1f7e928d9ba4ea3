import * as arrow from 'apache-arrow';
import type { Persistence, PondWarning } from './tinyfs/persistence.ts';
import type { TxnRecord, VersionInfo, NodeRef, NodeVersion, DirEntry } from './tinyfs/node.ts';
import { TinyFs, type DynamicHooks, type ReaddirEntry, type Stat } from './tinyfs/fs.ts';
import { Transaction, defaultEffects, type Effects, type NodeValidator } from './tinyfs/transaction.ts';
import { STATIC_FACTORY, type EntryType } from './tinyfs/entry-type.ts';
import { joinPath, normalizePath } from './tinyfs/path.ts';
import { findEntry } from './tinyfs/directory.ts';
import { glob as globWalk, type GlobEntry, type GlobWalker } from './tinyfs/glob.ts';
import { concatBytes } from './bytes.ts';
import { looksLikeParquet, parquetEmptyTable, parquetToTable, tableToParquet } from './arrow/parquet.ts';
import { pondError } from './errors.ts';
import { TIMESTAMP_CANDIDATES, TIMESTAMP_COLUMN_ATTR, boundsOverlap, filterTimeRange, timeColumn, type TimeRange } from './arrow/event-time.ts';

/** One glob result: the matched path and what each wildcard captured. */
export interface GlobResult {
  path: string;
  captures: string[];
  /** Entry type after following symlinks; 'symlink' only for a dangling or looping link. */
  type: EntryType;
}

/** Options of `pond.readTable`. */
export interface ReadTableOptions {
  /** Only rows whose event time (ms since the epoch) lies in [start, end], both ends inclusive. */
  timeRange?: TimeRange;
}

/** Options of `pond.transact`. */
export interface TransactOptions {
  message?: string;
  /** Fail at once with ECONFLICT when another writer holds the pond (default: wait). */
  wait?: boolean;
  timeoutMs?: number;
}

/** What a Pond needs beside its persistence: dynamic-node support and injectable effects. */
export interface PondServices {
  dynamic?: DynamicHooks &
    NodeValidator & {
      readTable?(node: NodeRef, config: NodeVersion, fs: TinyFs): Promise<arrow.Table>;
      /** Whether a read of this dynamic file would be served without running its factory (see Pond.hasStoredResult). */
      hasResult?(node: NodeRef, config: NodeVersion, fs: TinyFs): Promise<boolean>;
    };
  query?: (pond: Pond, sql: string, options: { tables?: Record<string, string>; timeoutMs?: number; signal?: AbortSignal }) => Promise<arrow.Table>;
  effects?: Effects;
  /** Wait for background work of the services (stored-result writes); Pond.close and flushResults call it. */
  flush?: () => Promise<void>;
}

/** A transaction handle as user code sees it (see Transaction for the semantics of each call). */
export type Tx = Pick<Transaction, 'mkdir' | 'writeFile' | 'symlink' | 'mknod' | 'rename' | 'remove' | 'setAttributes' | 'txnSeq'>;

/**
 * An open pond: a versioned filesystem whose every change is a committed transaction.
 * @example
 * const pond = await openPond(new MemoryStore());
 * await pond.transact(async (tx) => { await tx.mkdir('/data'); await tx.writeFile('/data/a.txt', bytes); });
 * await pond.readFile('/data/a.txt');
 */
export class Pond {
  #closed = false;
  #fs: TinyFs;

  constructor(
    readonly persistence: Persistence,
    private readonly services: PondServices = {},
  ) {
    this.#fs = new TinyFs(persistence, undefined, services.dynamic);
  }

  /** The newest committed transaction (txn_seq) this handle sees. */
  get version(): number {
    return this.persistence.version;
  }

  /** True for time-travel and published ponds. */
  get readOnly(): boolean {
    return this.persistence.readOnly;
  }

  /** Problems noticed on open that did not stop it (e.g. a torn last commit that was ignored). */
  get warnings(): readonly PondWarning[] {
    return this.persistence.warnings;
  }

  /**
   * The internal TinyFS, for core's dynamic layer (factory contexts) and core tests.
   * @internal Workers, the UI and the CLI use the public methods (`lookup`, `stat`, `config`, ...).
   */
  get fs(): TinyFs {
    return this.#fs;
  }

  /**
   * Run `fn` as one transaction and commit it; returns the new txn_seq. If `fn` throws, nothing
   * is committed. A transaction that changes nothing commits nothing and returns the current version.
   */
  async transact(fn: (tx: Tx) => Promise<void> | void, options: TransactOptions = {}): Promise<number> {
    this.#open();
    if (this.persistence.readOnly) throw pondError('EROFS', '/', 'this pond is read-only (time travel or published)');
    const writer = await this.persistence.beginWrite({ wait: options.wait, timeoutMs: options.timeoutMs });
    try {
      this.#fs = new TinyFs(this.persistence, undefined, this.services.dynamic);
      const tx = new Transaction(this.#fs, writer, this.services.effects ?? defaultEffects, this.services.dynamic, this.services.dynamic);
      await fn(tx);
      tx.finish();
      const rows = tx.rows();
      if (rows.length === 0) return this.persistence.version;
      const operation = tx.ops.length === 1 ? tx.ops[0].split(' ')[0].toUpperCase() : 'WRITE';
      const message = options.message ?? summarize(tx.ops);
      return await writer.commit(rows, { message, operation });
    } finally {
      await writer.release();
      this.#fs = new TinyFs(this.persistence, undefined, this.services.dynamic);
    }
  }

  /**
   * Metadata of the node at `path` (a final symlink is followed unless `follow: false`). A dynamic
   * file's size and sha256 come from computing its content, unless `compute: false` (then null).
   */
  async stat(path: string, options: { follow?: boolean; compute?: boolean } = {}): Promise<Stat> {
    this.#open();
    const { compute, ...rest } = options;
    if (compute !== false) return this.#fs.stat(path, rest);
    const ref = await this.#fs.resolve(path, rest);
    if (ref.factory === STATIC_FACTORY || ref.type === 'directory') return this.#fs.stat(path, rest);
    const v = await this.#fs.latest(ref);
    return {
      path: normalizePath(path),
      nodeId: ref.nodeId,
      partId: ref.partId,
      type: ref.type,
      factory: ref.factory,
      version: v.version,
      size: null,
      sha256: null,
      timestamp: Math.floor(v.timestampUs / 1000),
      attributes: { ...v.attributes },
    };
  }

  /** What the node at `path` is (type, factory, ids), without reading its versions; a final symlink is followed unless `follow: false`. */
  async lookup(path: string, options: { follow?: boolean } = {}): Promise<NodeRef> {
    this.#open();
    return this.#fs.resolve(path, options);
  }

  /**
   * The stored config of the dynamic node at `path` (its latest version's inline JSON), without
   * computing anything; undefined for a stored node or a config that cannot be read.
   */
  async config(path: string): Promise<unknown> {
    this.#open();
    const ref = await this.#fs.resolve(path);
    if (ref.factory === STATIC_FACTORY) return undefined;
    const latest = await this.#fs.latest(ref);
    if (!latest.content) return undefined;
    try {
      return JSON.parse(new TextDecoder().decode(latest.content)) as unknown;
    } catch {
      return undefined;
    }
  }

  /**
   * Whether reading the dynamic file at `path` now would take its result from the pond's stored
   * results (`_results/`, or a result already in memory) without running its factory: every input
   * it was made from still holds, a dynamic input checked the same way. False when it would compute,
   * and for a stored node or a directory. Computes nothing and loads no engine; a glob input over a
   * dynamic directory is listed, as a read would.
   */
  async hasStoredResult(path: string): Promise<boolean> {
    this.#open();
    const ref = await this.#fs.resolve(path);
    const check = this.services.dynamic?.hasResult;
    if (ref.factory === STATIC_FACTORY || ref.type === 'directory' || !check) return false;
    return check(ref, await this.#fs.latest(ref), this.#fs);
  }

  /** Entries of a directory, sorted by name, with entry type and factory. */
  async readdir(path: string): Promise<ReaddirEntry[]> {
    this.#open();
    return this.#fs.readdir(path);
  }

  /**
   * A file's bytes: the latest version, or `version`. A series yields all its versions in order
   * (as one Parquet file when its versions are tables); a table yields Parquet bytes. The bytes are
   * the caller's own (a fresh buffer, never a view into a cache), so it may write into them or
   * transfer their buffer.
   */
  async readFile(path: string, options: { version?: number } = {}): Promise<Uint8Array> {
    this.#open();
    const { bytes, shared } = await this.#bytes(path, options);
    // The one copy between a cache and the caller: only of bytes something else still holds.
    return shared ? bytes.slice() : bytes;
  }

  /**
   * Every version of a resolved node, oldest first: with `lookup`, for a reader that records what
   * it reads before reading it (core's factory contexts), then reads with `bytesAt` or `tableAt`
   * without resolving the path again.
   * @internal
   */
  async nodeVersions(ref: NodeRef): Promise<NodeVersion[]> {
    this.#open();
    return this.#fs.versionsOf(ref);
  }

  /**
   * A resolved file's bytes and whether they are `shared` (a cached dynamic result, an inline body
   * inside a cached partition): shared bytes are read-only, and whoever hands them out copies them.
   * @internal
   */
  async bytesAt(ref: NodeRef, versions: NodeVersion[], version?: number): Promise<{ bytes: Uint8Array; shared: boolean }> {
    this.#open();
    if (ref.type === 'directory') throw pondError('EISDIR', ref.path, 'is a directory');
    if (ref.factory !== STATIC_FACTORY) {
      if (!this.services.dynamic) throw pondError('EUNSUPPORTED', ref.path, `dynamic node (factory ${ref.factory}) needs a factory registry`);
      return { bytes: await this.services.dynamic.readFile(ref, pick(versions, ref, version), this.#fs), shared: true };
    }
    if (ref.type === 'file:series' && version === undefined) {
      const bodies = await Promise.all(versions.map((v) => this.persistence.readBody(v, ref.path)));
      const nonEmpty = bodies.filter((b) => b.length > 0);
      if (nonEmpty.length > 1 && nonEmpty.every(looksLikeParquet))
        return { bytes: await tableToParquet(await this.#unionParquet(nonEmpty, ref.path)), shared: false };
      // concatBytes returns a lone body as it is: shared when that body is inline.
      return { bytes: concatBytes(bodies), shared: bodies.length === 1 && versions[0].content !== null };
    }
    const v = pick(versions, ref, version);
    // An inline body is a view into the cached partition; a large body is read fresh from the store.
    return { bytes: await this.persistence.readBody(v, ref.path), shared: v.content !== null };
  }

  async #bytes(path: string, options: { version?: number }): Promise<{ bytes: Uint8Array; shared: boolean }> {
    const ref = await this.#fileRef(path);
    return this.bytesAt(ref, await this.#fs.versionsOf(ref), options.version);
  }

  /**
   * Up to `length` bytes of a file from `offset` (fewer at its end): for a preview of a big file,
   * a large stored body is not read whole (over HTTP, one Range request). A slice is not verified
   * against the file's sha256 (readFile verifies); dynamic nodes and whole series are computed and sliced.
   */
  async readRange(path: string, offset: number, length: number, options: { version?: number } = {}): Promise<Uint8Array> {
    this.#open();
    if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0) {
      throw pondError('EINVAL', path, `bad range: offset ${offset}, length ${length}`);
    }
    const ref = await this.#fileRef(path);
    const versions = await this.#fs.versionsOf(ref);
    if (ref.factory !== STATIC_FACTORY || (ref.type === 'file:series' && options.version === undefined)) {
      // Computed or joined whole, then one copy of the range (never of the whole file).
      return (await this.bytesAt(ref, versions, options.version)).bytes.slice(offset, offset + length);
    }
    return this.persistence.readBodyRange(pick(versions, ref, options.version), ref.path, offset, length);
  }

  /** A file's bytes as a stream; large files are never loaded whole. */
  createReadStream(path: string, options: { version?: number } = {}): ReadableStream<Uint8Array> {
    const queue: ReadableStream<Uint8Array>[] = [];
    let started = false;
    let current: ReadableStreamDefaultReader<Uint8Array> | undefined;
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        if (!started) {
          started = true;
          this.#open();
          const ref = await this.#fileRef(path);
          const versions = await this.#fs.versionsOf(ref);
          if (ref.factory !== STATIC_FACTORY || (ref.type === 'file:series' && options.version === undefined && versions.length > 1)) {
            const { bytes: read, shared } = await this.bytesAt(ref, versions, options.version);
            const bytes = shared ? read.slice() : read;
            queue.push(
              new ReadableStream({
                start(c) {
                  c.enqueue(bytes);
                  c.close();
                },
              }),
            );
          } else {
            queue.push(this.persistence.bodyStream(pick(versions, ref, options.version), ref.path));
          }
        }
        for (;;) {
          if (!current) {
            const next = queue.shift();
            if (!next) return controller.close();
            current = next.getReader();
          }
          const { done, value } = await current.read();
          if (done) {
            current = undefined;
            continue;
          }
          if (value.length) return controller.enqueue(value);
        }
      },
      cancel: async () => {
        await current?.cancel();
      },
    });
  }

  /**
   * A table, series (union of its versions) or dynamic table as an Arrow table. With `timeRange`
   * (ms, both ends inclusive) only rows whose event time lies in it; a stored series skips, unread,
   * the versions whose min/max_event_time lie outside it. EINVAL when the table has no time column.
   */
  async readTable(path: string, options: ReadTableOptions = {}): Promise<arrow.Table> {
    this.#open();
    const ref = await this.#fileRef(path);
    if (ref.type !== 'file:table' && ref.type !== 'file:series') throw pondError('EINVAL', ref.path, `is a ${ref.type}, not a table`);
    const versions = await this.#fs.versionsOf(ref);
    const range = options.timeRange;
    if (range === undefined) return this.tableAt(ref, versions);
    for (const end of [range.start, range.end]) {
      if (end !== undefined && (typeof end !== 'number' || Number.isNaN(end))) throw pondError('EINVAL', ref.path, `bad timeRange bound: ${String(end)}`);
    }
    const preferred = versions[versions.length - 1]?.attributes[TIMESTAMP_COLUMN_ATTR];
    // A version without recorded bounds must be read: a missing bound never drops data (as in Rust).
    const kept =
      ref.type === 'file:series' && ref.factory === STATIC_FACTORY
        ? versions.filter((v) => v.minEventTime === null || v.maxEventTime === null || boundsOverlap(v.minEventTime, v.maxEventTime, range))
        : versions;
    let table = await this.tableAt(ref, kept);
    if (table.numCols === 0) {
      // Every version lay outside the range: the empty answer keeps the columns, read from one footer.
      const newest = versions.filter((v) => v.minEventTime !== null).pop(); // bounds mean Parquet bytes
      if (!newest) return table;
      table = await parquetEmptyTable(await this.persistence.readBody(newest, ref.path), ref.path);
    }
    const column = timeColumn(table.schema, preferred);
    if (column === undefined) {
      const why = preferred
        ? `its ${TIMESTAMP_COLUMN_ATTR} attribute names '${preferred}', not a Timestamp or Int64 column`
        : `no Timestamp or Int64 column named ${TIMESTAMP_CANDIDATES.join(', ')}`;
      throw pondError('EINVAL', ref.path, `timeRange needs a time column: ${why}`);
    }
    return filterTimeRange(table, column, range);
  }

  /**
   * A resolved table, series or dynamic table as an Arrow table (see `nodeVersions`). A dynamic table is
   * the resolver's cached one, shared: Arrow tables are not written to.
   * @internal
   */
  async tableAt(ref: NodeRef, versions: NodeVersion[]): Promise<arrow.Table> {
    this.#open();
    if (ref.type !== 'file:table' && ref.type !== 'file:series')
      throw pondError(ref.type === 'directory' ? 'EISDIR' : 'EINVAL', ref.path, ref.type === 'directory' ? 'is a directory' : `is a ${ref.type}, not a table`);
    if (ref.factory !== STATIC_FACTORY) {
      const dyn = this.services.dynamic;
      if (!dyn) throw pondError('EUNSUPPORTED', ref.path, `dynamic node (factory ${ref.factory}) needs a factory registry`);
      const config = pick(versions, ref, undefined);
      if (dyn.readTable) return dyn.readTable(ref, config, this.#fs);
      // Decoding copies out of the (shared, read-only) bytes: no copy needed before it.
      return parquetToTable(await dyn.readFile(ref, config, this.#fs), ref.path);
    }
    if (ref.type === 'file:table') return parquetToTable(await this.persistence.readBody(pick(versions, ref, undefined), ref.path), ref.path);
    const bodies = (await Promise.all(versions.map((v) => this.persistence.readBody(v, ref.path)))).filter((b) => b.length > 0);
    if (bodies.length === 0) return new arrow.Table();
    for (const b of bodies) if (!looksLikeParquet(b)) throw pondError('EINVAL', ref.path, 'is a series of bytes, not of tables');
    return this.#unionParquet(bodies, ref.path);
  }

  /** A node's versions, oldest first. */
  async versions(path: string): Promise<VersionInfo[]> {
    this.#open();
    return this.#fs.versionInfos(await this.#fs.resolve(path));
  }

  /** The target of the symlink at `path`. */
  async readlink(path: string): Promise<string> {
    this.#open();
    const ref = await this.#fs.resolve(path, { follow: false });
    if (ref.type !== 'symlink') throw pondError('EINVAL', ref.path, 'not a symbolic link');
    return this.#fs.readlinkRef(ref);
  }

  /** Paths matching a glob, with what each `*` and `**` captured (see docs/glob.md). */
  async glob(pattern: string, options: { cwd?: string; signal?: AbortSignal } = {}): Promise<GlobResult[]> {
    this.#open();
    const fs = this.#fs;
    const toEntry = async (dir: NodeRef, e: DirEntry): Promise<GlobEntry> => {
      if (e.type !== 'symlink') return { name: e.name, type: e.type, nodeId: e.nodeId };
      try {
        const target = await fs.resolve(joinPath(dir.path, e.name));
        return { name: e.name, type: target.type, nodeId: target.nodeId, isSymlink: true };
      } catch {
        return { name: e.name, type: 'symlink', nodeId: e.nodeId, isSymlink: true }; // dangling or looping
      }
    };
    const walker: GlobWalker = {
      async list(dirPath) {
        const dir = await fs.resolve(dirPath);
        return Promise.all((await fs.entries(dir)).map((e) => toEntry(dir, e)));
      },
      async lookup(dirPath, name) {
        const dir = await fs.resolve(dirPath);
        const e = await findEntry(await fs.directory(dir), name);
        return e ? toEntry(dir, e) : undefined;
      },
    };
    const matches = await globWalk(pattern, walker, options);
    return matches.map((m) => ({ path: m.path, captures: m.captures, type: m.type }));
  }

  /** Run SQL over pond tables: `tables` maps a table name to a glob pattern whose matches are unioned by column name. */
  async query(sql: string, options: { tables?: Record<string, string>; timeoutMs?: number; signal?: AbortSignal } = {}): Promise<arrow.Table> {
    this.#open();
    if (!this.services.query) throw pondError('EUNSUPPORTED', '/', 'SQL needs the SQL engine (open the pond with a registry)');
    return this.services.query(this, sql, options);
  }

  /** Committed transactions, newest first. */
  async history(): Promise<TxnRecord[]> {
    this.#open();
    return this.persistence.history();
  }

  /** Pick up commits made elsewhere (another tab or handle); true when the version moved. */
  async refresh(): Promise<boolean> {
    this.#open();
    const moved = await this.persistence.refresh();
    if (moved) this.#fs = new TinyFs(this.persistence, undefined, this.services.dynamic);
    return moved;
  }

  /** Close the pond; later calls fail with ECLOSED. */
  /** Wait until results computed so far are written to the pond's stored results (`_results/`). */
  async flushResults(): Promise<void> {
    await this.services.flush?.();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.services.flush?.().catch(() => {});
    await this.persistence.close();
  }

  #open(): void {
    if (this.#closed) throw pondError('ECLOSED', '/', 'the pond is closed');
  }

  async #fileRef(path: string): Promise<NodeRef> {
    const ref = await this.#fs.resolve(normalizePath(path));
    if (ref.type === 'directory') throw pondError('EISDIR', ref.path, 'is a directory');
    return ref;
  }

  async #unionParquet(bodies: Uint8Array[], path: string): Promise<arrow.Table> {
    const tables = await Promise.all(bodies.map((b) => parquetToTable(b, path)));
    try {
      return tables.length === 1 ? tables[0] : tables[0].concat(...tables.slice(1));
    } catch (e) {
      throw pondError('EINVAL', path, 'series versions have different schemas', {}, e);
    }
  }
}

function pick(versions: NodeVersion[], ref: NodeRef, version: number | undefined): NodeVersion {
  if (version === undefined) {
    const last = versions[versions.length - 1];
    if (!last) throw pondError('ENOENT', ref.path, 'node has no stored version');
    return last;
  }
  const v = versions.find((x) => x.version === version);
  if (!v) throw pondError('ENOENT', ref.path, `no version ${version} (has ${versions.length ? `1..${versions[versions.length - 1].version}` : 'none'})`);
  return v;
}

function summarize(ops: string[]): string {
  const head = ops.slice(0, 3).join('; ');
  return ops.length > 3 ? `${head}; and ${ops.length - 3} more` : head;
}
