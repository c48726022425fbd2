import { TestClock } from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pool } from "../../lib/db";
import { DISABLE_AFTER_MS, DISABLED_REASONS } from "../../lib/subscriptions/health";
import { api } from "../support/api";
import { createWebhook, deliveryOf, publish, waitForAttempts, waitUntil } from "../support/deliveries";
import { createTenant } from "../support/fixtures";
import { startReceiver, type TestReceiver } from "../support/receiver";
import { startTestWorker, type TestWorker } from "../support/worker";

const start = new Date("2026-12-01T10:00:00.000Z");
const clock = new TestClock(start);
const at = (seconds: number) => new Date(start.getTime() + seconds * 1000);
const HOUR = 3600;
const DAY = 24 * HOUR;
// The automatic attempts of one delivery that always fails: 0, 1 min, 6 min, 36 min and 2 h 36 min after its first.
const FIRST_FIVE_ATTEMPTS = [0, 60, 360, 2160, 9360];

let receiver: TestReceiver;
let worker: TestWorker;

beforeAll(async () => {
  receiver = await startReceiver();
  worker = await startTestWorker({ clock });
});

afterAll(async () => {
  await worker.stop();
  await receiver.close();
});

async function healthOf(apiKey: string, webhookId: string) {
  const shown = await api("GET", `/v1/webhooks/${webhookId}`, { apiKey });
  expect(shown.status).toBe(200);
  return shown.body.health;
}

/** Moves the clock to each attempt time of a delivery whose first attempt starts at `offset`, waiting for each to be recorded. */
async function runFirstFiveAttempts(deliveryId: string, offset: number): Promise<void> {
  for (const [index, seconds] of FIRST_FIVE_ATTEMPTS.entries()) {
    await clock.setTime(at(offset + seconds));
    await waitForAttempts(deliveryId, index + 1);
  }
}

async function attemptCount(webhookId: string): Promise<number> {
  const counted = await pool().query(`SELECT COUNT(*)::int AS count FROM attempts a JOIN deliveries d ON d.id = a.delivery_id WHERE d.subscription_id = $1`, [webhookId]);
  return counted.rows[0].count;
}

function eventIdsReceived(): string[] {
  return receiver.requests.map((request) => JSON.parse(request.body.toString()).id);
}

describe("endpoint health", () => {
  it("warns, disables after 5 days and releases on enable", async () => {
    const tenant = await createTenant();
    const webhook = await createWebhook(tenant, receiver.url);
    receiver.respond((_request, response) => response.writeHead(500).end());

    const first = await publish(tenant, "finding.created", "fnd_health_1");
    const firstDelivery = await deliveryOf(first, webhook.id);
    await waitForAttempts(firstDelivery.id, 1);
    expect(await healthOf(tenant.apiKey, webhook.id)).toMatchObject({ state: "degraded", consecutive_failures: 1, disable_at: null });

    await runFirstFiveAttempts(firstDelivery.id, 0);
    const failing = await healthOf(tenant.apiKey, webhook.id);
    expect(failing).toEqual({
      state: "failing",
      failing_since: start.toISOString(),
      consecutive_failures: 5,
      disable_at: new Date(start.getTime() + DISABLE_AFTER_MS).toISOString(),
      disabled_cause: null,
    });

    // A day before the end of the window the webhook is warned; the first delivery gave up long before, after 24 h.
    await clock.setTime(at(4 * DAY + HOUR));
    await waitUntil(() => deliveryOf(first, webhook.id), (row) => row.status === "failed");
    const earlier = await publish(tenant, "finding.created", "fnd_health_2");
    const later = await publish(tenant, "finding.escalated", "fnd_health_2");
    await waitForAttempts((await deliveryOf(earlier, webhook.id)).id, 1);
    const warned = await healthOf(tenant.apiKey, webhook.id);
    expect(warned).toMatchObject({ state: "warned", disable_at: new Date(start.getTime() + DISABLE_AFTER_MS).toISOString() });
    expect(warned.consecutive_failures).toBe(await attemptCount(webhook.id));
    const listed = await api("GET", "/v1/webhooks", { apiKey: tenant.apiKey });
    expect(listed.body.data.find((item: { id: string }) => item.id === webhook.id).health.state).toBe("warned");
    expect((await deliveryOf(later, webhook.id)).status).toBe("pending");

    // Still enabled one second before the window ends, disabled by the worker's sweep once it has.
    await clock.setTime(at(5 * DAY - 1));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await healthOf(tenant.apiKey, webhook.id)).state).toBe("warned");
    await clock.setTime(at(5 * DAY));
    await waitUntil(() => healthOf(tenant.apiKey, webhook.id), (health) => health.state === "disabled");

    const shown = await api("GET", `/v1/webhooks/${webhook.id}`, { apiKey: tenant.apiKey });
    expect(shown.body).toMatchObject({ enabled: false, disabled_reason: DISABLED_REASONS.failing });
    expect(shown.body.health).toMatchObject({ state: "disabled", disabled_cause: "failing", disable_at: null });
    const audit = await pool().query(`SELECT actor_type, created_at, details FROM audit_entries WHERE target_id = $1 AND action = 'webhook.disabled'`, [webhook.id]);
    expect(audit.rows).toHaveLength(1);
    expect(audit.rows[0].actor_type).toBe("system");
    expect(audit.rows[0].created_at).toEqual(at(5 * DAY));
    expect(audit.rows[0].details).toMatchObject({ reason: "failing", failingSince: start.toISOString() });
    expect(await deliveryOf(earlier, webhook.id)).toMatchObject({ status: "held", held_reason: "webhook_disabled" });
    expect(await deliveryOf(later, webhook.id)).toMatchObject({ status: "held", held_reason: "webhook_disabled" });
    // Events published while the platform has the webhook switched off are kept for it.
    const whileDisabled = await publish(tenant, "finding.sla_breached", "fnd_health_2");
    expect(await deliveryOf(whileDisabled, webhook.id)).toMatchObject({ status: "held", held_reason: "webhook_disabled", attempt_count: 0 });

    receiver.respond((_request, response) => response.writeHead(204).end());
    const sentBefore = receiver.requests.length;
    const enabled = await api("PATCH", `/v1/webhooks/${webhook.id}`, { apiKey: tenant.apiKey, body: { enabled: true } });
    expect(enabled.status).toBe(200);
    expect(enabled.body).toMatchObject({ enabled: true, disabled_reason: null });
    expect(enabled.body.health).toEqual({ state: "healthy", failing_since: null, consecutive_failures: 0, disable_at: null, disabled_cause: null });
    for (const eventId of [earlier, later, whileDisabled]) {
      await waitUntil(() => deliveryOf(eventId, webhook.id), (row) => row.status === "succeeded");
    }
    expect(eventIdsReceived().slice(sentBefore)).toEqual([earlier, later, whileDisabled]);
    const update = await pool().query(`SELECT details FROM audit_entries WHERE target_id = $1 AND action = 'webhook.enabled'`, [webhook.id]);
    expect(update.rows[0].details.releasedDeliveries).toBe(3);
  });

  it("one success resets the run", async () => {
    const offset = 6 * DAY;
    const tenant = await createTenant();
    const webhook = await createWebhook(tenant, receiver.url);
    receiver.respond((_request, response) => response.writeHead(503).end());
    await clock.setTime(at(offset));

    const eventId = await publish(tenant, "finding.created", "fnd_health_3");
    const delivery = await deliveryOf(eventId, webhook.id);
    await runFirstFiveAttempts(delivery.id, offset);
    expect(await healthOf(tenant.apiKey, webhook.id)).toMatchObject({ state: "failing", consecutive_failures: 5, failing_since: at(offset).toISOString() });

    receiver.respond((_request, response) => response.writeHead(200).end());
    // The sixth attempt comes 10 h 36 min after the first.
    await clock.setTime(at(offset + 38_160));
    await waitUntil(() => deliveryOf(eventId, webhook.id), (row) => row.status === "succeeded");
    expect(await healthOf(tenant.apiKey, webhook.id)).toEqual({ state: "healthy", failing_since: null, consecutive_failures: 0, disable_at: null, disabled_cause: null });
    const row = await pool().query(`SELECT failing_since, consecutive_failures, last_failure_at FROM subscriptions WHERE id = $1`, [webhook.id]);
    expect(row.rows[0]).toMatchObject({ failing_since: null, consecutive_failures: 0 });
    expect(row.rows[0].last_failure_at).toEqual(at(offset + 9360));

    // Days later the sweep leaves it alone.
    await clock.setTime(at(offset + 6 * DAY));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await healthOf(tenant.apiKey, webhook.id)).state).toBe("healthy");
  });

  it("throttling answers do not count", async () => {
    const offset = 13 * DAY;
    const tenant = await createTenant();
    const webhook = await createWebhook(tenant, receiver.url);
    await clock.setTime(at(offset));
    receiver.respond((_request, response) => response.writeHead(429, { "retry-after": "30" }).end());
    const eventId = await publish(tenant, "finding.created", "fnd_health_4");
    await waitForAttempts((await deliveryOf(eventId, webhook.id)).id, 1);
    expect(await healthOf(tenant.apiKey, webhook.id)).toMatchObject({ state: "healthy", consecutive_failures: 0, failing_since: null });
  });
});
