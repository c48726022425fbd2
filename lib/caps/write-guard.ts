import type pg from "pg";
import type { Principal } from "../auth/principal";
import { type DailyCapRejection, problems } from "../http/problem";
import { type DailyCapStatus, dailyCapStatus } from "./usage-counters";
import { nextUtcDayStart, secondsUntil } from "./window";

/**
 * Sustained excess shows on the API: while a webhook has used its daily cap,
 * two kinds of request are rejected with 429 and Retry-After until the cap
 * resets at the next UTC midnight.
 *
 * - Changes to the subscription itself: its URL, event types or description.
 * - A replay of a delivery never counted against the cap (one the cap holds,
 *   or gave up after holding it for 24 hours). Sending it would deliver an
 *   event beyond the cap without counting it, so it waits for the cap's own
 *   ways out: the reset, a higher daily_cap, or release-held, which counts it.
 *
 * Everything else stays open. Publishing events is never rejected. Setting
 * daily_cap or enabled, releasing held deliveries, revoking a secret and
 * deleting are how an admin lifts the cap or stops deliveries. Rotating the
 * signing secret is the response to a leaked secret, which cannot wait for
 * midnight.
 * Test deliveries and replays of counted deliveries do not count against the
 * cap, and each has its own rate limit.
 */
type Queryable = Pick<pg.PoolClient, "query">;

/** Throws a 429 problem when the caller's webhook has used its cap for the current UTC day, for a change to its URL, events or description. */
export async function assertChangeWithinDailyCap(client: Queryable, principal: Principal, subscriptionId: string, now: Date): Promise<void> {
  const status = (await dailyCapStatus(client, [subscriptionId], now)).get(subscriptionId);
  rejectOverCap(status, principal, now, { kind: "change" });
}

/** Throws a 429 problem when the caller's webhook has used its cap for the current UTC day and the delivery was never counted against it. */
export async function assertReplayWithinDailyCap(
  client: Queryable,
  principal: Principal,
  subscriptionId: string,
  deliveryId: string,
  now: Date,
): Promise<void> {
  const status = (await dailyCapStatus(client, [subscriptionId], now, [deliveryId])).get(subscriptionId);
  if (!status?.uncounted.includes(deliveryId)) return;
  rejectOverCap(status, principal, now, { kind: "replay", deliveryId });
}

// A webhook of another organisation, or none, passes, so the caller responds 404 as usual without this revealing anything.
function rejectOverCap(status: DailyCapStatus | undefined, principal: Principal, now: Date, rejected: DailyCapRejection): void {
  if (!status || status.organizationId !== principal.organizationId || status.used < status.cap) return;
  const resetsAt = nextUtcDayStart(now);
  throw problems.dailyCapReached({
    webhookId: status.subscriptionId,
    used: status.used,
    cap: status.cap,
    resetsAt,
    retryAfterSeconds: secondsUntil(resetsAt, now),
    caller: principal.via,
    rejected,
  });
}
