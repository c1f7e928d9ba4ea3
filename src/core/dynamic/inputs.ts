import type { NodeInfo } from './factory.ts';

/**
 * One thing a computation read. Re-checking every input of a cached result tells whether the
 * result is still what a fresh compute would give, without reading any content.
 */
export type Input =
  /** The node at `path`: its newest version when content was read, null when only its identity was; nodeId null when the path did not resolve. */
  | { kind: 'node'; path: string; nodeId: string | null; version: number | null }
  /** A dynamic node's result, identified by the cache entry that produced it. */
  | { kind: 'dynamic'; path: string; nodeId: string; version: number; key: string; etag: number }
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
