import { describe, expect, it } from "vitest";
import { describeSpread, fixed, median, percentile, spread } from "./statistics";

describe("percentile", () => {
  const hundred = Array.from({ length: 100 }, (_unused, index) => index + 1);

  it("returns an observed sample by nearest rank", () => {
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 100)).toBe(100);
  });

  it("ignores input order", () => {
    expect(percentile([30, 10, 20], 50)).toBe(20);
  });

  it("rounds the rank up on small samples", () => {
    expect(percentile([1, 2, 3, 4], 99)).toBe(4);
    expect(percentile([1, 2, 3, 4], 25)).toBe(1);
    expect(percentile([1, 2, 3, 4], 26)).toBe(2);
  });

  it("leaves the input unsorted", () => {
    const samples = [3, 1, 2];
    percentile(samples, 50);
    expect(samples).toEqual([3, 1, 2]);
  });

  it("rejects an empty sample", () => {
    expect(() => percentile([], 50)).toThrow(/no samples/);
  });

  it("rejects a percentile outside (0, 100]", () => {
    expect(() => percentile([1], 0)).toThrow(/Invalid percentile 0/);
    expect(() => percentile([1], 101)).toThrow(/Invalid percentile 101/);
  });
});

describe("median", () => {
  it("takes the middle of an odd count", () => {
    expect(median([5, 1, 3])).toBe(3);
  });

  it("averages the two middle values of an even count", () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it("rejects an empty list", () => {
    expect(() => median([])).toThrow(/no values/);
  });
});

describe("spread", () => {
  it("relates the min-max range to the median", () => {
    expect(spread([90, 100, 110])).toEqual({ median: 100, min: 90, max: 110, relative: 0.2 });
  });

  it("is zero for a single run", () => {
    expect(spread([42]).relative).toBe(0);
  });

  it("describes runs as median, extremes and half range", () => {
    expect(describeSpread([90, 100, 110], 0, "/s")).toBe("100/s (min 90, max 110, ±10 %, 3 runs)");
  });
});

describe("fixed", () => {
  it("prints nan for a missing figure", () => {
    expect(fixed(Number.NaN, 1)).toBe("nan");
    expect(fixed(2.345, 1)).toBe("2.3");
  });
});
