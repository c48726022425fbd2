import { describe, expect, it } from "vitest";
import { deferredAttemptAt, nextAttemptAt, parseRetryAfter, RETRY_WINDOW_SECONDS, webhookPauseSeconds } from "./retry-schedule";

const first = new Date("2026-01-01T00:00:00Z");
const at = (seconds: number) => new Date(first.getTime() + seconds * 1000);
const noJitter = () => 0;

describe("nextAttemptAt", () => {
  it("follows 1 min, 5 min, 30 min, 2 h, 8 h, then every 8 h, ending exactly at 24 h", () => {
    const times: number[] = [0];
    let now = first;
    for (let attempts = 1; attempts < 20; attempts++) {
      const next = nextAttemptAt({ firstAttemptAt: first, attemptsMade: attempts, now, random: noJitter });
      if (!next) break;
      times.push((next.getTime() - first.getTime()) / 1000);
      now = next;
    }
    expect(times).toEqual([0, 60, 360, 2160, 9360, 38160, 66960, RETRY_WINDOW_SECONDS]);
  });

  it("gives up once the 24 h mark has been tried", () => {
    expect(nextAttemptAt({ firstAttemptAt: first, attemptsMade: 8, now: at(RETRY_WINDOW_SECONDS), random: noJitter })).toBeNull();
  });

  it("adds at most 10 % jitter and never retries early", () => {
    const late = nextAttemptAt({ firstAttemptAt: first, attemptsMade: 1, now: first, random: () => 0.999 })!;
    expect(late.getTime() - first.getTime()).toBeGreaterThanOrEqual(60_000);
    expect(late.getTime() - first.getTime()).toBeLessThan(66_000);
  });

  it("waits at least Retry-After when it is longer than the step", () => {
    const next = nextAttemptAt({ firstAttemptAt: first, attemptsMade: 1, now: first, retryAfterSeconds: 120, random: noJitter });
    expect(next).toEqual(at(120));
  });

  it("keeps the step when Retry-After is shorter", () => {
    const next = nextAttemptAt({ firstAttemptAt: first, attemptsMade: 2, now: at(60), retryAfterSeconds: 30, random: noJitter });
    expect(next).toEqual(at(360));
  });

  it("caps a long Retry-After at the 24 h mark", () => {
    const next = nextAttemptAt({ firstAttemptAt: first, attemptsMade: 6, now: at(66960), retryAfterSeconds: 86_000, random: noJitter });
    expect(next).toEqual(at(RETRY_WINDOW_SECONDS));
  });
});

describe("parseRetryAfter", () => {
  const now = new Date("2026-01-01T00:00:00Z");

  it.each([
    ["120", 120],
    ["30", 30],
    ["6457", 6457],
    ["Thu, 01 Jan 2026 00:10:00 GMT", 600],
    ["Thursday, 01-Jan-26 00:10:00 GMT", 600],
    ["Thu Jan  1 00:10:00 2026", 600],
    [" 120 ", 120],
  ])("reads %s as %i seconds", (value, seconds) => {
    expect(parseRetryAfter(value, now)).toBe(seconds);
  });

  it.each([
    ["86400000"],
    ["-5"],
    ["abc"],
    ["1.5"],
    [""],
    ["Wed, 31 Dec 2025 23:00:00 GMT"],
    ["Fri, 02 Jan 2026 00:00:01 GMT"],
    ["Thu, 01 Jan 2026 00:10:00 +0100"],
    ["2026-01-01T00:10:00Z"],
    ["99999999999"],
  ])(
    "ignores %s",
    (value) => {
      expect(parseRetryAfter(value, now)).toBeNull();
    },
  );

  it("ignores an absent header", () => {
    expect(parseRetryAfter(undefined, now)).toBeNull();
  });
});

describe("webhookPauseSeconds", () => {
  it.each([
    [429, 120, 120],
    [429, null, 60],
    [429, 6457, 3600],
    [503, 30, 30],
  ])("pauses the webhook after HTTP %i with Retry-After %s for %i s", (status, retryAfter, seconds) => {
    expect(webhookPauseSeconds(status, retryAfter)).toBe(seconds);
  });

  it.each([
    [503, null],
    [500, 120],
    [429, 0],
  ])("does not pause after HTTP %i with Retry-After %s", (status, retryAfter) => {
    expect(webhookPauseSeconds(status, retryAfter)).toBeNull();
  });
});

describe("deferredAttemptAt", () => {
  it("moves an attempt to the end of the pause", () => {
    expect(deferredAttemptAt({ pausedUntil: at(600), firstAttemptAt: null, now: at(60) })).toEqual(at(600));
  });

  it("lets an attempt go once the pause is over", () => {
    expect(deferredAttemptAt({ pausedUntil: at(60), firstAttemptAt: first, now: at(60) })).toBeNull();
    expect(deferredAttemptAt({ pausedUntil: null, firstAttemptAt: first, now: at(60) })).toBeNull();
  });

  it("never pushes an attempt past the 24 h mark", () => {
    const lastStep = RETRY_WINDOW_SECONDS - 300;
    expect(deferredAttemptAt({ pausedUntil: at(RETRY_WINDOW_SECONDS + 3000), firstAttemptAt: first, now: at(lastStep) })).toEqual(
      at(RETRY_WINDOW_SECONDS),
    );
  });

  it("makes the 24 h attempt during a pause", () => {
    expect(deferredAttemptAt({ pausedUntil: at(RETRY_WINDOW_SECONDS + 600), firstAttemptAt: first, now: at(RETRY_WINDOW_SECONDS) })).toBeNull();
  });
});
