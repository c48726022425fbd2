import { pool } from "../db";
import { problems } from "../http/problem";

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

/** Lists a webhook's deliveries, newest first, with keyset pagination on the id. */
export async function listDeliveries(
  organizationId: string,
  subscriptionId: string,
  page: { limit: number; cursor?: string },
): Promise<{ items: DeliveryRow[]; nextCursor: string | null }> {
  const owner = await pool().query(`SELECT 1 FROM subscriptions WHERE id = $1 AND organization_id = $2`, [subscriptionId, organizationId]);
  if (owner.rowCount === 0) throw problems.notFound(`Webhook ${subscriptionId}`);
  const result = await pool().query<DeliveryRow>(
    `SELECT ${DELIVERY_COLUMNS} FROM deliveries d
     WHERE d.subscription_id = $1 AND d.organization_id = $2 AND ($3::text IS NULL OR d.id < $3)
     ORDER BY d.id DESC LIMIT $4`,
    [subscriptionId, organizationId, page.cursor ?? null, page.limit + 1],
  );
  const items = result.rows.slice(0, page.limit);
  return { items, nextCursor: result.rows.length > page.limit ? items[items.length - 1]!.id : null };
}

/** Returns one delivery of a webhook of the organisation, or throws 404. */
export async function getDelivery(organizationId: string, subscriptionId: string, deliveryId: string): Promise<DeliveryRow & { body: string }> {
  const result = await pool().query<DeliveryRow & { body: string }>(
    `SELECT ${DELIVERY_COLUMNS}, d.body FROM deliveries d WHERE d.id = $1 AND d.subscription_id = $2 AND d.organization_id = $3`,
    [deliveryId, subscriptionId, organizationId],
  );
  const row = result.rows[0];
  if (!row) throw problems.notFound(`Delivery ${deliveryId}`);
  return row;
}
