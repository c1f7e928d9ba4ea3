/**
 * What bench files import: `suite` to declare, memory helpers for non-time figures.
 * See docs/benchmarks.md.
 *
 * @example
 * import { suite } from '../lib/index.ts';
 * suite('copy 16 MiB', (s) => {
 *   const src = new Uint8Array(16 << 20);
 *   s.baseline('TypedArray.set', () => new Uint8Array(src.length).set(src), { bytes: src.length });
 *   s.bench('slice', () => src.slice(), { bytes: src.length, target: { maxRatio: 1.5 } });
 * });
 */
export { suite } from './suite.ts';
export type { Suite, BenchContext, CaseFn, Hook } from './suite.ts';
export { gc, memoryNow, memorySource, startMemoryProbe } from './memory.ts';
export type { MemoryReading, MemoryProbe, PeakMemory, ProbeOptions } from './memory.ts';
export type { SuiteOptions, CaseOptions, MetricOptions, RatioTarget, Side, Where } from './types.ts';

/** 2^20 bytes. */
export const MiB = 1 << 20;
