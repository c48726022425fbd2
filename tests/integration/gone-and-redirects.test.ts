import { TestClock } from "pg-boss";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { pool } from "../../lib/db";
import type { Resolver } from "../../lib/dispatch/safe-lookup";
import { api } from "../support/api";
import { attemptsOf, createWebhook, deliveryOf, deliveryRow, publish, waitForAttempts, waitUntil } from "../support/deliveries";
import { createTenant, type Tenant } from "../support/fixtures";
import { startRawServer } from "../support/raw-servers";
import { startReceiver, type TestReceiver } from "../support/receiver";
import { startTestWorker, type TestWorker } from "../support/worker";

const clock = new TestClock(new Date("2026-12-01T10:00:00.000Z"));
const later = (seconds: number) => new Date(clock.now() + seconds * 1000);
const resolved: string[] = [];
// Records every name the client resolves; Location targets must never be among them.
const resolver: Resolver = async (hostname) => {
  resolved.push(hostname);
  return [{ address: "127.0.0.1", family: 4 }];
};

let receiver: TestReceiver;
let worker: TestWorker;

beforeAll(async () => {
  receiver = await startReceiver();
  worker = await startTestWorker({ clock, http: { resolver } });
});

afterAll(async () => {
  await worker.stop();
  await receiver.close();
});

describe("410 Gone", () => {
  // Each test has its own tenant, because an event goes to every webhook of its tenant.
  let tenant: Tenant;
  // 0, then 1 min, 5 min, 30 min, 2 h and 8 h after each failure, then every 8 h, capped at the 24 h mark.
  const SCHEDULE_SECONDS = [0, 60, 360, 2160, 9360, 38160, 66960, 86400];

  beforeEach(async () => {
    tenant = await createTenant();
  });

  /** Moves the clock to each retry of the delivery until its last one is due, calling `beforeLast` before that jump. */
  async function runSchedule(deliveryId: string, beforeLast: () => Promise<void> = async () => undefined): Promise<void> {
    for (let made = 1; made < SCHEDULE_SECONDS.length; made++) {
      const row = await waitForAttempts(deliveryId, made);
      expect(row.status).toBe("retrying");
      if (made === SCHEDULE_SECONDS.length - 1) await beforeLast();
      await clock.setTime(row.next_attempt_at);
    }
  }

  it("retries a brief 410 and stays enabled", async () => {
    const webhook = await createWebhook(tenant, receiver.url);
    let answered = 0;
    receiver.respond((request, response) => {
      if (JSON.parse(request.body.toString()).subject === "fnd_brief_gone") answered += 1;
      if (answered === 1) return response.writeHead(410, { "content-type": "text/plain" }).end("deploying");
      response.writeHead(204).end();
    });
    const eventId = await publish(tenant, "finding.escalated", "fnd_brief_gone");
    const first = await waitUntil(() => deliveryOf(eventId, webhook.id), (row) => row?.attempt_count === 1);

    expect(first).toMatchObject({ status: "retrying", last_status_code: 410, last_error_class: "gone" });
    expect(first.next_attempt_at.getTime() - first.first_attempt_at.getTime()).toBe(60_000);
    const [attempt] = await attemptsOf(first.id);
    expect(attempt.error_detail).toMatch(/retried on the normal schedule/);
    expect((await api("GET", `/v1/webhooks/${webhook.id}`, { apiKey: tenant.apiKey })).body.enabled).toBe(true);

    await clock.setTime(first.next_attempt_at);
    await waitUntil(() => deliveryRow(first.id), (row) => row.status === "succeeded");
    const audit = await pool().query(`SELECT 1 FROM audit_entries WHERE target_id = $1 AND action = 'webhook.disabled'`, [webhook.id]);
    expect(audit.rows).toHaveLength(0);
  });

  it("disables after 24 hours of 410, holds and releases", async () => {
    const webhook = await createWebhook(tenant, receiver.url);
    receiver.respond((request, response) => {
      const type = JSON.parse(request.body.toString()).type;
      if (type === "finding.created") return response.writeHead(500).end();
      response.writeHead(410, { "content-type": "text/plain" }).end("this endpoint was removed");
    });
    const gone = await publish(tenant, "finding.escalated", "fnd_g1");
    const goneDelivery = await waitUntil(() => deliveryOf(gone, webhook.id), (row) => row?.attempt_count === 1);
    let retrying = "";
    await runSchedule(goneDelivery.id, async () => {
      // Still enabled before the last attempt, however many 410s came before it.
      expect((await api("GET", `/v1/webhooks/${webhook.id}`, { apiKey: tenant.apiKey })).body.enabled).toBe(true);
      retrying = await publish(tenant, "finding.created", "fnd_r1");
      await waitUntil(() => deliveryOf(retrying, webhook.id), (row) => row?.status === "retrying");
    });

    const givenUp = await waitUntil(() => deliveryRow(goneDelivery.id), (row) => row.status === "failed");
    expect(givenUp).toMatchObject({ attempt_count: SCHEDULE_SECONDS.length, next_attempt_at: null, last_status_code: 410, last_error_class: "gone" });
    const attempts = await attemptsOf(goneDelivery.id);
    expect(attempts.map((attempt) => attempt.response_status)).toEqual(SCHEDULE_SECONDS.map(() => 410));
    const shown = await api("GET", `/v1/webhooks/${webhook.id}`, { apiKey: tenant.apiKey });
    expect(shown.body).toMatchObject({ enabled: false, disabled_reason: "The receiver answered HTTP 410 Gone to every attempt of a delivery for 24 hours" });
    expect(shown.body.health.disabled_cause).toBe("gone");
    const audit = await pool().query(`SELECT actor_type, details FROM audit_entries WHERE target_id = $1 AND action = 'webhook.disabled'`, [webhook.id]);
    expect(audit.rows).toEqual([{ actor_type: "system", details: { reason: "gone", deliveryId: goneDelivery.id, attempts: SCHEDULE_SECONDS.length } }]);
    // The delivery that was waiting for its retry is held instead of being left retrying.
    await waitUntil(() => deliveryOf(retrying, webhook.id), (row) => row.status === "held");
    expect(await deliveryOf(retrying, webhook.id)).toMatchObject({ status: "held", held_reason: "webhook_disabled", next_attempt_at: null });

    await clock.setTime(later(300));
    const afterwards = await publish(tenant, "finding.sla_breached", "fnd_g2");
    expect(await deliveryOf(afterwards, webhook.id)).toMatchObject({ status: "held", held_reason: "webhook_disabled", attempt_count: 0 });
    const listed = await api("GET", `/v1/webhooks/${webhook.id}/deliveries`, { apiKey: tenant.apiKey });
    expect(listed.body.data.find((item: { event_id: string }) => item.event_id === afterwards)).toMatchObject({ status: "held", held_reason: "webhook_disabled" });

    // Nothing is sent while disabled, however long one waits.
    const sentWhileDisabled = receiver.requests.length;
    await clock.setTime(later(3 * 3600));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(receiver.requests).toHaveLength(sentWhileDisabled);
    expect((await deliveryRow(goneDelivery.id)).attempt_count).toBe(SCHEDULE_SECONDS.length);

    receiver.respond((_request, response) => response.writeHead(204).end());
    const enabled = await api("PATCH", `/v1/webhooks/${webhook.id}`, { apiKey: tenant.apiKey, body: { enabled: true } });
    expect(enabled.status).toBe(200);
    expect(enabled.body).toMatchObject({ enabled: true, disabled_reason: null });
    await waitUntil(() => deliveryOf(afterwards, webhook.id), (row) => row.status === "succeeded");
    await waitUntil(() => deliveryOf(retrying, webhook.id), (row) => row.status === "succeeded");
    expect((await deliveryRow(goneDelivery.id)).status).toBe("failed");
    const update = await pool().query(`SELECT details FROM audit_entries WHERE target_id = $1 AND action = 'webhook.enabled'`, [webhook.id]);
    expect(update.rows[0].details.releasedDeliveries).toBe(2);
    expect(update.rows[0].details.clearedDisabledReason).toBe("The receiver answered HTTP 410 Gone to every attempt of a delivery for 24 hours");
  });

  it("stays enabled when 410 is interrupted", async () => {
    const webhook = await createWebhook(tenant, receiver.url);
    // Counts only this event's attempts: a delivery of an earlier test may still arrive.
    let answered = 0;
    receiver.respond((request, response) => {
      if (JSON.parse(request.body.toString()).subject !== "fnd_mixed_gone") return response.writeHead(204).end();
      answered += 1;
      response.writeHead(answered === 2 ? 503 : 410).end();
    });
    const eventId = await publish(tenant, "finding.escalated", "fnd_mixed_gone");
    const first = await waitUntil(() => deliveryOf(eventId, webhook.id), (row) => row?.attempt_count === 1);
    await runSchedule(first.id);

    const givenUp = await waitUntil(() => deliveryRow(first.id), (row) => row.status === "failed");
    expect(givenUp).toMatchObject({ attempt_count: SCHEDULE_SECONDS.length, last_status_code: 410 });
    const attempts = await attemptsOf(first.id);
    expect(attempts.map((attempt) => attempt.response_status)).toEqual(SCHEDULE_SECONDS.map((_, index) => (index === 1 ? 503 : 410)));
    expect((await api("GET", `/v1/webhooks/${webhook.id}`, { apiKey: tenant.apiKey })).body.enabled).toBe(true);
  });

  it("retries a 404 on schedule", async () => {
    const own = await createTenant();
    const webhook = await createWebhook(own, receiver.url);
    receiver.respond((_request, response) => response.writeHead(404).end("not found"));
    const eventId = await publish(own, "finding.created", "fnd_404");
    const delivery = await waitUntil(() => deliveryOf(eventId, webhook.id), (row) => row?.attempt_count === 1);
    expect(delivery.status).toBe("retrying");
    expect(delivery.next_attempt_at.getTime() - delivery.first_attempt_at.getTime()).toBe(60_000);
    expect((await api("GET", `/v1/webhooks/${webhook.id}`, { apiKey: own.apiKey })).body.enabled).toBe(true);
  });

  it("holds deliveries on admin disable", async () => {
    const own = await createTenant();
    const webhook = await createWebhook(own, receiver.url);
    receiver.respond((_request, response) => response.writeHead(500).end());
    const eventId = await publish(own, "finding.created", "fnd_admin");
    await waitUntil(() => deliveryOf(eventId, webhook.id), (row) => row?.status === "retrying");
    const disabled = await api("PATCH", `/v1/webhooks/${webhook.id}`, { apiKey: own.apiKey, body: { enabled: false } });
    expect(disabled.body).toMatchObject({ enabled: false, disabled_reason: null });
    expect(await deliveryOf(eventId, webhook.id)).toMatchObject({ status: "held", held_reason: "webhook_disabled" });
    // An admin's switch-off means "send nothing": events published meanwhile are not recorded for it.
    const ignored = await publish(own, "finding.created", "fnd_admin_2");
    expect(await deliveryOf(ignored, webhook.id)).toBeUndefined();
  });
});

describe("redirects", () => {
  const targets = [
    { status: 301, location: "https://www.example.com/wvk" },
    { status: 302, location: "https://www.example.com/wvk" },
    { status: 307, location: "https://www.example.com/wvk" },
    { status: 308, location: "https://www.example.com/wvk" },
    { status: 302, location: "http://169.254.169.254/latest/meta-data/" },
    { status: 307, location: "http://127.0.0.1:{listener}/" },
    { status: 302, location: null },
  ];

  it.each(targets)("records $status to $location unfollowed", async ({ status, location }) => {
    const listener = await startRawServer((socket) => socket.destroy());
    try {
      const tenant = await createTenant();
      const sent = location?.replace("{listener}", String(listener.port)) ?? null;
      receiver.respond((_request, response) => response.writeHead(status, sent ? { location: sent } : {}).end());
      const webhook = await createWebhook(tenant, receiver.url.replace("127.0.0.1", "hooks.redirect.test"));
      resolved.length = 0;
      const eventId = await publish(tenant, "finding.created", "fnd_redirect");
      const delivery = await waitUntil(() => deliveryOf(eventId, webhook.id), (row) => row?.attempt_count === 1);
      const [attempt] = await attemptsOf(delivery.id);

      expect(attempt.response_status).toBe(status);
      expect(attempt.error_class).toBe("redirect");
      expect(attempt.response_headers.location).toBe(sent ?? undefined);
      expect(attempt.error_detail).toContain(sent ?? "without a Location header");
      expect(attempt.error_detail).toMatch(/set the webhook URL/);
      expect(delivery.status).toBe("retrying");
      // Only the webhook's own host was looked up, and nothing reached the Location target.
      expect(new Set(resolved)).toEqual(new Set(["hooks.redirect.test"]));
      expect(listener.connections).toBe(0);
      expect(receiver.requests.at(-1)!.method).toBe("POST");
    } finally {
      await listener.close();
    }
  });
});

describe("payload size", () => {
  let tenant: Tenant;

  beforeAll(async () => {
    tenant = await createTenant();
  });

  async function eventCount(): Promise<number> {
    return (await pool().query(`SELECT count(*)::int AS n FROM events WHERE organization_id = $1`, [tenant.organizationId])).rows[0].n;
  }

  it.each([300 * 1024, 1536 * 1024, 30 * 1024 * 1024])("rejects %i bytes with 413", async (size) => {
    await createWebhook(tenant, receiver.url);
    const before = await eventCount();
    const published = await api("POST", "/v1/events", {
      apiKey: tenant.apiKey,
      body: { type: "finding.created", subject: "fnd_big", data: { evidence: "x".repeat(size) } },
    });
    expect(published.status).toBe(413);
    expect(published.headers.get("content-type")).toBe("application/problem+json");
    expect(published.body).toMatchObject({ status: 413, type: "https://docs.wasviking.com/problems/payload-too-large" });
    expect(published.body.detail).toContain(String(256 * 1024));
    expect(await eventCount()).toBe(before);
  });

  it("delivers non-ASCII data exactly", async () => {
    const own = await createTenant();
    const webhook = await createWebhook(own, receiver.url);
    receiver.respond((_request, response) => response.writeHead(200).end());
    const title = "Exposé «critique» — 日本語 ✓ ".repeat(16).trim();
    const eventId = await publish(own, "finding.created", "fnd_large", { title });
    const delivery = await waitUntil(() => deliveryOf(eventId, webhook.id), (row) => row?.status === "succeeded");
    const request = receiver.requests.find((item) => item.headers["wasviking-delivery"] === delivery.id)!;
    expect(request.body.equals(Buffer.from(delivery.body, "utf8"))).toBe(true);
    expect(JSON.parse(request.body.toString()).data.title).toBe(title);
  });

  it("retries a receiver's 413 distinctly", async () => {
    const own = await createTenant();
    const webhook = await createWebhook(own, receiver.url);
    receiver.respond((_request, response) => response.writeHead(413).end("request entity too large"));
    const eventId = await publish(own, "finding.created", "fnd_413");
    const delivery = await waitUntil(() => deliveryOf(eventId, webhook.id), (row) => row?.attempt_count === 1);
    const [attempt] = await attemptsOf(delivery.id);
    expect(attempt.error_class).toBe("payload_too_large");
    expect(attempt.error_detail).toMatch(/raise its request size limit/);
    expect(delivery).toMatchObject({ status: "retrying", last_error_class: "payload_too_large" });
  });
});
