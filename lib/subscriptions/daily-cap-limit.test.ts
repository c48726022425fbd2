import { afterEach, describe, expect, it } from "vitest";
import { createWebhookBody, updateWebhookBody } from "../api/schemas";
import { dailyCapLimitProblem } from "./daily-cap-limit";

const LIMIT_MESSAGE = "The daily cap can be at most 1,000,000 deliveries on this deployment (WVK_MAX_DAILY_CAP)";

describe("dailyCapLimitProblem", () => {
  it("accepts a cap up to the maximum", () => {
    expect(dailyCapLimitProblem(1_000_000, 1_000_000)).toBeNull();
  });

  it("names the maximum above it", () => {
    expect(dailyCapLimitProblem(1_000_001, 1_000_000)).toBe(LIMIT_MESSAGE);
  });
});

describe("daily_cap in webhook bodies", () => {
  afterEach(() => {
    delete process.env.WVK_MAX_DAILY_CAP;
  });

  const body = (dailyCap: unknown) => ({ url: "https://siem.example.com/hooks", events: ["finding.created"], daily_cap: dailyCap });

  it.each([1_000_001, 2_000_000_000, 99999999999999999999, Number.MAX_VALUE])("reports only the deployment maximum for %d", (dailyCap) => {
    for (const schema of [createWebhookBody, updateWebhookBody]) {
      const result = schema.safeParse(body(dailyCap));
      expect(result.error?.issues.map((issue) => issue.message)).toEqual([LIMIT_MESSAGE]);
    }
  });

  it("follows WVK_MAX_DAILY_CAP", () => {
    process.env.WVK_MAX_DAILY_CAP = "5000";
    const result = createWebhookBody.safeParse(body(5001));
    expect(result.error?.issues.map((issue) => issue.message)).toEqual(["The daily cap can be at most 5,000 deliveries on this deployment (WVK_MAX_DAILY_CAP)"]);
    expect(createWebhookBody.safeParse(body(5000)).success).toBe(true);
  });

  it.each([
    [0, "Too small: expected number to be >=1"],
    [1.5, "Invalid input: expected int, received number"],
  ])("rejects %d with one message", (dailyCap, message) => {
    expect(createWebhookBody.safeParse(body(dailyCap)).error?.issues.map((issue) => issue.message)).toEqual([message]);
  });
});
