import * as arrow from 'apache-arrow';
import { pondError } from '../errors.ts';
import { looksLikeParquet, parquetEmptyTable, parquetToTable } from '../arrow/parquet.ts';
import type { Pond } from '../pond.ts';
import type { NodeRef, NodeVersion } from '../tinyfs/node.ts';
import type { SqlLazyTable } from '../sql/types.ts';

/** An input the SQL engine decodes only as far as a query needs (the engine's own type; type-only, so SQL stays lazy). */
export type LazySqlTable = SqlLazyTable;

/** What a factory context offers `queryRunner` beyond FactoryContext (RecordingContext has it). */
export interface SqlInputSource {
  /** The table at `path` (read and recorded as `readTable` does), lazily when it is stored. */
  sqlInput(path: string): Promise<arrow.Table | LazySqlTable>;
  /** The SQL engine scope of the pond read: its registered inputs serve its queries only. */
  readonly sqlScope: string;
}

/** True when `ctx` can hand the SQL engine lazy inputs. */
export function isSqlInputSource(ctx: object): ctx is SqlInputSource {
  return typeof (ctx as Partial<SqlInputSource>).sqlInput === 'function' && typeof (ctx as Partial<SqlInputSource>).sqlScope === 'string';
}

const scopes = new WeakMap<object, string>();
let nextScope = 0;

/** What dropping a gone pond's registrations needs from an SQL engine. */
export interface ScopedEngine {
  dropInputs?(scope: string): Promise<void>;
}

const engines = new Set<WeakRef<ScopedEngine>>();
// A pond that was closed and let go takes its registered inputs with it, instead of leaving them
// until the engine's budget evicts them.
const gone =
  typeof FinalizationRegistry === 'function'
    ? new FinalizationRegistry<string>((scope) => {
        for (const ref of engines) {
          const engine = ref.deref();
          if (!engine) engines.delete(ref);
          else engine.dropInputs?.(scope).catch(() => undefined);
        }
      })
    : undefined;

/**
 * The engine scope of the pond behind `persistence`: one per opened pond (every view of it shares
 * its persistence), never shared by two ponds, whatever their node ids and versions.
 */
export function sqlScope(persistence: object): string {
  let s = scopes.get(persistence);
  if (s === undefined) {
    scopes.set(persistence, (s = `pond-${++nextScope}`));
    gone?.register(persistence, s);
  }
  return s;
}

/** Have `engine` drop a pond's registered inputs once the pond is garbage collected. */
export function dropScopesWhenGone(engine: ScopedEngine): void {
  if (typeof engine.dropInputs !== 'function') return;
  for (const ref of engines) if (ref.deref() === engine) return;
  engines.add(new WeakRef(engine));
}

/**
 * A stored file:table (its newest version) or file:series (every version, unioned) as a lazy SQL
 * input keyed by the sha256 of each version: the same key, the same bytes. Undefined when a
 * version has no sha256 (the caller then reads the table whole). Errors are tableAt's.
 */
export function storedSqlInput(pond: Pond, ref: NodeRef, versions: NodeVersion[]): LazySqlTable | undefined {
  const used = ref.type === 'file:table' ? versions.slice(-1) : ref.type === 'file:series' ? versions : [];
  if (used.length === 0 || used.some((v) => typeof v.sha256 !== 'string')) return undefined;
  let bodies: Promise<Uint8Array[]> | undefined;
  const read = (): Promise<Uint8Array[]> =>
    (bodies ??= Promise.all(used.map((v) => pond.persistence.readBody(v, ref.path))).then((bs) => {
      const kept = bs.filter((b) => b.length > 0);
      if (ref.type === 'file:series')
        for (const b of kept) if (!looksLikeParquet(b)) throw pondError('EINVAL', ref.path, 'is a series of bytes, not of tables');
      return kept;
    }));
  return {
    key: `${ref.type}:${used.map((v) => v.sha256 as string).join(',')}`,
    async schema() {
      const [first] = await read();
      return first === undefined ? new arrow.Schema([]) : (await parquetEmptyTable(first, ref.path)).schema;
    },
    async load(columns) {
      const tables = await Promise.all((await read()).map((b) => parquetToTable(b, ref.path, { columns })));
      if (tables.length === 0) return new arrow.Table();
      try {
        return tables.length === 1 ? tables[0] : tables[0].concat(...tables.slice(1));
      } catch (e) {
        throw pondError('EINVAL', ref.path, 'series versions have different schemas', {}, e);
      }
    },
  };
}
