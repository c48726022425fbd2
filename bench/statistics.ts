/**
 * Summary statistics of the benchmark. Percentiles use the nearest-rank method
 * (the smallest sample with at least p % of the samples at or below it), so a
 * reported p99 is always a latency that was actually observed.
 */

/** Returns the p-th percentile (0 < p <= 100) of `samples` by nearest rank; throws on an empty list. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new Error("Cannot take a percentile of no samples");
  if (!(p > 0 && p <= 100)) throw new Error(`Invalid percentile ${p}: expected more than 0 and at most 100`);
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[rank - 1]!;
}

/** Returns the median, the mean of the two middle values for an even count; throws on an empty list. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error("Cannot take the median of no values");
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export interface Spread {
  median: number;
  min: number;
  max: number;
  // (max - min) / median, as a fraction; 0 for a single run.
  relative: number;
}

/** Describes run-to-run spread: median, extremes and their distance relative to the median. */
export function spread(values: readonly number[]): Spread {
  const middle = median(values);
  const min = Math.min(...values);
  const max = Math.max(...values);
  return { median: middle, min, max, relative: middle === 0 ? 0 : (max - min) / middle };
}

/** Formats a number with `digits` decimals and no thousands separator, for key=value output. */
export function fixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : "nan";
}

/** Formats a spread as "median (min-max, ±x %)" with `digits` decimals. */
export function describeSpread(values: readonly number[], digits: number, unit = ""): string {
  const summary = spread(values);
  const half = (summary.relative * 100) / 2;
  return `${fixed(summary.median, digits)}${unit} (min ${fixed(summary.min, digits)}, max ${fixed(summary.max, digits)}, ±${half.toFixed(0)} %, ${values.length} runs)`;
}
