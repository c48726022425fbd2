import { describe, expect, it } from "vitest";
import { RateLimiter } from "./rate-limit";

const LIMIT = { bucket: "test", capacity: 3, windowSeconds: 60 };

describe("RateLimiter", () => {
  it("allows a burst up to the capacity", () => {
    const limiter = new RateLimiter();
    const decisions = Array.from({ length: 4 }, () => limiter.take("key_a", LIMIT, 0));
    expect(decisions.map((decision) => decision.allowed)).toEqual([true, true, true, false]);
  });

  it("says when the next request is allowed", () => {
    const limiter = new RateLimiter();
    for (let index = 0; index < 3; index++) limiter.take("key_a", LIMIT, 0);
    expect(limiter.take("key_a", LIMIT, 0)).toEqual({ allowed: false, retryAfterSeconds: 20 });
  });

  it("refills at the average rate", () => {
    const limiter = new RateLimiter();
    for (let index = 0; index < 3; index++) limiter.take("key_a", LIMIT, 0);
    expect(limiter.take("key_a", LIMIT, 19_999).allowed).toBe(false);
    expect(limiter.take("key_a", LIMIT, 40_000).allowed).toBe(true);
  });

  it("keeps callers and buckets apart", () => {
    const limiter = new RateLimiter();
    for (let index = 0; index < 3; index++) limiter.take("key_a", LIMIT, 0);
    expect(limiter.take("key_b", LIMIT, 0).allowed).toBe(true);
    expect(limiter.take("key_a", { ...LIMIT, bucket: "other" }, 0).allowed).toBe(true);
  });

  it("never holds more than the capacity after a long pause", () => {
    const limiter = new RateLimiter();
    limiter.take("key_a", LIMIT, 0);
    const later = 10 * 60 * 1000;
    const decisions = Array.from({ length: 4 }, () => limiter.take("key_a", LIMIT, later));
    expect(decisions.map((decision) => decision.allowed)).toEqual([true, true, true, false]);
  });
});
