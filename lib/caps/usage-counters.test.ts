import { describe, expect, it } from "vitest";
import { GATE_SHARD, mergeUsageChanges, sharedShard, USAGE_SHARDS, usageUpsert } from "./usage-counters";

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

describe("usage upsert", () => {
  it("numbers parameters from the given position", () => {
    const upsert = usageUpsert([{ subscriptionId: "wh_a", at: new Date("2026-12-01T10:05:00Z"), counted: 2 }], 5, 3);
    expect(upsert.values).toHaveLength(7);
    expect(upsert.sql).toContain("unnest($5::text[], $6::timestamptz[]");
    expect(upsert.sql).toContain("$11::smallint");
    expect(upsert.sql).not.toMatch(/\$([1-4]|1[2-9])\b/);
    expect(upsert.values.at(-1)).toBe(3);
    expect(upsert.writes).toBe(true);
  });

  it("writes nothing when every change is empty", () => {
    expect(usageUpsert([{ subscriptionId: "wh_a", at: new Date(), counted: 0 }]).writes).toBe(false);
  });
});

describe("shards", () => {
  it("keeps the gate's shard for the gate", () => {
    const drawn = [0, 0.2, 0.5, 0.999_999].map((value) => sharedShard(() => value));
    expect(drawn).not.toContain(GATE_SHARD);
    expect(Math.min(...drawn)).toBe(1);
    expect(Math.max(...drawn)).toBe(USAGE_SHARDS - 1);
  });
});
