import { describe, expect, it } from "vitest";
import { judgeSoak, memorySlope, slope, type SoakSample } from "./soak-verdict";

function sample(elapsedSeconds: number, overrides: Partial<SoakSample> = {}): SoakSample {
  return { elapsedSeconds, phase: "publishing", rssMiB: 100, heapUsedMiB: 40, dueJobs: 3, scheduledJobs: 10, stuckDeliveries: 0, ...overrides };
}

/** A steady soak: 10 minutes of publishing sampled every 30 s, then a drain that empties the queue. */
function steadySoak(rssGrowthPerMinute = 0): SoakSample[] {
  const samples: SoakSample[] = [];
  for (let seconds = 0; seconds <= 600; seconds += 30) samples.push(sample(seconds, { rssMiB: 100 + (rssGrowthPerMinute * seconds) / 60 }));
  samples.push(sample(630, { phase: "draining", dueJobs: 2 }), sample(660, { phase: "draining", dueJobs: 0, scheduledJobs: 0 }));
  return samples;
}

describe("slope", () => {
  it("fits a straight line", () => {
    expect(slope([{ x: 0, y: 1 }, { x: 1, y: 3 }, { x: 2, y: 5 }])).toBeCloseTo(2);
  });

  it("needs three points with spread", () => {
    expect(slope([{ x: 0, y: 1 }, { x: 1, y: 3 }])).toBeNull();
    expect(slope([{ x: 1, y: 1 }, { x: 1, y: 3 }, { x: 1, y: 5 }])).toBeNull();
  });
});

describe("memorySlope", () => {
  it("leaves out the warm-up and the drain", () => {
    const samples = [
      sample(0, { rssMiB: 50 }),
      sample(60, { rssMiB: 100 }),
      sample(120, { rssMiB: 100 }),
      sample(180, { rssMiB: 100 }),
      sample(240, { rssMiB: 100 }),
      sample(300, { phase: "draining", rssMiB: 500 }),
    ];
    expect(memorySlope(samples, "rssMiB", 0.25)).toBeCloseTo(0);
  });

  it("skips samples without a figure", () => {
    const samples = [sample(0, { heapUsedMiB: null }), sample(60, { heapUsedMiB: 10 }), sample(120, { heapUsedMiB: 11 }), sample(180, { heapUsedMiB: 12 })];
    expect(memorySlope(samples, "heapUsedMiB", 0)).toBeCloseTo(1);
  });

  it("fits the floor of each minute", () => {
    // A garbage-collected sawtooth between 30 and 50 MiB with a flat floor: no leak.
    const sawtooth = Array.from({ length: 24 }, (_unused, index) => sample(index * 15, { heapUsedMiB: index % 4 === 3 ? 30 : 30 + (index % 4) * 10 }));
    expect(memorySlope(sawtooth, "heapUsedMiB", 0)).toBeCloseTo(0);
    // The same sawtooth on a floor rising 2 MiB per minute.
    const leaking = sawtooth.map((each) => ({ ...each, heapUsedMiB: each.heapUsedMiB! + (2 * each.elapsedSeconds) / 60 }));
    expect(memorySlope(leaking, "heapUsedMiB", 0)).toBeCloseTo(2, 0);
  });
});

describe("judgeSoak", () => {
  it("passes a steady soak", () => {
    const checks = judgeSoak(steadySoak());
    expect(checks.map((check) => check.name)).toEqual(["worker RSS slope", "worker heap slope", "queue drained", "no stuck delivery"]);
    expect(checks.filter((check) => !check.passed)).toEqual([]);
    expect(checks[2]!.detail).toBe("empty 30 s after the drain began");
  });

  it("fails a growing resident set", () => {
    const rss = judgeSoak(steadySoak(5)).find((check) => check.name === "worker RSS slope")!;
    expect(rss.passed).toBe(false);
    expect(rss.detail).toBe("5.00 MiB/min (limit 2)");
  });

  it("fails a queue that never drains", () => {
    const samples = steadySoak().map((each) => (each.phase === "draining" ? { ...each, dueJobs: 7 } : each));
    const drained = judgeSoak(samples).find((check) => check.name === "queue drained")!;
    expect(drained.passed).toBe(false);
    expect(drained.detail).toBe("7 due or active and 0 scheduled jobs at the end of the drain");
  });

  it("counts scheduled retries as not drained", () => {
    const samples = steadySoak().map((each) => (each.phase === "draining" ? { ...each, dueJobs: 0, scheduledJobs: 4 } : each));
    const drained = judgeSoak(samples).find((check) => check.name === "queue drained")!;
    expect(drained.passed).toBe(false);
    expect(drained.detail).toBe("0 due or active and 4 scheduled jobs at the end of the drain");
  });

  it("fails a stuck delivery in any sample", () => {
    const samples = steadySoak();
    samples[4] = { ...samples[4]!, stuckDeliveries: 2 };
    const stuck = judgeSoak(samples).find((check) => check.name === "no stuck delivery")!;
    expect(stuck.passed).toBe(false);
    expect(stuck.detail).toBe("2 at most, in 1 samples");
  });

  it("fails without enough samples", () => {
    const checks = judgeSoak([sample(0), sample(5, { phase: "draining", dueJobs: 0, scheduledJobs: 0 })]);
    expect(checks[0]!.passed).toBe(false);
    expect(checks[0]!.detail).toContain("too few minutes");
  });
});
