import type { AttemptTrigger } from "../dispatch/queue";
import { nextAttemptAt } from "../retry-schedule";
import type { Verdict } from "./verdict";

export type DeliveryStatus = "pending" | "retrying" | "succeeded" | "failed" | "held";

export interface DeliveryState {
  status: DeliveryStatus;
  firstAttemptAt: Date | null;
  nextAttemptAt: Date | null;
  completedAt: Date | null;
}

export interface AttemptFacts {
  trigger: AttemptTrigger;
  verdict: Verdict;
  startedAt: Date;
  endedAt: Date;
  // For automatic attempts: which one this was (1 for the first), which picks the retry step.
  automaticAttempt?: number;
  random?: () => number;
}

export interface Transition {
  state: DeliveryState;
  // The delivery reached succeeded or failed with this attempt, which lets the next one of its ordering key go.
  finished: boolean;
  // Number of the automatic attempt to queue at state.nextAttemptAt, if one was planned.
  nextAutomaticAttempt: number | null;
}

const OPEN: readonly DeliveryStatus[] = ["pending", "retrying"];

/**
 * Computes a delivery's state after one attempt. Automatic attempts follow the
 * retry schedule. A test delivery gets one attempt, which decides its status.
 * A replay never reschedules: a success ends an open delivery (and replaces an
 * earlier failure), a failure leaves the delivery as it was.
 */
export function afterAttempt(current: DeliveryState, facts: AttemptFacts): Transition {
  const open = OPEN.includes(current.status);
  if (facts.trigger === "test" && current.status === "pending") {
    const status = facts.verdict.succeeded ? "succeeded" : "failed";
    return { state: { ...current, status, nextAttemptAt: null, completedAt: facts.endedAt }, finished: false, nextAutomaticAttempt: null };
  }
  if (facts.trigger !== "automatic") {
    if (facts.verdict.succeeded && current.status !== "succeeded") {
      return {
        state: { ...current, status: "succeeded", nextAttemptAt: null, completedAt: facts.endedAt },
        finished: open || current.status === "held",
        nextAutomaticAttempt: null,
      };
    }
    return { state: current, finished: false, nextAutomaticAttempt: null };
  }

  const firstAttemptAt = current.firstAttemptAt ?? facts.startedAt;
  if (facts.verdict.succeeded) {
    return {
      state: { status: "succeeded", firstAttemptAt, nextAttemptAt: null, completedAt: facts.endedAt },
      finished: true,
      nextAutomaticAttempt: null,
    };
  }
  const attemptNumber = facts.automaticAttempt ?? 1;
  const next = facts.verdict.final
    ? null
    : nextAttemptAt({
        firstAttemptAt,
        attemptsMade: attemptNumber,
        now: facts.endedAt,
        retryAfterSeconds: facts.verdict.retryAfterSeconds,
        random: facts.random,
      });
  if (next === null) {
    return {
      state: { status: "failed", firstAttemptAt, nextAttemptAt: null, completedAt: facts.endedAt },
      finished: true,
      nextAutomaticAttempt: null,
    };
  }
  return {
    state: { status: "retrying", firstAttemptAt, nextAttemptAt: next, completedAt: null },
    finished: false,
    nextAutomaticAttempt: attemptNumber + 1,
  };
}
