import type pg from "pg";
import type { AttemptToQueue } from "../dispatch/queue";

/**
 * Held deliveries wait, never dropped: they keep status `held` with a reason,
 * stay visible and replayable, and go out in order once their reason ends.
 * This module is the one way deliveries are held and released, whatever the
 * reason. The reasons are:
 *
 * - `webhook_disabled`: the webhook is switched off; enabling it releases them.
 * - `daily_cap`: the webhook used its daily cap; the next UTC day's budget
 *   releases them oldest first (lib/caps/release.ts).
 */
export const WEBHOOK_DISABLED = "webhook_disabled";
export const DAILY_CAP = "daily_cap";

export type HoldReason = typeof WEBHOOK_DISABLED | typeof DAILY_CAP;

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
 * Holds deliveries whose attempt came due, for `reason`. Only deliveries still
 * waiting for exactly that attempt are held. A hold by the daily cap records
 * when it began (`held_at`, kept from the first hold), which starts the 24 h
 * after which a held delivery is given up. Returns the ids it held.
 */
export async function holdDueAttempts(client: Queryable, jobs: readonly DueJob[], reason: HoldReason, now: Date): Promise<string[]> {
  if (jobs.length === 0) return [];
  const held = await client.query<{ id: string }>(
    `UPDATE deliveries d SET status = 'held', held_reason = $3, next_attempt_at = NULL,
       held_at = CASE WHEN $5::boolean THEN COALESCE(d.held_at, $4) ELSE d.held_at END
     FROM unnest($1::text[], $2::timestamptz[]) AS j(id, due_at)
     WHERE d.id = j.id AND d.status IN ('pending', 'retrying') AND d.next_attempt_at = j.due_at
     RETURNING d.id`,
    [jobs.map((job) => job.deliveryId), jobs.map((job) => job.dueAt), reason, now, reason === DAILY_CAP],
  );
  return held.rows.map((row) => row.id);
}

/**
 * Holds deliveries whose attempt came due while their webhook was disabled,
 * which happens when an event was fanned out just before the webhook was
 * switched off. The webhooks are locked first, so a webhook enabled again
 * meanwhile is seen as enabled: its deliveries are returned to be queued
 * again instead of being held on an enabled webhook.
 */
export async function holdDueDeliveriesOfDisabledWebhooks(
  client: Queryable,
  jobs: readonly DueJob[],
  now: Date,
): Promise<{ held: string[]; requeue: DueJob[] }> {
  if (jobs.length === 0) return { held: [], requeue: [] };
  const webhooks = await client.query<{ delivery_id: string; enabled: boolean }>(
    `SELECT d.id AS delivery_id, s.enabled FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id
     WHERE d.id = ANY($1) ORDER BY s.id FOR SHARE OF s`,
    [jobs.map((job) => job.deliveryId)],
  );
  const enabled = new Set(webhooks.rows.filter((row) => row.enabled).map((row) => row.delivery_id));
  const toHold = jobs.filter((job) => !enabled.has(job.deliveryId));
  const held = await holdDueAttempts(client, toHold, WEBHOOK_DISABLED, now);
  return { held, requeue: jobs.filter((job) => enabled.has(job.deliveryId)) };
}

export interface ReleasedDeliveries {
  // Every delivery that left `held`.
  releasedIds: string[];
  // The attempts to queue now: per ordering key only the first in line, and every unordered delivery.
  toQueue: AttemptToQueue[];
}

/**
 * Releases a webhook's deliveries held for `reason`, at most `limit` of them
 * (all when null), oldest first. The oldest `limit` decide how many of each
 * ordering key go, and those are the key's lowest sequences: ids created in
 * the same millisecond do not sort by sequence. Each starts a fresh 24 h retry
 * window. Per ordering key only the lowest sequence goes now and the rest
 * wait behind it as usual, so a release never reorders a subject.
 */
export async function releaseHeldDeliveries(
  client: Queryable,
  subscriptionId: string,
  now: Date,
  options: { reason?: HoldReason; limit?: number | null } = {},
): Promise<ReleasedDeliveries> {
  const released = await client.query<{ id: string; ordering_key: string | null }>(
    `WITH held AS (
       SELECT id, ordering_key, sequence, created_at FROM deliveries WHERE subscription_id = $1 AND status = 'held' AND held_reason = $2
     ), picked AS (
       SELECT id, ordering_key FROM held ORDER BY created_at, id LIMIT $3
     ), per_key AS (
       SELECT ordering_key, COUNT(*) AS count FROM picked WHERE ordering_key IS NOT NULL GROUP BY ordering_key
     ), chosen AS (
       SELECT id FROM picked WHERE ordering_key IS NULL
       UNION ALL
       SELECT first.id FROM per_key k
       CROSS JOIN LATERAL (SELECT h.id FROM held h WHERE h.ordering_key = k.ordering_key ORDER BY h.sequence LIMIT k.count) AS first
     )
     UPDATE deliveries SET status = 'pending', held_reason = NULL, next_attempt_at = NULL, first_attempt_at = NULL
     WHERE id IN (SELECT id FROM chosen) AND status = 'held'
     RETURNING id, ordering_key`,
    [subscriptionId, options.reason ?? WEBHOOK_DISABLED, options.limit ?? null],
  );
  if (released.rows.length === 0) return { releasedIds: [], toQueue: [] };
  const keys = released.rows.flatMap((row) => (row.ordering_key ? [row.ordering_key] : []));
  const unordered = released.rows.filter((row) => row.ordering_key === null).map((row) => row.id);
  const toQueue = await advanceOrderingChains(client, subscriptionId, keys, unordered, now);
  return { releasedIds: released.rows.map((row) => row.id), toQueue };
}

/**
 * Points each given ordering chain of a webhook at its first delivery still in
 * line (pending, retrying or held, by sequence), and plans the attempts that
 * may go now. Those are the chains' first deliveries that are pending without
 * a planned attempt, and the given unordered deliveries. A held delivery at the
 * head of a chain keeps the deliveries behind it waiting. Returns the attempts
 * to queue.
 */
export async function advanceOrderingChains(
  client: Queryable,
  subscriptionId: string,
  orderingKeys: readonly string[],
  unorderedIds: readonly string[],
  now: Date,
): Promise<AttemptToQueue[]> {
  const keys = [...new Set(orderingKeys)].sort();
  // Lock first, in a statement of its own, so the update below reads deliveries that publishers added
  // to these chains while the lock was being waited for (see releaseSuccessors in record.ts).
  if (keys.length > 0) {
    await client.query(`SELECT 1 FROM ordering_chains WHERE subscription_id = $1 AND ordering_key = ANY($2) ORDER BY ordering_key FOR UPDATE`, [
      subscriptionId,
      keys,
    ]);
  }
  const chains =
    keys.length === 0
      ? { rows: [] as Array<{ active_delivery_id: string | null }> }
      : await client.query<{ active_delivery_id: string | null }>(
          `UPDATE ordering_chains c SET active_delivery_id = (
             SELECT d.id FROM deliveries d
             WHERE d.subscription_id = c.subscription_id AND d.ordering_key = c.ordering_key AND d.status IN ('pending', 'retrying', 'held')
             ORDER BY d.sequence LIMIT 1)
           WHERE c.subscription_id = $1 AND c.ordering_key = ANY($2)
           RETURNING c.active_delivery_id`,
          [subscriptionId, keys],
        );
  const candidates = [...unorderedIds, ...chains.rows.flatMap((row) => (row.active_delivery_id ? [row.active_delivery_id] : []))];
  if (candidates.length === 0) return [];
  // A chain's first delivery that is retrying already has its job, and a held one waits: only waiting pending ones are queued.
  const ready = await client.query<{ id: string }>(
    `UPDATE deliveries SET next_attempt_at = $2 WHERE id = ANY($1) AND status = 'pending' AND next_attempt_at IS NULL RETURNING id`,
    [candidates, now],
  );
  return ready.rows.map((row) => ({ deliveryId: row.id, attempt: 1, startAfter: now, subscriptionId }));
}
