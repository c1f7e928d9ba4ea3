/**
 * Shapes shared by the bench API, the measuring loop and the JSON in bench/results/latest.json.
 * Plain data only: results cross a worker boundary and a Playwright `evaluate`.
 */

/** Where a suite runs: Node (bench/node), the bench page, or a dedicated module worker it spawns. */
export type Side = 'node' | 'page' | 'worker';

/** Browser suites only: run in the page, in a dedicated worker (OPFS sync handles), or both. */
export type Where = 'page' | 'worker' | 'both';

/** How long a suite measures. Interleaving makes these per suite, not per case. */
export interface SuiteOptions {
  /** Browser files only; ignored in Node. Default 'page'. */
  where?: Where;
  /** Measured rounds at least (one round = one sample of every case). Default 10. */
  iterations?: number;
  /** Unrecorded rounds first (JIT, caches, lazy init). Default 2. */
  warmup?: number;
  /** Keep adding rounds until this much wall time has passed (and `iterations` are done). Default 300. */
  minTimeMs?: number;
  /** Stop after this many rounds whatever the time. Default 1000. */
  maxIterations?: number;
  /** Budget: stop after the round that passes this much measuring wall time. Default 10 000. */
  maxTimeMs?: number;
  /** Force a full GC (untimed) before every sample, when the runtime exposes one. Default false. */
  gc?: boolean;
}

/** A speed target relative to the case's baseline. */
export interface RatioTarget {
  /** PASS when median(case) / median(baseline) ≤ maxRatio, else OVER. */
  maxRatio: number;
}

/** Per-case options. */
export interface CaseOptions {
  /** Name of the baseline this case is compared with. Default: the suite's first baseline. */
  vs?: string;
  /** Benches only: report PASS/OVER for the ratio. */
  target?: RatioTarget;
  /** Call the function this many times per sample; the sample is the mean (for sub-ms work). Default 1. */
  batch?: number;
  /** Bytes processed per call: adds a MB/s column. */
  bytes?: number;
  /** Track peak memory during every sample (forces a GC before it); adds a "peak Δ" column. */
  memory?: boolean;
}

/** Options of a non-time figure. */
export interface MetricOptions {
  /** Shown after the value, e.g. 'MB', 'rows', 'files'. */
  unit?: string;
  /** Another metric of the same suite: adds ratio = value / value(vs). */
  vs?: string;
  /** PASS/OVER: `max` on the value, `maxRatio` on the ratio to `vs`. */
  target?: { max?: number; maxRatio?: number };
}

export type Verdict = 'PASS' | 'OVER';

export interface CaseResult {
  name: string;
  kind: 'baseline' | 'bench';
  /** The baseline this case was compared with (benches only). */
  vs?: string;
  /** Recorded samples (ms per call, after batch division). */
  samples: number;
  batch: number;
  medianMs: number;
  p10Ms: number;
  p90Ms: number;
  minMs: number;
  maxMs: number;
  meanMs: number;
  /** median(case) / median(baseline). */
  ratio?: number;
  /** p10 and p90 of the per-round ratios case/baseline (both sampled in the same round). */
  ratioP10?: number;
  ratioP90?: number;
  target?: RatioTarget;
  verdict?: Verdict;
  bytes?: number;
  /** bytes / median, in MB/s (10^6 bytes). */
  mbPerSec?: number;
  /** Largest (peak − start) over all samples, bytes; only with `memory: true`. */
  peakMemDeltaBytes?: number;
  /** Where the memory figure came from (see lib/memory.ts). */
  memSource?: string;
  /** Raw samples in ms, in the order they were taken. */
  samplesMs: number[];
  error?: string;
}

export interface MetricResult {
  name: string;
  value?: number;
  unit?: string;
  vs?: string;
  ratio?: number;
  target?: { max?: number; maxRatio?: number };
  verdict?: Verdict;
  error?: string;
}

export interface SuiteResult {
  name: string;
  /** Path of the bench file, relative to the repo root. */
  file: string;
  side: Side;
  /** Measured rounds (each case was sampled once per round, unless it failed). */
  rounds: number;
  warmup: number;
  /** Wall time of the whole suite, hooks included. */
  elapsedMs: number;
  cases: CaseResult[];
  metrics: MetricResult[];
  /** setup/teardown failure, or a failure before any case ran. */
  error?: string;
}

/** Run-wide knobs the CLI passes down. */
export interface RunOptions {
  /** Case-insensitive substrings; a suite runs when its name or file contains any. Empty = all. */
  filters: string[];
  /** Smoke mode: 3 rounds, 1 warmup, no minimum time. */
  quick: boolean;
}
