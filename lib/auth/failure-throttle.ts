import { ipv6Groups, isIPv4 } from "../ip-address";

/**
 * Slows, then rejects, credential guessing from one source. Each failed API
 * key or password from a source adds one to its count, and the count drains
 * at a steady rate. Past `freeFailures`, the response to every further failure
 * is delayed, longer each time. At `refuseAt` failures the source is rejected
 * outright, right credentials included, until enough has drained. So a guesser
 * gets a few tries at full speed and then about one try per
 * `windowMs / refuseAt`. The owner of the credentials, from another address, is
 * never held back, and even a shared address recovers by itself.
 */
export interface ThrottlePolicy {
  freeFailures: number;
  refuseAt: number;
  windowMs: number;
  delayStepMs: number;
  maxDelayMs: number;
}

export const API_KEY_FAILURES: ThrottlePolicy = { freeFailures: 10, refuseAt: 50, windowMs: 10 * 60 * 1000, delayStepMs: 200, maxDelayMs: 3000 };
export const PASSWORD_FAILURES: ThrottlePolicy = { freeFailures: 5, refuseAt: 20, windowMs: 15 * 60 * 1000, delayStepMs: 500, maxDelayMs: 5000 };

export type ThrottleDecision = { refused: false } | { refused: true; retryAfterSeconds: number };

// Beyond this many sources the ones that drained longest ago are forgotten first, so memory stays bounded under a flood of addresses.
const MAX_SOURCES = 100_000;

interface Count {
  failures: number;
  at: number;
}

export class FailureThrottle {
  private readonly counts = new Map<string, Count>();

  constructor(private readonly policy: ThrottlePolicy) {}

  /** Rejects a source whose count has reached the limit. Call it before checking the credentials. */
  check(source: string | null, now: number): ThrottleDecision {
    // Rejected while one more failure would take the count past the limit.
    const excess = this.current(sourceKey(source), now) - (this.policy.refuseAt - 1);
    if (excess <= 0) return { refused: false };
    const drainMs = (excess * this.policy.windowMs) / this.policy.refuseAt;
    return { refused: true, retryAfterSeconds: Math.max(1, Math.ceil(drainMs / 1000)) };
  }

  /** Counts a failure and returns how many milliseconds to delay the response to it. */
  recordFailure(source: string | null, now: number): number {
    const key = sourceKey(source);
    const failures = this.current(key, now) + 1;
    this.counts.delete(key);
    this.counts.set(key, { failures, at: now });
    if (this.counts.size > MAX_SOURCES) this.counts.delete(this.counts.keys().next().value!);
    const excess = failures - this.policy.freeFailures;
    return excess > 0 ? Math.min(this.policy.maxDelayMs, excess * this.policy.delayStepMs) : 0;
  }

  private current(key: string, now: number): number {
    const count = this.counts.get(key);
    if (!count) return 0;
    const drained = ((now - count.at) * this.policy.refuseAt) / this.policy.windowMs;
    const failures = count.failures - Math.max(0, drained);
    if (failures <= 0) {
      this.counts.delete(key);
      return 0;
    }
    return failures;
  }
}

/**
 * Returns the unit a count is kept for: an IPv4 address, or the /64 network of
 * an IPv6 address, because one host often owns a whole /64 and could otherwise
 * change address at every try. Requests whose address is unknown share one count.
 */
export function sourceKey(address: string | null): string {
  if (!address) return "unknown";
  const mappedV4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mappedV4 && isIPv4(mappedV4[1]!)) return mappedV4[1]!;
  if (isIPv4(address)) return address;
  const groups = ipv6Groups(address.split("%")[0]!);
  if (!groups) return "unknown";
  return `${groups.slice(0, 4).map((group) => group.toString(16)).join(":")}::/64`;
}
