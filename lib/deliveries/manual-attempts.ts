import { randomBytes } from "node:crypto";
import type { PgBoss } from "pg-boss";
import { recordAudit } from "../audit";
import { assertReplayWithinDailyCap } from "../caps/write-guard";
import { currentTime } from "../clock";
import type { Principal } from "../auth/principal";
import { pool, withTransaction } from "../db";
import { performAttempt } from "../dispatch/attempt";
import type { HttpClient } from "../dispatch/http-client";
import { envelopeBody } from "../events/envelope";
import { TEST_EVENT_TYPE } from "../events/catalog";
import { TEST_FINDING_ID_PREFIX } from "../events/schemas";
import { problems } from "../http/problem";
import { idLowerBound, newId } from "../ids";
import { validSecrets } from "../subscriptions/secrets";
import type { AttemptRecord, RecordedAttempt } from "./record";
import { recordAttempts } from "./record";
import { TEST_DELIVERIES_PER_WINDOW, TEST_DELIVERY_WINDOW_SECONDS, testDeliveryWaitSeconds } from "./test-delivery-limit";

/**
 * Attempts made on request, while the caller waits: test deliveries and
 * replays. They are signed, sent and recorded by the same code as automatic
 * attempts and answer with the outcome, so a script sees at once whether the
 * endpoint works.
 */
export interface ManualAttemptResult {
  deliveryId: string;
  eventId: string;
  attempt: RecordedAttempt;
  record: AttemptRecord;
}

interface Dependencies {
  boss: PgBoss;
  http: HttpClient;
}

/** Builds the payload of a webhook.test event: clearly marked as a test, with ids that cannot collide with real ones. */
export function testEventData(now: Date) {
  const suffix = randomBytes(6).toString("hex");
  return {
    test: true,
    message: "Test delivery from WASViking Webhooks. It carries no real finding; do not act on it.",
    sent_at: now.toISOString(),
    example_finding: {
      id: `${TEST_FINDING_ID_PREFIX}${suffix}`,
      title: "Exposed admin console — näive «example» ✓",
      severity: "high",
    },
  };
}

/**
 * Sends a webhook.test event to one webhook now and records it as a test
 * delivery. It is outside per-subject ordering and does not count against
 * the daily cap, so it is sent even while the webhook has used its cap. It
 * obeys the destination rules like any attempt, and is rate limited per
 * webhook (lib/deliveries/test-delivery-limit.ts). Over that limit it throws
 * a 429 with Retry-After and sends nothing.
 */
export async function sendTestDelivery(principal: Principal, subscriptionId: string, now: Date, dependencies: Dependencies): Promise<ManualAttemptResult> {
  const eventId = newId("event", now);
  const deliveryId = newId("delivery", now);
  const data = testEventData(now);
  const subject = data.example_finding.id;
  const body = envelopeBody({ eventId, type: TEST_EVENT_TYPE, occurredAt: now, subject, ordering: null, data });
  const url = await withTransaction(async (client) => {
    // Locking the webhook makes concurrent test requests count one after the other.
    const found = await client.query<{ url: string }>(`SELECT url FROM subscriptions WHERE id = $1 AND organization_id = $2 FOR UPDATE`, [
      subscriptionId,
      principal.organizationId,
    ]);
    const subscription = found.rows[0];
    if (!subscription) throw problems.notFound(`Webhook ${subscriptionId}`);
    const recent = await client.query<{ created_at: Date }>(
      `SELECT created_at FROM deliveries WHERE subscription_id = $1 AND is_test AND id >= $2 ORDER BY id`,
      [subscriptionId, idLowerBound("delivery", new Date(now.getTime() - TEST_DELIVERY_WINDOW_SECONDS * 1000))],
    );
    const wait = testDeliveryWaitSeconds(
      recent.rows.map((row) => row.created_at),
      now,
    );
    if (wait !== null) {
      throw problems.webhookRateLimited(
        `This webhook allows ${TEST_DELIVERIES_PER_WINDOW} test deliveries per ${TEST_DELIVERY_WINDOW_SECONDS} seconds, whoever sends them: retry in ${wait} s`,
        wait,
      );
    }
    await client.query(
      `INSERT INTO events (id, organization_id, type, subject, data, occurred_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $6)`,
      [eventId, principal.organizationId, TEST_EVENT_TYPE, subject, JSON.stringify(data), now],
    );
    await client.query(
      `INSERT INTO deliveries (id, organization_id, subscription_id, event_id, event_type, subject, body, status, is_test, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', true, $8)`,
      [deliveryId, principal.organizationId, subscriptionId, eventId, TEST_EVENT_TYPE, subject, body, now],
    );
    await recordAudit(client, {
      organizationId: principal.organizationId,
      actor: principal.actor,
      action: "webhook.test_sent",
      targetType: "webhook",
      targetId: subscriptionId,
      details: { deliveryId },
      at: now,
    });
    return subscription.url;
  });
  return attemptNow(subscriptionId, { deliveryId, eventId, eventType: TEST_EVENT_TYPE, body, url }, "test", dependencies);
}

/**
 * Makes a new attempt of an existing delivery now, freshly signed, and records
 * it as a replay. A replay does not count against the daily cap. While the
 * webhook has used its cap, a delivery the cap never counted (held, or given
 * up after being held) cannot be replayed (429), because that would send an
 * event beyond the cap (lib/caps/write-guard.ts).
 */
export async function replayDelivery(
  principal: Principal,
  subscriptionId: string,
  deliveryId: string,
  now: Date,
  dependencies: Dependencies,
): Promise<ManualAttemptResult> {
  const found = await pool().query<{ event_id: string; event_type: string; body: string; url: string }>(
    `SELECT d.event_id, d.event_type, d.body, s.url FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id
     WHERE d.id = $1 AND d.subscription_id = $2 AND d.organization_id = $3`,
    [deliveryId, subscriptionId, principal.organizationId],
  );
  const delivery = found.rows[0];
  if (!delivery) throw problems.notFound(`Delivery ${deliveryId}`);
  await assertReplayWithinDailyCap(pool(), principal, subscriptionId, deliveryId, now);
  await recordAudit(pool(), {
    organizationId: principal.organizationId,
    actor: principal.actor,
    action: "delivery.replayed",
    targetType: "delivery",
    targetId: deliveryId,
    details: { webhookId: subscriptionId },
    at: now,
  });
  return attemptNow(
    subscriptionId,
    { deliveryId, eventId: delivery.event_id, eventType: delivery.event_type, body: delivery.body, url: delivery.url },
    "replay",
    dependencies,
  );
}

async function attemptNow(
  subscriptionId: string,
  target: { deliveryId: string; eventId: string; eventType: string; body: string; url: string },
  trigger: "test" | "replay",
  dependencies: Dependencies,
): Promise<ManualAttemptResult> {
  const secrets = await validSecrets(pool(), [subscriptionId], currentTime());
  const record = await performAttempt(dependencies.http, { ...target, secrets: secrets.get(subscriptionId) ?? [] }, trigger, currentTime);
  const [attempt] = await recordAttempts([record], { boss: dependencies.boss, now: record.endedAt });
  if (!attempt) throw problems.notFound(`Delivery ${target.deliveryId}`);
  return { deliveryId: target.deliveryId, eventId: target.eventId, attempt, record };
}
