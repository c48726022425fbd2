/**
 * The checks of `npm run soak`, on the samples it took: pure, so they can be
 * unit tested apart from the processes that produce the samples.
 */
export interface SoakSample {
  // Seconds since the soak started.
  elapsedSeconds: number;
  phase: "publishing" | "draining";
  rssMiB: number | null;
  heapUsedMiB: number | null;
  // Attempt jobs that are due now or being made (pg-boss states created and retry with start_after in the past, and active).
  dueJobs: number;
  // Jobs of retries planned for later.
  scheduledJobs: number;
  // Open deliveries that nothing will move (lib/deliveries/stuck.ts).
  stuckDeliveries: number;
}

export interface SoakLimits {
  // Highest accepted growth of the floor of the worker's resident set and heap, in MiB per minute, after the warm-up.
  maxRssSlopeMiBPerMinute: number;
  maxHeapSlopeMiBPerMinute: number;
  // Samples of the first part of the publishing phase left out of the slopes: start-up, JIT and pools filling.
  warmupFraction: number;
}

export const DEFAULT_SOAK_LIMITS: SoakLimits = { maxRssSlopeMiBPerMinute: 2, maxHeapSlopeMiBPerMinute: 1, warmupFraction: 0.25 };

export interface SoakCheck {
  name: string;
  passed: boolean;
  detail: string;
}

/** Returns the least-squares slope of `y` over `x`, or null with fewer than three points or no spread in x. */
export function slope(points: ReadonlyArray<{ x: number; y: number }>): number | null {
  if (points.length < 3) return null;
  const meanX = points.reduce((sum, point) => sum + point.x, 0) / points.length;
  const meanY = points.reduce((sum, point) => sum + point.y, 0) / points.length;
  let covariance = 0;
  let variance = 0;
  for (const point of points) {
    covariance += (point.x - meanX) * (point.y - meanY);
    variance += (point.x - meanX) ** 2;
  }
  return variance === 0 ? null : covariance / variance;
}

/**
 * Returns the growth of one memory figure in MiB per minute over the publishing
 * phase after the warm-up. The line is fitted through the lowest value of each
 * minute: the heap rises and falls with every garbage collection, and a leak
 * shows as a rising floor, not as a high peak.
 */
export function memorySlope(samples: readonly SoakSample[], field: "rssMiB" | "heapUsedMiB", warmupFraction: number): number | null {
  const publishing = samples.filter((sample) => sample.phase === "publishing");
  const steady = publishing.slice(Math.floor(publishing.length * warmupFraction));
  const floors = new Map<number, { x: number; y: number }>();
  for (const sample of steady) {
    const value = sample[field];
    if (value === null) continue;
    const minute = Math.floor(sample.elapsedSeconds / 60);
    const floor = floors.get(minute);
    if (!floor || value < floor.y) floors.set(minute, { x: sample.elapsedSeconds / 60, y: value });
  }
  return slope([...floors.values()]);
}

function slopeCheck(name: string, value: number | null, limit: number): SoakCheck {
  if (value === null) return { name, passed: false, detail: "too few minutes after the warm-up to fit a slope: run for at least 4 minutes" };
  return { name, passed: value <= limit, detail: `${value.toFixed(2)} MiB/min (limit ${limit})` };
}

/** Judges a finished soak: memory slopes within limits, an empty queue after publishing, no stuck delivery in any sample. */
export function judgeSoak(samples: readonly SoakSample[], limits: SoakLimits = DEFAULT_SOAK_LIMITS): SoakCheck[] {
  const checks = [
    slopeCheck("worker RSS slope", memorySlope(samples, "rssMiB", limits.warmupFraction), limits.maxRssSlopeMiBPerMinute),
    slopeCheck("worker heap slope", memorySlope(samples, "heapUsedMiB", limits.warmupFraction), limits.maxHeapSlopeMiBPerMinute),
  ];

  const draining = samples.filter((sample) => sample.phase === "draining");
  const drainedAt = draining.find((sample) => sample.dueJobs === 0 && sample.scheduledJobs === 0);
  const last = draining.at(-1);
  checks.push({
    name: "queue drained",
    passed: drainedAt !== undefined,
    detail: drainedAt
      ? `empty ${Math.round(drainedAt.elapsedSeconds - (draining[0]?.elapsedSeconds ?? 0))} s after the drain began`
      : last
        ? `${last.dueJobs} due or active and ${last.scheduledJobs} scheduled jobs at the end of the drain`
        : "no sample taken after publishing stopped",
  });

  const stuck = samples.filter((sample) => sample.stuckDeliveries > 0);
  checks.push({
    name: "no stuck delivery",
    passed: stuck.length === 0,
    detail: stuck.length === 0 ? `0 in all ${samples.length} samples` : `${Math.max(...stuck.map((sample) => sample.stuckDeliveries))} at most, in ${stuck.length} samples`,
  });
  return checks;
}
