/**
 * Messages of the browser side. Three parties: the driver (Node, Playwright; bench/lib/browser-driver.mjs),
 * the bench page (page.ts) and the bench workers it spawns (worker.ts).
 *
 * page -> driver: `window.__benchHost(request)` (a Playwright exposeFunction).
 * driver -> page: `window.__bench.run(options)` via page.evaluate.
 * page <-> worker: postMessage with the types below; a worker's host requests are relayed by the
 * page, which adds the worker's name so the driver can find its CDP target.
 */
import type { RunOptions, Side, SuiteResult } from '../types.ts';
import type { MemoryReading } from '../memory.ts';

/** Which JS realm a host request is about: the page, or the worker with this `name`. */
export type HostTarget = 'page' | { worker: string };

export type HostRequest =
  | { op: 'log'; line: string }
  | { op: 'suite-start'; name: string; side: Side; file: string }
  | { op: 'suite-done'; result: SuiteResult }
  | { op: 'read'; target: HostTarget }
  | { op: 'probe-start'; target: HostTarget; intervalMs: number }
  | { op: 'probe-stop'; id: number };

/** Replies by op: log, suite-start, suite-done -> null; read -> MemoryReading | null; probe-start -> id; probe-stop -> peak. */
export type HostReply = null | MemoryReading | number | { peakBytes: number; samples: number };

/** Without the target: what a realm asks about itself. */
export type OwnHostRequest = { op: 'log'; line: string } | { op: 'read' } | { op: 'probe-start'; intervalMs: number } | { op: 'probe-stop'; id: number };

export type ToWorker =
  { type: 'run'; key: string; file: string; suite: string; run: RunOptions } | { type: 'host-reply'; id: number; value?: HostReply; error?: string };

export type FromWorker = { type: 'host'; id: number; req: OwnHostRequest } | { type: 'result'; result: SuiteResult } | { type: 'fatal'; error: string };

export interface BenchPageApi {
  /** The bench modules in the build (import.meta.glob keys), sorted. */
  files(): string[];
  /** Run the matching suites of `files` (default all); each result is also sent as suite-done. */
  run(options: RunOptions & { files?: string[] }): Promise<SuiteResult[]>;
}

declare global {
  interface Window {
    __bench?: BenchPageApi;
    __benchReady?: boolean;
    /** Present only when a driver exposed it. */
    __benchHost?: (req: HostRequest) => Promise<HostReply>;
  }
}
