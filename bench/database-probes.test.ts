import { describe, expect, it } from "vitest";
import { backendCpuBetween, maintainedTables } from "./database-probes";

describe("maintainedTables", () => {
  it("names tables whose maintenance count grew", () => {
    const before = new Map([
      ["public.attempts", 2],
      ["pgboss.job_common", 5],
    ]);
    const after = new Map([
      ["public.attempts", 3],
      ["pgboss.job_common", 5],
      ["public.events", 1],
    ]);
    expect(maintainedTables(before, after)).toEqual(["public.attempts", "public.events"]);
  });

  it("is empty when nothing ran", () => {
    const counts = new Map([["public.attempts", 2]]);
    expect(maintainedTables(counts, new Map(counts))).toEqual([]);
  });
});

describe("backendCpuBetween", () => {
  it("counts new backends from zero", () => {
    const before = new Map([[10, 100]]);
    const after = new Map([
      [10, 150],
      [11, 30],
    ]);
    expect(backendCpuBetween(before, after)).toBe(80);
  });

  it("returns null when no backend could be read", () => {
    expect(backendCpuBetween(new Map([[10, 100]]), new Map())).toBeNull();
  });
});
