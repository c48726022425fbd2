import type pg from "pg";
import type { PgBoss } from "pg-boss";
import { withTransaction } from "../db";
import { type AttemptToQueue, queueAttempts } from "../dispatch/queue";
import { addUsage } from "../caps/usage-counters";
import { DAILY_CAP, WEBHOOK_DISABLED } from "../deliveries/hold";
import { newId } from "../ids";
import { envelopeBody } from "./envelope";
import { orderingKey } from "./ordering";

export interface PublishInput {
  type: string;
  subject: string | null;
  data: unknown;
  occurredAt?: Date;
}

export interface PublishedEvent {
  id: string;
  type: string;
  subject: string | null;
  occurredAt: Date;
  createdAt: Date;
  deliveryCount: number;
}

interface FanOutRow {
  deliveryId: string;
  subscriptionId: string;
  sequence: number | null;
  ready: boolean;
  // Why the delivery is recorded as held instead of sent, or null when it goes out. The platform may have switched
  // the webhook off (a day of 410 Gone, or 5 days of failures), or the daily cap has deliveries of the webhook on hold.
  heldReason: string | null;
}

/**
 * Assigns each subscription the next sequence number of the event's ordering
 * key. A subscription with no delivery of that key in progress gets this one as
 * its active delivery (ready to send); otherwise it waits behind the earlier one.
 */
async function claimSequences(
  client: pg.PoolClient,
  key: string,
  subscriptionIds: string[],
  deliveryIds: string[],
): Promise<Map<string, { sequence: number; ready: boolean }>> {
  // Rows are locked in subscription order, the same order every writer of ordering_chains uses, so they cannot deadlock.
  const result = await client.query<{ subscription_id: string; last_sequence: number; active_delivery_id: string }>(
    `INSERT INTO ordering_chains (subscription_id, ordering_key, last_sequence, active_delivery_id)
     SELECT subscription_id, $1, 1, delivery_id FROM unnest($2::text[], $3::text[]) AS t(subscription_id, delivery_id)
     ORDER BY subscription_id
     ON CONFLICT (subscription_id, ordering_key) DO UPDATE
       SET last_sequence = ordering_chains.last_sequence + 1,
           active_delivery_id = COALESCE(ordering_chains.active_delivery_id, EXCLUDED.active_delivery_id)
     RETURNING subscription_id, last_sequence, active_delivery_id`,
    [key, subscriptionIds, deliveryIds],
  );
  const deliveryBySubscription = new Map(subscriptionIds.map((id, index) => [id, deliveryIds[index]!]));
  return new Map(
    result.rows.map((row) => [
      row.subscription_id,
      { sequence: row.last_sequence, ready: row.active_delivery_id === deliveryBySubscription.get(row.subscription_id) },
    ]),
  );
}

/**
 * Stores an event and fans it out: one delivery per enabled subscription of the
 * organisation that listens to its type, all in one transaction with the jobs
 * of the deliveries that may go out now. A subscription the platform switched
 * off (after a day of 410 Gone responses, or 5 days of failures) gets a held
 * delivery, so the event is recorded as not delivered rather than lost. One an
 * admin disabled gets none. A
 * webhook with deliveries held by the daily cap gets a held delivery too, in
 * line behind them (docs/caps.md), so publishing is never refused for a cap.
 * Returns the stored event.
 */
export async function publishEvent(
  organizationId: string,
  input: PublishInput,
  options: {
    producer: PgBoss;
    now?: Date;
    // Runs last inside the publishing transaction, so what it writes commits or rolls back with the event.
    beforeCommit?: (client: pg.PoolClient, event: PublishedEvent) => Promise<void>;
  },
): Promise<PublishedEvent> {
  const now = options.now ?? new Date();
  const occurredAt = input.occurredAt ?? now;
  const eventId = newId("event", now);
  const key = orderingKey(input.type, input.subject);

  return withTransaction(async (client) => {
    await client.query(
      `INSERT INTO events (id, organization_id, type, subject, data, occurred_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [eventId, organizationId, input.type, input.subject, JSON.stringify(input.data), occurredAt, now],
    );
    const subscriptions = await client.query<{ id: string; enabled: boolean; capped: boolean }>(
      // Capped means the day's cap is used, or it has reset but the worker has not yet released what it held:
      // a new delivery then waits behind the held ones instead of overtaking them.
      // The webhooks are locked first, in id order, before their ordering chains and counters. A change or deletion
      // of a webhook locks its row before those too, so one waits for the other instead of deadlocking.
      // A webhook deleted meanwhile is skipped, and one changed meanwhile is read in its new version.
      // The budget row is locked too, because the gate that finds the cap used holds the deliveries already waiting
      // behind under its lock on that row. A gate that has the row locked makes this statement wait and read the new
      // capped_until, and a gate that comes later waits for this commit and then sees the new delivery to hold.
      `SELECT s.id, s.enabled,
              CASE WHEN b.capped_until IS NULL THEN false
                   WHEN b.capped_until > $3 THEN true
                   ELSE EXISTS (SELECT 1 FROM deliveries d WHERE d.subscription_id = s.id AND d.status = 'held' AND d.held_reason = 'daily_cap')
              END AS capped
       FROM subscriptions s
       LEFT JOIN LATERAL (SELECT capped_until FROM webhook_budgets WHERE subscription_id = s.id FOR KEY SHARE) b ON true
       WHERE s.organization_id = $1 AND (s.enabled OR s.disabled_reason IS NOT NULL) AND $2 = ANY(s.event_types) ORDER BY s.id
       FOR KEY SHARE OF s`,
      [organizationId, input.type, now],
    );
    const subscriptionIds = subscriptions.rows.map((row) => row.id);
    const heldReasons = new Map<string, string>();
    for (const row of subscriptions.rows) {
      if (!row.enabled) heldReasons.set(row.id, WEBHOOK_DISABLED);
      else if (row.capped) heldReasons.set(row.id, DAILY_CAP);
    }
    const deliveryIds = subscriptionIds.map(() => newId("delivery", now));
    const sequences = key ? await claimSequences(client, key, subscriptionIds, deliveryIds) : undefined;

    const rows: FanOutRow[] = subscriptionIds.map((subscriptionId, index) => {
      const claimed = sequences?.get(subscriptionId);
      return {
        deliveryId: deliveryIds[index]!,
        subscriptionId,
        sequence: claimed?.sequence ?? null,
        ready: !heldReasons.has(subscriptionId) && (claimed?.ready ?? true),
        heldReason: heldReasons.get(subscriptionId) ?? null,
      };
    });
    if (rows.length > 0) {
      const bodies = rows.map((row) =>
        envelopeBody({
          eventId,
          type: input.type,
          occurredAt,
          subject: input.subject,
          ordering: key && row.sequence !== null ? { key, sequence: row.sequence } : null,
          data: input.data,
        }),
      );
      await client.query(
        `INSERT INTO deliveries (id, organization_id, subscription_id, event_id, event_type, subject, ordering_key, sequence, body, status, held_reason, held_at, next_attempt_at, created_at)
         SELECT t.id, $1, t.subscription_id, $2, $3, $4, $5, t.sequence, t.body,
                CASE WHEN t.held_reason IS NULL THEN 'pending'::delivery_status ELSE 'held'::delivery_status END,
                t.held_reason, CASE WHEN t.held_reason = $12 THEN $6::timestamptz END, t.next_attempt_at, $6
         FROM unnest($7::text[], $8::text[], $9::int[], $10::text[], $11::timestamptz[], $13::text[])
           AS t(id, subscription_id, sequence, body, next_attempt_at, held_reason)`,
        [
          organizationId,
          eventId,
          input.type,
          input.subject,
          key,
          now,
          rows.map((row) => row.deliveryId),
          rows.map((row) => row.subscriptionId),
          rows.map((row) => row.sequence),
          bodies,
          rows.map((row) => (row.ready ? now : null)),
          DAILY_CAP,
          rows.map((row) => row.heldReason),
        ],
      );
      const capped = rows.filter((row) => row.heldReason === DAILY_CAP);
      await addUsage(
        client,
        capped.map((row) => ({ subscriptionId: row.subscriptionId, at: now, held: 1 })),
      );
      const ready: AttemptToQueue[] = rows
        .filter((row) => row.ready)
        .map((row) => ({ deliveryId: row.deliveryId, attempt: 1, startAfter: now, subscriptionId: row.subscriptionId }));
      await queueAttempts(options.producer, client, ready, now);
    }
    const event = { id: eventId, type: input.type, subject: input.subject, occurredAt, createdAt: now, deliveryCount: rows.length };
    await options.beforeCommit?.(client, event);
    return event;
  });
}
