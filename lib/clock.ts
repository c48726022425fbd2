/**
 * The time the web app acts on. Production reads the system clock; tests that
 * drive time forward point it at the same pg-boss TestClock the worker uses, so
 * the API, the worker and the job queue agree on "now".
 */
export interface TimeSource {
  now(): number;
}

let source: TimeSource = { now: () => Date.now() };

/** Returns the current time. */
export function currentTime(): Date {
  return new Date(source.now());
}

/** Replaces the time source (tests only); pass null to go back to the system clock. */
export function setTimeSource(next: TimeSource | null): void {
  source = next ?? { now: () => Date.now() };
}
