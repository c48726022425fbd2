/**
 * The "Success, 24 h" figure of the webhook list and the webhook page, from the
 * `last_24h` counts of GET /v1/webhooks. The API leaves the rate null when no
 * delivery was attempted, which is the case both for a quiet webhook and for
 * one whose deliveries are all pending or held, and the two must read
 * differently.
 */
import type { Webhook } from "./api-client";

export type LastDayCounts = Webhook["delivery_stats"]["last_24h"];

export type SuccessRateFigure =
  | { kind: "no-deliveries" }
  | { kind: "none-attempted"; waiting: number }
  | { kind: "rate"; rate: number; succeeded: number; attempted: number; tone: "good" | "fair" | "poor" };

/** Chooses how the last 24 hours read: no deliveries, deliveries that all wait, or the rate with its tone. */
export function successRateFigure(counts: LastDayCounts): SuccessRateFigure {
  if (counts.success_rate === null) {
    return counts.waiting > 0 ? { kind: "none-attempted", waiting: counts.waiting } : { kind: "no-deliveries" };
  }
  let tone: "good" | "fair" | "poor" = "poor";
  if (counts.success_rate >= 0.99) tone = "good";
  else if (counts.success_rate >= 0.9) tone = "fair";
  return {
    kind: "rate",
    rate: counts.success_rate,
    succeeded: counts.succeeded,
    attempted: counts.succeeded + counts.failed + counts.retrying,
    tone,
  };
}
