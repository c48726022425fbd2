import { describe, expect, it } from "vitest";
import { OCCURRED_AT_MAX_AGE_MS, OCCURRED_AT_MAX_AHEAD_MS, occurredAtProblem } from "./occurred-at";

const now = new Date("2026-12-05T12:00:00.000Z");
const shifted = (ms: number) => new Date(now.getTime() + ms);

describe("occurredAtProblem", () => {
  it.each([
    ["the time of the request", 0],
    ["5 minutes ahead", OCCURRED_AT_MAX_AHEAD_MS],
    ["7 days back", -OCCURRED_AT_MAX_AGE_MS],
    ["an hour back", -3_600_000],
  ])("accepts %s", (_label, offset) => {
    expect(occurredAtProblem(shifted(offset), now)).toBeNull();
  });

  it("rejects a time past 5 minutes ahead", () => {
    expect(occurredAtProblem(shifted(OCCURRED_AT_MAX_AHEAD_MS + 1), now)).toBe(
      "The time 2026-12-05T12:05:00.001Z is more than 5 minutes after the time of the request (2026-12-05T12:00:00.000Z): " +
        "send the time the event happened, check the producer's clock, or leave occurred_at out to use the time of the request",
    );
  });

  it("rejects a time more than 7 days back", () => {
    expect(occurredAtProblem(shifted(-OCCURRED_AT_MAX_AGE_MS - 1), now)).toBe(
      "The time 2026-11-28T11:59:59.999Z is more than 7 days before the time of the request (2026-12-05T12:00:00.000Z): " +
        "events must be published within 7 days of when they happened. Check the producer's clock and the year",
    );
  });

  it.each(["0000-01-01T00:00:00Z", "0001-01-01T00:00:00Z", "1970-01-01T00:00:00Z", "2025-12-05T12:00:00Z"])("rejects the past time %s", (text) => {
    expect(occurredAtProblem(new Date(text), now)).toContain("more than 7 days before");
  });

  it.each(["9999-12-31T23:59:59Z", "2027-12-05T12:00:00Z"])("rejects the future time %s", (text) => {
    expect(occurredAtProblem(new Date(text), now)).toContain("more than 5 minutes after");
  });
});
