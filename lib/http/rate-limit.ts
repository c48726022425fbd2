/**
 * Per-caller request limits, as token buckets: a bucket contains `capacity`
 * requests and refills at capacity / windowSeconds per second, so a caller
 * may burst up to the capacity and then keep to the average rate. Buckets
 * live in the memory of each web process: with several processes behind a
 * load balancer a caller gets the limit once per process.
 */
export interface RateLimit {
  // Operations naming the same bucket share it, such as the GET and POST forms of one action.
  bucket: string;
  capacity: number;
  windowSeconds: number;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  updatedAt: number;
}

// Bounds memory under many distinct callers; full buckets carry no state worth keeping and go first.
const MAX_BUCKETS = 50_000;

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  /** Takes one request from the caller's bucket at `nowMs`, or returns how long to wait. */
  take(caller: string, limit: RateLimit, nowMs: number): RateDecision {
    const key = `${limit.bucket}\u0000${caller}`;
    const ratePerMs = limit.capacity / (limit.windowSeconds * 1000);
    const bucket = this.buckets.get(key) ?? { tokens: limit.capacity, updatedAt: nowMs };
    bucket.tokens = Math.min(limit.capacity, bucket.tokens + Math.max(0, nowMs - bucket.updatedAt) * ratePerMs);
    bucket.updatedAt = nowMs;
    if (bucket.tokens < 1) {
      this.buckets.set(key, bucket);
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / ratePerMs / 1000)) };
    }
    bucket.tokens -= 1;
    this.buckets.set(key, bucket);
    if (this.buckets.size > MAX_BUCKETS) this.prune(nowMs, limit);
    return { allowed: true };
  }

  private prune(nowMs: number, limit: RateLimit): void {
    // A bucket idle for a whole window has refilled completely, so forgetting it changes nothing.
    for (const [key, bucket] of this.buckets) {
      if (nowMs - bucket.updatedAt >= limit.windowSeconds * 1000) this.buckets.delete(key);
    }
    // Still too many: drop the oldest, which at worst lets those callers start over with a full bucket.
    for (const key of this.buckets.keys()) {
      if (this.buckets.size <= MAX_BUCKETS) break;
      this.buckets.delete(key);
    }
  }
}

/** Limits of the API, by kind of operation. Reads and event publishing have none: the daily cap governs deliveries. */
export const RATE_LIMITS = {
  webhookWrites: { bucket: "webhook-writes", capacity: 60, windowSeconds: 60 },
  testDeliveries: { bucket: "test-deliveries", capacity: 10, windowSeconds: 60 },
  replays: { bucket: "replays", capacity: 60, windowSeconds: 60 },
} as const satisfies Record<string, RateLimit>;
