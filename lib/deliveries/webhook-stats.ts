import { pool } from "../db";
import { idLowerBound } from "../ids";

/**
 * Delivery figures shown next to each webhook in lists: the newest delivery
 * that has been attempted, and how the deliveries created in the last 24
 * hours fared. Both figures describe deliveries of real events and leave test
 * deliveries out, so a test never shows in one figure and not in the other.
 * The result of a test shows in the webhook's health
 * (lib/subscriptions/health.ts) and in its deliveries list.
 */
export const STATS_WINDOW_MS = 24 * 60 * 60 * 1000;

export type DeliveryStatus = "pending" | "retrying" | "succeeded" | "failed" | "held";

export interface LastDelivery {
  id: string;
  eventType: string;
  status: DeliveryStatus;
  attemptedAt: Date;
  statusCode: number | null;
  errorClass: string | null;
}

export interface WindowCounts {
  succeeded: number;
  failed: number;
  retrying: number;
  // Not attempted yet, waiting behind an earlier delivery of the same finding, or held.
  waiting: number;
}

export interface WebhookStats {
  lastDelivery: LastDelivery | null;
  last24h: WindowCounts & { successRate: number | null };
}

/**
 * Returns the share of attempted deliveries that succeeded, from 0 to 1, or null
 * when none was attempted. A retrying delivery counts against the rate, because
 * its endpoint has failed it at least once and it may still fail for good.
 */
export function successRate(counts: WindowCounts): number | null {
  const attempted = counts.succeeded + counts.failed + counts.retrying;
  return attempted === 0 ? null : counts.succeeded / attempted;
}

const EMPTY_COUNTS: WindowCounts = { succeeded: 0, failed: 0, retrying: 0, waiting: 0 };

interface StatsRow {
  subscription_id: string;
  succeeded: number;
  failed: number;
  retrying: number;
  waiting: number;
  last_id: string | null;
  last_event_type: string | null;
  last_status: DeliveryStatus | null;
  last_attempt_at: Date | null;
  last_status_code: number | null;
  last_error_class: string | null;
}

/**
 * Computes the figures of a page of webhooks in one query. Both parts walk the
 * (subscription_id, id DESC) index of deliveries: ids start with their creation
 * time, so "created in the last 24 hours" is an id range, and the latest
 * attempted delivery is the first row of the index with an attempt that is not
 * a test, so the walk also reads the tests sent after that delivery. A retry
 * of an older delivery made after it does not replace it.
 */
export async function webhookStats(organizationId: string, subscriptionIds: readonly string[], now: Date): Promise<Map<string, WebhookStats>> {
  const stats = new Map<string, WebhookStats>();
  if (subscriptionIds.length === 0) return stats;
  const windowStart = idLowerBound("delivery", new Date(now.getTime() - STATS_WINDOW_MS));
  const result = await pool().query<StatsRow>(
    `SELECT page.id AS subscription_id,
            counts.succeeded, counts.failed, counts.retrying, counts.waiting,
            latest.id AS last_id, latest.event_type AS last_event_type, latest.status AS last_status,
            latest.last_attempt_at, latest.last_status_code, latest.last_error_class
     FROM unnest($2::text[]) AS page(id)
     LEFT JOIN LATERAL (
       SELECT count(*) FILTER (WHERE d.status = 'succeeded')::int AS succeeded,
              count(*) FILTER (WHERE d.status = 'failed')::int AS failed,
              count(*) FILTER (WHERE d.status = 'retrying')::int AS retrying,
              count(*) FILTER (WHERE d.status IN ('pending', 'held'))::int AS waiting
       FROM deliveries d
       WHERE d.subscription_id = page.id AND d.organization_id = $1 AND d.id >= $3 AND NOT d.is_test
     ) counts ON true
     LEFT JOIN LATERAL (
       SELECT d.id, d.event_type, d.status, d.last_attempt_at, d.last_status_code, d.last_error_class
       FROM deliveries d
       WHERE d.subscription_id = page.id AND d.organization_id = $1 AND d.last_attempt_at IS NOT NULL AND NOT d.is_test
       ORDER BY d.id DESC
       LIMIT 1
     ) latest ON true`,
    [organizationId, subscriptionIds, windowStart],
  );
  for (const row of result.rows) {
    // An aggregate without a GROUP BY always returns one row, so the counts are never null.
    const counts: WindowCounts = { succeeded: row.succeeded, failed: row.failed, retrying: row.retrying, waiting: row.waiting };
    const lastDelivery: LastDelivery | null =
      row.last_id && row.last_attempt_at && row.last_status && row.last_event_type
        ? {
            id: row.last_id,
            eventType: row.last_event_type,
            status: row.last_status,
            attemptedAt: row.last_attempt_at,
            statusCode: row.last_status_code,
            errorClass: row.last_error_class,
          }
        : null;
    stats.set(row.subscription_id, { lastDelivery, last24h: { ...counts, successRate: successRate(counts) } });
  }
  return stats;
}

/** Returns the figures of a webhook without deliveries. */
export function emptyWebhookStats(): WebhookStats {
  return { lastDelivery: null, last24h: { ...EMPTY_COUNTS, successRate: null } };
}
