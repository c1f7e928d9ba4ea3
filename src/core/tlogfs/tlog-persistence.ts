import type { ObjectStore, StagedPut } from '../storage/object-store.ts';
import type { NodeVersion, TxnRecord } from '../tinyfs/node.ts';
import type { CommitInfo, Persistence, PersistenceWriter, PondWarning, StoredBody } from '../tinyfs/persistence.ts';
import { ROOT_ID, STATIC_FACTORY } from '../tinyfs/entry-type.ts';
import { encodeDirectory } from '../tinyfs/dir-codec.ts';
import { defaultEffects, type Effects } from '../tinyfs/transaction.ts';
import { parquetToTable } from '../arrow/parquet.ts';
import { isPondError, pondError } from '../errors.ts';
import { sha256Hex } from '../hash.ts';
import {
  LOG_DIR,
  PROTOCOL,
  checkProtocol,
  encodeCommit,
  isComplete,
  isTorn,
  logKey,
  parseCommit,
  partIdOf,
  versionOfKey,
  type Action,
  type AddAction,
  type ProtocolAction,
  type RemoveAction,
} from './delta-log.ts';
import { LogState, txnRecord, type DataFile } from './log-state.ts';
import { deltaSchemaString, rowsToParquet, tableToRows, PARTITION_COLUMN } from './oplog-schema.ts';
import { largeKey, putBody, readLarge, streamLarge } from './large-files.ts';
import { scanLog } from './scan-log.ts';
import { CHECKPOINT_INTERVAL, checkpointKey, readCheckpoint, readLastCheckpoint, writeCheckpoint } from './checkpoint.ts';

export interface TlogOptions {
  /** Create a new pond when the store holds none (default true for writable stores). */
  create?: boolean;
  /** Open read-only as of this version (time travel). */
  asOf?: number;
  effects?: Effects;
}

type Partition = { byNode: Map<string, NodeVersion[]> };

/** A partition with this many data files is compacted into one by the next commit that touches it. */
export const COMPACT_AT = 32;

/**
 * TLogFS: node versions persisted as a Delta Lake table of Parquet files in an ObjectStore.
 * Opening replays `_delta_log` (from the newest checkpoint); partitions are read lazily, once.
 */
export class TlogPersistence implements Persistence {
  readonly warnings: PondWarning[] = [];
  #state: LogState;
  #fileRows = new Map<string, Promise<NodeVersion[]>>();
  #partitions = new Map<string, Promise<Partition>>();
  #refreshing: Promise<boolean> = Promise.resolve(false);
  #historyCache = new Map<number, TxnRecord>();
  /** Rows whose inline body was hashed once already (rows are immutable and cached with their partition). */
  #verified = new WeakSet<NodeVersion>();
  #closed = false;

  private constructor(
    readonly store: ObjectStore,
    state: LogState,
    readonly readOnly: boolean,
    private readonly asOf: number | undefined,
    private readonly effects: Effects,
    private brokenAt: number | undefined,
  ) {
    this.#state = state;
  }

  /** Open (or create) the pond in `store`. */
  static async open(store: ObjectStore, options: TlogOptions = {}): Promise<TlogPersistence> {
    const effects = options.effects ?? defaultEffects;
    const asOf = options.asOf;
    if (asOf !== undefined && (!Number.isInteger(asOf) || asOf < 0)) throw pondError('EINVAL', '/', `asOf must be a version number, got ${asOf}`);
    // Commit 0 may be gone below a checkpoint; only a log with no commit at all is "no pond here"
    // (creating one then would write a fresh commit 0 over the missing history).
    if (!(await store.exists(logKey(0))) && !(await hasAnyCommit(store))) {
      if (asOf !== undefined || options.create === false || !store.writable) throw pondError('ENOENT', '/', `no pond in this ${store.kind} store`);
      await TlogPersistence.#initialize(store, effects);
      return TlogPersistence.open(store, { ...options, create: false });
    }
    const warnings: PondWarning[] = [];
    const state = new LogState();
    let from = 0;
    const cp = await readLastCheckpoint(store);
    if (cp !== undefined && (asOf === undefined || cp.version <= asOf)) {
      try {
        state.apply(cp.version, await readCheckpoint(store, cp.version, cp.size));
        checkProtocol(state.protocol, checkpointKey(cp.version));
        from = cp.version + 1;
      } catch (e) {
        if (isPondError(e, 'EUNSUPPORTED')) throw e;
        warnings.push({
          code: 'ECORRUPT',
          path: checkpointKey(cp.version),
          message: `checkpoint unreadable, replaying the whole log: ${(e as Error).message}`,
        });
      }
    }
    // Read forward until the first version that is not there, a gap, or a commit that does not parse.
    const scan = await scanLog(store, { from, asOf, check: (c) => checkProtocol(protocolOf(c.actions), c.key) });
    for (const c of scan.commits) state.apply(c.version, c.actions, c.commitInfo);
    const problem = scan.problem;
    let brokenAt: number | undefined;
    if (problem?.kind === 'gap') {
      warnings.push({
        code: 'ECORRUPT',
        path: problem.key,
        message: `commit ${problem.version} is missing but commit ${problem.next} exists; the pond opens at version ${problem.version - 1}`,
      });
      brokenAt = problem.version;
    } else if (problem?.kind === 'torn') {
      // Only a commit cut short by a crash, and only the newest, is set aside silently-but-reported.
      warnings.push({ code: 'ECORRUPT', path: problem.key, message: `ignored a torn last commit: ${problem.error.message}` });
    } else if (problem?.kind === 'damaged') {
      warnings.push({ code: 'ECORRUPT', path: problem.key, message: `${problem.error.message}; the pond opens at version ${problem.version - 1}` });
      brokenAt = problem.version;
    }
    if (asOf !== undefined && state.version < asOf) throw pondError('ENOENT', '/', `no version ${asOf} (newest is ${state.version})`);
    if (!state.metaData) throw pondError('ECORRUPT', logKey(0), 'the log has no metaData action');
    checkTable(state);
    const readOnly = asOf !== undefined || !store.writable;
    const p = new TlogPersistence(store, state, readOnly, asOf, effects, brokenAt);
    p.warnings.push(...warnings);
    return p;
  }

  static async #initialize(store: ObjectStore, effects: Effects): Promise<void> {
    const now = effects.now();
    const root: NodeVersion = {
      partId: ROOT_ID,
      nodeId: ROOT_ID,
      type: 'directory',
      timestampUs: now * 1000,
      version: 1,
      content: encodeDirectory([]),
      sha256: null,
      size: null,
      minEventTime: null,
      maxEventTime: null,
      attributes: {},
      factory: STATIC_FACTORY,
      txnSeq: 0,
    };
    const { data, add } = await encodePartition(ROOT_ID, [root], effects);
    await store.write(add.path, data);
    const actions: Action[] = [
      { protocol: PROTOCOL },
      {
        metaData: {
          id: effects.newId(),
          name: null,
          description: 'DuckPond oplog',
          format: { provider: 'parquet', options: {} },
          schemaString: deltaSchemaString(),
          partitionColumns: [PARTITION_COLUMN],
          configuration: {},
          createdTime: now,
        },
      },
      { add },
    ];
    const bytes = encodeCommit(actions, { timestamp: now, operation: 'CREATE', txn_seq: 0, message: 'create pond', engineInfo: ENGINE });
    // Two tabs creating at once: the loser simply opens the winner's pond.
    await store.putIfAbsent(logKey(0), bytes);
  }

  get version(): number {
    return this.#state.version;
  }

  async loadNode(partId: string, nodeId: string): Promise<NodeVersion[]> {
    this.#open();
    const part = await this.#partition(partId);
    return [...(part.byNode.get(nodeId) ?? [])];
  }

  async readBody(v: NodeVersion, path: string): Promise<Uint8Array> {
    if (v.content) return this.#verifiedInline(v, path);
    if (v.sha256 === null || v.size === 0) return new Uint8Array(0);
    return readLarge(this.store, v.sha256, v.size, path);
  }

  async readBodyRange(v: NodeVersion, path: string, offset: number, length: number): Promise<Uint8Array> {
    if (v.content) return (await this.#verifiedInline(v, path)).slice(offset, offset + length);
    if (v.sha256 === null || v.size === 0) return new Uint8Array(0);
    const end = v.size === null ? offset + length : Math.min(v.size, offset + length);
    if (end <= offset) return new Uint8Array(0);
    try {
      return await this.store.readRange(largeKey(v.sha256), offset, end - offset);
    } catch (e) {
      if (isPondError(e, 'ENOENT')) throw pondError('ECORRUPT', path, `its content (large file ${v.sha256.slice(0, 12)}…) is missing from the store`, {}, e);
      throw e;
    }
  }

  bodyStream(v: NodeVersion, path: string): ReadableStream<Uint8Array> {
    if (v.content || v.sha256 === null || v.size === 0) {
      const inline = v.content ? this.#verifiedInline(v, path) : Promise.resolve(new Uint8Array(0));
      return new ReadableStream({
        async start(c) {
          const bytes = await inline;
          if (bytes.length) c.enqueue(bytes);
          c.close();
        },
      });
    }
    return streamLarge(this.store, v.sha256, v.size, path);
  }

  /**
   * An inline body, checked against its row's sha256 and size the first time it is read: a Parquet
   * file can be changed without failing to decode (zstd and Parquet pages carry no checksum here).
   */
  async #verifiedInline(v: NodeVersion, path: string): Promise<Uint8Array> {
    const bytes = v.content!;
    if (v.sha256 === null || v.factory !== STATIC_FACTORY || this.#verified.has(v)) return bytes;
    if ((v.size !== null && v.size !== bytes.length) || (await sha256Hex(bytes)) !== v.sha256) {
      throw pondError('ECORRUPT', path, `its stored content does not match its sha256 (version ${v.version}, written by commit ${v.txnSeq})`);
    }
    this.#verified.add(v);
    return bytes;
  }

  async history(): Promise<TxnRecord[]> {
    this.#open();
    const out: TxnRecord[] = [];
    for (let v = this.#state.version; v >= 0; v--) {
      const known = this.#state.txns.get(v) ?? this.#historyCache.get(v);
      if (known) {
        out.push(known);
        continue;
      }
      // Versions folded into a checkpoint: read their commitInfo on demand (history is rare, opening is not).
      try {
        const parsed = parseCommit(await this.store.read(logKey(v)), logKey(v));
        const rec = parsed.commitInfo ? txnRecord(v, parsed.commitInfo) : { txnSeq: v, timestamp: 0, message: '', operation: 'WRITE' };
        this.#historyCache.set(v, rec);
        out.push(rec);
      } catch {
        out.push({ txnSeq: v, timestamp: 0, message: '(commit file unavailable)', operation: 'UNKNOWN' });
      }
    }
    return out;
  }

  async beginWrite(options: { wait?: boolean; timeoutMs?: number } = {}): Promise<PersistenceWriter> {
    this.#open();
    if (this.readOnly) throw pondError('EROFS', '/', 'this pond is read-only');
    const unlock = await this.store.lock(options);
    let released = false;
    const release = async () => {
      if (released) return;
      released = true;
      await unlock();
    };
    try {
      await this.refresh();
      checkProtocol(this.#state.protocol, LOG_DIR, true);
      if (this.brokenAt !== undefined) {
        throw pondError('ECORRUPT', logKey(this.brokenAt), `commit ${this.brokenAt} is damaged; run fsck before writing`);
      }
    } catch (e) {
      await release();
      throw e;
    }
    const txnSeq = this.#state.version + 1;
    let committed = false;
    return {
      txnSeq,
      putBody: (data: Uint8Array | ReadableStream<Uint8Array>): Promise<StoredBody> => putBody(this.store, data, this.effects.newId),
      commit: async (rows: NodeVersion[], info: CommitInfo): Promise<number> => {
        if (released || committed) throw pondError('EINVAL', '/', 'this transaction has already finished');
        committed = true;
        return this.#commit(txnSeq, rows, info);
      },
      release,
    };
  }

  async refresh(): Promise<boolean> {
    this.#open();
    if (this.asOf !== undefined) return false;
    // One at a time: a tab's commit notice and a writer's catch-up overlap, and two refreshes
    // reading the same next commit would otherwise both apply it.
    const run = this.#refreshing.then(
      () => this.#refreshNow(),
      () => this.#refreshNow(),
    );
    this.#refreshing = run.catch(() => false);
    return run;
  }

  async #refreshNow(): Promise<boolean> {
    const before = this.#state.version;
    for (;;) {
      const next = this.#state.version + 1;
      const key = logKey(next);
      let bytes: Uint8Array;
      try {
        bytes = await this.store.read(key);
      } catch (e) {
        if (isPondError(e, 'ENOENT')) break;
        throw e;
      }
      let parsed: ReturnType<typeof parseCommit>;
      try {
        parsed = parseCommit(bytes, key);
        if (!isComplete(parsed)) break;
      } catch (e) {
        if (!isPondError(e, 'ECORRUPT')) throw e;
        // A torn tail stays invisible, as on open; a damaged commit stops writes until repaired.
        if (!isTorn(e) && this.brokenAt === undefined) {
          this.brokenAt = next;
          this.warnings.push({ code: 'ECORRUPT', path: key, message: `${e.message}; the pond stays at version ${next - 1}` });
        }
        break;
      }
      // This handle's own commit may have applied it while the file was being read.
      if (this.#state.version >= next) continue;
      checkProtocol(protocolOf(parsed.actions), key);
      this.#state.apply(next, parsed.actions, parsed.commitInfo);
      for (const a of parsed.actions) {
        const file = 'add' in a ? (a.add as AddAction) : 'remove' in a ? (a.remove as RemoveAction) : undefined;
        if (file) this.#partitions.delete(partIdOf(file));
      }
    }
    return this.#state.version !== before;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#partitions.clear();
    this.#fileRows.clear();
  }

  async #commit(txnSeq: number, rows: NodeVersion[], info: CommitInfo): Promise<number> {
    const byPart = new Map<string, NodeVersion[]>();
    for (const r of rows) {
      const list = byPart.get(r.partId) ?? [];
      list.push(r);
      byPart.set(r.partId, list);
    }
    const now = this.effects.now();
    const actions: Action[] = [];
    const written = new Map<string, { path: string; data: Uint8Array; rows: NodeVersion[]; compacted: boolean }>();
    for (const [partId, list] of byPart) {
      const existing = this.#state.partitions.get(partId) ?? [];
      let fileRows = list;
      const compact = existing.length + 1 >= COMPACT_AT;
      if (compact) {
        // Fold the partition's files into one, in this same commit: readers then decode one file, not hundreds.
        fileRows = mergeRows([...(await this.#partition(partId)).byNode.values()].flat(), list);
        for (const f of existing)
          actions.push({ remove: { path: f.path, deletionTimestamp: now, dataChange: false, partitionValues: { [PARTITION_COLUMN]: partId }, size: f.size } });
      }
      const file = await encodePartition(partId, fileRows, this.effects);
      actions.push({ add: file.add });
      written.set(partId, { path: file.add.path, data: file.data, rows: fileRows, compacted: compact });
    }
    const compactions = [...written.values()].filter((w) => w.compacted).length;
    const bytes = encodeCommit(actions, {
      timestamp: now,
      operation: info.operation,
      operationParameters: { rows: rows.length, partitions: byPart.size, ...(compactions ? { compactedPartitions: compactions } : {}) },
      txn_seq: txnSeq,
      message: info.message,
      engineInfo: ENGINE,
    });
    const key = logKey(txnSeq);
    // The data files and (where the store can stage it) the log entry are written side by side;
    // the entry becomes visible only once every file it names is durable.
    const staged = await this.#writeFiles([...written.values()], key, bytes);
    let published: boolean;
    try {
      published = staged ? await staged.publish() : await this.store.putIfAbsent(key, bytes);
    } catch (e) {
      await staged?.discard().catch(() => undefined);
      throw e;
    }
    if (!published) {
      // Under the lock, an existing file here can only be a torn write of a crashed writer: set it aside.
      if (!(await this.#setAsideTorn(key)) || !(await this.store.putIfAbsent(key, bytes))) {
        throw pondError('ECONFLICT', key, `version ${txnSeq} was committed by another writer`);
      }
    }
    const parsed = parseCommit(bytes, key);
    // A refresh running beside this commit (a tab notice) may have read and applied it already.
    if (this.#state.version < txnSeq) this.#state.apply(txnSeq, parsed.actions, parsed.commitInfo);
    // Keep caches warm with what we just wrote, so the next transaction does not re-decode the partition.
    for (const [partId, w] of written) {
      this.#fileRows.set(w.path, Promise.resolve(w.rows));
      const cached = this.#partitions.get(partId);
      if (w.compacted) this.#partitions.set(partId, Promise.resolve(indexRows([w.rows])));
      else if (cached)
        this.#partitions.set(
          partId,
          cached.then((p) => indexRows([[...p.byNode.values()].flat(), w.rows])),
        );
    }
    if (txnSeq % CHECKPOINT_INTERVAL === 0) {
      try {
        await writeCheckpoint(this.store, this.#state);
      } catch (e) {
        this.warnings.push({ code: 'ECHECKPOINT', path: key, message: `checkpoint failed (the commit stands): ${(e as Error).message}` });
      }
    }
    return txnSeq;
  }

  /**
   * Write a commit's data files, all at once, and stage its log entry beside them when the store
   * can (`stagePut`). Resolves once all are durable, to the staged entry (to publish) or undefined
   * (publish with putIfAbsent). On any failure nothing is left staged: the files written are
   * unreferenced garbage, and the pond stays at the version before.
   */
  async #writeFiles(files: Array<{ path: string; data: Uint8Array }>, key: string, entry: Uint8Array): Promise<StagedPut | undefined> {
    const staging = this.store.stagePut?.(key, entry);
    // Fresh names nothing reads before the log names them: written in place where the store can.
    const write = (f: { path: string; data: Uint8Array }) => (this.store.writeNew ? this.store.writeNew(f.path, f.data) : this.store.write(f.path, f.data));
    const all = await Promise.allSettled([staging, ...files.map(write)]);
    const failed = all.find((r) => r.status === 'rejected');
    if (failed) {
      if (all[0].status === 'fulfilled') await all[0].value?.discard();
      throw failed.reason;
    }
    return (all[0] as PromiseFulfilledResult<StagedPut | undefined>).value;
  }

  async #setAsideTorn(key: string): Promise<boolean> {
    const existing = await this.store.read(key);
    try {
      if (isComplete(parseCommit(existing, key))) return false;
    } catch (e) {
      // Only a file cut short is a crashed writer's; a whole but damaged commit is not ours to move.
      if (!isTorn(e)) return false;
    }
    await this.store.write(`${key}.torn-${this.effects.now()}`, existing);
    await this.store.delete(key);
    this.warnings.push({ code: 'ECORRUPT', path: key, message: 'set aside a torn commit left by a crashed writer' });
    return true;
  }

  #partition(partId: string): Promise<Partition> {
    const files = this.#state.partitions.get(partId) ?? [];
    let p = this.#partitions.get(partId);
    if (!p) {
      p = this.#loadPartition(partId, files);
      this.#partitions.set(partId, p);
      p.catch(() => this.#partitions.delete(partId));
    }
    return p;
  }

  async #loadPartition(partId: string, files: DataFile[]): Promise<Partition> {
    return indexRows(await Promise.all(files.map((f) => this.#rowsOf(partId, f))));
  }

  #rowsOf(partId: string, file: DataFile): Promise<NodeVersion[]> {
    let p = this.#fileRows.get(file.path);
    if (!p) {
      p = (async () => {
        let bytes: Uint8Array;
        try {
          bytes = await this.store.read(file.path);
        } catch (e) {
          if (isPondError(e, 'ENOENT')) throw pondError('ECORRUPT', file.path, `data file of commit ${file.version} is missing`);
          throw e;
        }
        if (bytes.length !== file.size)
          throw pondError('ECORRUPT', file.path, `data file of commit ${file.version} holds ${bytes.length} bytes; its add action says ${file.size}`);
        return tableToRows(await parquetToTable(bytes, file.path), partId, file.path, { numRecords: file.numRecords, maxTxnSeq: file.version });
      })();
      this.#fileRows.set(file.path, p);
      p.catch(() => this.#fileRows.delete(file.path));
    }
    return p;
  }

  #open(): void {
    if (this.#closed) throw pondError('ECLOSED', '/', 'the pond is closed');
  }
}

const ENGINE = 'duckpond-web/0.1';

/** One partition's rows as a new Parquet file under a fresh name, with its Delta add action. */
async function encodePartition(partId: string, rows: NodeVersion[], effects: Effects): Promise<{ data: Uint8Array; add: AddAction }> {
  const data = await rowsToParquet(rows);
  const path = `${PARTITION_COLUMN}=${partId}/part-${effects.newId()}.parquet`;
  return {
    data,
    add: {
      path,
      partitionValues: { [PARTITION_COLUMN]: partId },
      size: data.length,
      modificationTime: effects.now(),
      dataChange: true,
      stats: JSON.stringify({ numRecords: rows.length }),
    },
  };
}

/** Index rows by node, one row per version; later lists win (a relocated or compacted copy replaces older ones). */
function indexRows(lists: NodeVersion[][]): Partition {
  const byNode = new Map<string, Map<number, NodeVersion>>();
  for (const rows of lists) {
    for (const r of rows) {
      let m = byNode.get(r.nodeId);
      if (!m) byNode.set(r.nodeId, (m = new Map()));
      m.set(r.version, r);
    }
  }
  const out = new Map<string, NodeVersion[]>();
  for (const [id, m] of byNode)
    out.set(
      id,
      [...m.values()].sort((a, b) => a.version - b.version),
    );
  return { byNode: out };
}

/** All rows of a partition plus a commit's new rows, one per (node, version). */
function mergeRows(existing: NodeVersion[], added: NodeVersion[]): NodeVersion[] {
  return [...indexRows([existing, added]).byNode.values()].flat();
}

/** The protocol action among a commit's actions, if it changes the protocol. */
function protocolOf(actions: Action[]): ProtocolAction | undefined {
  const a = actions.find((x) => 'protocol' in x) as { protocol: ProtocolAction } | undefined;
  return a?.protocol;
}

/** A Delta table this build can read as a pond: Parquet files partitioned by part_id (EUNSUPPORTED otherwise). */
function checkTable(state: LogState): void {
  const meta = state.metaData!;
  if (meta.format.provider !== 'parquet')
    throw pondError('EUNSUPPORTED', LOG_DIR, `the table stores ${JSON.stringify(meta.format.provider)} files; a pond stores Parquet`);
  if (meta.partitionColumns.length !== 1 || meta.partitionColumns[0] !== PARTITION_COLUMN) {
    throw pondError(
      'EUNSUPPORTED',
      LOG_DIR,
      `the table is partitioned by ${JSON.stringify(meta.partitionColumns)}; a pond is partitioned by ["${PARTITION_COLUMN}"]`,
    );
  }
}

/** Whether `_delta_log/` holds any commit or a checkpoint pointer (a pond, however damaged). */
async function hasAnyCommit(store: ObjectStore): Promise<boolean> {
  if ((await readLastCheckpoint(store)) !== undefined) return true;
  return (await store.list(LOG_DIR)).some((k) => versionOfKey(k) !== undefined);
}
