/**
 * The window of the daily delivery cap: a UTC calendar day, from 00:00:00.000
 * up to (not including) the next 00:00:00.000 UTC. Usage is kept per UTC hour,
 * so a day is the sum of its 24 hours.
 */
export const HOUR_MS = 60 * 60 * 1000;
export const DAY_MS = 24 * HOUR_MS;

// Share of the cap at which the owner is warned, once per crossing.
export const WARNING_RATIO = 0.8;

/** Returns the start of the UTC day that contains `time`. */
export function utcDayStart(time: Date): Date {
  return new Date(Math.floor(time.getTime() / DAY_MS) * DAY_MS);
}

/** Returns the start of the next UTC day, when the cap resets. */
export function nextUtcDayStart(time: Date): Date {
  return new Date(utcDayStart(time).getTime() + DAY_MS);
}

/** Returns the start of the UTC hour that contains `time`: the usage bucket it counts in. */
export function utcHourStart(time: Date): Date {
  return new Date(Math.floor(time.getTime() / HOUR_MS) * HOUR_MS);
}

/** Returns the whole seconds from `now` until `time`, rounded up and at least 1, for a Retry-After header. */
export function secondsUntil(time: Date, now: Date): number {
  return Math.max(1, Math.ceil((time.getTime() - now.getTime()) / 1000));
}

/** Returns how many counted deliveries reach the warning threshold of `cap`. */
export function warningThreshold(cap: number): number {
  return Math.ceil(cap * WARNING_RATIO);
}

/**
 * How much of its cap a webhook has used today: `ok`, `warning` from 80 % of
 * the cap, and `reached` once it has used the whole cap. From then on new
 * deliveries are held and changes to the webhook are rejected with 429.
 */
export type CapState = "ok" | "warning" | "reached";

export function capState(used: number, cap: number): CapState {
  if (used >= cap) return "reached";
  if (used >= warningThreshold(cap)) return "warning";
  return "ok";
}

/**
 * Returns the thresholds that counting from `before` to `after` deliveries
 * crossed, in order. Each crossing is audited once; a day that starts again
 * from zero can cross them again.
 */
export function crossedThresholds(before: number, after: number, cap: number): Array<"warning" | "reached"> {
  const crossed: Array<"warning" | "reached"> = [];
  const warning = warningThreshold(cap);
  if (before < warning && after >= warning && warning < cap) crossed.push("warning");
  if (before < cap && after >= cap) crossed.push("reached");
  return crossed;
}
