import { pool } from "../../lib/db";
import { newId } from "../../lib/ids";

/**
 * Deliveries written straight into the tables in the states the dispatch
 * engine leaves them, for tests of the inspector's reads: many of them, at
 * chosen times, without sending anything. Ids are built from the creation
 * time as the product builds them, which the time filters rely on.
 */
export interface SeededDelivery {
  id: string;
  eventId: string;
  webhookId: string;
  createdAt: Date;
  status: "pending" | "retrying" | "succeeded" | "failed" | "held";
  eventType: string;
  subject: string | null;
}

export type DeliverySeed = Omit<SeededDelivery, "id" | "eventId"> & { eventId?: string };

/** Inserts the deliveries (and an event for each that names none) in one statement each; returns them with their ids. */
export async function seedDeliveries(organizationId: string, seeds: readonly DeliverySeed[]): Promise<SeededDelivery[]> {
  const seeded = seeds.map((seed) => ({ ...seed, id: newId("delivery", seed.createdAt), eventId: seed.eventId ?? newId("event", seed.createdAt) }));
  const newEvents = seeded.filter((item, index) => seeds[index]!.eventId === undefined);
  await pool().query(
    `INSERT INTO events (id, organization_id, type, subject, data, occurred_at, created_at)
     SELECT e.id, $1, e.type, e.subject, '{}', e.created_at, e.created_at
     FROM unnest($2::text[], $3::text[], $4::text[], $5::timestamptz[]) AS e(id, type, subject, created_at)`,
    [organizationId, newEvents.map((item) => item.eventId), newEvents.map((item) => item.eventType), newEvents.map((item) => item.subject), newEvents.map((item) => item.createdAt)],
  );
  await pool().query(
    `INSERT INTO deliveries (id, organization_id, subscription_id, event_id, event_type, subject, body, status, attempt_count,
                             last_attempt_at, last_status_code, last_duration_ms, is_test, created_at)
     SELECT d.id, $1, d.webhook_id, d.event_id, d.event_type, d.subject, '{}', d.status::delivery_status,
            CASE WHEN d.status = 'pending' THEN 0 ELSE 1 END,
            CASE WHEN d.status = 'pending' THEN NULL ELSE d.created_at END,
            CASE d.status WHEN 'succeeded' THEN 200 WHEN 'pending' THEN NULL WHEN 'held' THEN NULL ELSE 500 END,
            CASE WHEN d.status IN ('pending', 'held') THEN NULL ELSE 42 END,
            d.event_type = 'webhook.test', d.created_at
     FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[])
       AS d(id, webhook_id, event_id, event_type, subject, status, created_at)`,
    [
      organizationId,
      seeded.map((item) => item.id),
      seeded.map((item) => item.webhookId),
      seeded.map((item) => item.eventId),
      seeded.map((item) => item.eventType),
      seeded.map((item) => item.subject),
      seeded.map((item) => item.status),
      seeded.map((item) => item.createdAt),
    ],
  );
  return seeded;
}
