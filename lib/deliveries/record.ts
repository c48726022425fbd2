import type pg from "pg";
import type { JobAttempt, PgBoss } from "pg-boss";
import { type UsageChange, usageUpsert } from "../caps/usage-counters";
import { parameter, prepared, type StatementPart, withTransaction } from "../db";
import type { SendResult } from "../dispatch/http-client";
import { type AttemptToQueue, type AttemptTrigger, DELIVERY_QUEUE, queueAttempts, transactionExecutor } from "../dispatch/queue";
import { newId } from "../ids";
import { logger } from "../log";
import { type AttemptOutcome, foldHealthChanges } from "../subscriptions/health";
import { disableWebhookByRule, healthUpdate } from "../subscriptions/health-store";
import { type Deferral, deferAttempts } from "./defer";
import { type DueJob, holdDueDeliveriesOfDisabledWebhooks, holdOpenDeliveries } from "./hold";
import { afterAttempt, type DeliveryState, type DeliveryStatus } from "./transitions";
import { isGoneForGood, type Verdict } from "./verdict";

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
  sequence: number | null;
  // The last sequence of the delivery's ordering chain, when the delivery is the chain's active one (the chain is
  // then locked); null otherwise.
  chain_last_sequence: number | null;
}

const OPEN_STATUSES: readonly DeliveryStatus[] = ["pending", "retrying"];

/** A finished delivery that was its ordering chain's active one, with what the locked chain showed. */
interface FinishedInChain {
  subscriptionId: string;
  orderingKey: string;
  // False when the chain's last sequence is this delivery's: nothing waits behind it.
  hasFollowers: boolean;
}

/**
 * Builds the part of the recording statement that lets the next delivery of
 * each finished delivery's ordering key go out. The chain's active delivery
 * moves to the lowest sequence still in line, or to none, and a pending one
 * becomes due now. A held delivery next in line becomes active without an
 * attempt, so the ones behind it keep waiting until it is released. The part
 * returns the successors as rows (id, subscription_id, status).
 *
 * The chains must have been locked by an earlier statement of the transaction
 * (recordInTransaction's first). A publisher that added a delivery to a chain
 * keeps the chain's row locked until it commits. Only a statement that starts
 * after our lock was granted reads that delivery. A chain whose last sequence
 * was the finished delivery's needs no look-up at all.
 */
function successorRelease(finished: readonly FinishedInChain[], now: Date, first: number): StatementPart {
  const p = (offset: number) => parameter(first, offset);
  return {
    sql: `successors AS MATERIALIZED (
       SELECT c.subscription_id, c.ordering_key, n.id, n.status
       FROM unnest(${p(0)}::text[], ${p(1)}::text[], ${p(2)}::boolean[]) AS c(subscription_id, ordering_key, has_followers)
       LEFT JOIN LATERAL (
         SELECT d.id, d.status FROM deliveries d
         WHERE c.has_followers AND d.subscription_id = c.subscription_id AND d.ordering_key = c.ordering_key
           AND ((d.status = 'pending' AND d.next_attempt_at IS NULL) OR d.status = 'held')
         ORDER BY d.sequence LIMIT 1
       ) AS n ON true
     ), moved AS (
       UPDATE ordering_chains c SET active_delivery_id = s.id
       FROM successors s
       WHERE c.subscription_id = s.subscription_id AND c.ordering_key = s.ordering_key
     ), readied AS (
       UPDATE deliveries d SET next_attempt_at = ${p(3)}
       FROM successors s WHERE d.id = s.id AND s.status = 'pending'
     )`,
    values: [finished.map((item) => item.subscriptionId), finished.map((item) => item.orderingKey), finished.map((item) => item.hasFollowers), now],
    writes: finished.length > 0,
  };
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
 * Switches off the webhooks of deliveries given up after a 410 Gone whose
 * attempts all got 410 (isGoneForGood), and returns their ids. The attempts
 * of this batch must already be stored.
 */
async function disableWebhooksGoneForGood(
  client: pg.PoolClient,
  givenUp: ReadonlyArray<{ deliveryId: string; subscriptionId: string; organizationId: string }>,
  now: Date,
): Promise<string[]> {
  if (givenUp.length === 0) return [];
  const statuses = await client.query<{ delivery_id: string; statuses: Array<number | null> }>(
    `SELECT delivery_id, array_agg(response_status) AS statuses FROM attempts WHERE delivery_id = ANY($1) GROUP BY delivery_id`,
    [givenUp.map((delivery) => delivery.deliveryId)],
  );
  const statusesByDelivery = new Map(statuses.rows.map((row) => [row.delivery_id, row.statuses]));
  const disabled: string[] = [];
  for (const delivery of givenUp) {
    const attemptStatuses = statusesByDelivery.get(delivery.deliveryId) ?? [];
    if (disabled.includes(delivery.subscriptionId) || !isGoneForGood(attemptStatuses)) continue;
    const webhook = { subscriptionId: delivery.subscriptionId, organizationId: delivery.organizationId };
    const facts = { deliveryId: delivery.deliveryId, attempts: attemptStatuses.length };
    if (await disableWebhookByRule(client, webhook, "gone", { reason: "gone", ...facts }, now)) {
      disabled.push(delivery.subscriptionId);
      logger.warn({ webhookId: delivery.subscriptionId, ...facts }, "webhook disabled: every attempt of a delivery got 410 Gone until it was given up");
    }
  }
  return disabled;
}

/**
 * Stores attempts and their consequences in one transaction. That covers the
 * attempt rows, the new delivery states, the next automatic attempts and the
 * release of the next delivery of each finished ordering key, and the usage
 * counters of the deliveries that succeeded or failed. It also covers
 * webhooks paused by a 429, webhooks switched off because a delivery got 410
 * Gone on every attempt until it was given up (their open deliveries are
 * held), attempts deferred or held without being made, and the completion of
 * the jobs that carried them. A crash before the commit leaves the jobs active,
 * so pg-boss hands them out again.
 */
async function recordInTransaction(client: pg.PoolClient, records: readonly AttemptRecord[], options: RecordOptions): Promise<RecordedAttempt[]> {
  const ids = [...new Set(records.map((record) => record.deliveryId))].sort();
  // Locks the deliveries in id order, then the chains they are active in, in key order like every other writer of
  // ordering_chains. A chain is locked through its primary key, so a locked row is read in its latest version.
  const lockedRows = await client.query<LockedDelivery>(
    prepared(
      `WITH locked AS MATERIALIZED (
         SELECT id, subscription_id, organization_id, ordering_key, sequence, status, first_attempt_at, next_attempt_at, completed_at,
                attempt_count, is_test
         FROM deliveries WHERE id = ANY($1) ORDER BY id FOR UPDATE
       ), chains AS MATERIALIZED (
         SELECT c.subscription_id, c.ordering_key, c.last_sequence
         FROM (SELECT * FROM locked WHERE ordering_key IS NOT NULL ORDER BY subscription_id, ordering_key) AS l
         CROSS JOIN LATERAL (
           SELECT subscription_id, ordering_key, last_sequence FROM ordering_chains
           WHERE subscription_id = l.subscription_id AND ordering_key = l.ordering_key AND active_delivery_id = l.id
           FOR UPDATE
         ) AS c
       )
       SELECT l.*, c.last_sequence AS chain_last_sequence
       FROM locked l LEFT JOIN chains c ON c.subscription_id = l.subscription_id AND c.ordering_key = l.ordering_key`,
      [ids],
    ),
  );
  const deliveries = new Map(lockedRows.rows.map((row) => [row.id, row]));
  const attempts: RecordedAttempt[] = [];
  const attemptRows: Array<{ record: AttemptRecord; id: string; number: number }> = [];
  const toQueue: AttemptToQueue[] = [];
  const finished: FinishedInChain[] = [];
  // Deliveries given up after a 410 Gone, which switch their webhook off if every attempt got 410 (isGoneForGood).
  const givenUpGone: Array<{ deliveryId: string; subscriptionId: string; organizationId: string }> = [];
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
    if (transition.finished && row.ordering_key && row.chain_last_sequence !== null) {
      finished.push({ subscriptionId: row.subscription_id, orderingKey: row.ordering_key, hasFollowers: row.chain_last_sequence !== row.sequence });
    }
    if (transition.finished && transition.state.status === "failed" && record.verdict.statusCode === 410) {
      givenUpGone.push({ deliveryId: row.id, subscriptionId: row.subscription_id, organizationId: row.organization_id });
    }
  }

  if (attemptRows.length > 0) {
    const last = new Map(attemptRows.map((item) => [item.record.deliveryId, item.record]));
    const changed = [...last.keys()].map((id) => deliveries.get(id)!);
    const health = healthUpdate(foldHealthChanges(healthOutcomes), 26);
    const counters = usageUpsert(outcomes, 31);
    const release = successorRelease(finished, options.now, 38);
    // One statement stores the attempts, the deliveries' new states, the webhooks' health and the usage counters, and
    // releases the finished deliveries' successors, to save round trips per batch. The deliveries and chains are
    // locked already, so the other rows are locked after them: webhooks, then counters.
    const successors = await client.query<{ id: string; subscription_id: string; status: DeliveryStatus }>(
      prepared(
        `WITH inserted AS (
           INSERT INTO attempts (id, delivery_id, number, trigger, url, started_at, duration_ms, request_headers, response_status,
                                 response_headers, response_body, response_body_truncated, error_class, error_detail, succeeded)
           SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::attempt_trigger[], $5::text[], $6::timestamptz[], $7::int[],
                                $8::jsonb[], $9::int[], $10::jsonb[], $11::text[], $12::boolean[], $13::text[], $14::text[], $15::boolean[])
         ), health AS (
           ${health.sql}
         ), counters AS (
           ${counters.sql}
         ), ${release.sql}, updated AS (
         UPDATE deliveries d SET
           status = v.status, attempt_count = v.attempt_count, first_attempt_at = v.first_attempt_at,
           held_reason = CASE WHEN v.status IN ('held', 'failed') THEN d.held_reason END,
           next_attempt_at = v.next_attempt_at, completed_at = v.completed_at, last_attempt_at = v.last_attempt_at,
           last_status_code = v.last_status_code, last_error_class = v.last_error_class, last_duration_ms = v.last_duration_ms
         FROM unnest($16::text[], $17::delivery_status[], $18::int[], $19::timestamptz[], $20::timestamptz[], $21::timestamptz[],
                     $22::timestamptz[], $23::int[], $24::text[], $25::int[])
           AS v(id, status, attempt_count, first_attempt_at, next_attempt_at, completed_at, last_attempt_at, last_status_code, last_error_class, last_duration_ms)
         WHERE d.id = v.id
         )
         SELECT s.id, s.subscription_id, s.status FROM successors s WHERE s.id IS NOT NULL`,
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
          ...release.values,
        ],
      ),
    );
    for (const row of successors.rows) {
      if (row.status === "pending") toQueue.push({ deliveryId: row.id, attempt: 1, startAfter: options.now, subscriptionId: row.subscription_id });
    }
  }

  if (pauses.size > 0) {
    const paused = [...pauses.entries()].sort(([a], [b]) => a.localeCompare(b));
    await client.query(
      `UPDATE subscriptions s SET paused_until = GREATEST(COALESCE(s.paused_until, p.until), p.until)
       FROM unnest($1::text[], $2::timestamptz[]) AS p(id, until) WHERE s.id = p.id`,
      [paused.map(([id]) => id), paused.map(([, until]) => until)],
    );
  }

  const disabledNow = await disableWebhooksGoneForGood(client, givenUpGone, options.now);

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
