/**
 * The time the web app acts on. Production reads the system clock; tests that
 * drive time forward point it at the same pg-boss TestClock the worker uses, so
 * the API, the worker and the job queue agree on "now".
 */
import { setTimeout as sleep } from "node:timers/promises";

export interface TimeSource {
  now(): number;
  // Waits out a deliberate delay, such as the slowed response to a wrong password. The system clock sleeps.
  pause?(ms: number): Promise<void>;
}

let source: TimeSource = { now: () => Date.now() };

/** Returns the current time. */
export function currentTime(): Date {
  return new Date(source.now());
}

/** Waits `ms` milliseconds of the time source's time. */
export function pause(ms: number): Promise<void> {
  return source.pause ? source.pause(ms) : sleep(ms).then(() => undefined);
}

/** Replaces the time source (tests only); pass null to go back to the system clock. */
export function setTimeSource(next: TimeSource | null): void {
  source = next ?? { now: () => Date.now() };
}
