import { pool } from "../db";
import { problems } from "../http/problem";
import type { DeliveryFilters } from "./delivery-filters";
import { planDeliverySearch, type SearchScope } from "./delivery-search";

/** Reads of deliveries for the API and the portal, always scoped to one organisation. */
export interface DeliveryRow {
  id: string;
  subscription_id: string;
  event_id: string;
  event_type: string;
  subject: string | null;
  status: "pending" | "retrying" | "succeeded" | "failed" | "held";
  held_reason: string | null;
  attempt_count: number;
  ordering_key: string | null;
  sequence: number | null;
  next_attempt_at: Date | null;
  created_at: Date;
  completed_at: Date | null;
  last_attempt_at: Date | null;
  last_status_code: number | null;
  last_error_class: string | null;
  last_duration_ms: number | null;
}

const DELIVERY_COLUMNS = `d.id, d.subscription_id, d.event_id, d.event_type, d.subject, d.status, d.held_reason, d.attempt_count, d.ordering_key, d.sequence,
  d.next_attempt_at, d.created_at, d.completed_at, d.last_attempt_at, d.last_status_code, d.last_error_class, d.last_duration_ms`;

/** Maps a delivery row to its API shape. */
export function presentDelivery(row: DeliveryRow) {
  return {
    id: row.id,
    webhook_id: row.subscription_id,
    event_id: row.event_id,
    event_type: row.event_type,
    subject: row.subject,
    status: row.status,
    held_reason: row.held_reason,
    attempts: row.attempt_count,
    ordering: row.ordering_key && row.sequence !== null ? { key: row.ordering_key, sequence: row.sequence } : null,
    next_attempt_at: row.next_attempt_at,
    created_at: row.created_at,
    completed_at: row.completed_at,
    last_attempt: row.last_attempt_at
      ? { at: row.last_attempt_at, status_code: row.last_status_code, error_class: row.last_error_class, duration_ms: row.last_duration_ms }
      : null,
  };
}

/** Tells whether the webhook exists in the organisation. */
export async function webhookExists(organizationId: string, subscriptionId: string): Promise<boolean> {
  const owner = await pool().query(`SELECT 1 FROM subscriptions WHERE id = $1 AND organization_id = $2`, [subscriptionId, organizationId]);
  return owner.rowCount !== 0;
}

export interface DeliveryPage {
  items: DeliveryRow[];
  nextCursor: string | null;
}

/**
 * Builds the statement that reads one page of deliveries (at most `page.limit`
 * rows), or returns null when none can match. Exported for the benchmark's
 * query plans.
 */
export function deliveryPageQuery(
  scope: SearchScope,
  filters: DeliveryFilters,
  page: { limit: number; cursor?: string },
): { text: string; values: unknown[] } | null {
  const plan = planDeliverySearch(scope, filters, page);
  if (!plan) return null;
  return {
    text: `WITH page AS (${plan.text})
           SELECT ${DELIVERY_COLUMNS} FROM page JOIN deliveries d ON d.id = page.id
           WHERE d.organization_id = ${plan.organization}
           ORDER BY d.id DESC`,
    values: plan.values,
  };
}

/**
 * Lists deliveries of one webhook, or of every webhook of the organisation,
 * newest first, with keyset pagination on the id (lib/deliveries/delivery-search.ts
 * plans the index walk). Throws 404 when the webhook is not the organisation's.
 */
export async function listDeliveries(
  scope: SearchScope,
  filters: DeliveryFilters,
  page: { limit: number; cursor?: string },
): Promise<DeliveryPage> {
  if (scope.webhookId && !(await webhookExists(scope.organizationId, scope.webhookId))) throw problems.notFound(`Webhook ${scope.webhookId}`);
  const query = deliveryPageQuery(scope, filters, { limit: page.limit + 1, cursor: page.cursor });
  if (!query) return { items: [], nextCursor: null };
  const result = await pool().query<DeliveryRow>(query.text, query.values);
  const items = result.rows.slice(0, page.limit);
  return { items, nextCursor: result.rows.length > page.limit ? items[items.length - 1]!.id : null };
}

export interface AttemptRow {
  id: string;
  number: number;
  trigger: "automatic" | "replay" | "test";
  url: string;
  started_at: Date;
  duration_ms: number;
  request_headers: Record<string, string>;
  response_status: number | null;
  response_headers: Record<string, string> | null;
  response_body: string | null;
  response_body_truncated: boolean;
  error_class: string | null;
  error_detail: string | null;
  succeeded: boolean;
}

export interface DeliveryDetailRow extends DeliveryRow {
  body: string;
  first_attempt_at: Date | null;
  // The delivery of the same ordering key that goes first while this one waits; null when it does not wait.
  waiting_for: string | null;
  // The latest attempts, oldest first.
  attempts: AttemptRow[];
}

// A delivery has at most a dozen automatic attempts, but replays can add more; older ones are counted, not listed.
export const DETAIL_ATTEMPT_LIMIT = 100;

/** Returns one delivery of a webhook of the organisation with its latest attempts, or throws 404. */
export async function getDeliveryDetail(organizationId: string, subscriptionId: string, deliveryId: string): Promise<DeliveryDetailRow> {
  const found = await pool().query<Omit<DeliveryDetailRow, "attempts">>(
    `SELECT ${DELIVERY_COLUMNS}, d.body, d.first_attempt_at,
       CASE WHEN d.status = 'pending' AND d.next_attempt_at IS NULL AND c.active_delivery_id <> d.id THEN c.active_delivery_id END AS waiting_for
     FROM deliveries d
     LEFT JOIN ordering_chains c ON c.subscription_id = d.subscription_id AND c.ordering_key = d.ordering_key
     WHERE d.id = $1 AND d.subscription_id = $2 AND d.organization_id = $3`,
    [deliveryId, subscriptionId, organizationId],
  );
  const row = found.rows[0];
  if (!row) throw problems.notFound(`Delivery ${deliveryId}`);
  const attempts = await pool().query<AttemptRow>(
    `SELECT id, number, trigger, url, started_at, duration_ms, request_headers, response_status, response_headers,
            response_body, response_body_truncated, error_class, error_detail, succeeded
     FROM attempts WHERE delivery_id = $1 ORDER BY number DESC LIMIT $2`,
    [deliveryId, DETAIL_ATTEMPT_LIMIT],
  );
  return { ...row, attempts: attempts.rows.reverse() };
}
