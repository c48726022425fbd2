import { describe, expect, it } from "vitest";
import { FailureThrottle, sourceKey, type ThrottlePolicy } from "./failure-throttle";

const POLICY: ThrottlePolicy = { freeFailures: 3, refuseAt: 10, windowMs: 100_000, delayStepMs: 100, maxDelayMs: 500 };

function failTimes(throttle: FailureThrottle, source: string, times: number, now = 0): number[] {
  return Array.from({ length: times }, () => throttle.recordFailure(source, now));
}

describe("FailureThrottle", () => {
  it("delays failures past the free ones", () => {
    const throttle = new FailureThrottle(POLICY);
    expect(failTimes(throttle, "198.51.100.7", 9)).toEqual([0, 0, 0, 100, 200, 300, 400, 500, 500]);
  });

  it("rejects a source at the limit", () => {
    const throttle = new FailureThrottle(POLICY);
    failTimes(throttle, "198.51.100.7", 9);
    expect(throttle.check("198.51.100.7", 0)).toEqual({ refused: false });
    throttle.recordFailure("198.51.100.7", 0);
    // One failure drains every windowMs / refuseAt = 10 s.
    expect(throttle.check("198.51.100.7", 0)).toEqual({ refused: true, retryAfterSeconds: 10 });
    expect(throttle.check("198.51.100.7", 9_999).refused).toBe(true);
    expect(throttle.check("198.51.100.7", 10_000)).toEqual({ refused: false });
  });

  it("never holds back other sources", () => {
    const throttle = new FailureThrottle(POLICY);
    failTimes(throttle, "198.51.100.7", 20);
    expect(throttle.check("198.51.100.8", 0)).toEqual({ refused: false });
    expect(throttle.recordFailure("198.51.100.8", 0)).toBe(0);
  });

  it("forgets a source entirely once its count has drained", () => {
    const throttle = new FailureThrottle(POLICY);
    failTimes(throttle, "198.51.100.7", 50);
    expect(throttle.check("198.51.100.7", 99_999).refused).toBe(true);
    expect(throttle.check("198.51.100.7", 500_000)).toEqual({ refused: false });
    expect(throttle.recordFailure("198.51.100.7", 500_000)).toBe(0);
  });

  it("lets a persistent guesser through at the drain rate only", () => {
    const throttle = new FailureThrottle(POLICY);
    let tries = 0;
    for (let now = 0; now < 100_000; now += 250) {
      if (throttle.check("198.51.100.7", now).refused) continue;
      throttle.recordFailure("198.51.100.7", now);
      tries++;
    }
    // The first 10 at once, then one per 10 s drained.
    expect(tries).toBeGreaterThanOrEqual(18);
    expect(tries).toBeLessThanOrEqual(20);
  });
});

describe("sourceKey", () => {
  it("keeps IPv4 addresses whole, IPv4-mapped ones included", () => {
    expect(sourceKey("203.0.113.9")).toBe("203.0.113.9");
    expect(sourceKey("::ffff:203.0.113.9")).toBe("203.0.113.9");
  });

  it("groups IPv6 addresses by their /64 network", () => {
    expect(sourceKey("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(sourceKey("2001:0db8:0001:0002:ffff:ffff:ffff:ffff")).toBe("2001:db8:1:2::/64");
    expect(sourceKey("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(sourceKey("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
  });

  it("puts unknown and malformed addresses in one shared count", () => {
    expect(sourceKey(null)).toBe("unknown");
    expect(sourceKey("not an address")).toBe("unknown");
    expect(sourceKey("999.1.1.1")).toBe("unknown");
  });
});
