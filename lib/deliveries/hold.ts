import type pg from "pg";
import type { AttemptToQueue } from "../dispatch/queue";

/**
 * Deliveries of a disabled webhook are held, never dropped: they keep status
 * `held` with this reason, stay visible and replayable, and go out in order
 * once the webhook is enabled again. Other reasons (such as the daily cap) are
 * released by their own rules, never by these functions.
 */
export const WEBHOOK_DISABLED = "webhook_disabled";

type Queryable = Pick<pg.PoolClient, "query">;

/** Holds every open delivery of the given webhooks; returns the ids of the deliveries it held. */
export async function holdOpenDeliveries(client: Queryable, subscriptionIds: readonly string[]): Promise<string[]> {
  if (subscriptionIds.length === 0) return [];
  const held = await client.query<{ id: string }>(
    `UPDATE deliveries SET status = 'held', held_reason = $2, next_attempt_at = NULL
     WHERE subscription_id = ANY($1) AND status IN ('pending', 'retrying')
     RETURNING id`,
    [subscriptionIds, WEBHOOK_DISABLED],
  );
  return held.rows.map((row) => row.id);
}

export interface DueJob {
  deliveryId: string;
  // The due time the job was queued for; a delivery that moved on since is left alone.
  dueAt: Date;
  // The automatic attempt the job was to make, kept when it is queued again.
  attempt: number;
}

/**
 * Holds deliveries whose attempt came due while their webhook was disabled,
 * which happens when an event was fanned out just before the webhook was
 * switched off. The webhooks are locked first, so a webhook enabled again
 * meanwhile is seen as enabled: its deliveries are returned to be queued
 * again instead of being held on an enabled webhook.
 */
export async function holdDueDeliveriesOfDisabledWebhooks(client: Queryable, jobs: readonly DueJob[]): Promise<{ held: string[]; requeue: DueJob[] }> {
  if (jobs.length === 0) return { held: [], requeue: [] };
  const webhooks = await client.query<{ delivery_id: string; enabled: boolean }>(
    `SELECT d.id AS delivery_id, s.enabled FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id
     WHERE d.id = ANY($1) ORDER BY s.id FOR SHARE OF s`,
    [jobs.map((job) => job.deliveryId)],
  );
  const enabled = new Set(webhooks.rows.filter((row) => row.enabled).map((row) => row.delivery_id));
  const toHold = jobs.filter((job) => !enabled.has(job.deliveryId));
  const held = await client.query<{ id: string }>(
    `UPDATE deliveries d SET status = 'held', held_reason = $3, next_attempt_at = NULL
     FROM unnest($1::text[], $2::timestamptz[]) AS j(id, due_at)
     WHERE d.id = j.id AND d.status IN ('pending', 'retrying') AND d.next_attempt_at = j.due_at
     RETURNING d.id`,
    [toHold.map((job) => job.deliveryId), toHold.map((job) => job.dueAt), WEBHOOK_DISABLED],
  );
  return { held: held.rows.map((row) => row.id), requeue: jobs.filter((job) => enabled.has(job.deliveryId)) };
}

/**
 * Releases the deliveries held because the webhook was disabled, now that it
 * is enabled again. Each starts a fresh 24 h retry window. Per ordering key
 * only the lowest sequence goes now and the rest wait behind it as usual.
 * Returns the attempts to queue.
 */
export async function releaseHeldDeliveries(client: Queryable, subscriptionId: string, now: Date): Promise<AttemptToQueue[]> {
  const released = await client.query<{ id: string; ordering_key: string | null }>(
    `UPDATE deliveries SET status = 'pending', held_reason = NULL, next_attempt_at = NULL, first_attempt_at = NULL
     WHERE subscription_id = $1 AND status = 'held' AND held_reason = $2
     RETURNING id, ordering_key`,
    [subscriptionId, WEBHOOK_DISABLED],
  );
  if (released.rows.length === 0) return [];
  const keys = [...new Set(released.rows.flatMap((row) => (row.ordering_key ? [row.ordering_key] : [])))].sort();
  const unordered = released.rows.filter((row) => row.ordering_key === null).map((row) => row.id);
  const chains = await client.query<{ active_delivery_id: string | null }>(
    `UPDATE ordering_chains c SET active_delivery_id = (
       SELECT d.id FROM deliveries d
       WHERE d.subscription_id = c.subscription_id AND d.ordering_key = c.ordering_key AND d.status IN ('pending', 'retrying')
       ORDER BY d.sequence LIMIT 1)
     WHERE c.subscription_id = $1 AND c.ordering_key = ANY($2)
     RETURNING c.active_delivery_id`,
    [subscriptionId, keys],
  );
  const candidates = [...unordered, ...chains.rows.flatMap((row) => (row.active_delivery_id ? [row.active_delivery_id] : []))];
  // A chain's active delivery that is already retrying has its job; only waiting ones are queued.
  const ready = await client.query<{ id: string }>(
    `UPDATE deliveries SET next_attempt_at = $2 WHERE id = ANY($1) AND status = 'pending' AND next_attempt_at IS NULL RETURNING id`,
    [candidates, now],
  );
  return ready.rows.map((row) => ({ deliveryId: row.id, attempt: 1, startAfter: now, subscriptionId }));
}
