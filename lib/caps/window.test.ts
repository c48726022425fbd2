import { describe, expect, it } from "vitest";
import { capState, crossedThresholds, nextUtcDayStart, secondsUntil, utcDayStart, utcHourStart, warningThreshold } from "./window";

describe("cap window", () => {
  it("starts the day at midnight UTC", () => {
    expect(utcDayStart(new Date("2026-12-01T23:59:59.999Z")).toISOString()).toBe("2026-12-01T00:00:00.000Z");
    expect(utcDayStart(new Date("2026-12-02T00:00:00.000Z")).toISOString()).toBe("2026-12-02T00:00:00.000Z");
  });

  it("resets at the next midnight UTC", () => {
    expect(nextUtcDayStart(new Date("2026-12-01T23:59:59.999Z")).toISOString()).toBe("2026-12-02T00:00:00.000Z");
    expect(nextUtcDayStart(new Date("2026-12-31T00:00:00.000Z")).toISOString()).toBe("2027-01-01T00:00:00.000Z");
  });

  it("buckets usage by UTC hour", () => {
    expect(utcHourStart(new Date("2026-12-01T13:45:10.123Z")).toISOString()).toBe("2026-12-01T13:00:00.000Z");
  });

  it("rounds Retry-After seconds up", () => {
    const now = new Date("2026-12-01T23:59:58.500Z");
    expect(secondsUntil(new Date("2026-12-02T00:00:00.000Z"), now)).toBe(2);
    expect(secondsUntil(now, now)).toBe(1);
  });
});

describe("cap state", () => {
  it("warns from 80 percent", () => {
    expect(warningThreshold(50_000)).toBe(40_000);
    expect(warningThreshold(5)).toBe(4);
    expect(capState(39_999, 50_000)).toBe("ok");
    expect(capState(40_000, 50_000)).toBe("warning");
    expect(capState(50_000, 50_000)).toBe("reached");
    expect(capState(60_000, 50_000)).toBe("reached");
  });

  it("reports each threshold crossed", () => {
    expect(crossedThresholds(0, 3, 5)).toEqual([]);
    expect(crossedThresholds(3, 4, 5)).toEqual(["warning"]);
    expect(crossedThresholds(4, 5, 5)).toEqual(["reached"]);
    expect(crossedThresholds(0, 5, 5)).toEqual(["warning", "reached"]);
    expect(crossedThresholds(5, 6, 5)).toEqual([]);
  });

  it("skips the warning when it equals the cap", () => {
    expect(crossedThresholds(0, 1, 1)).toEqual(["reached"]);
  });
});
