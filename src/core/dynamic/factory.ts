import type * as arrow from 'apache-arrow';
import type { z } from 'zod';
import type { EntryType } from '../tinyfs/entry-type.ts';
import type { Directory } from '../tinyfs/directory.ts';
import type { FactoryRegistry } from './registry.ts';

/** One glob match as a factory sees it: the path, what each wildcard captured, and the entry type (symlinks followed). */
export interface GlobMatch {
  path: string;
  captures: string[];
  type: EntryType;
}

/** Where a path leads, as recorded identity (no content read). */
export interface NodeInfo {
  path: string;
  nodeId: string;
  partId: string;
  type: EntryType;
  factory: string;
}

/** Options of `ctx.query` and `pond.query`. */
export interface QueryOptions {
  /** Table name -> glob pattern; every match is read and unioned by column name. */
  tables?: Record<string, string>;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * What a factory's `compute` gets: read access to the pond. Every read goes through here and is
 * recorded (node id + version, every glob's result list): that record is the result's cache key,
 * so a factory must never reach the pond any other way.
 */
export interface FactoryContext {
  /** The dynamic node's own path; relative paths and patterns resolve against its directory. */
  readonly path: string;
  readonly nodeId: string;
  /** Milliseconds since the Unix epoch (injected clock). */
  now(): number;
  /** Absolute form of `path` (relative to the node's directory). */
  resolvePath(path: string): string;
  readFile(path: string): Promise<Uint8Array>;
  readText(path: string): Promise<string>;
  readTable(path: string): Promise<arrow.Table>;
  /** Identity of the node at `path` (symlinks followed), recorded without reading content. */
  stat(path: string): Promise<NodeInfo>;
  glob(pattern: string): Promise<GlobMatch[]>;
  /** SQL over pond tables, sandboxed (only queries run). A pattern that matches nothing is an error. */
  query(sql: string, options?: QueryOptions): Promise<arrow.Table>;
  /** The factories of the pond being read (dynamic-dir makes its entries with them). */
  readonly registry?: FactoryRegistry;
}

/** A dynamic node held in a dynamic directory's own config (a dynamic-dir entry): its name, factory and config. */
export interface ChildNode {
  name: string;
  factory: string;
  config: unknown;
}

/**
 * What compute may return: bytes or text (file:data), an Arrow table, record batches (sync or
 * async; consumed as they come), or a Directory (directory factories).
 */
export type FactoryOutput = Uint8Array | string | arrow.Table | AsyncIterable<arrow.RecordBatch> | Iterable<arrow.RecordBatch> | Directory;

/**
 * A factory: a name, the entry type it produces, a zod schema for its config (one definition gives
 * the TypeScript type and the validation messages) and `compute`. Caching, in-flight dedup,
 * failure memory and cycle detection are the resolver's job, never the factory's.
 */
export interface FactoryDefinition<C = unknown> {
  name: string;
  description: string;
  /** The entry type of nodes it makes; a function when the config chooses (e.g. `output_type`). */
  produces: EntryType | ((config: C) => EntryType);
  schema: z.ZodType<C>;
  /** Made only by another factory (the entries of its directory): not offered for new nodes. */
  internal?: boolean;
  /**
   * The version of `compute`'s output: part of every stored result's content key, so bump it when
   * the factory's output changes (a fix, a new column, another encoding) and results stored by the
   * old code are recomputed instead of served. Absent means unversioned (results keep their keys).
   */
  version?: number | string;
  /** False (or false for this config) when two computes over the same inputs may differ: the result then expires. Default true. */
  deterministic?: boolean | ((config: C) => boolean);
  compute(ctx: FactoryContext, config: C): Promise<FactoryOutput> | FactoryOutput;
  /**
   * The dynamic nodes a directory's config holds, each made by its own factory (dynamic-dir): the
   * registry validates them with the directory, and their configs are read from it.
   */
  children?(config: C): ChildNode[];
}

/** Identity helper that infers `C` from the schema, so a factory file needs no explicit type. */
export function defineFactory<C>(def: FactoryDefinition<C>): FactoryDefinition<C> {
  return def;
}

/** The entry type a factory produces for a (validated) config. */
export function producedType<C>(def: FactoryDefinition<C>, config: C): EntryType {
  return typeof def.produces === 'function' ? def.produces(config) : def.produces;
}

/** Whether results of this factory and config may be cached without a TTL. */
export function isDeterministic<C>(def: FactoryDefinition<C>, config: C): boolean {
  const d = def.deterministic ?? true;
  return typeof d === 'function' ? d(config) : d;
}
