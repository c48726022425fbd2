import { describe, expect, it } from "vitest";
import { successRate } from "./webhook-stats";

describe("successRate", () => {
  it("is null when nothing was attempted", () => {
    expect(successRate({ succeeded: 0, failed: 0, retrying: 0, waiting: 7 })).toBeNull();
  });

  it("counts retrying deliveries against the rate", () => {
    expect(successRate({ succeeded: 3, failed: 1, retrying: 1, waiting: 0 })).toBe(0.6);
  });

  it("ignores deliveries still waiting", () => {
    expect(successRate({ succeeded: 2, failed: 0, retrying: 0, waiting: 40 })).toBe(1);
  });
});
