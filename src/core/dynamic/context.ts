import type * as arrow from 'apache-arrow';
import { Pond, type PondServices } from '../pond.ts';
import type { Persistence } from '../tinyfs/persistence.ts';
import { dirname, normalizePath } from '../tinyfs/path.ts';
import { STATIC_FACTORY } from '../tinyfs/entry-type.ts';
import { isPondError } from '../errors.ts';
import type { FactoryContext, GlobMatch, NodeInfo, QueryOptions } from './factory.ts';
import type { InputRecorder } from './inputs.ts';

/** How a context runs SQL (the resolver supplies it, so the engine loads only when a query runs). */
export type QueryRunner = (ctx: FactoryContext, sql: string, options: QueryOptions) => Promise<arrow.Table>;

/** Decoded stored tables by `nodeId@version`: a version never changes, so an entry never goes stale. */
export interface TableMemo {
  get(key: string): arrow.Table | undefined;
  set(key: string, table: arrow.Table): void;
}

/**
 * The FactoryContext a computation gets. It reads through a private Pond whose dynamic hooks are
 * bound to this computation (so nested dynamic reads see the chain of callers and a cycle is
 * ELOOP, not a hang), and records every input it reads.
 */
export class RecordingContext implements FactoryContext {
  readonly #pond: Pond;
  readonly #dir: string;

  constructor(
    persistence: Persistence,
    dynamic: NonNullable<PondServices['dynamic']>,
    readonly path: string,
    readonly nodeId: string,
    private readonly recorder: InputRecorder | undefined,
    private readonly runQuery: QueryRunner,
    readonly now: () => number,
    private readonly tables?: TableMemo,
  ) {
    this.#pond = new Pond(persistence, { dynamic });
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
    const abs = await this.#record(path, true);
    return this.#pond.readFile(abs);
  }

  async readText(path: string): Promise<string> {
    return new TextDecoder().decode(await this.readFile(path));
  }

  async readTable(path: string): Promise<arrow.Table> {
    const abs = this.resolvePath(path);
    const { info, version } = await this.#locate(abs, true);
    // Dynamic tables are cached as results already; stored ones are memoized decoded, so many
    // queries over the same files (or a combine after one input changed) decode each once.
    if (info.factory !== STATIC_FACTORY || !this.tables) return this.#pond.readTable(abs);
    const key = `${info.nodeId}@${version}`;
    const hit = this.tables.get(key);
    if (hit) return hit;
    const table = await this.#pond.readTable(abs);
    this.tables.set(key, table);
    return table;
  }

  async stat(path: string): Promise<NodeInfo> {
    return (await this.#locate(this.resolvePath(path), false)).info;
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

  async #record(path: string, content: boolean): Promise<string> {
    const abs = this.resolvePath(path);
    await this.#locate(abs, content);
    return abs;
  }

  /** Resolve and record what `abs` is now: its version when content is read, identity otherwise. */
  async #locate(abs: string, content: boolean): Promise<{ info: NodeInfo; version: number | null }> {
    let ref;
    try {
      ref = await this.#pond.fs.resolve(abs);
    } catch (e) {
      if (isPondError(e, 'ENOENT') || isPondError(e, 'ENOTDIR')) this.recorder?.record({ kind: 'node', path: abs, nodeId: null, version: null });
      throw e;
    }
    let version: number | null = null;
    if (content) {
      const versions = await this.#pond.fs.versionsOf(ref);
      version = versions[versions.length - 1]?.version ?? 0;
    }
    this.recorder?.record({ kind: 'node', path: abs, nodeId: ref.nodeId, version });
    return { info: { path: abs, nodeId: ref.nodeId, partId: ref.partId, type: ref.type, factory: ref.factory }, version };
  }
}
