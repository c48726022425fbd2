import type pg from "pg";
import type { JobAttempt, PgBoss } from "pg-boss";
import { type UsageChange, usageUpsert } from "../caps/usage-counters";
import { withTransaction } from "../db";
import type { SendResult } from "../dispatch/http-client";
import { type AttemptToQueue, type AttemptTrigger, DELIVERY_QUEUE, queueAttempts, transactionExecutor } from "../dispatch/queue";
import { newId } from "../ids";
import { logger } from "../log";
import { type AttemptOutcome, foldHealthChanges } from "../subscriptions/health";
import { disableWebhookByRule, healthUpdate } from "../subscriptions/health-store";
import { type Deferral, deferAttempts } from "./defer";
import { type DueJob, holdDueDeliveriesOfDisabledWebhooks, holdOpenDeliveries } from "./hold";
import { afterAttempt, type DeliveryState, type DeliveryStatus } from "./transitions";
import type { Verdict } from "./verdict";

/** One attempt that was made, ready to be stored. */
export interface AttemptRecord {
  deliveryId: string;
  trigger: AttemptTrigger;
  // Automatic attempts only: the attempt number and the due time the job was queued for.
  automaticAttempt?: number;
  dueAt?: Date;
  url: string;
  startedAt: Date;
  endedAt: Date;
  requestHeaders: Record<string, string>;
  result: SendResult;
  verdict: Verdict;
}

export interface RecordedAttempt {
  id: string;
  deliveryId: string;
  number: number;
}

export interface RecordOptions {
  boss: PgBoss;
  now: Date;
  random?: () => number;
  // Jobs that carried these attempts (or decided not to make one), completed in the same transaction.
  completeJobs?: readonly JobAttempt[];
  // Automatic attempts not made because their webhook is paused: they move to the end of the pause.
  deferrals?: readonly Deferral[];
  // Automatic attempts not made because their webhook is disabled: their deliveries are held.
  disabledWebhookJobs?: readonly DueJob[];
}

interface LockedDelivery {
  id: string;
  subscription_id: string;
  organization_id: string;
  ordering_key: string | null;
  status: DeliveryStatus;
  first_attempt_at: Date | null;
  next_attempt_at: Date | null;
  completed_at: Date | null;
  attempt_count: number;
  is_test: boolean;
}

const OPEN_STATUSES: readonly DeliveryStatus[] = ["pending", "retrying"];

/**
 * Lets the next delivery of each finished delivery's ordering key go out: the
 * chain's active delivery moves to the lowest sequence still in line, or to
 * none. A held delivery next in line becomes active without an attempt, so the
 * ones behind it keep waiting until it is released. Returns the attempts to
 * queue for the released deliveries.
 *
 * One statement locks, reads and updates the chains, in place of a round trip
 * for each step. The chains are locked through their primary key, one lookup
 * per finished delivery in key order, as by every other writer of
 * ordering_chains, so concurrent recorders cannot deadlock.
 */
async function releaseSuccessors(
  client: pg.PoolClient,
  finished: Array<{ id: string; subscriptionId: string; orderingKey: string }>,
  now: Date,
): Promise<AttemptToQueue[]> {
  if (finished.length === 0) return [];
  // Locking the chains is a statement of its own: a publisher that added a delivery to a chain holds the
  // chain's row until it commits, and only a statement that starts after the lock was granted reads that
  // delivery. Looking for successors in the locking statement would miss it and leave it waiting for ever.
  const locked = await client.query<{ subscription_id: string; ordering_key: string }>(
    `SELECT c.subscription_id, c.ordering_key
     FROM (
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) AS u(subscription_id, ordering_key, delivery_id)
       ORDER BY subscription_id, ordering_key
     ) AS f
     CROSS JOIN LATERAL (
       SELECT subscription_id, ordering_key FROM ordering_chains
       WHERE subscription_id = f.subscription_id AND ordering_key = f.ordering_key AND active_delivery_id = f.delivery_id
       FOR UPDATE
     ) AS c`,
    [finished.map((item) => item.subscriptionId), finished.map((item) => item.orderingKey), finished.map((item) => item.id)],
  );
  if (locked.rows.length === 0) return [];
  const next = await client.query<{ id: string; subscription_id: string; status: DeliveryStatus }>(
    `WITH successors AS MATERIALIZED (
       SELECT c.subscription_id, c.ordering_key, n.id, n.status
       FROM unnest($1::text[], $2::text[]) AS c(subscription_id, ordering_key)
       LEFT JOIN LATERAL (
         SELECT d.id, d.status FROM deliveries d
         WHERE d.subscription_id = c.subscription_id AND d.ordering_key = c.ordering_key
           AND ((d.status = 'pending' AND d.next_attempt_at IS NULL) OR d.status = 'held')
         ORDER BY d.sequence LIMIT 1
       ) AS n ON true
     ), moved AS (
       UPDATE ordering_chains c SET active_delivery_id = s.id
       FROM successors s
       WHERE c.subscription_id = s.subscription_id AND c.ordering_key = s.ordering_key
     )
     SELECT s.id, s.subscription_id, s.status FROM successors s
     WHERE s.id IS NOT NULL`,
    [locked.rows.map((row) => row.subscription_id), locked.rows.map((row) => row.ordering_key)],
  );
  const ready = next.rows.filter((row) => row.status === "pending");
  if (ready.length === 0) return [];
  await client.query(`UPDATE deliveries SET next_attempt_at = $2 WHERE id = ANY($1)`, [ready.map((row) => row.id), now]);
  return ready.map((row) => ({ deliveryId: row.id, attempt: 1, startAfter: now, subscriptionId: row.subscription_id }));
}

function stateOf(row: LockedDelivery): DeliveryState {
  return {
    status: row.status,
    firstAttemptAt: row.first_attempt_at,
    nextAttemptAt: row.next_attempt_at,
    completedAt: row.completed_at,
  };
}

/**
 * Stores attempts and their consequences in one transaction. That covers the
 * attempt rows, the new delivery states, the next automatic attempts and the
 * release of the next delivery of each finished ordering key, and the usage
 * counters of the deliveries that succeeded or failed. It also covers
 * webhooks paused by a 429 or switched off by a 410 (their open deliveries are
 * held), attempts deferred or held without being made, and the completion of
 * the jobs that carried them. A crash before the commit leaves the jobs active,
 * so pg-boss hands them out again.
 */
async function recordInTransaction(client: pg.PoolClient, records: readonly AttemptRecord[], options: RecordOptions): Promise<RecordedAttempt[]> {
  const ids = [...new Set(records.map((record) => record.deliveryId))].sort();
  const lockedRows = await client.query<LockedDelivery>(
    `SELECT id, subscription_id, organization_id, ordering_key, status, first_attempt_at, next_attempt_at, completed_at, attempt_count, is_test
     FROM deliveries WHERE id = ANY($1) ORDER BY id FOR UPDATE`,
    [ids],
  );
  const deliveries = new Map(lockedRows.rows.map((row) => [row.id, row]));
  const attempts: RecordedAttempt[] = [];
  const attemptRows: Array<{ record: AttemptRecord; id: string; number: number }> = [];
  const toQueue: AttemptToQueue[] = [];
  const finished: Array<{ id: string; subscriptionId: string; orderingKey: string }> = [];
  const disable = new Map<string, { organizationId: string; detail: string }>();
  const pauses = new Map<string, Date>();
  // Deliveries of real events that reached succeeded or failed, for the usage counters.
  const outcomes: UsageChange[] = [];
  // Every request sent, stale duplicates included, shows whether the endpoint works (lib/subscriptions/health.ts).
  const healthOutcomes: AttemptOutcome[] = [];

  for (const record of records) {
    const row = deliveries.get(record.deliveryId);
    // The subscription (and its deliveries) was deleted while the attempt was in flight.
    if (!row) continue;
    // A throttling response pauses the webhook whatever triggered the attempt, stale duplicates included.
    if (record.verdict.pauseWebhookSeconds !== null) {
      const until = new Date(record.endedAt.getTime() + record.verdict.pauseWebhookSeconds * 1000);
      const known = pauses.get(row.subscription_id);
      if (!known || known < until) pauses.set(row.subscription_id, until);
    }
    row.attempt_count += 1;
    const id = newId("attempt", record.startedAt);
    attemptRows.push({ record, id, number: row.attempt_count });
    attempts.push({ id, deliveryId: row.id, number: row.attempt_count });
    healthOutcomes.push({
      subscriptionId: row.subscription_id,
      succeeded: record.verdict.pauseWebhookSeconds === null ? record.verdict.succeeded : null,
      startedAt: record.startedAt,
      endedAt: record.endedAt,
    });

    const isCurrentAutomatic =
      record.trigger === "automatic" &&
      OPEN_STATUSES.includes(row.status) &&
      row.next_attempt_at?.getTime() === record.dueAt?.getTime();
    if (record.trigger === "automatic" && !isCurrentAutomatic) continue;

    const transition = afterAttempt(stateOf(row), {
      trigger: record.trigger,
      verdict: record.verdict,
      startedAt: record.startedAt,
      endedAt: record.endedAt,
      automaticAttempt: record.automaticAttempt,
      random: options.random,
    });
    if (!row.is_test && transition.state.status !== row.status && (transition.state.status === "succeeded" || transition.state.status === "failed")) {
      const succeeded = transition.state.status === "succeeded" ? 1 : 0;
      outcomes.push({ subscriptionId: row.subscription_id, at: record.endedAt, succeeded, failed: 1 - succeeded });
    }
    row.status = transition.state.status;
    row.first_attempt_at = transition.state.firstAttemptAt;
    row.next_attempt_at = transition.state.nextAttemptAt;
    row.completed_at = transition.state.completedAt;
    if (transition.nextAutomaticAttempt !== null && transition.state.nextAttemptAt) {
      toQueue.push({
        deliveryId: row.id,
        attempt: transition.nextAutomaticAttempt,
        startAfter: transition.state.nextAttemptAt,
        subscriptionId: row.subscription_id,
      });
    }
    if (transition.finished && row.ordering_key) {
      finished.push({ id: row.id, subscriptionId: row.subscription_id, orderingKey: row.ordering_key });
    }
    if (record.verdict.disableSubscription) {
      disable.set(row.subscription_id, { organizationId: row.organization_id, detail: record.verdict.detail ?? "" });
    }
  }

  if (attemptRows.length > 0) {
    const last = new Map(attemptRows.map((item) => [item.record.deliveryId, item.record]));
    const changed = [...last.keys()].map((id) => deliveries.get(id)!);
    const health = healthUpdate(foldHealthChanges(healthOutcomes), 26);
    const counters = usageUpsert(outcomes, 31);
    // One statement stores the attempts, the deliveries' new states, the webhooks' health and the usage counters,
    // to save round trips per batch. The deliveries are locked already, so the other rows are locked after them:
    // webhooks, then counters.
    await client.query(
      `WITH inserted AS (
         INSERT INTO attempts (id, delivery_id, number, trigger, url, started_at, duration_ms, request_headers, response_status,
                               response_headers, response_body, response_body_truncated, error_class, error_detail, succeeded)
         SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::attempt_trigger[], $5::text[], $6::timestamptz[], $7::int[],
                              $8::jsonb[], $9::int[], $10::jsonb[], $11::text[], $12::boolean[], $13::text[], $14::text[], $15::boolean[])
       ), health AS (
         ${health.sql}
       ), counters AS (
         ${counters.sql}
       )
       UPDATE deliveries d SET
         status = v.status, attempt_count = v.attempt_count, first_attempt_at = v.first_attempt_at,
         held_reason = CASE WHEN v.status IN ('held', 'failed') THEN d.held_reason END,
         next_attempt_at = v.next_attempt_at, completed_at = v.completed_at, last_attempt_at = v.last_attempt_at,
         last_status_code = v.last_status_code, last_error_class = v.last_error_class, last_duration_ms = v.last_duration_ms
       FROM unnest($16::text[], $17::delivery_status[], $18::int[], $19::timestamptz[], $20::timestamptz[], $21::timestamptz[],
                   $22::timestamptz[], $23::int[], $24::text[], $25::int[])
         AS v(id, status, attempt_count, first_attempt_at, next_attempt_at, completed_at, last_attempt_at, last_status_code, last_error_class, last_duration_ms)
       WHERE d.id = v.id`,
      [
        attemptRows.map((item) => item.id),
        attemptRows.map((item) => item.record.deliveryId),
        attemptRows.map((item) => item.number),
        attemptRows.map((item) => item.record.trigger),
        attemptRows.map((item) => item.record.url),
        attemptRows.map((item) => item.record.startedAt),
        attemptRows.map((item) => item.record.result.durationMs),
        attemptRows.map((item) => JSON.stringify(item.record.requestHeaders)),
        attemptRows.map((item) => item.record.verdict.statusCode),
        attemptRows.map((item) => (item.record.result.kind === "response" ? JSON.stringify(item.record.result.response.headers) : null)),
        attemptRows.map((item) => (item.record.result.kind === "response" ? item.record.result.response.body : null)),
        attemptRows.map((item) => item.record.result.kind === "response" && item.record.result.response.bodyTruncated),
        attemptRows.map((item) => item.record.verdict.errorClass),
        attemptRows.map((item) => item.record.verdict.detail),
        attemptRows.map((item) => item.record.verdict.succeeded),
        changed.map((row) => row.id),
        changed.map((row) => row.status),
        changed.map((row) => row.attempt_count),
        changed.map((row) => row.first_attempt_at),
        changed.map((row) => row.next_attempt_at),
        changed.map((row) => row.completed_at),
        changed.map((row) => last.get(row.id)!.startedAt),
        changed.map((row) => last.get(row.id)!.verdict.statusCode),
        changed.map((row) => last.get(row.id)!.verdict.errorClass),
        changed.map((row) => last.get(row.id)!.result.durationMs),
        ...health.values,
        ...counters.values,
      ],
    );
  }

  if (pauses.size > 0) {
    const paused = [...pauses.entries()].sort(([a], [b]) => a.localeCompare(b));
    await client.query(
      `UPDATE subscriptions s SET paused_until = GREATEST(COALESCE(s.paused_until, p.until), p.until)
       FROM unnest($1::text[], $2::timestamptz[]) AS p(id, until) WHERE s.id = p.id`,
      [paused.map(([id]) => id), paused.map(([, until]) => until)],
    );
  }

  const disabledNow: string[] = [];
  for (const [subscriptionId, info] of disable) {
    const webhook = { subscriptionId, organizationId: info.organizationId };
    if (await disableWebhookByRule(client, webhook, "gone", { reason: "receiver answered 410 Gone" }, options.now)) {
      disabledNow.push(subscriptionId);
      logger.warn({ webhookId: subscriptionId }, "webhook disabled after a 410 Gone answer");
    }
  }

  toQueue.push(...(await releaseSuccessors(client, finished, options.now)));

  const dueOnDisabled = await holdDueDeliveriesOfDisabledWebhooks(client, options.disabledWebhookJobs ?? [], options.now);
  const requeued = dueOnDisabled.requeue.map((job) => ({ ...job, until: job.dueAt }));
  toQueue.push(...(await deferAttempts(client, [...(options.deferrals ?? []), ...requeued])));

  // Held last, so deliveries released or planned above for a webhook that was just switched off wait with the rest.
  const held = new Set([...dueOnDisabled.held, ...(await holdOpenDeliveries(client, disabledNow))]);
  await queueAttempts(
    options.boss,
    client,
    toQueue.filter((item) => !held.has(item.deliveryId)),
    options.now,
  );
  if (options.completeJobs && options.completeJobs.length > 0) {
    await options.boss.complete(DELIVERY_QUEUE, [...options.completeJobs], null, { db: transactionExecutor(client) });
  }
  return attempts;
}

/** Stores attempts and their consequences (see recordInTransaction) in one transaction. */
export function recordAttempts(records: readonly AttemptRecord[], options: RecordOptions): Promise<RecordedAttempt[]> {
  return withTransaction((client) => recordInTransaction(client, records, options));
}
