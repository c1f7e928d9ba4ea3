/**
 * The measuring loop, the same in Node, the bench page and a bench worker.
 *
 * All cases of a suite are sampled interleaved: round 0 runs A B C, round 1 runs C B A, round 2
 * A B C, ... so drift (thermal, GC debt, a noisy neighbour) lands on every case alike and each
 * bench has a baseline sample from the same round to pair with.
 */
import { collect, type CaseDecl, type SuiteDecl, type BenchContext } from './suite.ts';
import { gc, startMemoryProbe } from './memory.ts';
import { median, quantile, summarize } from './stats.ts';
import type { CaseResult, MetricResult, RunOptions, Side, SuiteOptions, SuiteResult } from './types.ts';

export interface RunEnv {
  side: Side;
  /** Bench file, relative to the repo root (for the report). */
  file: string;
  /** Progress lines (the CLI prints them to stderr). */
  log(line: string): void;
}

const DEFAULTS: Required<Omit<SuiteOptions, 'where'>> = {
  iterations: 10,
  warmup: 2,
  minTimeMs: 300,
  maxIterations: 1000,
  maxTimeMs: 10_000,
  gc: false,
};

/** Suite options with defaults applied; `quick` caps everything for a smoke run. */
export function resolveOptions(options: SuiteOptions, quick: boolean): Required<Omit<SuiteOptions, 'where'>> {
  const o = { ...DEFAULTS, ...options };
  if (quick) return { ...o, iterations: Math.min(o.iterations, 3), warmup: Math.min(o.warmup, 1), minTimeMs: 0, maxIterations: 3 };
  return o;
}

/** The stack when it names the message (V8's do), else the message and the stack. */
function message(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  if (!e.stack) return e.message;
  return e.stack.includes(e.message) ? e.stack : `${e.message}\n${e.stack}`;
}

const yieldToLoop = () => new Promise<void>((r) => setTimeout(r, 0));

/** One sample of one case: ms per call (timed sections only, if the case used ctx.time). */
async function sampleOnce(c: CaseDecl, iteration: number, warmup: boolean): Promise<number> {
  const batch = c.options.batch ?? 1;
  let timed = 0;
  let usedTime = false;
  let open = false;
  const ctx: BenchContext = {
    iteration,
    warmup,
    async time(fn) {
      if (open) throw new Error('ctx.time sections must not overlap');
      usedTime = true;
      open = true;
      const t0 = performance.now();
      try {
        return await fn();
      } finally {
        timed += performance.now() - t0;
        open = false;
      }
    },
  };
  const t0 = performance.now();
  for (let i = 0; i < batch; i++) {
    const r = c.fn(ctx);
    if (r && typeof (r as PromiseLike<unknown>).then === 'function') await r;
  }
  const total = performance.now() - t0;
  return (usedTime ? timed : total) / batch;
}

interface CaseState {
  decl: CaseDecl;
  /** Sample of each measured round; undefined where the case did not run (after an error). */
  byRound: (number | undefined)[];
  peakMemDelta?: number;
  memSource?: string;
  error?: string;
}

/** Run one declared suite to a result; never throws (failures are recorded in the result). */
export async function runSuite(decl: SuiteDecl, env: RunEnv, run: RunOptions): Promise<SuiteResult> {
  const t0 = performance.now();
  const opts = resolveOptions(decl.options, run.quick);
  const result: SuiteResult = {
    name: decl.name,
    file: env.file,
    side: env.side,
    rounds: 0,
    warmup: opts.warmup,
    elapsedMs: 0,
    cases: [],
    metrics: [],
  };
  let plan;
  try {
    plan = collect(decl, env.side);
  } catch (e) {
    result.error = `declaration failed: ${message(e)}`;
    result.elapsedMs = performance.now() - t0;
    return result;
  }
  const states: CaseState[] = plan.cases.map((decl) => ({ decl, byRound: [] }));
  let setupDone = 0;
  try {
    for (const hook of plan.setup) {
      await hook();
      setupDone++;
    }
    // Warmup rounds, then measured rounds, both interleaved.
    for (let w = 0; w < opts.warmup; w++) await round(states, w, true, opts.gc);
    const m0 = performance.now();
    let rounds = 0;
    for (;;) {
      if (states.every((s) => s.error)) break;
      await round(states, rounds, false, opts.gc);
      rounds++;
      const elapsed = performance.now() - m0;
      if ((rounds >= opts.iterations && elapsed >= opts.minTimeMs) || rounds >= opts.maxIterations || elapsed >= opts.maxTimeMs) break;
      await yieldToLoop();
    }
    result.rounds = rounds;
    result.cases = states.map((s) => caseResult(s, states));
    result.metrics = await runMetrics(plan.metrics);
  } catch (e) {
    result.error = `${setupDone < plan.setup.length ? 'setup' : 'suite'} failed: ${message(e)}`;
    result.cases = states.map((s) => caseResult(s, states));
  } finally {
    for (const hook of [...plan.teardown].reverse()) {
      try {
        await hook();
      } catch (e) {
        result.error = [result.error, `teardown failed: ${message(e)}`].filter(Boolean).join('\n');
      }
    }
  }
  result.elapsedMs = performance.now() - t0;
  const what = plan.cases.length ? `${result.rounds} rounds` : `${plan.metrics.length} metric(s)`;
  env.log(`  ${decl.name} [${env.side}]: ${what} in ${(result.elapsedMs / 1000).toFixed(1)} s${result.error ? ' (failed)' : ''}`);
  return result;
}

async function round(states: CaseState[], index: number, warmup: boolean, forceGc: boolean): Promise<void> {
  const order = index % 2 === 0 ? states : [...states].reverse();
  for (const s of order) {
    if (s.error) continue;
    try {
      const memory = s.decl.options.memory === true;
      if (forceGc || memory) gc();
      const probe = memory && !warmup ? await startMemoryProbe({ gc: false }) : undefined;
      const ms = await sampleOnce(s.decl, index, warmup);
      if (probe) {
        const peak = await probe.stop();
        s.memSource = peak.source;
        if (!(peak.peakDeltaBytes <= (s.peakMemDelta ?? -Infinity))) s.peakMemDelta = peak.peakDeltaBytes;
      }
      if (!warmup) s.byRound[index] = ms;
    } catch (e) {
      s.error = `${warmup ? 'warmup' : `round ${index}`}: ${message(e)}`;
    }
  }
}

function caseResult(s: CaseState, all: CaseState[]): CaseResult {
  const samplesMs = s.byRound.filter((x): x is number => x !== undefined);
  const o = s.decl.options;
  const r: CaseResult = {
    name: s.decl.name,
    kind: s.decl.kind,
    samples: samplesMs.length,
    batch: o.batch ?? 1,
    ...summarize(samplesMs),
    samplesMs,
  };
  if (s.error) r.error = s.error;
  if (o.bytes !== undefined) {
    r.bytes = o.bytes;
    if (samplesMs.length) r.mbPerSec = o.bytes / 1e6 / (r.medianMs / 1000);
  }
  if (s.peakMemDelta !== undefined) {
    r.peakMemDeltaBytes = s.peakMemDelta;
    r.memSource = s.memSource;
  }
  // A case that failed keeps its samples for the record but gets no ratio or verdict.
  if (s.decl.kind === 'bench' && !s.error) {
    const base = all.find((b) => b.decl.kind === 'baseline' && (o.vs === undefined || b.decl.name === o.vs));
    if (base) {
      r.vs = base.decl.name;
      if (o.target) r.target = o.target;
      const baseSamples = base.byRound.filter((x): x is number => x !== undefined);
      if (samplesMs.length && baseSamples.length) {
        r.ratio = r.medianMs / median(baseSamples);
        const paired: number[] = [];
        s.byRound.forEach((v, i) => {
          const b = base.byRound[i];
          if (v !== undefined && b !== undefined && b > 0) paired.push(v / b);
        });
        if (paired.length) {
          r.ratioP10 = quantile(paired, 0.1);
          r.ratioP90 = quantile(paired, 0.9);
        }
        if (o.target) r.verdict = r.ratio <= o.target.maxRatio ? 'PASS' : 'OVER';
      }
    }
  }
  return r;
}

async function runMetrics(metrics: ReturnType<typeof collect>['metrics']): Promise<MetricResult[]> {
  const out: MetricResult[] = [];
  for (const m of metrics) {
    const r: MetricResult = { name: m.name };
    if (m.options.unit) r.unit = m.options.unit;
    if (m.options.target) r.target = m.options.target;
    try {
      const v = await m.measure();
      if (typeof v !== 'number' || Number.isNaN(v)) throw new TypeError(`metric returned ${String(v)}, not a number`);
      r.value = v;
    } catch (e) {
      r.error = message(e);
    }
    out.push(r);
  }
  for (const r of out) {
    const m = metrics.find((x) => x.name === r.name)!;
    if (m.options.vs !== undefined) {
      r.vs = m.options.vs;
      const ref = out.find((x) => x.name === m.options.vs)?.value;
      if (r.value !== undefined && ref !== undefined && ref !== 0) r.ratio = r.value / ref;
    }
    const t = m.options.target;
    if (t && r.value !== undefined) {
      const okMax = t.max === undefined || r.value <= t.max;
      const okRatio = t.maxRatio === undefined || (r.ratio !== undefined && r.ratio <= t.maxRatio);
      r.verdict = okMax && okRatio ? 'PASS' : 'OVER';
    }
  }
  return out;
}
