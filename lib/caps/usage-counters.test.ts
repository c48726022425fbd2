import { describe, expect, it } from "vitest";
import { mergeUsageChanges } from "./usage-counters";

describe("usage changes", () => {
  it("merges changes of one webhook and hour", () => {
    const merged = mergeUsageChanges([
      { subscriptionId: "wh_b", at: new Date("2026-12-01T10:05:00Z"), counted: 1 },
      { subscriptionId: "wh_a", at: new Date("2026-12-01T10:59:59Z"), succeeded: 1 },
      { subscriptionId: "wh_b", at: new Date("2026-12-01T10:30:00Z"), counted: 2, held: 1 },
      { subscriptionId: "wh_b", at: new Date("2026-12-01T11:00:00Z"), failed: 1 },
    ]);
    expect(merged).toEqual([
      { subscriptionId: "wh_a", hour: new Date("2026-12-01T10:00:00Z"), counted: 0, succeeded: 1, failed: 0, held: 0 },
      { subscriptionId: "wh_b", hour: new Date("2026-12-01T10:00:00Z"), counted: 3, succeeded: 0, failed: 0, held: 1 },
      { subscriptionId: "wh_b", hour: new Date("2026-12-01T11:00:00Z"), counted: 0, succeeded: 0, failed: 1, held: 0 },
    ]);
  });

  it("drops empty changes", () => {
    expect(mergeUsageChanges([{ subscriptionId: "wh_a", at: new Date(), counted: 0 }])).toEqual([]);
  });
});
