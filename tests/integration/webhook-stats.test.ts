import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pool } from "../../lib/db";
import { emptyWebhookStats, webhookStats } from "../../lib/deliveries/webhook-stats";
import { newId } from "../../lib/ids";
import { api } from "../support/api";
import { createTenant, type Tenant } from "../support/fixtures";
import { startReceiver, type TestReceiver } from "../support/receiver";

const HOUR = 60 * 60 * 1000;

/**
 * Seeds a delivery in a given state, created `ageMs` ago, as the dispatch
 * engine would have left it. The figures under test are read from these rows.
 */
async function seedDelivery(
  tenant: Tenant,
  webhookId: string,
  input: { status: string; ageMs: number; statusCode?: number | null; attempted?: boolean; isTest?: boolean },
): Promise<string> {
  const createdAt = new Date(Date.now() - input.ageMs);
  const eventId = newId("event", createdAt);
  const deliveryId = newId("delivery", createdAt);
  const type = input.isTest ? "webhook.test" : "finding.created";
  await pool().query(`INSERT INTO events (id, organization_id, type, subject, data, occurred_at, created_at) VALUES ($1, $2, $3, 'fnd_1', '{}', $4, $4)`, [
    eventId,
    tenant.organizationId,
    type,
    createdAt,
  ]);
  const attempted = input.attempted ?? input.status !== "pending";
  await pool().query(
    `INSERT INTO deliveries (id, organization_id, subscription_id, event_id, event_type, subject, body, status, attempt_count,
       last_attempt_at, last_status_code, is_test, created_at)
     VALUES ($1, $2, $3, $4, $5, 'fnd_1', '{}', $6, $7, $8, $9, $10, $11)`,
    [deliveryId, tenant.organizationId, webhookId, eventId, type, input.status, attempted ? 1 : 0, attempted ? createdAt : null, input.statusCode ?? null, input.isTest ?? false, createdAt],
  );
  return deliveryId;
}

describe("webhook delivery figures", () => {
  let tenant: Tenant;
  let receiver: TestReceiver;

  beforeAll(async () => {
    tenant = await createTenant();
    receiver = await startReceiver();
  });

  afterAll(async () => {
    await receiver.close();
  });

  async function createWebhook(url = "https://siem.example.com/hooks/wasviking") {
    const response = await api("POST", "/v1/webhooks", { apiKey: tenant.apiKey, body: { url, events: ["finding.created"] } });
    expect(response.status).toBe(201);
    return response.body.id as string;
  }

  it("counts the last 24 hours by status and leaves tests out", async () => {
    const webhookId = await createWebhook();
    await seedDelivery(tenant, webhookId, { status: "succeeded", ageMs: 25 * HOUR, statusCode: 200 });
    for (const ageMs of [5 * HOUR, 4 * HOUR, 3 * HOUR]) await seedDelivery(tenant, webhookId, { status: "succeeded", ageMs, statusCode: 200 });
    await seedDelivery(tenant, webhookId, { status: "failed", ageMs: 2 * HOUR, statusCode: 410 });
    await seedDelivery(tenant, webhookId, { status: "retrying", ageMs: HOUR, statusCode: 503 });
    await seedDelivery(tenant, webhookId, { status: "pending", ageMs: HOUR / 2 });
    await seedDelivery(tenant, webhookId, { status: "held", ageMs: HOUR / 4, attempted: false });
    await seedDelivery(tenant, webhookId, { status: "failed", ageMs: HOUR / 8, statusCode: 500, isTest: true });

    const response = await api("GET", `/v1/webhooks/${webhookId}`, { apiKey: tenant.apiKey });
    expect(response.status).toBe(200);
    expect(response.body.delivery_stats.last_24h).toEqual({ succeeded: 3, failed: 1, retrying: 1, waiting: 2, success_rate: 0.6 });
  });

  it("reports the newest attempted delivery, tests left out", async () => {
    const webhookId = await createWebhook();
    const real = await seedDelivery(tenant, webhookId, { status: "succeeded", ageMs: 2 * HOUR, statusCode: 200 });
    await seedDelivery(tenant, webhookId, { status: "failed", ageMs: HOUR, statusCode: 500, isTest: true });
    await seedDelivery(tenant, webhookId, { status: "pending", ageMs: HOUR / 2 });

    const response = await api("GET", `/v1/webhooks/${webhookId}`, { apiKey: tenant.apiKey });
    expect(response.body.delivery_stats.last_delivery).toMatchObject({ id: real, event_type: "finding.created", status: "succeeded", status_code: 200 });
  });

  it("shows neither figure for tests alone", async () => {
    const webhookId = await createWebhook();
    await seedDelivery(tenant, webhookId, { status: "succeeded", ageMs: HOUR, statusCode: 204, isTest: true });

    const response = await api("GET", `/v1/webhooks/${webhookId}`, { apiKey: tenant.apiKey });
    expect(response.body.delivery_stats.last_delivery).toBeNull();
    expect(response.body.delivery_stats.last_24h.success_rate).toBeNull();
  });

  it("shows no figures for a webhook without deliveries", async () => {
    const webhookId = await createWebhook();
    const response = await api("GET", `/v1/webhooks/${webhookId}`, { apiKey: tenant.apiKey });
    expect(response.body.delivery_stats).toEqual({
      last_delivery: null,
      last_24h: { succeeded: 0, failed: 0, retrying: 0, waiting: 0, success_rate: null },
    });
  });

  it("gives every webhook of a list page its own figures", async () => {
    const quiet = await createWebhook();
    const busy = await createWebhook();
    await seedDelivery(tenant, busy, { status: "succeeded", ageMs: HOUR, statusCode: 204 });
    const list = await api("GET", "/v1/webhooks?limit=2", { apiKey: tenant.apiKey });
    expect(list.status).toBe(200);
    const byId = new Map(list.body.data.map((item: { id: string; delivery_stats: unknown }) => [item.id, item.delivery_stats]));
    expect(byId.get(busy)).toMatchObject({ last_24h: { succeeded: 1, success_rate: 1 }, last_delivery: { status_code: 204 } });
    expect(byId.get(quiet)).toMatchObject({ last_24h: { succeeded: 0, success_rate: null }, last_delivery: null });
  });

  it("leaves out a test sent through the API", async () => {
    const webhookId = await createWebhook(receiver.url);
    const sent = await api("POST", `/v1/webhooks/${webhookId}/test`, { apiKey: tenant.apiKey });
    expect(sent.status).toBe(200);
    expect(sent.body.attempt.succeeded).toBe(true);
    const response = await api("GET", `/v1/webhooks/${webhookId}`, { apiKey: tenant.apiKey });
    expect(response.body.delivery_stats.last_delivery).toBeNull();
    expect(response.body.delivery_stats.last_24h.succeeded).toBe(0);
    expect(response.body.delivery_stats.last_24h.success_rate).toBeNull();
  });

  it("counts nothing for another organisation", async () => {
    const webhookId = await createWebhook();
    await seedDelivery(tenant, webhookId, { status: "succeeded", ageMs: HOUR, statusCode: 200 });
    const other = await createTenant("Other Tenant");
    const stats = await webhookStats(other.organizationId, [webhookId], new Date());
    expect(stats.get(webhookId)).toEqual(emptyWebhookStats());
  });
});
