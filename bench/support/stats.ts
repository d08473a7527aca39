/**
 * The few statistics the benchmarks report: medians and high percentiles of latency samples,
 * computed by the nearest-rank method so a p99 is always a latency that was really observed.
 */

export function percentile(samples: readonly number[], q: number): number {
  if (samples.length === 0) throw new Error("A percentile of no samples is undefined; the benchmark collected nothing.");
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1]!;
}

export function median(samples: readonly number[]): number {
  return percentile(samples, 0.5);
}

/** value / baseline, or undefined when the baseline is zero (a ratio would be meaningless). */
export function ratio(value: number, baseline: number): number | undefined {
  return baseline === 0 ? undefined : value / baseline;
}
