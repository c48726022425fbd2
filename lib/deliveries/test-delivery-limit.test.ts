import { describe, expect, it } from "vitest";
import { TEST_DELIVERIES_PER_WINDOW, testDeliveryWaitSeconds } from "./test-delivery-limit";

const now = new Date("2026-01-01T00:01:00Z");
const secondsAgo = (seconds: number) => new Date(now.getTime() - seconds * 1000);

describe("testDeliveryWaitSeconds", () => {
  it("lets a test go below the limit", () => {
    const recent = Array.from({ length: TEST_DELIVERIES_PER_WINDOW - 1 }, (_, index) => secondsAgo(30 - index));
    expect(testDeliveryWaitSeconds(recent, now)).toBeNull();
  });

  it("waits until the oldest test leaves the window", () => {
    const recent = Array.from({ length: TEST_DELIVERIES_PER_WINDOW }, (_, index) => secondsAgo(40 - index));
    expect(testDeliveryWaitSeconds(recent, now)).toBe(20);
  });

  it("ignores tests older than the window", () => {
    const recent = [secondsAgo(61), ...Array.from({ length: TEST_DELIVERIES_PER_WINDOW - 1 }, () => secondsAgo(5))];
    expect(testDeliveryWaitSeconds(recent, now)).toBeNull();
  });

  it("waits at least one second", () => {
    const recent = Array.from({ length: TEST_DELIVERIES_PER_WINDOW }, () => new Date(now.getTime() - 59_999));
    expect(testDeliveryWaitSeconds(recent, now)).toBe(1);
  });
});
