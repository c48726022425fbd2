/**
 * When to try a failed delivery again: 1 min, 5 min, 30 min, 2 h, 8 h after
 * each failed attempt, then every 8 h, with the last attempt exactly 24 h after
 * the first. After that the delivery is given up (`failed`).
 */
export const RETRY_DELAYS_SECONDS = [60, 300, 1800, 7200, 28800] as const;
export const RETRY_WINDOW_SECONDS = 24 * 60 * 60;
// Jitter only delays, never hastens, and adds at most this share of the step.
export const MAX_JITTER_RATIO = 0.1;

export interface RetryInput {
  // Time of the delivery's first attempt; the 24 h window runs from here.
  firstAttemptAt: Date;
  // Number of attempts made so far, the failed one included (1 after the first failure).
  attemptsMade: number;
  // Time the failed attempt ended.
  now: Date;
  // Seconds from a valid Retry-After header of a 429 or 503 answer.
  retryAfterSeconds?: number | null;
  // Source of randomness in [0, 1) for jitter; tests pass () => 0.
  random?: () => number;
}

/** Returns when to make the next attempt, or null when the delivery must be given up. */
export function nextAttemptAt(input: RetryInput): Date | null {
  const deadline = input.firstAttemptAt.getTime() + RETRY_WINDOW_SECONDS * 1000;
  const now = input.now.getTime();
  if (now >= deadline) return null;
  const lastStep = RETRY_DELAYS_SECONDS[RETRY_DELAYS_SECONDS.length - 1]!;
  const stepSeconds = RETRY_DELAYS_SECONDS[input.attemptsMade - 1] ?? lastStep;
  const jitter = Math.floor(stepSeconds * 1000 * MAX_JITTER_RATIO * (input.random ?? Math.random)());
  let next = now + stepSeconds * 1000 + jitter;
  if (input.retryAfterSeconds != null && input.retryAfterSeconds > 0) {
    next = Math.max(next, now + input.retryAfterSeconds * 1000);
  }
  return new Date(Math.min(next, deadline));
}

// A 429 pauses the whole webhook for its Retry-After, or for this long when it carries none or an unusable one.
export const DEFAULT_WEBHOOK_PAUSE_SECONDS = 60;
// One response never pauses a whole webhook for longer than this, but the throttled delivery itself still waits its full Retry-After.
export const MAX_WEBHOOK_PAUSE_SECONDS = 60 * 60;

/**
 * Returns how many seconds a throttling response pauses every delivery of its
 * webhook, or null when it pauses nothing beyond its own delivery. A 429 always
 * pauses. A 503 pauses only with a usable Retry-After, since without one it is
 * an ordinary server error.
 */
export function webhookPauseSeconds(status: number, retryAfterSeconds: number | null): number | null {
  if (status !== 429 && status !== 503) return null;
  if (retryAfterSeconds !== null) return retryAfterSeconds > 0 ? Math.min(retryAfterSeconds, MAX_WEBHOOK_PAUSE_SECONDS) : null;
  return status === 429 ? DEFAULT_WEBHOOK_PAUSE_SECONDS : null;
}

/**
 * Returns when an attempt that came due while its webhook is paused should be
 * made instead, or null to make it now. The pause never pushes an attempt past
 * the end of its delivery's 24 h window: the last attempt keeps its time.
 */
export function deferredAttemptAt(input: { pausedUntil: Date | null; firstAttemptAt: Date | null; now: Date }): Date | null {
  if (!input.pausedUntil || input.pausedUntil.getTime() <= input.now.getTime()) return null;
  if (!input.firstAttemptAt) return input.pausedUntil;
  const deadline = input.firstAttemptAt.getTime() + RETRY_WINDOW_SECONDS * 1000;
  if (deadline <= input.now.getTime()) return null;
  return new Date(Math.min(deadline, input.pausedUntil.getTime()));
}

// A Retry-After of more than a day is a misreading (milliseconds sent as seconds, for one); it falls back to the schedule.
const MAX_RETRY_AFTER_SECONDS = RETRY_WINDOW_SECONDS;

// The three HTTP-date forms a recipient must accept (RFC 9110, section 5.6.7): IMF-fixdate, RFC 850 and asctime.
const IMF_FIXDATE = /^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/;
const RFC_850_DATE = /^[A-Za-z]{6,9}, \d{2}-[A-Za-z]{3}-\d{2} \d{2}:\d{2}:\d{2} GMT$/;
const ASCTIME_DATE = /^[A-Za-z]{3} [A-Za-z]{3} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/;

/**
 * Parses a Retry-After header value: delay-seconds (digits only) or an HTTP-date.
 * Returns the wait in whole seconds, or null for a missing, invalid, negative,
 * fractional or absurd value, which then leaves the normal schedule in charge.
 */
export function parseRetryAfter(value: string | null | undefined, now: Date): number | null {
  if (value == null) return null;
  const text = value.trim();
  if (/^\d{1,10}$/.test(text)) {
    const seconds = Number(text);
    return seconds <= MAX_RETRY_AFTER_SECONDS ? seconds : null;
  }
  let date: number;
  if (IMF_FIXDATE.test(text) || RFC_850_DATE.test(text)) date = Date.parse(text);
  // asctime carries no zone but is always UTC; without one, Date.parse would read it as local time.
  else if (ASCTIME_DATE.test(text)) date = Date.parse(`${text} GMT`);
  else return null;
  if (Number.isNaN(date)) return null;
  const seconds = Math.ceil((date - now.getTime()) / 1000);
  if (seconds <= 0 || seconds > MAX_RETRY_AFTER_SECONDS) return null;
  return seconds;
}
