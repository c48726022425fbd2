import type { LookupAddress } from "node:dns";
import { TestClock } from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../../lib/accounts/api-keys";
import { SYSTEM_ACTOR } from "../../lib/audit";
import { currentTime } from "../../lib/clock";
import type { Principal } from "../../lib/auth/principal";
import { pool } from "../../lib/db";
import { sendTestDelivery } from "../../lib/deliveries/manual-attempts";
import { purgeExpiredResponses } from "../../lib/deliveries/response-retention";
import { createHttpClient } from "../../lib/dispatch/http-client";
import { producer } from "../../lib/dispatch/producer";
import { newId } from "../../lib/ids";
import { api } from "../support/api";
import { createTenant, type Tenant } from "../support/fixtures";
import { createPortalUser, portalHeaders, signIn } from "../support/portal";
import { startReceiver, type TestReceiver } from "../support/receiver";
import { seedDeliveries } from "../support/seed-deliveries";
import { startTestWorker, type TestWorker } from "../support/worker";

/**
 * One delivery in the inspector: the exact body, every attempt with its
 * request and response, the next retry, hostile and secret-bearing responses,
 * blocked destinations, retention, roles and organisations.
 */
const DAY = 24 * 60 * 60 * 1000;

async function waitForStatus(deliveryId: string, status: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const row = (await pool().query(`SELECT status FROM deliveries WHERE id = $1`, [deliveryId])).rows[0];
    if (row?.status === status) return;
    if (Date.now() > deadline) throw new Error(`Delivery ${deliveryId} is ${row?.status}, expected ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function principalOf(tenant: Tenant): Principal {
  return { organizationId: tenant.organizationId, actor: SYSTEM_ACTOR, via: "api_key", scopes: new Set(["webhooks:read", "webhooks:write"]) };
}

/** Waits until the webhook lists its first delivery and returns that list entry. */
async function waitForList(owner: Tenant, webhookId: string): Promise<{ id: string }> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const listed = await api("GET", `/v1/webhooks/${webhookId}/deliveries`, { apiKey: owner.apiKey });
    if (listed.body.data.length > 0) return listed.body.data[0];
    if (Date.now() > deadline) throw new Error(`Webhook ${webhookId} listed no delivery within 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe("delivery detail", () => {
  const clock = new TestClock(new Date("2026-12-01T10:00:00.000Z"));
  let tenant: Tenant;
  let receiver: TestReceiver;
  let worker: TestWorker;

  async function createWebhook(url: string, owner: Tenant = tenant): Promise<string> {
    const created = await api("POST", "/v1/webhooks", { apiKey: owner.apiKey, body: { url, events: ["finding.escalated", "asset.first_seen"] } });
    expect(created.status).toBe(201);
    return created.body.id;
  }

  async function detail(webhookId: string, deliveryId: string, call: { apiKey?: string; headers?: Record<string, string> } = { apiKey: tenant.apiKey }) {
    return api("GET", `/v1/webhooks/${webhookId}/deliveries/${deliveryId}`, call);
  }

  beforeAll(async () => {
    tenant = await createTenant("Inspector Team");
    receiver = await startReceiver();
    worker = await startTestWorker({ clock });
  });

  afterAll(async () => {
    await worker.stop();
    await receiver.close();
  });

  it("shows the body, each attempt, the next retry and a waiting successor", async () => {
    receiver.respond((_request, response) => response.writeHead(500, { "content-type": "text/plain" }).end("database is down"));
    const webhookId = await createWebhook(receiver.url);
    const data = { finding_id: "fnd_900", severity: "critical" };
    await api("POST", "/v1/events", { apiKey: tenant.apiKey, body: { type: "finding.escalated", data } });
    await api("POST", "/v1/events", { apiKey: tenant.apiKey, body: { type: "finding.escalated", data: { ...data, severity: "high" } } });
    const [sent] = await receiver.waitForRequests(1);
    const deliveryId = sent!.headers["wasviking-delivery"] as string;
    await waitForStatus(deliveryId, "retrying");

    const first = await detail(webhookId, deliveryId);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ id: deliveryId, webhook_id: webhookId, status: "retrying", attempts: 1, earlier_attempts: 0, waiting_for: null });
    expect(first.body.body).toBe(sent!.body.toString("utf8"));
    expect(new Date(first.body.next_attempt_at).getTime() - new Date(first.body.first_attempt_at).getTime()).toBe(60_000);
    expect(first.body.attempt_history).toHaveLength(1);
    const attempt = first.body.attempt_history[0];
    expect(attempt).toMatchObject({
      number: 1,
      trigger: "automatic",
      succeeded: false,
      url: receiver.url,
      response_status: 500,
      response_body: "database is down",
      response_body_truncated: false,
      response_omitted: null,
      redacted_values: 0,
      error_class: "http_status",
      explanation: { label: "HTTP 500" },
    });
    expect(attempt.request_headers["wasviking-signature"]).toBe(sent!.headers["wasviking-signature"]);
    expect(attempt.request_headers["wasviking-delivery"]).toBe(deliveryId);
    expect(attempt.response_headers["content-type"]).toBe("text/plain");
    expect(attempt.explanation.summary).toContain("failed while handling");
    expect(attempt.duration_ms).toBeGreaterThanOrEqual(0);

    // The second event about the same finding waits for the first.
    const listed = await api("GET", `/v1/webhooks/${webhookId}/deliveries?subject=fnd_900`, { apiKey: tenant.apiKey });
    const successor = listed.body.data.find((item: { id: string }) => item.id !== deliveryId);
    const waiting = await detail(webhookId, successor.id);
    expect(waiting.body).toMatchObject({ status: "pending", waiting_for: deliveryId, attempts: 0, next_attempt_at: null });
    expect(waiting.body.attempt_history).toEqual([]);

    // A replay that fails too, then one that succeeds once the receiver is fixed.
    expect((await api("POST", `/v1/webhooks/${webhookId}/deliveries/${deliveryId}/replay`, { apiKey: tenant.apiKey })).body.attempt.succeeded).toBe(false);
    receiver.respond((_request, response) => response.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}'));
    expect((await api("POST", `/v1/webhooks/${webhookId}/deliveries/${deliveryId}/replay`, { apiKey: tenant.apiKey })).body.attempt.succeeded).toBe(true);
    const done = await detail(webhookId, deliveryId);
    expect(done.body).toMatchObject({ status: "succeeded", attempts: 3, next_attempt_at: null });
    expect(done.body.attempt_history.map((item: { number: number; trigger: string; response_status: number }) => [item.number, item.trigger, item.response_status])).toEqual([
      [1, "automatic", 500],
      [2, "replay", 500],
      [3, "replay", 200],
    ]);
    expect(done.body.attempt_history[2].explanation).toEqual({ label: "HTTP 200", summary: "The receiver accepted the delivery.", action: null });
  });

  it("marks a test delivery's attempt", async () => {
    receiver.respond((_request, response) => response.writeHead(204).end());
    const webhookId = await createWebhook(receiver.url);
    const tested = await api("POST", `/v1/webhooks/${webhookId}/test`, { apiKey: tenant.apiKey });
    const found = await detail(webhookId, tested.body.delivery_id);
    expect(found.body).toMatchObject({ event_type: "webhook.test", status: "succeeded" });
    expect(found.body.attempt_history[0]).toMatchObject({ trigger: "test", response_status: 204, response_body: "" });
  });

  it("returns a hostile body as plain JSON text", async () => {
    const hostile = "<script>alert(document.domain)</script><img src=x onerror=alert(1)>[click](javascript:alert(1))";
    receiver.respond((_request, response) => response.writeHead(500, { "content-type": "text/html" }).end(hostile));
    const webhookId = await createWebhook(receiver.url);
    const tested = await api("POST", `/v1/webhooks/${webhookId}/test`, { apiKey: tenant.apiKey });
    expect(tested.body.attempt.response_body).toBe(hostile);
    const found = await detail(webhookId, tested.body.delivery_id);
    expect(found.headers.get("content-type")).toBe("application/json");
    expect(found.body.attempt_history[0].response_body).toBe(hostile);
    expect(found.body.attempt_history[0].response_headers["content-type"]).toBe("text/html");
  });

  it("hides credentials a receiver echoes", async () => {
    receiver.respond((_request, response) =>
      response
        .writeHead(200, { "content-type": "application/json", "set-cookie": "sid=abc123; HttpOnly" })
        .end('{"token":"<PLACEHOLDER_SECRET>","email":"user@example.com"}'),
    );
    const webhookId = await createWebhook(receiver.url);
    const tested = await api("POST", `/v1/webhooks/${webhookId}/test`, { apiKey: tenant.apiKey });
    expect(tested.body.attempt.response_body).toBe('{"token":"[REDACTED]","email":"user@example.com"}');
    const found = await detail(webhookId, tested.body.delivery_id);
    const attempt = found.body.attempt_history[0];
    expect(attempt.response_body).toBe('{"token":"[REDACTED]","email":"user@example.com"}');
    expect(attempt.response_headers["set-cookie"]).toBe("[REDACTED]");
    expect(attempt.redacted_values).toBe(2);
    expect(found.text).not.toContain("PLACEHOLDER_SECRET");
    expect(found.text).not.toContain("abc123");
  });

  it("explains a redirect with its Location", async () => {
    receiver.respond((_request, response) => response.writeHead(301, { location: "https://hooks.example.com/v2/wasviking" }).end());
    const webhookId = await createWebhook(receiver.url);
    const tested = await api("POST", `/v1/webhooks/${webhookId}/test`, { apiKey: tenant.apiKey });
    const attempt = (await detail(webhookId, tested.body.delivery_id)).body.attempt_history[0];
    expect(attempt).toMatchObject({ error_class: "redirect", response_status: 301, explanation: { label: "Redirect (HTTP 301)" } });
    expect(attempt.explanation.summary).toContain('"https://hooks.example.com/v2/wasviking"');
    expect(attempt.response_headers.location).toBe("https://hooks.example.com/v2/wasviking");
  });

  it("shows a 429 with its Retry-After and next attempt", async () => {
    const own = await createTenant();
    receiver.respond((_request, response) => response.writeHead(429, { "retry-after": "120" }).end("slow down"));
    try {
      const webhookId = await createWebhook(receiver.url, own);
      const published = await api("POST", "/v1/events", { apiKey: own.apiKey, body: { type: "finding.escalated", data: { finding_id: "fnd_429", severity: "high" } } });
      expect(published.status).toBe(202);
      const listed = await waitForList(own, webhookId);
      await waitForStatus(listed.id, "retrying");

      const found = await detail(webhookId, listed.id, { apiKey: own.apiKey });
      expect(found.body).toMatchObject({ status: "retrying", attempts: 1 });
      const attempt = found.body.attempt_history[0];
      expect(attempt).toMatchObject({ response_status: 429, error_class: "throttled" });
      // The raw header as the receiver sent it, and the wait it caused.
      expect(attempt.response_headers["retry-after"]).toBe("120");
      expect(attempt.explanation.summary).toContain('Retry-After "120"');
      expect(new Date(found.body.next_attempt_at).getTime() - new Date(attempt.started_at).getTime()).toBe(120_000);
    } finally {
      receiver.respond((_request, response) => response.writeHead(204).end());
    }
  });

  it("explains a refused connection", async () => {
    const closed = await startReceiver();
    const url = closed.url;
    await closed.close();
    const webhookId = await createWebhook(url);
    const tested = await api("POST", `/v1/webhooks/${webhookId}/test`, { apiKey: tenant.apiKey });
    const attempt = (await detail(webhookId, tested.body.delivery_id)).body.attempt_history[0];
    expect(attempt).toMatchObject({ error_class: "refused", response_status: null, response_body: null, response_omitted: null });
    expect(attempt.explanation).toMatchObject({ label: "Connection refused" });
    expect(attempt.explanation.action).toContain("listens on the URL's port");
  });

  it.each([
    ["an internal address", "https://169.254.169.254/latest/meta-data/", null],
    ["a name that resolves to one", "https://metadata.example.test/hook", "169.254.169.254"],
  ])("shows a delivery to %s as blocked, with a generic reason", async (_name, url, resolvesTo) => {
    // Registered as a loopback URL (allowed in tests), then pointed at the target as an admin of the database could.
    const webhookId = await createWebhook(receiver.url);
    await pool().query(`UPDATE subscriptions SET url = $2 WHERE id = $1`, [webhookId, url]);
    const resolved: string[] = [];
    const resolver = async (hostname: string): Promise<LookupAddress[]> => {
      resolved.push(hostname);
      return [{ address: resolvesTo ?? "203.0.113.1", family: 4 }];
    };
    const strict = createHttpClient({ allowPrivate: false, resolver });
    const before = receiver.requests.length;
    try {
      const result = await sendTestDelivery(principalOf(tenant), webhookId, new Date(), { boss: await producer(), http: strict });
      expect(result.record.verdict.errorClass).toBe("blocked_destination");
      const found = await detail(webhookId, result.deliveryId);
      const attempt = found.body.attempt_history[0];
      expect(attempt).toMatchObject({ error_class: "blocked_destination", response_status: null, response_body: null, response_headers: null, response_omitted: null });
      expect(attempt.explanation.label).toBe("Blocked");
      expect(attempt.error_detail).toMatch(/not allowed/);
      // The URL is the admin's own, but what a name resolves to must not show.
      expect(JSON.stringify(attempt.explanation)).not.toMatch(/169\.254|203\.0\.113|link-local|metadata\.example/);
      if (resolvesTo) expect(found.text).not.toMatch(/169\.254|link-local/);
      expect(found.body.status).toBe("failed");
    } finally {
      await strict.close();
    }
    expect(receiver.requests.length).toBe(before);
    expect(resolved).toEqual(resolvesTo ? ["metadata.example.test"] : []);
  });

  describe("permissions", () => {
    let webhookId: string;
    let deliveryId: string;

    beforeAll(async () => {
      receiver.respond((_request, response) => response.writeHead(500, { "x-upstream": "db-7.internal" }).end("stack trace of an internal service"));
      webhookId = await createWebhook(receiver.url);
      deliveryId = (await api("POST", `/v1/webhooks/${webhookId}/test`, { apiKey: tenant.apiKey })).body.delivery_id;
    });

    it("shows responses to admins", async () => {
      const admin = await signIn(await createPortalUser(tenant.organizationId, "admin"));
      const found = await detail(webhookId, deliveryId, { headers: { cookie: admin.cookie } });
      expect(found.body.attempt_history[0]).toMatchObject({ response_body: "stack trace of an internal service", response_omitted: null });
    });

    it("lets viewers list and filter", async () => {
      const viewer = await signIn(await createPortalUser(tenant.organizationId, "viewer"));
      const listed = await api("GET", `/v1/webhooks/${webhookId}/deliveries?status=failed`, { headers: { cookie: viewer.cookie } });
      expect(listed.status).toBe(200);
      expect(listed.body.data.map((item: { id: string }) => item.id)).toEqual([deliveryId]);
      const everywhere = await api("GET", `/v1/deliveries?delivery_id=${deliveryId}`, { headers: { cookie: viewer.cookie } });
      expect(everywhere.body.data).toHaveLength(1);
    });

    it("withholds responses from viewers and read-only keys", async () => {
      const viewer = await signIn(await createPortalUser(tenant.organizationId, "viewer"));
      const reader = await createApiKey(tenant.organizationId, { name: "monitoring", scopes: ["webhooks:read"] }, SYSTEM_ACTOR);
      for (const call of [{ headers: { cookie: viewer.cookie } }, { apiKey: reader.key }]) {
        const found = await detail(webhookId, deliveryId, call);
        expect(found.status).toBe(200);
        expect(found.body.attempt_history[0]).toMatchObject({
          response_status: 500,
          response_body: null,
          response_headers: null,
          response_omitted: "not_permitted",
          explanation: { label: "HTTP 500" },
        });
        expect(found.body.body).toContain("webhook.test");
        expect(found.text).not.toContain("stack trace");
        expect(found.text).not.toContain("db-7.internal");
      }
      const replay = await api("POST", `/v1/webhooks/${webhookId}/deliveries/${deliveryId}/replay`, { headers: portalHeaders(viewer.cookie) });
      expect(replay.status).toBe(403);
    });

    it("hides deliveries of other organisations", async () => {
      const other = await createTenant("Other Team");
      const otherWebhook = await createWebhook(receiver.url, other);
      expect((await detail(webhookId, deliveryId, { apiKey: other.apiKey })).status).toBe(404);
      expect((await detail(otherWebhook, deliveryId, { apiKey: other.apiKey })).status).toBe(404);
      const ownOtherWebhook = await createWebhook(receiver.url);
      expect((await detail(ownOtherWebhook, deliveryId)).status).toBe(404);
      const missing = await detail(webhookId, newId("delivery"));
      expect(missing.status).toBe(404);
      expect(missing.body.type).toBe("https://docs.wasviking.com/problems/not-found");
      expect((await detail(webhookId, "dlv_nonsense")).status).toBe(404);
    });
  });

  describe("retention", () => {
    it("stops showing responses after 30 days and purges them", async () => {
      const webhookId = await createWebhook(receiver.url);
      const now = currentTime();
      const [old, recent] = await seedDeliveries(tenant.organizationId, [
        { webhookId, createdAt: new Date(now.getTime() - 31 * DAY), status: "failed", eventType: "finding.escalated", subject: "fnd_old" },
        { webhookId, createdAt: new Date(now.getTime() - 29 * DAY), status: "failed", eventType: "finding.escalated", subject: "fnd_recent" },
      ]);
      for (const delivery of [old!, recent!]) {
        await pool().query(
          `INSERT INTO attempts (id, delivery_id, number, trigger, url, started_at, duration_ms, request_headers, response_status, response_headers, response_body, error_class, error_detail, succeeded)
           VALUES ($1, $2, 1, 'automatic', $3, $4, 12, '{}', 500, '{"content-type":"text/plain"}', 'old answer', 'http_status', 'The receiver answered HTTP 500', false)`,
          [newId("attempt", delivery.createdAt), delivery.id, receiver.url, delivery.createdAt],
        );
      }

      const expired = await detail(webhookId, old!.id);
      expect(expired.body.attempt_history[0]).toMatchObject({ response_status: 500, response_body: null, response_headers: null, response_omitted: "expired" });
      expect((await detail(webhookId, recent!.id)).body.attempt_history[0]).toMatchObject({ response_body: "old answer", response_omitted: null });

      const purged = await purgeExpiredResponses(now);
      expect(purged.cleared).toBeGreaterThanOrEqual(1);
      const stored = await pool().query(`SELECT delivery_id, response_body, response_headers, response_status FROM attempts WHERE delivery_id = ANY($1)`, [
        [old!.id, recent!.id],
      ]);
      const byDelivery = new Map(stored.rows.map((row) => [row.delivery_id, row]));
      expect(byDelivery.get(old!.id)).toMatchObject({ response_body: null, response_headers: null, response_status: 500 });
      expect(byDelivery.get(recent!.id)).toMatchObject({ response_body: "old answer" });
      expect((await purgeExpiredResponses(now, purged.lastId)).cleared).toBe(0);
    });
  });

  it("lists the latest 100 attempts and counts the rest", async () => {
    const webhookId = await createWebhook(receiver.url);
    const [delivery] = await seedDeliveries(tenant.organizationId, [
      { webhookId, createdAt: new Date(), status: "failed", eventType: "finding.escalated", subject: "fnd_many" },
    ]);
    const count = 105;
    const started = Array.from({ length: count }, (_, index) => new Date(delivery!.createdAt.getTime() + index * 1000));
    await pool().query(
      `INSERT INTO attempts (id, delivery_id, number, trigger, url, started_at, duration_ms, request_headers, response_status, succeeded)
       SELECT a.id, $1, a.number, 'replay', 'https://example.com', a.started_at, 5, '{}', 502, false
       FROM unnest($2::text[], $3::int[], $4::timestamptz[]) AS a(id, number, started_at)`,
      [delivery!.id, started.map((time) => newId("attempt", time)), started.map((_, index) => index + 1), started],
    );
    await pool().query(`UPDATE deliveries SET attempt_count = $2 WHERE id = $1`, [delivery!.id, count]);
    const found = await detail(webhookId, delivery!.id);
    expect(found.body.attempt_history).toHaveLength(100);
    expect(found.body.earlier_attempts).toBe(5);
    expect(found.body.attempt_history[0].number).toBe(6);
    expect(found.body.attempt_history[99].number).toBe(105);
  });
});
