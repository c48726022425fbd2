import { describe, expect, it } from "vitest";
import { bucketUsage, capToday, resolveUsageRange, type UsageRange } from "./usage-report";

const now = new Date("2026-12-10T13:20:00.000Z");

function rangeOf(result: ReturnType<typeof resolveUsageRange>): UsageRange {
  if ("errors" in result) throw new Error(JSON.stringify(result.errors));
  return result.range;
}

describe("usage range", () => {
  it("defaults to 30 days with today", () => {
    const range = rangeOf(resolveUsageRange({ granularity: "day" }, now));
    expect(range.from.toISOString()).toBe("2026-11-11T00:00:00.000Z");
    expect(range.to.toISOString()).toBe("2026-12-11T00:00:00.000Z");
  });

  it("defaults to today by hour", () => {
    const range = rangeOf(resolveUsageRange({ granularity: "hour" }, now));
    expect(range.from.toISOString()).toBe("2026-12-10T00:00:00.000Z");
    expect(range.to.toISOString()).toBe("2026-12-11T00:00:00.000Z");
  });

  it("aligns bounds outward to buckets", () => {
    const range = rangeOf(
      resolveUsageRange({ granularity: "hour", from: new Date("2026-12-10T08:30:00Z"), to: new Date("2026-12-10T10:00:01Z") }, now),
    );
    expect(range.from.toISOString()).toBe("2026-12-10T08:00:00.000Z");
    expect(range.to.toISOString()).toBe("2026-12-10T11:00:00.000Z");
  });

  it("extends a single bound by the default span", () => {
    const range = rangeOf(resolveUsageRange({ granularity: "day", to: new Date("2026-12-01T00:00:00Z") }, now));
    expect(range.from.toISOString()).toBe("2026-11-01T00:00:00.000Z");
  });

  it("rejects a reversed range", () => {
    const result = resolveUsageRange({ granularity: "day", from: new Date("2026-12-05T00:00:00Z"), to: new Date("2026-12-01T00:00:00Z") }, now);
    expect(result).toEqual({ errors: [{ field: "query/to", message: "to must be later than from" }] });
  });

  it("rejects too many buckets", () => {
    const result = resolveUsageRange({ granularity: "hour", from: new Date("2026-10-01T00:00:00Z"), to: new Date("2026-12-01T00:00:00Z") }, now);
    expect(result).toEqual({ errors: [{ field: "query/from", message: "The range contains 1464 hours: ask for at most 31 days of hours at a time" }] });
  });
});

describe("usage buckets", () => {
  const days = rangeOf(resolveUsageRange({ granularity: "day", from: new Date("2026-12-01T00:00:00Z"), to: new Date("2026-12-04T00:00:00Z") }, now));
  const row = (hour: string, counted: number, dailyCap: number) => ({ hour: new Date(hour), counted, succeeded: counted, failed: 0, held: 0, dailyCap });

  it("sums hours into days with zeros between", () => {
    const buckets = bucketUsage([row("2026-12-01T01:00:00Z", 3, 10), row("2026-12-01T23:00:00Z", 4, 10), row("2026-12-03T05:00:00Z", 1, 10)], days, 10);
    expect(buckets.map((bucket) => bucket.counted)).toEqual([7, 0, 1]);
    expect(buckets.map((bucket) => bucket.start.toISOString().slice(0, 10))).toEqual(["2026-12-01", "2026-12-02", "2026-12-03"]);
  });

  it("shows each day's own cap", () => {
    const buckets = bucketUsage([row("2026-11-28T01:00:00Z", 1, 5), row("2026-12-02T01:00:00Z", 2, 8)], days, 20);
    expect(buckets.map((bucket) => bucket.dailyCap)).toEqual([5, 8, 8]);
  });

  it("falls back to the current cap", () => {
    expect(bucketUsage([], days, 20).map((bucket) => bucket.dailyCap)).toEqual([20, 20, 20]);
  });

  it("leaves the cap out of totals", () => {
    expect(bucketUsage([row("2026-12-01T01:00:00Z", 3, 10)], days, null)[0]!.dailyCap).toBeNull();
  });
});

describe("cap today", () => {
  it("describes a webhook over its cap", () => {
    const today = capToday({ used: 12, cap: 10, cappedUntil: new Date("2026-12-11T00:00:00Z") }, 4, now);
    expect(today).toMatchObject({ day: "2026-12-10", used: 12, dailyCap: 10, remaining: 0, state: "reached", warningAt: 8, heldNow: 4 });
    expect(today.resetsAt.toISOString()).toBe("2026-12-11T00:00:00.000Z");
  });

  it("hides the release time when nothing is held", () => {
    expect(capToday({ used: 8, cap: 10, cappedUntil: new Date("2026-12-11T00:00:00Z") }, 0, now)).toMatchObject({ state: "warning", cappedUntil: null });
  });
});
