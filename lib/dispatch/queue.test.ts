import { describe, expect, it } from "vitest";
import { assertExpiryCoversAttempts, attemptJobs, expiryCheckIntervalSeconds } from "./queue";

describe("assertExpiryCoversAttempts", () => {
  it("accepts the default expiry with the default timeout", () => {
    expect(() => assertExpiryCoversAttempts(60, 15)).not.toThrow();
  });

  it("rejects an expiry an attempt could outlive", () => {
    expect(() => assertExpiryCoversAttempts(20, 15)).toThrow(/WVK_JOB_EXPIRY_SECONDS/);
  });
});

describe("expiryCheckIntervalSeconds", () => {
  it.each([
    [60, 15],
    [2, 1],
    [3600, 60],
  ])("checks a %i s expiry every %i s", (expiry, interval) => {
    expect(expiryCheckIntervalSeconds(expiry)).toBe(interval);
  });
});

describe("attemptJobs", () => {
  it("groups a webhook's jobs and keeps the due time", () => {
    const startAfter = new Date("2026-01-01T00:01:00Z");
    const [job] = attemptJobs([{ deliveryId: "dlv_1", attempt: 2, startAfter, subscriptionId: "wh_1" }]);
    expect(job).toEqual({ data: { deliveryId: "dlv_1", attempt: 2, dueAt: startAfter.toISOString() }, startAfter, group: { id: "wh_1" } });
  });
});

describe("attemptJobs pacing", () => {
  it("marks a job queued for its smoothing slot", () => {
    const startAfter = new Date("2026-01-01T00:01:00Z");
    const [job] = attemptJobs([{ deliveryId: "dlv_1", attempt: 1, startAfter, subscriptionId: "wh_1", paced: true }]);
    expect(job!.data).toEqual({ deliveryId: "dlv_1", attempt: 1, dueAt: startAfter.toISOString(), paced: true });
  });
});
