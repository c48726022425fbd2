import { describe, expect, it } from "vitest";
import { idLowerBound, isId, newId } from "./ids";

describe("newId", () => {
  it("creates well-formed ids of each kind", () => {
    const id = newId("delivery");
    expect(isId("delivery", id)).toBe(true);
    expect(isId("attempt", id)).toBe(false);
  });

  it("never repeats across many ids", () => {
    // More ids than one draw of random bytes covers, so the refill of the random pool is crossed several times.
    const ids = new Set(Array.from({ length: 5000 }, () => newId("attempt", new Date(0))));
    expect(ids.size).toBe(5000);
  });

  it("sorts ids of later times after earlier ones", () => {
    const earlier = newId("event", new Date("2026-01-01T00:00:00.000Z"));
    const later = newId("event", new Date("2026-01-01T00:00:00.001Z"));
    expect(earlier < later).toBe(true);
    expect(idLowerBound("event", new Date("2026-01-01T00:00:00.001Z")) <= later).toBe(true);
    expect(idLowerBound("event", new Date("2026-01-01T00:00:00.001Z")) > earlier).toBe(true);
  });
});
