import type pg from "pg";
import { recordAudit, SYSTEM_ACTOR } from "../audit";
import { parameter, pool, type StatementPart, withTransaction } from "../db";
import { holdOpenDeliveries } from "../deliveries/hold";
import { logger } from "../log";
import {
  DISABLE_AFTER_MS,
  DISABLED_REASONS,
  type DisabledCause,
  disablingCutoff,
  FAILING_MIN_CONSECUTIVE,
  type HealthChange,
  isDueForDisabling,
} from "./health";

/**
 * Storing and acting on webhook health (lib/subscriptions/health.ts): the
 * facts written with each batch of attempts, switching a webhook off by a
 * platform rule, and the worker's sweep that switches off webhooks failing
 * for days.
 */

type Queryable = Pick<pg.PoolClient, "query">;

/**
 * The statement that applies a batch's health changes, with its parameters
 * starting at `$first`, for the recorder to fold into its own statement.
 * Webhooks with nothing to change (only successes on a row with no failures)
 * are neither locked nor written, so a healthy webhook costs no row write per
 * batch. The rows are locked in id order, so two batches cannot deadlock on
 * each other in this statement. A deadlock elsewhere runs the whole
 * transaction again (lib/db.ts).
 */
export function healthUpdate(changes: readonly HealthChange[], first = 1): StatementPart {
  const p = (offset: number) => parameter(first, offset);
  return {
    sql: `WITH v AS (
       SELECT * FROM unnest(${p(0)}::text[], ${p(1)}::boolean[], ${p(2)}::int[], ${p(3)}::timestamptz[], ${p(4)}::timestamptz[])
         AS v(id, reset, failures, failing_since, last_failure_at)
     ), locked AS (
       SELECT s.id FROM subscriptions s JOIN v ON v.id = s.id
       WHERE v.failures > 0 OR s.consecutive_failures > 0 OR s.failing_since IS NOT NULL
       ORDER BY s.id
       FOR NO KEY UPDATE OF s
     )
     UPDATE subscriptions s SET
       consecutive_failures = CASE WHEN v.reset THEN v.failures ELSE s.consecutive_failures + v.failures END,
       failing_since = CASE WHEN v.reset THEN v.failing_since ELSE COALESCE(s.failing_since, v.failing_since) END,
       last_failure_at = GREATEST(s.last_failure_at, v.last_failure_at)
     FROM v JOIN locked ON locked.id = v.id
     WHERE s.id = v.id`,
    values: [
      changes.map((change) => change.subscriptionId),
      changes.map((change) => change.reset),
      changes.map((change) => change.failures),
      changes.map((change) => change.failingSince),
      changes.map((change) => change.lastFailureAt),
    ],
    writes: changes.length > 0,
  };
}

/**
 * Switches an enabled webhook off by a platform rule and records it in the
 * audit trail as done by the system. The caller then moves its open
 * deliveries to held, once the rest of its work is planned. Returns
 * false when the webhook was already disabled.
 */
export async function disableWebhookByRule(
  client: pg.PoolClient,
  webhook: { subscriptionId: string; organizationId: string },
  cause: DisabledCause,
  details: Record<string, unknown>,
  now: Date,
): Promise<boolean> {
  const result = await client.query(
    `UPDATE subscriptions SET enabled = false, disabled_reason = $2, disabled_cause = $3, disabled_at = $4, updated_at = $4 WHERE id = $1 AND enabled`,
    [webhook.subscriptionId, DISABLED_REASONS[cause], cause, now],
  );
  if (!result.rowCount) return false;
  await recordAudit(client, {
    organizationId: webhook.organizationId,
    actor: SYSTEM_ACTOR,
    action: "webhook.disabled",
    targetType: "webhook",
    targetId: webhook.subscriptionId,
    details,
    at: now,
  });
  return true;
}

interface FailingRow {
  id: string;
  organization_id: string;
  enabled: boolean;
  disabled_cause: string | null;
  failing_since: Date | null;
  consecutive_failures: number;
  last_failure_at: Date | null;
}

/** Switches one webhook off if it is still due once locked; returns the number of deliveries it held, or null. */
async function disableIfStillFailing(subscriptionId: string, now: Date): Promise<number | null> {
  return withTransaction(async (client) => {
    const found = await client.query<FailingRow>(
      `SELECT id, organization_id, enabled, disabled_cause, failing_since, consecutive_failures, last_failure_at
       FROM subscriptions WHERE id = $1 FOR UPDATE`,
      [subscriptionId],
    );
    const row = found.rows[0];
    // A success, an admin's change or another worker's sweep may have come first.
    if (!row) return null;
    const facts = {
      enabled: row.enabled,
      disabledCause: row.disabled_cause,
      failingSince: row.failing_since,
      consecutiveFailures: row.consecutive_failures,
      lastFailureAt: row.last_failure_at,
    };
    if (!isDueForDisabling(facts, now)) return null;
    const details = {
      reason: "failing",
      failingSince: row.failing_since!.toISOString(),
      consecutiveFailures: row.consecutive_failures,
      failingForHours: DISABLE_AFTER_MS / 3_600_000,
    };
    const disabled = await disableWebhookByRule(client, { subscriptionId, organizationId: row.organization_id }, "failing", details, now);
    if (!disabled) return null;
    const held = await holdOpenDeliveries(client, [subscriptionId]);
    logger.warn(
      { webhookId: subscriptionId, failingSince: row.failing_since, consecutiveFailures: row.consecutive_failures, heldDeliveries: held.length },
      "webhook disabled after failing continuously",
    );
    return held.length;
  });
}

/**
 * Switches off every enabled webhook whose attempts all failed for
 * DISABLE_AFTER_MS, each in its own transaction, and holds its open
 * deliveries. Every worker runs it; the row lock and the enabled check make a
 * webhook switch off once. Returns the ids of the webhooks switched off.
 */
export async function disableFailingWebhooks(now: Date): Promise<string[]> {
  const candidates = await pool().query<{ id: string }>(
    `SELECT id FROM subscriptions WHERE failing_since <= $1 AND enabled AND consecutive_failures >= $2 ORDER BY id`,
    [disablingCutoff(now), FAILING_MIN_CONSECUTIVE],
  );
  const disabled: string[] = [];
  for (const candidate of candidates.rows) {
    if ((await disableIfStillFailing(candidate.id, now)) !== null) disabled.push(candidate.id);
  }
  return disabled;
}
