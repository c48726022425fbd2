/**
 * A webhook's health, derived from a few facts kept on its row as attempts are
 * recorded: when the current run of failures began (`failing_since`), how many
 * attempts failed since the last success (`consecutive_failures`) and when the
 * last one failed. docs/delivery.md explains the thresholds.
 *
 * - healthy: no failed attempt in the last hour.
 * - degraded: a failed attempt in the last hour, or a run of failures that has
 *   not yet reached the failing thresholds.
 * - failing: no success for at least FAILING_AFTER_MS, with at least
 *   FAILING_MIN_CONSECUTIVE failed attempts in a row.
 * - warned: failing, and less than WARNING_BEFORE_MS from being disabled.
 * - disabled: switched off, by the platform (with a cause) or by an admin.
 *
 * Every attempt counts, whatever triggered it: a test or a replay that
 * succeeds shows the endpoint works again. A throttling answer (429, or 503
 * with Retry-After) counts neither way, because the receiver is up and
 * requests that we slow down.
 */

export const DEGRADED_WINDOW_MS = 60 * 60 * 1000;
export const FAILING_AFTER_MS = 60 * 60 * 1000;
export const FAILING_MIN_CONSECUTIVE = 5;
export const DISABLE_AFTER_MS = 5 * 24 * 60 * 60 * 1000;
export const WARNING_BEFORE_MS = 24 * 60 * 60 * 1000;

export type HealthState = "healthy" | "degraded" | "failing" | "warned" | "disabled";

/** Rules by which the platform switches a webhook off. */
export type DisabledCause = "gone" | "failing";

export const DISABLED_REASONS: Record<DisabledCause, string> = {
  gone: "The receiver answered HTTP 410 Gone to every attempt of a delivery for 24 hours",
  failing: "No delivery succeeded for 5 days",
};

export interface HealthFacts {
  enabled: boolean;
  disabledCause: string | null;
  failingSince: Date | null;
  consecutiveFailures: number;
  lastFailureAt: Date | null;
}

export interface Health {
  state: HealthState;
  failingSince: Date | null;
  consecutiveFailures: number;
  // When the worker switches the webhook off unless an attempt succeeds first; null unless failing or warned.
  disableAt: Date | null;
  // The platform rule that switched the webhook off; null while enabled, and when an admin switched it off.
  disabledCause: DisabledCause | null;
}

function isDisabledCause(value: string | null): value is DisabledCause {
  return value === "gone" || value === "failing";
}

function isFailing(facts: HealthFacts, now: Date): facts is HealthFacts & { failingSince: Date } {
  return (
    facts.failingSince !== null &&
    now.getTime() - facts.failingSince.getTime() >= FAILING_AFTER_MS &&
    facts.consecutiveFailures >= FAILING_MIN_CONSECUTIVE
  );
}

/** Derives the health a webhook shows at `now` from the facts on its row. */
export function deriveHealth(facts: HealthFacts, now: Date): Health {
  const base = { failingSince: facts.failingSince, consecutiveFailures: facts.consecutiveFailures, disableAt: null, disabledCause: null };
  if (!facts.enabled) return { ...base, state: "disabled", disabledCause: isDisabledCause(facts.disabledCause) ? facts.disabledCause : null };
  if (isFailing(facts, now)) {
    const disableAt = new Date(facts.failingSince.getTime() + DISABLE_AFTER_MS);
    const warned = disableAt.getTime() - now.getTime() <= WARNING_BEFORE_MS;
    return { ...base, state: warned ? "warned" : "failing", disableAt };
  }
  const recentFailure = facts.lastFailureAt !== null && now.getTime() - facts.lastFailureAt.getTime() < DEGRADED_WINDOW_MS;
  if (recentFailure || facts.failingSince !== null) return { ...base, state: "degraded" };
  return { ...base, state: "healthy" };
}

/** Whether the worker should switch the webhook off now: failing for DISABLE_AFTER_MS with no success. */
export function isDueForDisabling(facts: HealthFacts, now: Date): boolean {
  return facts.enabled && isFailing(facts, now) && now.getTime() - facts.failingSince.getTime() >= DISABLE_AFTER_MS;
}

/** Returns the latest `failing_since` of a webhook due for disabling at `now`, for the sweep's index scan. */
export function disablingCutoff(now: Date): Date {
  return new Date(now.getTime() - DISABLE_AFTER_MS);
}

export interface AttemptOutcome {
  subscriptionId: string;
  // null for a throttling response, which counts neither as a success nor as a failure.
  succeeded: boolean | null;
  startedAt: Date;
  endedAt: Date;
}

/**
 * The change a batch of attempts makes to one webhook's row. With `reset`, a
 * success in the batch ends the run of failures on the row, and `failures`
 * and `failingSince` describe the run that followed it (none when the success
 * came last). Without it, they extend the row's run.
 */
export interface HealthChange {
  subscriptionId: string;
  reset: boolean;
  failures: number;
  failingSince: Date | null;
  lastFailureAt: Date | null;
}

/**
 * Folds a batch of attempt outcomes, in the order they ended, into one change
 * per webhook, so recording a batch writes each webhook's row once.
 */
export function foldHealthChanges(outcomes: readonly AttemptOutcome[]): HealthChange[] {
  const changes = new Map<string, HealthChange>();
  const ordered = [...outcomes].sort((a, b) => a.endedAt.getTime() - b.endedAt.getTime());
  for (const outcome of ordered) {
    if (outcome.succeeded === null) continue;
    let change = changes.get(outcome.subscriptionId);
    if (!change) {
      change = { subscriptionId: outcome.subscriptionId, reset: false, failures: 0, failingSince: null, lastFailureAt: null };
      changes.set(outcome.subscriptionId, change);
    }
    if (outcome.succeeded) {
      change.reset = true;
      change.failures = 0;
      change.failingSince = null;
      continue;
    }
    change.failures += 1;
    change.failingSince ??= outcome.startedAt;
    change.lastFailureAt = outcome.endedAt;
  }
  return [...changes.values()].sort((a, b) => a.subscriptionId.localeCompare(b.subscriptionId));
}
