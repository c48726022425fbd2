/**
 * The window a published event's `occurred_at` must fall in, measured from the
 * time the API receives the event. Receivers get the value as the envelope's
 * `timestamp`, "when the event happened", and SIEMs file events by it.
 *
 * - At most 5 minutes ahead, for clocks that run a little fast. That is the
 *   same allowance receivers give the signature's timestamp. An event cannot
 *   have happened later than it was published.
 * - At most 7 days back, so a producer that queued events through an outage
 *   of the API (a long weekend, with margin) can still publish them with their
 *   true times. Older times are almost always a zero value (0001-01-01,
 *   1970-01-01) or a wrong year, and a receiver would file them where no one
 *   looks.
 */
export const OCCURRED_AT_MAX_AHEAD_MS = 5 * 60 * 1000;
export const OCCURRED_AT_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;

/** Returns why `occurredAt` is outside the window around `now`, or null when it is inside. */
export function occurredAtProblem(occurredAt: Date, now: Date): string | null {
  const occurredText = occurredAt.toISOString();
  if (occurredAt.getTime() > now.getTime() + OCCURRED_AT_MAX_AHEAD_MS) {
    return (
      `The time ${occurredText} is more than 5 minutes after the time of the request (${now.toISOString()}): ` +
      "send the time the event happened, check the producer's clock, or leave occurred_at out to use the time of the request"
    );
  }
  if (occurredAt.getTime() < now.getTime() - OCCURRED_AT_MAX_AGE_MS) {
    return (
      `The time ${occurredText} is more than 7 days before the time of the request (${now.toISOString()}): ` +
      "events must be published within 7 days of when they happened. Check the producer's clock and the year"
    );
  }
  return null;
}
