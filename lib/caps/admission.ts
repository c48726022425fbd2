import type pg from "pg";
import type { JobAttempt, PgBoss } from "pg-boss";
import { recordAudit, SYSTEM_ACTOR } from "../audit";
import { prepared, withTransaction } from "../db";
import { type Deferral, deferAttempts } from "../deliveries/defer";
import { DAILY_CAP, holdDueAttempts } from "../deliveries/hold";
import { DELIVERY_QUEUE, queueAttempts, transactionExecutor } from "../dispatch/queue";
import { logger } from "../log";
import { assignSlots, type PacingSettings } from "./pacing";
import { addUsage, countedMarks, dailyCapStatus, GATE_SHARD, markCounted, type UsageChange, usageUpsert } from "./usage-counters";
import { crossedThresholds, nextUtcDayStart, utcDayStart, warningThreshold } from "./window";

/**
 * The gate every automatic attempt passes before it is made, in the worker
 * (lib/dispatch/engine.ts). In one transaction per batch, under each
 * webhook's budget row lock:
 *
 * 1. A delivery never counted is counted against its webhook's daily cap, or,
 *    once the day's cap is used, held with reason `daily_cap` until the next
 *    UTC day (lib/caps/release.ts), together with the uncounted deliveries
 *    waiting behind others of their subject. Retries were counted with their
 *    first attempt and pass.
 * 2. Every attempt that passes gets a smoothing slot (lib/caps/pacing.ts). One
 *    whose slot is now is made now; a later one is moved to its slot.
 *
 * The count, the delivery's mark (table delivery_counts), the hold or the move,
 * and the completion of the jobs concerned commit together. A worker that dies
 * before the commit changes nothing. When one dies after it, the job comes back
 * and finds the delivery already counted, so nothing is counted twice.
 */
export interface DueAttempt {
  job: JobAttempt;
  deliveryId: string;
  subscriptionId: string;
  // The due time the job was queued for.
  dueAt: Date;
  attempt: number;
}

interface BudgetRow {
  subscription_id: string;
  next_slot_at: Date;
  capped_until: Date | null;
}


/** Creates any missing budget rows and locks them all, in webhook id order so concurrent gates cannot deadlock. */
export async function lockBudgets(client: pg.PoolClient, subscriptionIds: readonly string[], now: Date): Promise<Map<string, BudgetRow>> {
  const ids = [...new Set(subscriptionIds)].sort();
  const lock = () =>
    client.query<BudgetRow>(
      prepared(`SELECT subscription_id, next_slot_at, capped_until FROM webhook_budgets WHERE subscription_id = ANY($1) ORDER BY subscription_id FOR UPDATE`, [
        ids,
      ]),
    );
  // Every webhook has its row after its first attempt, so the insert is rarely needed and usually saves a round trip.
  let locked = await lock();
  if (locked.rows.length < ids.length) {
    await client.query(
      `INSERT INTO webhook_budgets (subscription_id, next_slot_at)
       SELECT s.id, $2 FROM subscriptions s WHERE s.id = ANY($1) ORDER BY s.id
       ON CONFLICT (subscription_id) DO NOTHING`,
      [ids, now],
    );
    locked = await lock();
  }
  return new Map(locked.rows.map((row) => [row.subscription_id, row]));
}

/** Audits and logs each threshold of the daily cap that counting crossed. */
async function reportThresholds(
  client: pg.PoolClient,
  webhook: { subscriptionId: string; organizationId: string; cap: number },
  before: number,
  after: number,
  now: Date,
): Promise<void> {
  for (const crossed of crossedThresholds(before, after, webhook.cap)) {
    const details = {
      day: utcDayStart(now).toISOString().slice(0, 10),
      used: after,
      dailyCap: webhook.cap,
      ...(crossed === "warning" ? { warningAt: warningThreshold(webhook.cap) } : { resetsAt: nextUtcDayStart(now).toISOString() }),
    };
    await recordAudit(client, {
      organizationId: webhook.organizationId,
      actor: SYSTEM_ACTOR,
      action: crossed === "warning" ? "webhook.cap_warning" : "webhook.cap_reached",
      targetType: "webhook",
      targetId: webhook.subscriptionId,
      details,
      at: now,
    });
    logger.warn(
      { webhookId: webhook.subscriptionId, used: after, dailyCap: webhook.cap },
      crossed === "warning" ? "webhook reached 80 % of its daily cap" : "webhook used its daily cap; further deliveries are held",
    );
  }
}

/**
 * Passes due automatic attempts through the daily cap and the smoothing (see
 * above) and returns those to make now. The others are held or moved, and
 * their jobs completed, before this returns.
 */
export async function admitDueAttempts(boss: PgBoss, attempts: readonly DueAttempt[], now: Date, pacing: PacingSettings): Promise<DueAttempt[]> {
  if (attempts.length === 0) return [];
  // The gate's decisions need not wait for the disk. A crash of the database can lose them only together with
  // every transaction that committed later, so never under a recorded attempt. Their jobs are then still
  // active and come back to be admitted again after they expire, as after a crash of the worker.
  return withTransaction(async (client) => {
    const subscriptionIds = [...new Set(attempts.map((item) => item.subscriptionId))].sort();
    const budgets = await lockBudgets(client, subscriptionIds, now);
    // Read under the lock: every change to a webhook's count, and every mark of a counted delivery, takes the same lock.
    const status = await dailyCapStatus(
      client,
      subscriptionIds,
      now,
      attempts.map((item) => item.deliveryId),
    );

    const send: DueAttempt[] = [];
    const toCount: string[] = [];
    const toHold: DueAttempt[] = [];
    const deferrals: Deferral[] = [];
    const usage: UsageChange[] = [];
    const nextSlots: Array<{ subscriptionId: string; nextSlotAt: Date }> = [];
    for (const subscriptionId of subscriptionIds) {
      const webhook = status.get(subscriptionId);
      const budget = budgets.get(subscriptionId);
      const mine = attempts.filter((item) => item.subscriptionId === subscriptionId).sort((a, b) => (a.deliveryId < b.deliveryId ? -1 : 1));
      // The webhook was deleted meanwhile: its deliveries are gone, and their jobs are completed below.
      if (!webhook || !budget) continue;
      const needsCounting = new Set(webhook.uncounted);
      const before = webhook.used;
      const passing: DueAttempt[] = [];
      for (const item of mine) {
        if (!needsCounting.has(item.deliveryId)) {
          passing.push(item);
        } else if (webhook.used < webhook.cap) {
          webhook.used += 1;
          toCount.push(item.deliveryId);
          passing.push(item);
        } else {
          toHold.push(item);
        }
      }
      const counted = webhook.used - before;
      if (counted > 0) usage.push({ subscriptionId, at: now, counted });
      await reportThresholds(client, webhook, before, webhook.used, now);

      const { slots, nextSlotAt } = assignSlots(budget.next_slot_at, passing.length, now, pacing);
      passing.forEach((item, index) => {
        const slot = slots[index]!;
        if (slot.getTime() <= now.getTime()) send.push(item);
        else deferrals.push({ deliveryId: item.deliveryId, dueAt: item.dueAt, attempt: item.attempt, until: slot, paced: true });
      });
      if (passing.length > 0) nextSlots.push({ subscriptionId, nextSlotAt });
    }

    if (toHold.length === 0) {
      // The usual case, in one round trip: the budgets' next slots, the marks of the deliveries counted now and the counters.
      const marks = countedMarks(toCount, now, 3);
      const counters = usageUpsert(usage, 5, GATE_SHARD);
      await client.query(
        prepared(
          `WITH slots AS (
             UPDATE webhook_budgets b SET next_slot_at = n.next_slot_at
             FROM unnest($1::text[], $2::timestamptz[]) AS n(subscription_id, next_slot_at) WHERE b.subscription_id = n.subscription_id
           ), marks AS (
             ${marks.sql}
           ), counters AS (
             ${counters.sql}
           )
           SELECT 1`,
          [nextSlots.map((item) => item.subscriptionId), nextSlots.map((item) => item.nextSlotAt), ...marks.values, ...counters.values],
        ),
      );
      await queueAttempts(boss, client, await deferAttempts(client, deferrals), now);
      await completeSettled(boss, client, attempts, send);
      return send;
    }

    await updateNextSlots(client, nextSlots);
    await markCounted(client, toCount, now);
    const held = new Set(await holdDueAttempts(client, toHold, DAILY_CAP, now));
    const cappedNow = [...new Set(toHold.filter((item) => held.has(item.deliveryId)).map((item) => item.subscriptionId))];
    const waiting = await holdWaitingDeliveries(client, cappedNow, now);
    for (const subscriptionId of cappedNow) {
      const count = toHold.filter((item) => item.subscriptionId === subscriptionId && held.has(item.deliveryId)).length;
      usage.push({ subscriptionId, at: now, held: count + (waiting.get(subscriptionId) ?? 0) });
    }
    await markCapped(client, cappedNow, now);
    await queueAttempts(boss, client, await deferAttempts(client, deferrals), now);
    await completeSettled(boss, client, attempts, send);
    await addUsage(client, usage, GATE_SHARD);
    return send;
  }, { synchronousCommit: false });
}

async function updateNextSlots(client: pg.PoolClient, nextSlots: ReadonlyArray<{ subscriptionId: string; nextSlotAt: Date }>): Promise<void> {
  if (nextSlots.length === 0) return;
  await client.query(
    `UPDATE webhook_budgets b SET next_slot_at = n.next_slot_at
     FROM unnest($1::text[], $2::timestamptz[]) AS n(subscription_id, next_slot_at) WHERE b.subscription_id = n.subscription_id`,
    [nextSlots.map((item) => item.subscriptionId), nextSlots.map((item) => item.nextSlotAt)],
  );
}

/** Completes the jobs of held, moved and stale attempts: only those sent now keep their jobs until recorded. */
async function completeSettled(boss: PgBoss, client: pg.PoolClient, attempts: readonly DueAttempt[], send: readonly DueAttempt[]): Promise<void> {
  const sending = new Set(send);
  const settled = attempts.filter((item) => !sending.has(item));
  if (settled.length === 0) return;
  await boss.complete(
    DELIVERY_QUEUE,
    settled.map((item) => item.job),
    null,
    { db: transactionExecutor(client) },
  );
}

/**
 * Holds the uncounted deliveries of webhooks that just used their cap which
 * wait behind an earlier delivery of their subject. The cap would hold each of
 * them when its turn came, so they are held now and show as such. Returns the
 * number held per webhook.
 */
async function holdWaitingDeliveries(client: pg.PoolClient, subscriptionIds: readonly string[], now: Date): Promise<Map<string, number>> {
  if (subscriptionIds.length === 0) return new Map();
  const held = await client.query<{ subscription_id: string; count: number }>(
    `WITH held AS (
       UPDATE deliveries SET status = 'held', held_reason = $2, held_at = COALESCE(held_at, $3)
       WHERE subscription_id = ANY($1) AND status = 'pending' AND next_attempt_at IS NULL AND NOT is_test
         AND NOT EXISTS (SELECT 1 FROM delivery_counts c WHERE c.delivery_id = deliveries.id)
       RETURNING subscription_id)
     SELECT subscription_id, COUNT(*)::int AS count FROM held GROUP BY subscription_id`,
    [subscriptionIds, DAILY_CAP, now],
  );
  return new Map(held.rows.map((row) => [row.subscription_id, row.count]));
}

/**
 * Marks webhooks that have deliveries held by the cap: new deliveries are held
 * behind them, and the release comes at the start of the next UTC day. The
 * caller must have locked the webhooks' budget rows.
 */
export async function markCapped(client: pg.PoolClient, subscriptionIds: readonly string[], now: Date): Promise<void> {
  if (subscriptionIds.length === 0) return;
  await client.query(`UPDATE webhook_budgets SET capped_until = $2 WHERE subscription_id = ANY($1)`, [subscriptionIds, nextUtcDayStart(now)]);
}
