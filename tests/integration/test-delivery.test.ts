import { TestClock } from "pg-boss";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../../lib/accounts/api-keys";
import { SYSTEM_ACTOR } from "../../lib/audit";
import { SCOPES } from "../../lib/auth/principal";
import { pool } from "../../lib/db";
import { TEST_DELIVERIES_PER_WINDOW } from "../../lib/deliveries/test-delivery-limit";
import { createHttpClient } from "../../lib/dispatch/http-client";
import { setSharedHttpClient } from "../../lib/dispatch/shared-http-client";
import { verifySignature } from "../../lib/signing";
import { api } from "../support/api";
import { createWebhook, deliveryOf, publish, waitUntil } from "../support/deliveries";
import { createTenant, type Tenant } from "../support/fixtures";
import { startRawServer } from "../support/raw-servers";
import { startReceiver, type TestReceiver } from "../support/receiver";
import { startTestWorker, type TestWorker } from "../support/worker";

describe("test deliveries", () => {
  const clock = new TestClock(new Date("2026-12-01T10:00:00.000Z"));
  let tenant: Tenant;
  let receiver: TestReceiver;
  let worker: TestWorker;

  beforeAll(async () => {
    receiver = await startReceiver();
    worker = await startTestWorker({ clock });
  });

  afterEach(() => setSharedHttpClient(null));

  afterAll(async () => {
    await worker.stop();
    await receiver.close();
  });

  async function sendTest(webhookId: string) {
    return api("POST", `/v1/webhooks/${webhookId}/test`, { apiKey: tenant.apiKey });
  }

  it("looks real but is marked", async () => {
    tenant = await createTenant();
    const webhook = await createWebhook(tenant, receiver.url);
    // Registering a webhook sends nothing by itself.
    expect(receiver.requests).toHaveLength(0);
    await publish(tenant, "finding.created", "fnd_real", { finding_id: "fnd_real", severity: "high" });
    const [real] = await receiver.waitForRequests(1);

    const tested = await sendTest(webhook.id);
    expect(tested.status).toBe(200);
    const [, test] = await receiver.waitForRequests(2);
    const payload = JSON.parse(test!.body.toString());
    expect(Object.keys(payload)).toEqual(Object.keys(JSON.parse(real!.body.toString())));
    expect(Object.keys(test!.headers).sort()).toEqual(Object.keys(real!.headers).sort());
    expect(test!.headers["wasviking-event"]).toBe("webhook.test");
    expect(payload).toMatchObject({ type: "webhook.test", ordering: null, data: { test: true } });
    expect(payload.subject).toMatch(/^fnd_test_[0-9a-f]{12}$/);
    expect(payload.data.example_finding.id).toBe(payload.subject);
    expect(payload.data.example_finding.title).toMatch(/[^\x00-\x7f]/);
    const verified = verifySignature({
      signatureHeader: test!.headers["wasviking-signature"] as string,
      deliveryId: test!.headers["wasviking-delivery"] as string,
      body: test!.body,
      secrets: [webhook.secret],
      nowSeconds: Math.floor(clock.now() / 1000),
    });
    expect(verified.ok).toBe(true);

    expect(tested.body.delivery_id).toBe(test!.headers["wasviking-delivery"]);
    expect(tested.body.attempt).toMatchObject({ trigger: "test", succeeded: true, response_status: 204, error_class: null });
    expect(tested.body.attempt.duration_ms).toBeGreaterThanOrEqual(0);
    const stored = (await pool().query(`SELECT is_test, ordering_key, sequence, status FROM deliveries WHERE id = $1`, [tested.body.delivery_id])).rows[0];
    expect(stored).toEqual({ is_test: true, ordering_key: null, sequence: null, status: "succeeded" });
  });

  it("reports a failure without retrying", async () => {
    tenant = await createTenant();
    const webhook = await createWebhook(tenant, receiver.url);
    receiver.respond((_request, response) => response.writeHead(500).end("<b>internal error</b>"));
    const before = receiver.requests.length;
    const tested = await sendTest(webhook.id);
    expect(tested.body.attempt).toMatchObject({ succeeded: false, response_status: 500, error_class: "http_status", response_body: "<b>internal error</b>" });
    expect((await pool().query(`SELECT status, next_attempt_at FROM deliveries WHERE id = $1`, [tested.body.delivery_id])).rows[0]).toEqual({
      status: "failed",
      next_attempt_at: null,
    });
    await clock.setTime(new Date(clock.now() + 3600_000));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(receiver.requests.length - before).toBe(1);
    receiver.respond((_request, response) => response.writeHead(204).end());
  });

  it("keeps the webhook on a 410", async () => {
    tenant = await createTenant();
    const webhook = await createWebhook(tenant, receiver.url);
    receiver.respond((_request, response) => response.writeHead(410, { "content-type": "text/plain" }).end("this endpoint was removed"));
    try {
      const tested = await sendTest(webhook.id);
      expect(tested.status).toBe(200);
      expect(tested.body.attempt).toMatchObject({ succeeded: false, response_status: 410, error_class: "gone" });
      expect((await pool().query(`SELECT status FROM deliveries WHERE id = $1`, [tested.body.delivery_id])).rows[0]).toEqual({ status: "failed" });
      // A test is made once, so one 410 is not a lasting response: the webhook stays on.
      const shown = await api("GET", `/v1/webhooks/${webhook.id}`, { apiKey: tenant.apiKey });
      expect(shown.body).toMatchObject({ enabled: true, disabled_reason: null });

      // An event published afterwards is sent, not held.
      receiver.respond((_request, response) => response.writeHead(204).end());
      const eventId = await publish(tenant, "finding.created", "fnd_after_gone_test");
      await waitUntil(() => deliveryOf(eventId, webhook.id), (row) => row?.status === "succeeded");
    } finally {
      receiver.respond((_request, response) => response.writeHead(204).end());
    }
  });

  it("reports a hanging endpoint", async () => {
    tenant = await createTenant();
    const hanging = await startRawServer(() => undefined);
    setSharedHttpClient(createHttpClient({ allowPrivate: true, deadlineMs: 700 }));
    try {
      const webhook = await createWebhook(tenant, `http://127.0.0.1:${hanging.port}/hook`);
      const tested = await sendTest(webhook.id);
      expect(tested.status).toBe(200);
      expect(tested.body.attempt).toMatchObject({ succeeded: false, error_class: "timeout", response_status: null });
    } finally {
      await hanging.close();
    }
  });

  it("obeys the destination rules", async () => {
    tenant = await createTenant();
    const internal = await startRawServer((socket) => socket.destroy());
    // Strict policy, and a name that resolves to a private address.
    setSharedHttpClient(createHttpClient({ allowPrivate: false, resolver: async () => [{ address: "10.0.0.5", family: 4 }] }));
    try {
      const webhook = await createWebhook(tenant, "https://internal.example.test/hook");
      const tested = await sendTest(webhook.id);
      expect(tested.body.attempt).toMatchObject({ succeeded: false, error_class: "blocked_destination" });
      expect(tested.body.attempt.error_detail).toBe("The destination is not allowed: internal.example.test resolves to a non-public address");
      expect(internal.connections).toBe(0);
    } finally {
      await internal.close();
    }
  });

  it("is rate limited per webhook", async () => {
    tenant = await createTenant();
    const webhook = await createWebhook(tenant, receiver.url);
    const other = await createWebhook(tenant, receiver.url);
    // Two API keys take turns, so the per-caller limit of the API never comes first.
    const keys = [tenant.apiKey, (await createApiKey(tenant.organizationId, { name: "second key", scopes: [...SCOPES] }, SYSTEM_ACTOR)).key];
    const before = receiver.requests.length;
    const statuses: number[] = [];
    let limited: Awaited<ReturnType<typeof sendTest>> | undefined;
    for (let press = 0; press < 20; press++) {
      await clock.setTime(new Date(clock.now() + 500));
      const result = await api("POST", `/v1/webhooks/${webhook.id}/test`, { apiKey: keys[press % 2] });
      statuses.push(result.status);
      if (result.status === 429) limited ??= result;
    }
    expect(statuses.filter((status) => status === 200)).toHaveLength(TEST_DELIVERIES_PER_WINDOW);
    expect(statuses.slice(TEST_DELIVERIES_PER_WINDOW).every((status) => status === 429)).toBe(true);
    expect(receiver.requests.length - before).toBe(TEST_DELIVERIES_PER_WINDOW);
    expect(limited!.headers.get("content-type")).toBe("application/problem+json");
    expect(limited!.body).toMatchObject({ status: 429, type: "https://docs.wasviking.com/problems/rate-limited" });
    expect(limited!.body.detail).toMatch(/This webhook allows 10 test deliveries per 60 seconds/);
    // Presses come every 0.5 s: the first test leaves the 60 s window 55 s after the eleventh press.
    expect(limited!.headers.get("retry-after")).toBe("55");
    expect(limited!.body.retry_after).toBe(55);

    // The limit belongs to the webhook: another webhook is free, even for the same keys.
    expect((await api("POST", `/v1/webhooks/${other.id}/test`, { apiKey: keys[0] })).status).toBe(200);
    await clock.setTime(new Date(clock.now() + 60_000));
    expect((await sendTest(webhook.id)).status).toBe(200);
  });

  it("skips a blocked ordering chain", async () => {
    tenant = await createTenant();
    const webhook = await createWebhook(tenant, receiver.url);
    receiver.respond((request, response) => response.writeHead(JSON.parse(request.body.toString()).type === "webhook.test" ? 200 : 500).end());
    const eventId = await publish(tenant, "finding.created", "fnd_blocked");
    await waitUntil(() => deliveryOf(eventId, webhook.id), (row) => row?.status === "retrying");
    const tested = await sendTest(webhook.id);
    expect(tested.body.attempt.succeeded).toBe(true);
    receiver.respond((_request, response) => response.writeHead(204).end());
  });
});
