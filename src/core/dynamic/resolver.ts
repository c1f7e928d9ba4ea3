import type * as arrow from 'apache-arrow';
import { Pond, type PondServices } from '../pond.ts';
import type { TinyFs } from '../tinyfs/fs.ts';
import type { NodeRef, NodeVersion } from '../tinyfs/node.ts';
import type { Persistence } from '../tinyfs/persistence.ts';
import type { Directory } from '../tinyfs/directory.ts';
import { STATIC_FACTORY, isFileType } from '../tinyfs/entry-type.ts';
import { isPondError, pondError } from '../errors.ts';
import type { FactoryRegistry } from './registry.ts';
import { isDeterministic, producedType, type QueryOptions } from './factory.ts';
import { configError, validateWithSchema } from './config.ts';
import { LruCache } from './cache.ts';
import { ABSENT, InputRecorder, contentId, contentKey, inputsFresh, statId, toTrace, type Input, type InputProbe } from './inputs.ts';
import { DEFAULT_MAX_RESULT_BYTES, RESULT_FORMAT, resultSlot, type ResultHeader, type TraceInput } from '../tlogfs/result-entry.ts';
import type { ResultStore, ResultStoreStats, StoredResult } from './result-store.ts';
import { ComputedResult } from './result.ts';
import { RecordingContext, type QueryRunner } from './context.ts';
import { VirtualDirectory, VirtualTree, parseSubdirNodeId } from './virtual-directory.ts';
import { childVersions } from './children.ts';
import { defaultSqlEngine, queryRunner, type SqlEngineLoader } from './query.ts';
import { wrapComputeError, cycleError } from './errors.ts';

/** Tuning and injected effects of a resolver. */
export interface ResolverOptions {
  /** Milliseconds since the Unix epoch (tests inject a clock). */
  now?: () => number;
  /** Memory the result cache may hold (default 64 MiB); least recently used results go first. */
  budgetBytes?: number;
  /** Memory for decoded stored tables that computations read (default 32 MiB). */
  inputBudgetBytes?: number;
  /** How long a result of a non-deterministic factory stays valid (default 30 s). */
  ttlMs?: number;
  /** How long a failure is remembered before the next read retries (default 2 s). */
  failureTtlMs?: number;
  /** The SQL engine, loaded on the first query (default: src/core/sql). */
  sql?: SqlEngineLoader;
  /** The largest result one dynamic node may produce (default 512 MiB); bigger is ETOOBIG. */
  maxResultBytes?: number;
  /** The pond's stored results (`_results/`): read before computing, written after (see result-store.ts). */
  results?: ResultStore;
}

/** What the pond's dynamic hooks are (the Pond service type). */
export type DynamicService = NonNullable<PondServices['dynamic']>;

/** A cached computation: its result or failure, the inputs it read, and when it was last verified. */
interface Entry {
  key: string;
  etag: number;
  inputs: Input[];
  /** Pond version at which the inputs were last known to hold: a read at the same version skips the check. */
  checkedAt: number;
  expiresAt: number;
  result?: ComputedResult;
  error?: unknown;
  bytes: number;
  /** The content key (factory, path, config, every input's content identity); undefined when an input has no identity or the result may expire. */
  contentKey?: string;
}

/** One computation running now, and the computations it is waiting for (to catch cycles between concurrent reads). */
interface Flight {
  key: string;
  path: string;
  waiting: Set<string>;
  promise: Promise<Entry>;
}

/** The call chain a read happens in: the computations above it and where to record inputs. */
interface Frame {
  stack: Array<{ key: string; nodeId: string; path: string }>;
  recorder?: InputRecorder;
  owner?: Flight;
}

/**
 * Computes dynamic nodes for one pond: validates configs, runs factories through a recording
 * context, and caches results keyed by factory + config + path, each valid while every input it
 * read still resolves to the same node and version. Concurrent reads of a node share one compute;
 * failures are remembered briefly; a cycle between dynamic nodes is ELOOP naming the cycle.
 */
export class DynamicResolver {
  readonly #cache: LruCache<Entry>;
  readonly #tables: LruCache<{ bytes: number; table: arrow.Table }>;
  readonly #inflight = new Map<string, Flight>();
  readonly #now: () => number;
  readonly #ttl: number;
  readonly #maxResultBytes: number;
  readonly #failureTtl: number;
  readonly #runQuery: QueryRunner;
  #etag = 0;
  /** Computations started (not cache hits); tests and benchmarks read it. */
  computeCount = 0;
  /** Results taken from the pond's stored results instead of computed. */
  restoredCount = 0;
  readonly #results?: ResultStore;

  constructor(
    readonly registry: FactoryRegistry,
    options: ResolverOptions = {},
  ) {
    this.#cache = new LruCache<Entry>(options.budgetBytes ?? 64 * 1024 * 1024);
    this.#tables = new LruCache(options.inputBudgetBytes ?? 32 * 1024 * 1024);
    this.#now = options.now ?? Date.now;
    this.#ttl = options.ttlMs ?? 30_000;
    this.#maxResultBytes = options.maxResultBytes ?? DEFAULT_MAX_RESULT_BYTES;
    this.#failureTtl = options.failureTtlMs ?? 2_000;
    this.#runQuery = queryRunner(options.sql ?? defaultSqlEngine);
    this.#results = options.results;
  }

  /** Resolves when every stored-result write started so far is done (Pond.close waits for it). */
  async flushResults(): Promise<void> {
    await this.#results?.flush();
  }

  /** Counters of the stored results (undefined when the pond keeps none). */
  get resultStats(): ResultStoreStats | undefined {
    return this.#results?.stats;
  }

  /** The Pond services: dynamic hooks, config validation and `pond.query`. */
  services(): Pick<PondServices, 'dynamic' | 'query' | 'flush'> {
    return {
      flush: () => this.flushResults(),
      dynamic: this.#hooks({ stack: [] }),
      // A top-level query reads through the pond it was asked on: no computation to bind hooks to.
      query: (pond: Pond, sql: string, options: QueryOptions) => this.#context(pond, '/', '/', { stack: [] }).query(sql, options),
    };
  }

  /** Cache statistics (entries and bytes held). */
  get cacheStats(): { entries: number; bytes: number; budgetBytes: number; inputTables: number; inputBytes: number } {
    return {
      entries: this.#cache.size,
      bytes: this.#cache.bytes,
      budgetBytes: this.#cache.budgetBytes,
      inputTables: this.#tables.size,
      inputBytes: this.#tables.bytes,
    };
  }

  /** Drop cached results, and (unless `results` only) the decoded input tables too. */
  clearCache(which: 'all' | 'results' = 'all'): void {
    this.#cache.clear();
    if (which === 'all') this.#tables.clear();
  }

  /** The hooks as seen from `frame` (top level: an empty stack). */
  #hooks(frame: Frame): DynamicService {
    return {
      validate: (factory, config, path) => this.registry.validate(factory, config, path),
      openDirectory: (node, config, fs) => this.#openDirectory(node, config, fs, frame),
      readFile: async (node, config, fs) => {
        const { entry, result } = await this.#file(node, config, fs, frame);
        const bytes = await result.fileBytes();
        this.#cache.resize(entry.key, result.bytes);
        // The cached bytes themselves: Pond.readFile, the public door, copies them once for its caller.
        return bytes;
      },
      readTable: async (node, config, fs): Promise<arrow.Table> => {
        const { entry, result } = await this.#file(node, config, fs, frame);
        const table = await result.table();
        this.#cache.resize(entry.key, result.bytes);
        return table;
      },
      statFile: async (node, config, fs) => {
        try {
          const { entry, result } = await this.#file(node, config, fs, frame);
          const sha256 = await result.sha256();
          this.#cache.resize(entry.key, result.bytes);
          return { size: (await result.fileBytes()).length, sha256 };
        } catch {
          // stat describes; the read reports the failure.
          return { size: null, sha256: null };
        }
      },
      hasResult: (node, config, fs) => this.#hasResult(node, config, fs.persistence, frame, new Set()).then((id) => id !== undefined),
      virtualVersions: async (node, fs) => {
        const sub = parseSubdirNodeId(node.nodeId);
        // Not a subdirectory: perhaps an entry of a dynamic-dir (undefined for a stored node).
        if (!sub) return childVersions(this.registry, node, fs);
        return fs.versionsOf({ ...node, nodeId: sub.ownerId });
      },
    };
  }

  async #file(node: NodeRef, config: NodeVersion, fs: TinyFs, frame: Frame): Promise<{ entry: Entry; result: ComputedResult }> {
    if (!isFileType(node.type)) throw pondError('EISDIR', node.path, 'is a directory');
    const entry = await this.#load(node, config, fs, frame);
    if (entry.error !== undefined) throw entry.error;
    return { entry, result: entry.result as ComputedResult };
  }

  async #openDirectory(node: NodeRef, config: NodeVersion, fs: TinyFs, frame: Frame): Promise<Directory> {
    const sub = parseSubdirNodeId(node.nodeId);
    const segments = sub?.segments ?? [];
    const owner: NodeRef = sub ? { ...node, nodeId: sub.ownerId, path: node.path.split('/').slice(0, -segments.length).join('/') || '/' } : node;
    // A directory's own pattern walking into itself sees it empty: it cannot contain itself.
    if (frame.stack[frame.stack.length - 1]?.nodeId === owner.nodeId) return new VirtualDirectory(new VirtualTree(), node.path);
    const entry = await this.#load(owner, config, fs, frame);
    if (entry.error !== undefined) throw entry.error;
    const dir = (entry.result as ComputedResult).directory as Directory;
    if (!(dir instanceof VirtualDirectory)) {
      if (sub) throw pondError('ENOENT', node.path, 'no such directory');
      return dir;
    }
    if (sub && !dir.tree.at(segments)) throw pondError('ENOENT', node.path, 'no such directory');
    return dir.mount({ nodeId: owner.nodeId, partId: owner.partId, factory: owner.factory }, segments, node.path);
  }

  /** The cached or freshly computed entry of a dynamic node; records it as an input of the caller. */
  async #load(node: NodeRef, config: NodeVersion, fs: TinyFs, frame: Frame): Promise<Entry> {
    const configText = new TextDecoder().decode(config.content ?? (await fs.persistence.readBody(config, node.path)));
    const key = `${node.factory}\n${node.path}\n${configText}`;
    const at = frame.stack.findIndex((s) => s.nodeId === node.nodeId);
    if (at >= 0) throw cycleError([...frame.stack.slice(at).map((s) => s.path), node.path]);
    let entry: Entry | undefined;
    const cached = this.#inflight.has(key) ? undefined : this.#cache.get(key);
    if (cached && (await this.#fresh(cached, fs.persistence, frame))) entry = cached;
    if (!entry) {
      // No await between looking for a running computation and registering ours: one compute per key.
      const flight = this.#inflight.get(key);
      entry = flight ? await this.#join(flight, frame) : await this.#start(key, node, configText, fs.persistence, frame);
    }
    frame.recorder?.record({ kind: 'dynamic', path: node.path, nodeId: node.nodeId, version: config.version, key, etag: entry.etag, id: entry.contentKey });
    if (frame.recorder) frame.recorder.expiresAt = Math.min(frame.recorder.expiresAt, entry.expiresAt);
    return entry;
  }

  /** Wait for a computation of `key` already running, unless that would wait on ourselves. */
  async #join(flight: Flight, frame: Frame): Promise<Entry> {
    const chain = this.#waitChain(flight, new Set(frame.stack.map((s) => s.key)));
    if (chain) {
      const from = frame.stack.findIndex((s) => s.key === chain[chain.length - 1].key);
      throw cycleError([...frame.stack.slice(from).map((s) => s.path), ...chain.map((f) => f.path)]);
    }
    frame.owner?.waiting.add(flight.key);
    try {
      return await flight.promise;
    } finally {
      frame.owner?.waiting.delete(flight.key);
    }
  }

  /** The flights from `flight` down to one in `mine` that it (transitively) waits for, or undefined. */
  #waitChain(flight: Flight, mine: Set<string>, seen = new Set<string>()): Flight[] | undefined {
    if (mine.has(flight.key)) return [flight];
    if (seen.has(flight.key)) return undefined;
    seen.add(flight.key);
    for (const k of flight.waiting) {
      const next = this.#inflight.get(k);
      const rest = next && this.#waitChain(next, mine, seen);
      if (rest) return [flight, ...rest];
    }
    return undefined;
  }

  #start(key: string, node: NodeRef, configText: string, persistence: Persistence, frame: Frame): Promise<Entry> {
    const flight: Flight = { key, path: node.path, waiting: new Set(), promise: undefined as unknown as Promise<Entry> };
    const recorder = new InputRecorder();
    const child: Frame = { stack: [...frame.stack, { key, nodeId: node.nodeId, path: node.path }], recorder, owner: flight };
    flight.promise = this.#compute(key, node, configText, persistence, child);
    this.#inflight.set(key, flight);
    frame.owner?.waiting.add(key);
    // #compute never rejects (failures become entries), so this cleanup cannot leak a rejection.
    void flight.promise.then(() => {
      this.#inflight.delete(key);
      frame.owner?.waiting.delete(key);
    });
    return flight.promise;
  }

  async #compute(key: string, node: NodeRef, configText: string, persistence: Persistence, frame: Frame): Promise<Entry> {
    const checkedAt = persistence.version;
    const restored = await this.#restore(key, node, configText, persistence, frame);
    if (restored) return restored;
    this.computeCount++;
    markCompute(node);
    const recorder = frame.recorder as InputRecorder;
    let result: ComputedResult | undefined;
    let error: unknown;
    let deterministic = true;
    try {
      const def = this.registry.require(node.factory, node.path);
      const config = validateWithSchema(def.schema, parseStoredConfig(configText, node.factory, node.path), node.factory, node.path);
      const type = producedType(def, config);
      if (type !== node.type)
        throw pondError('EFACTORY', node.path, `factory ${node.factory} produces a ${type} for this config, but the node is a ${node.type}`);
      deterministic = isDeterministic(def, config);
      const ctx = this.#context(persistence, node.path, node.nodeId, frame);
      result = await ComputedResult.from(await def.compute(ctx, config), node.type, node.path, this.#maxResultBytes);
    } catch (e) {
      error = wrapComputeError(e, node.path);
    }
    const now = this.#now();
    const own = error !== undefined ? now + this.#failureTtl : deterministic ? Number.POSITIVE_INFINITY : now + this.#ttl;
    const entry: Entry = {
      key,
      etag: ++this.#etag,
      inputs: recorder.inputs,
      checkedAt,
      expiresAt: Math.min(own, recorder.expiresAt),
      result,
      error,
      bytes: result?.bytes ?? 256,
    };
    if (result && entry.expiresAt === Number.POSITIVE_INFINITY) {
      const trace = toTrace(entry.inputs);
      if (trace) {
        entry.contentKey = await contentKey(node.factory, node.path, configText, trace, this.registry.get(node.factory)?.version);
        if (this.#results?.writable && !persistence.readOnly && isFileType(node.type))
          this.#persist(await resultSlot(node.factory, node.path, configText), entry, node, configText, trace, result);
      }
    }
    this.#cache.set(key, entry);
    return entry;
  }

  /** Write a computed result to the pond's stored results, in the background. */
  #persist(slot: string, entry: Entry, node: NodeRef, configText: string, trace: TraceInput[], result: ComputedResult): void {
    const results = this.#results as ResultStore;
    const header: ResultHeader = {
      format: RESULT_FORMAT,
      key: entry.contentKey as string,
      factory: node.factory,
      path: node.path,
      config: configText,
      type: node.type as ResultHeader['type'],
      inputs: trace,
    };
    results.write(slot, header, async () => {
      const bytes = await result.fileBytes();
      // Encoding a table for the store keeps its Parquet with the cached result: count it.
      if (this.#cache.peek(entry.key) === entry) this.#cache.resize(entry.key, result.bytes);
      return bytes;
    });
  }

  /**
   * The stored result of this node, when there is one whose every input still has the content
   * identity it had when the result was made (re-resolved now; a dynamic input is loaded, from
   * memory, from its own stored result, or computed). Anything wrong is a miss, never an error.
   */
  async #restore(key: string, node: NodeRef, configText: string, persistence: Persistence, frame: Frame): Promise<Entry | undefined> {
    if (!this.#results || !isFileType(node.type)) return undefined;
    let slot = '';
    let stored: StoredResult | undefined;
    let served = false;
    try {
      // Only what this build would compute: a known factory, a valid config, a deterministic result of the node's type.
      const def = this.registry.require(node.factory, node.path);
      const config = validateWithSchema(def.schema, parseStoredConfig(configText, node.factory, node.path), node.factory, node.path);
      if (producedType(def, config) !== node.type || !isDeterministic(def, config)) return undefined;
      slot = await resultSlot(node.factory, node.path, configText);
      // Bounded before it is read: nothing bigger than a result this pond accepts (whatever an index declares).
      stored = await this.#results.read(slot, this.#maxResultBytes);
      if (!stored) return undefined;
      const { header, body } = stored;
      if (header.factory !== node.factory || header.path !== node.path || header.config !== configText || header.type !== node.type) return undefined;
      if (body.length > this.#maxResultBytes) return undefined;
      // Checked through a frame without a recorder: what the check reads is not this computation's input.
      const inputs = await this.#current(header.inputs, persistence, { stack: frame.stack, owner: frame.owner });
      if (!inputs) return undefined;
      const trace = toTrace(inputs);
      if (!trace || (await contentKey(node.factory, node.path, configText, trace, def.version)) !== header.key) return undefined;
      const result = await ComputedResult.from(body, node.type, node.path, this.#maxResultBytes);
      this.restoredCount++;
      const entry: Entry = {
        key,
        etag: ++this.#etag,
        inputs,
        checkedAt: persistence.version,
        expiresAt: Number.POSITIVE_INFINITY,
        result,
        bytes: result.bytes,
        contentKey: header.key,
      };
      this.#cache.set(key, entry);
      served = true;
      return entry;
    } catch {
      return undefined;
    } finally {
      // A hit only when served: an entry whose inputs changed is a miss (the compute replaces it).
      if (stored) this.#results.settle(slot, stored, served);
    }
  }

  /**
   * Whether a read of this dynamic file would be served without running a factory: from memory
   * (a fresh entry) or from a stored result whose inputs still hold, a dynamic input checked the
   * same way (never computed). Gives the content key that result has ('' for a fresh in-memory one
   * without a key), or undefined. Reads metadata and stored entries only; no engine is loaded.
   */
  async #hasResult(node: NodeRef, config: NodeVersion, persistence: Persistence, frame: Frame, seen: Set<string>): Promise<string | undefined> {
    if (!isFileType(node.type) || seen.has(node.nodeId)) return undefined;
    seen.add(node.nodeId);
    try {
      const configText = new TextDecoder().decode(config.content ?? (await persistence.readBody(config, node.path)));
      const key = `${node.factory}\n${node.path}\n${configText}`;
      if (this.#inflight.has(key)) return undefined;
      const cached = this.#cache.peek(key);
      if (cached && cached.error === undefined && (await this.#fresh(cached, persistence, frame))) return cached.contentKey ?? '';
      if (!this.#results) return undefined;
      const def = this.registry.require(node.factory, node.path);
      const parsed = validateWithSchema(def.schema, parseStoredConfig(configText, node.factory, node.path), node.factory, node.path);
      if (producedType(def, parsed) !== node.type || !isDeterministic(def, parsed)) return undefined;
      const stored = await this.#results.peek(await resultSlot(node.factory, node.path, configText), this.#maxResultBytes);
      if (!stored) return undefined;
      const { header } = stored;
      if (header.factory !== node.factory || header.path !== node.path || header.config !== configText || header.type !== node.type) return undefined;
      if (stored.body.length > this.#maxResultBytes) return undefined;
      if ((await contentKey(node.factory, node.path, configText, header.inputs, def.version)) !== header.key) return undefined;
      const check = (ref: NodeRef, last: NodeVersion) => this.#hasResult(ref, last, persistence, frame, seen);
      return (await this.#current(header.inputs, persistence, { stack: frame.stack, owner: frame.owner }, check)) ? header.key : undefined;
    } catch {
      return undefined;
    } finally {
      seen.delete(node.nodeId);
    }
  }

  /**
   * The inputs of a stored trace as they are now (with their identities), or undefined at the first
   * that differs. With `check`, a dynamic input is not loaded but checked (its content key, or
   * undefined), and left out of the list: only whether every input holds is then meaningful.
   */
  async #current(
    trace: readonly TraceInput[],
    persistence: Persistence,
    frame: Frame,
    check?: (ref: NodeRef, last: NodeVersion) => Promise<string | undefined>,
  ): Promise<Input[] | undefined> {
    const pond = this.#context(persistence, '/', '/', frame).pond;
    const out: Input[] = [];
    const locate = (path: string) =>
      pond.lookup(path).catch((e: unknown) => {
        if (isPondError(e, 'ENOENT') || isPondError(e, 'ENOTDIR')) return null;
        throw e;
      });
    for (const t of trace) {
      if (t.kind === 'glob') {
        const result = JSON.stringify((await pond.glob(t.pattern, { cwd: t.cwd })).map((m) => ({ path: m.path, captures: [...m.captures], type: m.type })));
        if (result !== t.result) return undefined;
        out.push({ kind: 'glob', pattern: t.pattern, cwd: t.cwd, result });
        continue;
      }
      const ref = await locate(t.path);
      if (!ref) {
        if (t.id !== ABSENT) return undefined;
        out.push({ kind: 'node', path: t.path, nodeId: null, version: null, id: ABSENT });
        continue;
      }
      if (t.kind === 'node' && !t.read) {
        const id = statId(ref);
        if (id !== t.id) return undefined;
        out.push({ kind: 'node', path: t.path, nodeId: ref.nodeId, version: null, id });
        continue;
      }
      const versions = await pond.nodeVersions(ref);
      const last = versions[versions.length - 1];
      if (t.kind === 'node') {
        const id = await contentId(ref, versions);
        if (id !== t.id) return undefined;
        out.push({ kind: 'node', path: t.path, nodeId: ref.nodeId, version: last?.version ?? 0, id });
        continue;
      }
      if (ref.factory === STATIC_FACTORY || !last) return undefined;
      if (check) {
        if ((await check(ref, last)) !== t.id) return undefined;
        continue;
      }
      const inner = await this.#load(ref, last, pond.fs, frame);
      if (inner.error !== undefined || inner.contentKey !== t.id) return undefined;
      out.push({ kind: 'dynamic', path: t.path, nodeId: ref.nodeId, version: last.version, key: inner.key, etag: inner.etag, id: inner.contentKey });
    }
    return out;
  }

  /** True when `entry` is still what a compute would give now (re-resolving its inputs, no content reads). */
  async #fresh(entry: Entry, persistence: Persistence, frame: Frame, probe?: InputProbe): Promise<boolean> {
    if (this.#now() >= entry.expiresAt) return false;
    const version = persistence.version;
    if (entry.checkedAt === version) return true;
    if (!(await inputsFresh(entry.inputs, probe ?? this.#probe(persistence, frame)))) return false;
    entry.checkedAt = version;
    return true;
  }

  /** What a freshness check reads through: one view for the whole check, nested dynamic inputs included. */
  #probe(persistence: Persistence, frame: Frame): InputProbe {
    const ctx = this.#context(persistence, '/', '/', { stack: frame.stack, owner: frame.owner });
    const probe: InputProbe = {
      locate: async (path) => {
        const ref = await ctx.pond.fs.resolve(path);
        const versions = await ctx.pond.fs.versionsOf(ref);
        return { info: { ...ref }, version: versions[versions.length - 1]?.version ?? 0 };
      },
      globJson: async (pattern, cwd) =>
        JSON.stringify((await ctx.pond.glob(pattern, { cwd })).map((m) => ({ path: m.path, captures: [...m.captures], type: m.type }))),
      dynamicFresh: async (key, etag) => {
        const inner = this.#cache.peek(key);
        return inner !== undefined && inner.etag === etag && (await this.#fresh(inner, persistence, frame, probe));
      },
    };
    return probe;
  }

  /**
   * The context a computation (or a freshness check) reads through. Given a persistence, it reads
   * through a view of the pond: the same persistence, with dynamic hooks bound to `frame`. The view
   * is why the frame reaches nested reads: TinyFS hands a dynamic node to the hooks it was built
   * with, and those hooks must know the chain of callers (ELOOP) and where to record inputs. One
   * view per computation; every input of that computation is read through it.
   */
  #context(source: Persistence | Pond, path: string, nodeId: string, frame: Frame): RecordingContext {
    const tables = {
      get: (key: string) => this.#tables.get(key)?.table,
      set: (key: string, table: arrow.Table) => void this.#tables.set(key, { table, bytes: tableBytes(table) }),
    };
    const pond = source instanceof Pond ? source : new Pond(source, { dynamic: this.#hooks(frame) });
    return new RecordingContext(pond, path, nodeId, frame.recorder, this.#runQuery, this.#now, tables, this.registry);
  }
}

/** A performance mark per computation (`duckpond:compute`, detail: path, factory, type), so a test or the browser's profiler can count factory runs. */
function markCompute(node: NodeRef): void {
  try {
    globalThis.performance?.mark?.('duckpond:compute', { detail: { path: node.path, factory: node.factory, type: node.type } });
  } catch {
    // Marks are a diagnostic only.
  }
}

function tableBytes(t: arrow.Table): number {
  let n = 256;
  for (const b of t.batches) n += b.data.byteLength;
  return n;
}

/** A stored config is the JSON `tx.mknod` wrote; anything else is ECONFIG naming the path. */
function parseStoredConfig(text: string, factory: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw configError(path, factory, [{ field: '', reason: 'the stored config is not valid JSON' }]);
  }
}
