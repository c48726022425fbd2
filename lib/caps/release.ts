import type pg from "pg";
import type { PgBoss } from "pg-boss";
import { type Actor, recordAudit, SYSTEM_ACTOR } from "../audit";
import type { Principal } from "../auth/principal";
import { pool, withTransaction } from "../db";
import { advanceOrderingChains, DAILY_CAP, releaseHeldDeliveries } from "../deliveries/hold";
import { type AttemptToQueue, queueAttempts } from "../dispatch/queue";
import { problems } from "../http/problem";
import { logger } from "../log";
import { RETRY_WINDOW_SECONDS } from "../retry-schedule";
import { lockBudgets, markCapped } from "./admission";
import { addUsage, dailyCapStatus, markCounted } from "./usage-counters";

/**
 * What becomes of deliveries the daily cap held (lib/caps/admission.ts):
 *
 * - At the start of each UTC day they are released oldest first, as many as
 *   the new day's cap admits, each ordering key in order. The rest wait for
 *   the next day.
 * - One held for longer than the 24 h retry window is given up: `failed`,
 *   keeping `held_reason` `daily_cap` to say why it was never sent. It stays
 *   listed and can be replayed.
 * - Raising the cap, or enabling the webhook again, releases what the rest of
 *   the day's cap admits (releaseAfterWebhookChange).
 * - An admin may release them all at once beyond the cap (releaseHeldNow).
 *
 * Every worker runs the sweep; the budget row lock makes concurrent sweeps of
 * one webhook take turns, so each delivery is released once.
 */

export const HELD_EXPIRY_SECONDS = RETRY_WINDOW_SECONDS;

/**
 * Releases a webhook's held deliveries that the rest of the day's cap admits,
 * oldest first, and clears the webhook's capped mark when none is left. The
 * caller must have locked the webhook's budget row. Returns the attempts to
 * queue and the number released.
 */
export async function releaseWithinBudget(
  client: pg.PoolClient,
  subscriptionId: string,
  now: Date,
): Promise<{ toQueue: AttemptToQueue[]; released: number; stillHeld: number }> {
  const status = (await dailyCapStatus(client, [subscriptionId], now)).get(subscriptionId);
  if (!status) return { toQueue: [], released: 0, stillHeld: 0 };
  const room = Math.max(0, status.cap - status.used);
  const released = room > 0 ? await releaseHeldDeliveries(client, subscriptionId, now, { reason: DAILY_CAP, limit: room }) : { releasedIds: [], toQueue: [] };
  const remaining = await client.query<{ count: number }>(
    `SELECT COUNT(*)::int AS count FROM deliveries WHERE subscription_id = $1 AND status = 'held' AND held_reason = $2`,
    [subscriptionId, DAILY_CAP],
  );
  const stillHeld = remaining.rows[0]!.count;
  if (stillHeld > 0) await markCapped(client, [subscriptionId], now);
  else await client.query(`UPDATE webhook_budgets SET capped_until = NULL WHERE subscription_id = $1`, [subscriptionId]);
  return { toQueue: released.toQueue, released: released.releasedIds.length, stillHeld };
}

export interface WebhookChange {
  enabledBefore: boolean;
  enabledAfter: boolean;
  capChanged: boolean;
}

/**
 * Decides whether a change to a webhook releases deliveries held by its cap.
 * It does when the webhook is enabled after the change and the change enabled
 * it or set its cap, because either may let more of them go today. A disabled
 * webhook sends nothing, so it releases nothing until it is enabled.
 */
export function changeReleasesHeldByCap(change: WebhookChange): boolean {
  return change.enabledAfter && (change.capChanged || !change.enabledBefore);
}

/**
 * Releases the webhook's deliveries held by the cap that the rest of the day's
 * cap admits, oldest first and each ordering key in order, after a change for
 * which changeReleasesHeldByCap holds. Locks the webhook's budget row first.
 * The released deliveries are counted when they pass the admission gate, like
 * those released at the turn of the day. Returns the attempts to queue and the
 * number released.
 */
export async function releaseAfterWebhookChange(
  client: pg.PoolClient,
  subscriptionId: string,
  now: Date,
): Promise<{ toQueue: AttemptToQueue[]; released: number; stillHeld: number }> {
  await lockBudgets(client, [subscriptionId], now);
  return releaseWithinBudget(client, subscriptionId, now);
}

/**
 * Gives up the webhook's deliveries held by the cap for 24 hours or more, and
 * lets the next delivery of their ordering keys go. The caller must have locked
 * the webhook's budget row. Returns the attempts to queue and the number given up.
 */
async function expireHeldDeliveries(client: pg.PoolClient, subscriptionId: string, now: Date): Promise<{ toQueue: AttemptToQueue[]; expired: number }> {
  const cutoff = new Date(now.getTime() - HELD_EXPIRY_SECONDS * 1000);
  const expired = await client.query<{ id: string; ordering_key: string | null }>(
    `UPDATE deliveries SET status = 'failed', completed_at = $3, next_attempt_at = NULL
     WHERE subscription_id = $1 AND status = 'held' AND held_reason = $2 AND held_at <= $4
     RETURNING id, ordering_key`,
    [subscriptionId, DAILY_CAP, now, cutoff],
  );
  if (expired.rows.length === 0) return { toQueue: [], expired: 0 };
  await addUsage(client, [{ subscriptionId, at: now, failed: expired.rows.length }]);
  const keys = expired.rows.flatMap((row) => (row.ordering_key ? [row.ordering_key] : []));
  return { toQueue: await advanceOrderingChains(client, subscriptionId, keys, [], now), expired: expired.rows.length };
}

/** Expires and releases one webhook's held deliveries; skipped when another sweep holds the webhook. */
async function sweepWebhook(boss: PgBoss, subscriptionId: string, now: Date): Promise<{ released: number; expired: number }> {
  return withTransaction(async (client) => {
    const locked = await client.query<{ capped_until: Date | null }>(
      `SELECT capped_until FROM webhook_budgets WHERE subscription_id = $1 FOR UPDATE SKIP LOCKED`,
      [subscriptionId],
    );
    const budget = locked.rows[0];
    if (!budget) return { released: 0, expired: 0 };
    const webhook = await client.query<{ organization_id: string; enabled: boolean }>(`SELECT organization_id, enabled FROM subscriptions WHERE id = $1`, [
      subscriptionId,
    ]);
    const organizationId = webhook.rows[0]?.organization_id;
    if (!organizationId) return { released: 0, expired: 0 };

    const toQueue: AttemptToQueue[] = [];
    const expiry = await expireHeldDeliveries(client, subscriptionId, now);
    toQueue.push(...expiry.toQueue);
    if (expiry.expired > 0) {
      await recordAudit(client, {
        organizationId,
        actor: SYSTEM_ACTOR,
        action: "webhook.held_deliveries_expired",
        targetType: "webhook",
        targetId: subscriptionId,
        details: { expired: expiry.expired, heldLongerThanHours: HELD_EXPIRY_SECONDS / 3600 },
        at: now,
      });
      logger.warn({ webhookId: subscriptionId, expired: expiry.expired }, "deliveries held by the daily cap for 24 hours were given up");
    }

    let released = 0;
    // A disabled webhook keeps its held deliveries until it is enabled again.
    if (webhook.rows[0]!.enabled && budget.capped_until && budget.capped_until.getTime() <= now.getTime()) {
      const release = await releaseWithinBudget(client, subscriptionId, now);
      toQueue.push(...release.toQueue);
      released = release.released;
      if (released > 0) {
        await recordAudit(client, {
          organizationId,
          actor: SYSTEM_ACTOR,
          action: "webhook.held_deliveries_released",
          targetType: "webhook",
          targetId: subscriptionId,
          details: { released, stillHeld: release.stillHeld, reason: "daily cap reset" },
          at: now,
        });
        logger.info({ webhookId: subscriptionId, released, stillHeld: release.stillHeld }, "deliveries held by the daily cap released");
      }
    }
    await queueAttempts(boss, client, toQueue, now);
    return { released, expired: expiry.expired };
  });
}

/**
 * Finds the webhooks whose held deliveries are due for release or expiry and
 * handles each in its own transaction. Returns the totals.
 */
export async function sweepHeldDeliveries(boss: PgBoss, now: Date): Promise<{ released: number; expired: number }> {
  const cutoff = new Date(now.getTime() - HELD_EXPIRY_SECONDS * 1000);
  const due = await pool().query<{ subscription_id: string }>(
    `SELECT b.subscription_id FROM webhook_budgets b JOIN subscriptions s ON s.id = b.subscription_id
     WHERE b.capped_until <= $1 AND s.enabled
     UNION
     SELECT DISTINCT subscription_id FROM deliveries WHERE status = 'held' AND held_reason = $3 AND held_at <= $2
     ORDER BY 1`,
    [now, cutoff, DAILY_CAP],
  );
  const totals = { released: 0, expired: 0 };
  for (const row of due.rows) {
    const result = await sweepWebhook(boss, row.subscription_id, now);
    totals.released += result.released;
    totals.expired += result.expired;
  }
  return totals;
}

/**
 * Releases every delivery of a webhook held by the cap now, beyond the day's
 * cap: an admin's explicit decision. They are counted against today's cap
 * (which then shows more than 100 %), still smoothed, and sent oldest first
 * with each subject's order kept. New deliveries are still held while the
 * day's cap stays used. Returns how many were released.
 */
export async function releaseHeldNow(
  client: pg.PoolClient,
  boss: PgBoss,
  webhook: { subscriptionId: string; organizationId: string },
  actor: Actor,
  now: Date,
): Promise<{ released: number }> {
  await lockBudgets(client, [webhook.subscriptionId], now);
  const released = await releaseHeldDeliveries(client, webhook.subscriptionId, now, { reason: DAILY_CAP });
  if (released.releasedIds.length > 0) {
    await markCounted(client, released.releasedIds, now);
    await addUsage(client, [{ subscriptionId: webhook.subscriptionId, at: now, counted: released.releasedIds.length }]);
  }
  await client.query(`UPDATE webhook_budgets SET capped_until = NULL WHERE subscription_id = $1`, [webhook.subscriptionId]);
  await recordAudit(client, {
    organizationId: webhook.organizationId,
    actor,
    action: "webhook.held_deliveries_released",
    targetType: "webhook",
    targetId: webhook.subscriptionId,
    details: { released: released.releasedIds.length, stillHeld: 0, reason: "released beyond the daily cap" },
    at: now,
  });
  await queueAttempts(boss, client, released.toQueue, now);
  return { released: released.releasedIds.length };
}

/**
 * Releases now every delivery the cap holds on the organisation's webhook, for
 * POST /v1/webhooks/{id}/release-held (see releaseHeldNow). Throws 404 for an
 * unknown webhook and 409 for a disabled one, whose held deliveries could not
 * go out anyway.
 */
export async function releaseHeldByRequest(principal: Principal, subscriptionId: string, now: Date, boss: PgBoss): Promise<{ released: number }> {
  return withTransaction(async (client) => {
    const found = await client.query<{ enabled: boolean }>(`SELECT enabled FROM subscriptions WHERE id = $1 AND organization_id = $2 FOR UPDATE`, [
      subscriptionId,
      principal.organizationId,
    ]);
    const webhook = found.rows[0];
    if (!webhook) throw problems.notFound(`Webhook ${subscriptionId}`);
    if (!webhook.enabled) throw problems.conflict("The webhook is disabled: enable it first, then release its held deliveries");
    return releaseHeldNow(client, boss, { subscriptionId, organizationId: principal.organizationId }, principal.actor, now);
  });
}
