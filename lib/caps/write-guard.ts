import type pg from "pg";
import type { Principal } from "../auth/principal";
import { problems } from "../http/problem";
import { dailyCapStatus } from "./usage-counters";
import { nextUtcDayStart, secondsUntil } from "./window";

/**
 * Sustained excess shows on the API: while a webhook has used its daily cap,
 * changes to it (update, rotate, test, replay) are rejected with 429 and
 * Retry-After until the cap resets at the next UTC midnight. Publishing events is never
 * refused, and the changes that lift the cap stay open: setting daily_cap or
 * enabled, releasing held deliveries, revoking a secret, deleting.
 */
type Queryable = Pick<pg.PoolClient, "query">;

/**
 * Throws a 429 problem when the caller's webhook has used its cap for the
 * current UTC day. A webhook of another organisation, or none, passes, so the
 * caller responds 404 as usual without this revealing anything.
 */
export async function assertWithinDailyCap(client: Queryable, principal: Principal, subscriptionId: string, now: Date): Promise<void> {
  const status = (await dailyCapStatus(client, [subscriptionId], now)).get(subscriptionId);
  if (!status || status.organizationId !== principal.organizationId || status.used < status.cap) return;
  const resetsAt = nextUtcDayStart(now);
  throw problems.dailyCapReached({
    webhookId: subscriptionId,
    used: status.used,
    cap: status.cap,
    resetsAt,
    retryAfterSeconds: secondsUntil(resetsAt, now),
    caller: principal.via,
  });
}
