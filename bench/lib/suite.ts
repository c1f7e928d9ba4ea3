/**
 * The declaration API of bench files: `suite(name, [options], (s) => { s.baseline(...); s.bench(...) })`.
 * Declaring records the suite in a process-wide registry; nothing is measured until a runner
 * (lib/node-entry.ts, lib/browser/*) calls `def` and times the cases (lib/runner.ts).
 */
import type { CaseOptions, MetricOptions, Side, SuiteOptions } from './types.ts';

/** Handed to every call of a case function. */
export interface BenchContext {
  /** 0-based round number; warmup rounds count separately from 0 as well. */
  readonly iteration: number;
  /** True during the unrecorded warmup rounds. */
  readonly warmup: boolean;
  /**
   * Time only `fn`. A case that calls `time` at least once is measured as the sum of its timed
   * sections; everything else in that call (per-iteration setup, checks) is not timed.
   * A case that never calls it is timed whole. Sections must not overlap.
   */
  time<T>(fn: () => T | Promise<T>): Promise<T>;
}

export type CaseFn = (ctx: BenchContext) => unknown;
export type Hook = () => unknown;

/** The builder passed to a suite's `def`. */
export interface Suite {
  /** Where this run happens: 'node', 'page' or 'worker'. */
  readonly side: Side;
  /** Runs once before any case (not timed). Several hooks run in order. */
  setup(fn: Hook): void;
  /** Runs once after the suite, also when it failed. Several hooks run in reverse order. */
  teardown(fn: Hook): void;
  /** The reference implementation the benches are divided by. */
  baseline(name: string, fn: CaseFn, options?: Omit<CaseOptions, 'vs' | 'target'>): void;
  /** A measured case; ratio = median(this) / median(its baseline). */
  bench(name: string, fn: CaseFn, options?: CaseOptions): void;
  /** A non-time figure, computed once after the timed cases (e.g. a peak-memory reading). */
  metric(name: string, measure: () => number | Promise<number>, options?: MetricOptions): void;
}

export interface CaseDecl {
  name: string;
  kind: 'baseline' | 'bench';
  fn: CaseFn;
  options: CaseOptions;
}

export interface MetricDecl {
  name: string;
  measure: () => number | Promise<number>;
  options: MetricOptions;
}

/** What `def` declared, collected by `collect`. */
export interface SuitePlan {
  setup: Hook[];
  teardown: Hook[];
  cases: CaseDecl[];
  metrics: MetricDecl[];
}

export interface SuiteDecl {
  name: string;
  options: SuiteOptions;
  def: (s: Suite) => void;
}

// One registry per JS realm, even if this module were loaded twice (two URLs for one file).
const REGISTRY = Symbol.for('duckpond.bench.registry');
type WithRegistry = typeof globalThis & { [REGISTRY]?: SuiteDecl[] };

/** Every suite declared so far in this realm, in declaration order. */
export function registeredSuites(): SuiteDecl[] {
  const g = globalThis as WithRegistry;
  return (g[REGISTRY] ??= []);
}

/**
 * Declare a suite.
 * @example
 * suite('sha256 16 MiB', { iterations: 8 }, (s) => {
 *   const data = new Uint8Array(16 << 20);
 *   s.baseline('node:crypto', () => createHash('sha256').update(data).digest(), { bytes: data.length });
 *   s.bench('@noble/hashes', () => sha256(data), { bytes: data.length, target: { maxRatio: 6 } });
 * });
 */
export function suite(name: string, def: (s: Suite) => void): void;
export function suite(name: string, options: SuiteOptions, def: (s: Suite) => void): void;
export function suite(name: string, a: SuiteOptions | ((s: Suite) => void), b?: (s: Suite) => void): void {
  const def = typeof a === 'function' ? a : b;
  const options = typeof a === 'function' ? {} : a;
  if (typeof name !== 'string' || name.trim() === '') throw new TypeError('suite: name must be a non-empty string');
  if (typeof def !== 'function') throw new TypeError(`suite "${name}": missing the definition function`);
  const all = registeredSuites();
  if (all.some((d) => d.name === name)) throw new Error(`suite "${name}" is declared twice`);
  all.push({ name, options, def });
}

/** Call `def` and collect what it declares; throws on duplicate names or a dangling `vs`. */
export function collect(decl: SuiteDecl, side: Side): SuitePlan {
  const plan: SuitePlan = { setup: [], teardown: [], cases: [], metrics: [] };
  const names = new Set<string>();
  const unique = (what: string, name: string) => {
    if (typeof name !== 'string' || name === '') throw new TypeError(`suite "${decl.name}": ${what} needs a name`);
    if (names.has(name)) throw new Error(`suite "${decl.name}": "${name}" is declared twice`);
    names.add(name);
  };
  const s: Suite = {
    side,
    setup: (fn) => void plan.setup.push(fn),
    teardown: (fn) => void plan.teardown.push(fn),
    baseline: (name, fn, options = {}) => {
      unique('a baseline', name);
      plan.cases.push({ name, kind: 'baseline', fn, options });
    },
    bench: (name, fn, options = {}) => {
      unique('a bench', name);
      plan.cases.push({ name, kind: 'bench', fn, options });
    },
    metric: (name, measure, options = {}) => {
      unique('a metric', name);
      plan.metrics.push({ name, measure, options });
    },
  };
  decl.def(s);
  const baselines = plan.cases.filter((c) => c.kind === 'baseline').map((c) => c.name);
  for (const c of plan.cases) {
    if (c.options.batch !== undefined && !(Number.isInteger(c.options.batch) && c.options.batch >= 1)) {
      throw new Error(`suite "${decl.name}": "${c.name}": batch must be a positive integer`);
    }
    if (c.kind !== 'bench') continue;
    if (c.options.vs !== undefined && !baselines.includes(c.options.vs)) {
      throw new Error(`suite "${decl.name}": "${c.name}" is compared with "${c.options.vs}", which is not a baseline here`);
    }
    if (c.options.target && baselines.length === 0) {
      throw new Error(`suite "${decl.name}": "${c.name}" has a target ratio but the suite has no baseline`);
    }
  }
  const metricNames = plan.metrics.map((m) => m.name);
  for (const m of plan.metrics) {
    if (m.options.vs !== undefined && !metricNames.includes(m.options.vs)) {
      throw new Error(`suite "${decl.name}": metric "${m.name}" is compared with "${m.options.vs}", which is not a metric here`);
    }
  }
  return plan;
}

/** True when `filters` is empty or one of them occurs in the suite name or the file path. */
export function matches(filters: readonly string[], suiteName: string, file: string): boolean {
  if (filters.length === 0) return true;
  const hay = `${suiteName}\n${file}`.toLowerCase();
  return filters.some((f) => hay.includes(f.toLowerCase()));
}
