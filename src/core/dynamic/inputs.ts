import type { NodeInfo } from './factory.ts';
import type { NodeRef, NodeVersion } from '../tinyfs/node.ts';
import { STATIC_FACTORY } from '../tinyfs/entry-type.ts';
import { sha256Hex } from '../hash.ts';
import { RESULT_FORMAT, type TraceInput } from '../tlogfs/result-entry.ts';

/**
 * One thing a computation read. Re-checking every input of a cached result tells whether the
 * result is still what a fresh compute would give, without reading any content.
 */
export type Input =
  /**
   * The node at `path`: its newest version when content was read, null when only its identity was;
   * nodeId null when the path did not resolve. `id` is its content identity (see `contentId`),
   * undefined when it has none (then no result built on it is stored).
   */
  | { kind: 'node'; path: string; nodeId: string | null; version: number | null; id?: string }
  /** A dynamic node's result, identified by the cache entry that produced it; `id` is that entry's content key. */
  | { kind: 'dynamic'; path: string; nodeId: string; version: number; key: string; etag: number; id?: string }
  /** A glob's full result list (paths and captures), as JSON. */
  | { kind: 'glob'; pattern: string; cwd: string; result: string };

/** What re-checking inputs needs from the pond: cheap metadata only. */
export interface InputProbe {
  /** Node id and newest version at `path` (symlinks followed), or null when it does not resolve. */
  locate(path: string): Promise<{ info: NodeInfo; version: number } | null>;
  /** The glob's result list as JSON. */
  globJson(pattern: string, cwd: string): Promise<string>;
  /** True when the cache entry `key` still exists with `etag` and is itself fresh. */
  dynamicFresh(key: string, etag: number): Promise<boolean>;
}

/** Collects the inputs of one computation, once each. */
export class InputRecorder {
  readonly #seen = new Map<string, Input>();
  /** The earliest expiry among the dynamic results read (a result built on an expiring one expires with it). */
  expiresAt = Number.POSITIVE_INFINITY;

  record(input: Input): void {
    const id =
      input.kind === 'glob'
        ? `glob\0${input.cwd}\0${input.pattern}`
        : input.kind === 'node' && input.version === null
          ? `id\0${input.path}`
          : `${input.kind}\0${input.path}`;
    // The first read of a path is what the computation saw first; a later different answer
    // (a commit landed mid-compute) must make the entry stale, so keep a poisoned record.
    const prev = this.#seen.get(id);
    if (prev && JSON.stringify(prev) !== JSON.stringify(input)) {
      this.#seen.set(id, { kind: 'node', path: `\0changed during compute: ${id}`, nodeId: '', version: -1 });
      return;
    }
    this.#seen.set(id, input);
  }

  get inputs(): Input[] {
    return [...this.#seen.values()];
  }
}

/** True when every input still answers as recorded. Stops at the first difference. */
export async function inputsFresh(inputs: readonly Input[], probe: InputProbe): Promise<boolean> {
  for (const input of inputs) {
    if (input.kind === 'glob') {
      if ((await probe.globJson(input.pattern, input.cwd)) !== input.result) return false;
      continue;
    }
    const now = await probe.locate(input.path).catch(() => null);
    if (input.nodeId === null) {
      if (now !== null) return false;
      continue;
    }
    if (!now || now.info.nodeId !== input.nodeId) return false;
    if (input.version !== null && now.version !== input.version) return false;
    if (input.kind === 'dynamic' && !(await probe.dynamicFresh(input.key, input.etag))) return false;
  }
  return true;
}

/** The identity of a path that resolved to nothing. */
export const ABSENT = 'absent';

/**
 * The content identity of a node whose content was read: for a stored file, the sha256 of every
 * version (a series reads them all; any new version changes it); for a dynamic node, its kind only
 * (its content is the `dynamic` input recorded beside it). Undefined when a version has no sha256.
 */
export async function contentId(ref: Pick<NodeRef, 'type' | 'factory'>, versions: readonly NodeVersion[]): Promise<string | undefined> {
  if (ref.factory !== STATIC_FACTORY) return `dynamic:${ref.type}:${ref.factory}`;
  const shas: string[] = [];
  for (const v of versions) {
    if (v.sha256 === null) return undefined;
    shas.push(v.sha256);
  }
  const list = shas.length === 1 ? shas[0] : await sha256Hex(new TextEncoder().encode(shas.join('\n')));
  return `${ref.type}:${shas.length}:${list}`;
}

/** The identity of a node that was only stat'ed: what stat tells a factory. */
export function statId(info: Pick<NodeInfo, 'type' | 'factory' | 'nodeId'>): string {
  return `stat:${info.type}:${info.factory}:${info.nodeId}`;
}

/** The inputs as a stored trace, or undefined when one of them has no content identity. */
export function toTrace(inputs: readonly Input[]): TraceInput[] | undefined {
  const trace: TraceInput[] = [];
  for (const i of inputs) {
    if (i.kind === 'glob') trace.push({ kind: 'glob', pattern: i.pattern, cwd: i.cwd, result: i.result });
    else if (i.id === undefined) return undefined;
    else if (i.kind === 'dynamic') trace.push({ kind: 'dynamic', path: i.path, id: i.id });
    else trace.push({ kind: 'node', path: i.path, read: i.version !== null, id: i.id });
  }
  return trace;
}

/**
 * The content key of a computation: the factory and its code's `version` (FactoryDefinition), the
 * node's path (relative patterns resolve against it), its config and the identity of every input,
 * in the order they were read. Node ids and versions are not in it: a published pond and its copies
 * share them. An unversioned factory's key leaves the version out (keys stored before it existed hold).
 */
export async function contentKey(factory: string, path: string, config: string, trace: readonly TraceInput[], version?: number | string): Promise<string> {
  const parts: unknown[] = [RESULT_FORMAT, factory, path, config, trace];
  if (version !== undefined) parts.push({ version });
  return sha256Hex(new TextEncoder().encode(JSON.stringify(parts)));
}
