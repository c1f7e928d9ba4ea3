import type * as arrow from 'apache-arrow';
import type { Pond } from '../pond.ts';
import type { NodeRef, NodeVersion } from '../tinyfs/node.ts';
import { dirname, normalizePath } from '../tinyfs/path.ts';
import { STATIC_FACTORY } from '../tinyfs/entry-type.ts';
import { isPondError } from '../errors.ts';
import type { FactoryContext, GlobMatch, NodeInfo, QueryOptions } from './factory.ts';
import { sqlScope, storedSqlInput, type LazySqlTable } from './sql-input.ts';
import { ABSENT, contentId, statId, type InputRecorder } from './inputs.ts';
import type { FactoryRegistry } from './registry.ts';

/** How a context runs SQL (the resolver supplies it, so the engine loads only when a query runs). */
export type QueryRunner = (ctx: FactoryContext, sql: string, options: QueryOptions) => Promise<arrow.Table>;

/** Decoded stored tables by `nodeId@version`: a version never changes, so an entry never goes stale. */
export interface TableMemo {
  get(key: string): arrow.Table | undefined;
  set(key: string, table: arrow.Table): void;
}

/**
 * The FactoryContext a computation gets. It reads through the Pond it is given: for a computation,
 * a view of the pond whose dynamic hooks are bound to this computation (so nested dynamic reads see
 * the chain of callers and a cycle is ELOOP, not a hang). Each input is resolved once, recorded,
 * then read from that resolution.
 */
export class RecordingContext implements FactoryContext {
  readonly #pond: Pond;
  readonly #dir: string;

  constructor(
    pond: Pond,
    readonly path: string,
    readonly nodeId: string,
    private readonly recorder: InputRecorder | undefined,
    private readonly runQuery: QueryRunner,
    readonly now: () => number,
    private readonly tables?: TableMemo,
    readonly registry?: FactoryRegistry,
  ) {
    this.#pond = pond;
    this.#dir = path === '/' ? '/' : dirname(path);
  }

  /** The pond as this computation sees it (reads are not recorded: use the methods). */
  get pond(): Pond {
    return this.#pond;
  }

  resolvePath(path: string): string {
    return normalizePath(path, this.#dir);
  }

  async readFile(path: string): Promise<Uint8Array> {
    const { bytes, shared } = await this.#bytes(path);
    // The factory may write into what it reads: cached bytes are copied.
    return shared ? bytes.slice() : bytes;
  }

  async readText(path: string): Promise<string> {
    // Decoding only reads the bytes: no copy of cached ones.
    return new TextDecoder().decode((await this.#bytes(path)).bytes);
  }

  async readTable(path: string): Promise<arrow.Table> {
    const { ref, versions, version } = await this.#file(this.resolvePath(path));
    // Dynamic tables are cached as results already; stored ones are memoized decoded, so many
    // queries over the same files (or a combine after one input changed) decode each once.
    if (ref.factory !== STATIC_FACTORY || !this.tables) return this.#pond.tableAt(ref, versions);
    const key = `${ref.nodeId}@${version}`;
    const hit = this.tables.get(key);
    if (hit) return hit;
    const table = await this.#pond.tableAt(ref, versions);
    this.tables.set(key, table);
    return table;
  }

  /** The table at `path` for SQL: read and recorded as `readTable` does, but a stored one lazily (see sql-input.ts). */
  async sqlInput(path: string): Promise<arrow.Table | LazySqlTable> {
    const { ref, versions } = await this.#file(this.resolvePath(path));
    return (ref.factory === STATIC_FACTORY && storedSqlInput(this.#pond, ref, versions)) || this.#pond.tableAt(ref, versions);
  }

  /** The SQL engine scope of the pond read (its registered inputs serve its queries only). */
  get sqlScope(): string {
    return sqlScope(this.#pond.persistence);
  }

  async stat(path: string): Promise<NodeInfo> {
    const abs = this.resolvePath(path);
    const ref = await this.#recorded(abs, () => this.#pond.lookup(abs));
    this.recorder?.record({ kind: 'node', path: abs, nodeId: ref.nodeId, version: null, id: statId(ref) });
    return { path: abs, nodeId: ref.nodeId, partId: ref.partId, type: ref.type, factory: ref.factory };
  }

  async glob(pattern: string): Promise<GlobMatch[]> {
    const result = await this.#pond.glob(pattern, { cwd: this.#dir });
    const matches = result.map((m) => ({ path: m.path, captures: [...m.captures], type: m.type }));
    this.recorder?.record({ kind: 'glob', pattern, cwd: this.#dir, result: JSON.stringify(matches) });
    return matches;
  }

  query(sql: string, options: QueryOptions = {}): Promise<arrow.Table> {
    return this.runQuery(this, sql, options);
  }

  async #bytes(path: string): Promise<{ bytes: Uint8Array; shared: boolean }> {
    const { ref, versions } = await this.#file(this.resolvePath(path));
    return this.#pond.bytesAt(ref, versions);
  }

  /** Resolve the file at `abs` once and record its version; the read then uses this resolution. */
  async #file(abs: string): Promise<{ ref: NodeRef; versions: NodeVersion[]; version: number }> {
    const ref = await this.#recorded(abs, () => this.#pond.lookup(abs));
    const versions = await this.#pond.nodeVersions(ref);
    const version = versions[versions.length - 1]?.version ?? 0;
    if (this.recorder) this.recorder.record({ kind: 'node', path: abs, nodeId: ref.nodeId, version, id: await contentId(ref, versions) });
    return { ref, versions, version };
  }

  /** Run a resolution of `abs`; when nothing is there, record that absence (creating it is a change to notice). */
  async #recorded<T>(abs: string, resolve: () => Promise<T>): Promise<T> {
    try {
      return await resolve();
    } catch (e) {
      if (isPondError(e, 'ENOENT') || isPondError(e, 'ENOTDIR')) this.recorder?.record({ kind: 'node', path: abs, nodeId: null, version: null, id: ABSENT });
      throw e;
    }
  }
}
