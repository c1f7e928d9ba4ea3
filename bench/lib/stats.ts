/** Order statistics over samples. Pure; inputs are not modified. */

/** Linear-interpolated quantile, q in [0, 1]; NaN for no samples. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

export interface Summary {
  medianMs: number;
  p10Ms: number;
  p90Ms: number;
  minMs: number;
  maxMs: number;
  meanMs: number;
}

export function summarize(samples: readonly number[]): Summary {
  return {
    medianMs: median(samples),
    p10Ms: quantile(samples, 0.1),
    p90Ms: quantile(samples, 0.9),
    minMs: samples.length ? Math.min(...samples) : NaN,
    maxMs: samples.length ? Math.max(...samples) : NaN,
    meanMs: mean(samples),
  };
}
