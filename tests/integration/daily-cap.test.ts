import { TestClock } from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addUsage } from "../../lib/caps/usage-counters";
import { pool } from "../../lib/db";
import { exampleData } from "../../lib/events/examples";
import { api } from "../support/api";
import { createWebhook, deliveryOf, publish, waitUntil } from "../support/deliveries";
import { createTenant, type Tenant } from "../support/fixtures";
import { createPortalUser, portalHeaders, signIn } from "../support/portal";
import { type ReceivedRequest, startReceiver, type TestReceiver } from "../support/receiver";
import { startTestWorker, type TestWorker } from "../support/worker";

const clock = new TestClock(new Date("2026-12-01T10:00:00.000Z"));

interface Arrival {
  deliveryId: string;
  subject: string;
  sequence: number | null;
  at: number;
}

function arrivalOf(request: ReceivedRequest): Arrival {
  const payload = JSON.parse(request.body.toString());
  return {
    deliveryId: request.headers["wasviking-delivery"] as string,
    subject: payload.subject,
    sequence: payload.ordering?.sequence ?? null,
    at: clock.now(),
  };
}

/** Registers a webhook with the given daily cap and a receiver that notes each arrival. */
async function cappedWebhook(tenant: Tenant, receiver: TestReceiver, dailyCap: number) {
  const webhook = await createWebhook(tenant, receiver.url);
  const changed = await api("PATCH", `/v1/webhooks/${webhook.id}`, { apiKey: tenant.apiKey, body: { daily_cap: dailyCap } });
  expect(changed.status).toBe(200);
  expect(changed.body.daily_cap).toBe(dailyCap);
  return webhook;
}

async function heldDeliveries(webhookId: string): Promise<Array<{ id: string; subject: string; sequence: number | null; held_reason: string }>> {
  const rows = await pool().query(
    `SELECT id, subject, sequence, held_reason FROM deliveries WHERE subscription_id = $1 AND status = 'held' ORDER BY sequence, id`,
    [webhookId],
  );
  return rows.rows;
}

async function usage(tenant: Tenant, webhookId: string, query = ""): Promise<any> {
  const response = await api("GET", `/v1/webhooks/${webhookId}/usage${query}`, { apiKey: tenant.apiKey });
  expect(response.status).toBe(200);
  return response.body;
}

async function auditActions(webhookId: string): Promise<string[]> {
  const rows = await pool().query(`SELECT action FROM audit_entries WHERE target_id = $1 ORDER BY id`, [webhookId]);
  return rows.rows.map((row) => row.action);
}

/** Counts stored against the deliveries they count, over all days: they must agree whatever happened. */
async function countedAgreesWithDeliveries(webhookId: string): Promise<{ counters: number; deliveries: number }> {
  const counters = await pool().query(`SELECT COALESCE(SUM(counted), 0)::int AS total FROM webhook_usage WHERE subscription_id = $1`, [webhookId]);
  const deliveries = await pool().query(`SELECT COUNT(*)::int AS total FROM deliveries d JOIN delivery_counts c ON c.delivery_id = d.id WHERE d.subscription_id = $1`, [webhookId]);
  return { counters: counters.rows[0].total, deliveries: deliveries.rows[0].total };
}

describe("daily cap", () => {
  let worker: TestWorker;
  let receiver: TestReceiver;
  let arrivals: Arrival[];

  beforeAll(async () => {
    receiver = await startReceiver();
    arrivals = [];
    receiver.respond((request, response) => {
      arrivals.push(arrivalOf(request));
      response.writeHead(204).end();
    });
    // A generous pace, so only the cap decides what waits here (smoothing.test.ts covers the pace).
    worker = await startTestWorker({ clock, engine: { pacing: { ratePerSecond: 10_000, burst: 10_000 } } });
  });

  afterAll(async () => {
    await worker.stop();
    await receiver.close();
  });

  it("holds past the cap and releases at midnight", async () => {
    await clock.setTime(new Date("2026-12-02T12:00:00.000Z"));
    const tenant = await createTenant();
    const webhook = await cappedWebhook(tenant, receiver, 5);
    const mine = () => arrivals.filter((arrival) => arrival.subject.startsWith("fnd_cap_"));

    for (let index = 0; index < 5; index++) await publish(tenant, "finding.created", `fnd_cap_${index}`);
    await waitUntil(async () => mine().length, (count) => count === 5);
    await waitUntil(() => usage(tenant, webhook.id), (body) => body.today.used === 5);
    expect(await auditActions(webhook.id)).toEqual(expect.arrayContaining(["webhook.cap_warning", "webhook.cap_reached"]));

    // Over the cap: three events about one finding and one about another are held, none is dropped.
    const first = await publish(tenant, "finding.created", "fnd_cap_chain");
    await waitUntil(() => heldDeliveries(webhook.id), (rows) => rows.length === 1);
    const second = await publish(tenant, "finding.escalated", "fnd_cap_chain");
    const third = await publish(tenant, "finding.sla_breached", "fnd_cap_chain");
    const other = await publish(tenant, "finding.created", "fnd_cap_other");
    await waitUntil(() => heldDeliveries(webhook.id), (rows) => rows.length === 4);
    expect((await heldDeliveries(webhook.id)).map((row) => row.held_reason)).toEqual(["daily_cap", "daily_cap", "daily_cap", "daily_cap"]);
    const listed = await api("GET", `/v1/webhooks/${webhook.id}/deliveries`, { apiKey: tenant.apiKey });
    expect(listed.body.data.filter((item: { status: string }) => item.status === "held")).toHaveLength(4);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(mine()).toHaveLength(5);

    const today = (await usage(tenant, webhook.id)).today;
    expect(today).toMatchObject({ day: "2026-12-02", used: 5, daily_cap: 5, remaining: 0, state: "reached", held: 4, held_until: "2026-12-03T00:00:00.000Z" });

    // At 00:00 UTC the new day's budget releases them, the finding's events in order.
    await clock.setTime(new Date("2026-12-03T00:00:01.000Z"));
    await waitUntil(async () => mine().length, (count) => count === 9);
    const chain = mine().filter((arrival) => arrival.subject === "fnd_cap_chain");
    expect(chain.map((arrival) => arrival.sequence)).toEqual([1, 2, 3]);
    for (const eventId of [first, second, third, other]) {
      const row = await waitUntil(() => deliveryOf(eventId, webhook.id), (delivery) => delivery.status === "succeeded");
      expect(row.held_reason).toBeNull();
    }

    const days = await usage(tenant, webhook.id, "?from=2026-12-02T00:00:00Z&to=2026-12-04T00:00:00Z");
    expect(days.buckets.map((bucket: any) => [bucket.start.slice(0, 10), bucket.counted, bucket.succeeded, bucket.held, bucket.daily_cap])).toEqual([
      ["2026-12-02", 5, 5, 4, 5],
      ["2026-12-03", 4, 4, 0, 5],
    ]);
    expect(await auditActions(webhook.id)).toContain("webhook.held_deliveries_released");
    expect(await countedAgreesWithDeliveries(webhook.id)).toEqual({ counters: 9, deliveries: 9 });
  });

  it("answers subscription writes with 429 over the cap", async () => {
    await clock.setTime(new Date("2026-12-05T18:00:00.000Z"));
    const tenant = await createTenant();
    const webhook = await cappedWebhook(tenant, receiver, 1);
    const sent = await publish(tenant, "finding.created", "fnd_429_a");
    await waitUntil(() => deliveryOf(sent, webhook.id), (row) => row?.status === "succeeded");
    await waitUntil(() => usage(tenant, webhook.id), (body) => body.today.state === "reached");

    const writes = [
      await api("PATCH", `/v1/webhooks/${webhook.id}`, { apiKey: tenant.apiKey, body: { description: "renamed" } }),
      await api("PATCH", `/v1/webhooks/${webhook.id}`, { apiKey: tenant.apiKey, body: { events: ["finding.created"] } }),
      await api("PATCH", `/v1/webhooks/${webhook.id}`, { apiKey: tenant.apiKey, body: { url: `${receiver.url}?moved=1` } }),
    ];
    for (const write of writes) {
      expect(write.status).toBe(429);
      expect(write.headers.get("content-type")).toBe("application/problem+json");
      expect(write.headers.get("retry-after")).toBe(String(6 * 3600));
      expect(write.body).toMatchObject({
        type: "https://docs.wasviking.com/problems/daily-cap-reached",
        status: 429,
        cap: "daily",
        daily_cap: 1,
        used: 1,
        resets_at: "2026-12-06T00:00:00.000Z",
        retry_after: 6 * 3600,
      });
      expect(write.body.detail).toContain("changes to its URL, event types and description are rejected until the cap resets");
      expect(write.body.detail).toContain(`Raise daily_cap with PATCH /v1/webhooks/${webhook.id} to lift it now`);
    }
    expect((await api("GET", `/v1/webhooks/${webhook.id}`, { apiKey: tenant.apiKey })).body.description).toBe("");

    // A portal user raises the cap on the webhook's Usage tab, not with PATCH.
    const { cookie } = await signIn(await createPortalUser(tenant.organizationId, "admin"));
    const fromPortal = await api("PATCH", `/v1/webhooks/${webhook.id}`, { headers: portalHeaders(cookie), body: { description: "renamed" } });
    expect(fromPortal.status).toBe(429);
    expect(fromPortal.body.detail).toContain("daily delivery cap");
    expect(fromPortal.body.detail).toContain("Raise the daily cap on the webhook's Usage tab to lift it now");
    expect(fromPortal.body.detail).not.toContain("PATCH");

    // Publishing is never refused; the event is held.
    const published = await api("POST", "/v1/events", {
      apiKey: tenant.apiKey,
      body: { type: "finding.created", data: { ...exampleData("finding.created"), finding_id: "fnd_429_b" } },
    });
    expect(published.status, published.text).toBe(202);
    await waitUntil(() => deliveryOf(published.body.id, webhook.id), (row) => row?.status === "held");

    // The ways out stay open: disabling, and changing the cap.
    const disabled = await api("PATCH", `/v1/webhooks/${webhook.id}`, { apiKey: tenant.apiKey, body: { enabled: false } });
    expect(disabled.status).toBe(200);
    const enabled = await api("PATCH", `/v1/webhooks/${webhook.id}`, { apiKey: tenant.apiKey, body: { enabled: true } });
    expect(enabled.status).toBe(200);

    // After the reset, writes are accepted again.
    await clock.setTime(new Date("2026-12-06T00:00:00.000Z"));
    const renamed = await api("PATCH", `/v1/webhooks/${webhook.id}`, { apiKey: tenant.apiKey, body: { description: "renamed" } });
    expect(renamed.status).toBe(200);
  });

  it("keeps rotate, test and replay open over the cap", async () => {
    await clock.setTime(new Date("2026-12-06T18:00:00.000Z"));
    const tenant = await createTenant();
    const webhook = await cappedWebhook(tenant, receiver, 1);
    const sent = await publish(tenant, "finding.created", "fnd_open_a");
    const delivered = await waitUntil(() => deliveryOf(sent, webhook.id), (row) => row?.status === "succeeded");
    const held = await publish(tenant, "finding.created", "fnd_open_b");
    const heldDelivery = await waitUntil(() => deliveryOf(held, webhook.id), (row) => row?.status === "held");
    expect((await usage(tenant, webhook.id)).today).toMatchObject({ used: 1, state: "reached", held: 1 });

    // A leaked secret can be rotated at once, by either form of the request.
    for (const method of ["POST", "GET"]) {
      const rotated = await api(method, `/v1/webhooks/${webhook.id}/rotate`, { apiKey: tenant.apiKey });
      expect(rotated.status, rotated.text).toBe(200);
      expect(rotated.body.secret).toMatch(/^whsec_/);
    }

    // A test delivery and a replay of a counted delivery are sent, and count nothing.
    const before = arrivals.length;
    const tested = await api("POST", `/v1/webhooks/${webhook.id}/test`, { apiKey: tenant.apiKey });
    expect(tested.status, tested.text).toBe(200);
    expect(tested.body.attempt).toMatchObject({ trigger: "test", succeeded: true });
    const replayed = await api("POST", `/v1/webhooks/${webhook.id}/deliveries/${delivered.id}/replay`, { apiKey: tenant.apiKey });
    expect(replayed.status, replayed.text).toBe(200);
    expect(replayed.body.attempt).toMatchObject({ trigger: "replay", succeeded: true });
    expect(arrivals.slice(before).map((arrival) => arrival.deliveryId)).toEqual([tested.body.delivery_id, delivered.id]);
    expect((await usage(tenant, webhook.id)).today).toMatchObject({ used: 1, state: "reached", held: 1 });

    // The held delivery was never counted: replaying it would send an event beyond the cap, so it waits.
    const rejected = await api("POST", `/v1/webhooks/${webhook.id}/deliveries/${heldDelivery.id}/replay`, { apiKey: tenant.apiKey });
    expect(rejected.status).toBe(429);
    expect(rejected.headers.get("retry-after")).toBe(String(6 * 3600));
    expect(rejected.body).toMatchObject({ type: "https://docs.wasviking.com/problems/daily-cap-reached", daily_cap: 1, used: 1 });
    expect(rejected.body.detail).toContain(`delivery ${heldDelivery.id}, which the cap has not counted, cannot be replayed until the cap resets`);
    expect(await deliveryOf(held, webhook.id)).toMatchObject({ status: "held", attempt_count: 0 });
    expect(arrivals.length).toBe(before + 2);
  });

  it("keeps a finding's order across midnight", async () => {
    await clock.setTime(new Date("2026-12-07T23:59:00.000Z"));
    const tenant = await createTenant();
    const webhook = await cappedWebhook(tenant, receiver, 3);
    const subject = "fnd_midnight";
    const ofSubject = () => arrivals.filter((arrival) => arrival.subject === subject);
    const types = ["finding.created", "finding.escalated", "finding.sla_breached"] as const;

    for (let index = 0; index < 3; index++) await publish(tenant, types[index % 3]!, subject);
    await waitUntil(async () => ofSubject().length, (count) => count === 3);
    await clock.setTime(new Date("2026-12-07T23:59:30.000Z"));
    await publish(tenant, "finding.escalated", subject);
    await waitUntil(() => heldDeliveries(webhook.id), (rows) => rows.length === 1);
    await publish(tenant, "finding.sla_breached", subject);
    expect(await heldDeliveries(webhook.id)).toHaveLength(2);

    const refused = await api("PATCH", `/v1/webhooks/${webhook.id}`, { apiKey: tenant.apiKey, body: { description: "late" } });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("30");

    // The last millisecond of the day still belongs to it.
    await clock.setTime(new Date("2026-12-07T23:59:59.999Z"));
    await publish(tenant, "finding.escalated", subject);
    expect((await heldDeliveries(webhook.id)).map((row) => row.sequence)).toEqual([4, 5, 6]);

    // A new day: what was held goes first, then what arrives after midnight, one sequence after the other.
    await clock.setTime(new Date("2026-12-08T00:00:00.000Z"));
    await publish(tenant, "finding.sla_breached", subject);
    await waitUntil(async () => ofSubject().length, (count) => count === 6);
    await clock.setTime(new Date("2026-12-08T00:01:00.000Z"));
    await waitUntil(async () => ofSubject().length, (count) => count === 6);
    expect(ofSubject().map((arrival) => arrival.sequence)).toEqual([1, 2, 3, 4, 5, 6]);
    // The seventh reaches the cap's gate only once the sixth is recorded, which can come after its arrival.
    const held = await waitUntil(() => heldDeliveries(webhook.id), (rows) => rows.length > 0);
    expect(held).toEqual([expect.objectContaining({ sequence: 7, held_reason: "daily_cap" })]);

    const days = await usage(tenant, webhook.id, "?from=2026-12-07T00:00:00Z&to=2026-12-09T00:00:00Z");
    expect(days.buckets.map((bucket: any) => [bucket.counted, bucket.held])).toEqual([
      [3, 3],
      [3, 1],
    ]);
  });

  it("releases held deliveries when the cap is raised", async () => {
    await clock.setTime(new Date("2026-12-10T09:00:00.000Z"));
    const tenant = await createTenant();
    const webhook = await cappedWebhook(tenant, receiver, 1);
    const events = [];
    for (let index = 0; index < 4; index++) events.push(await publish(tenant, "finding.created", `fnd_raise_${index}`));
    await waitUntil(() => heldDeliveries(webhook.id), (rows) => rows.length === 3);

    const tooHigh = await api("PATCH", `/v1/webhooks/${webhook.id}`, { apiKey: tenant.apiKey, body: { daily_cap: 2_000_000 } });
    expect(tooHigh.status).toBe(422);
    expect(tooHigh.body.errors).toEqual([expect.objectContaining({ field: "daily_cap" })]);

    const raised = await api("PATCH", `/v1/webhooks/${webhook.id}`, { apiKey: tenant.apiKey, body: { daily_cap: 3 } });
    expect(raised.status).toBe(200);
    await waitUntil(() => heldDeliveries(webhook.id), (rows) => rows.length === 1);
    await waitUntil(async () => arrivals.filter((arrival) => arrival.subject.startsWith("fnd_raise_")).length, (count) => count === 3);
    const audit = await pool().query(
      `SELECT details FROM audit_entries WHERE target_id = $1 AND action = 'webhook.daily_cap_changed' AND details->'changes'->'daily_cap'->>'to' = '3'`,
      [webhook.id],
    );
    expect(audit.rows).toEqual([{ details: { changes: { daily_cap: { from: 1, to: 3 } }, releasedHeldByCap: 2 } }]);
    expect((await usage(tenant, webhook.id)).today).toMatchObject({ used: 3, daily_cap: 3, held: 1 });
  });

  it("releases cap-held deliveries on enabling", async () => {
    await clock.setTime(new Date("2026-12-12T09:00:00.000Z"));
    const tenant = await createTenant();
    const webhook = await cappedWebhook(tenant, receiver, 3);
    const mine = () => arrivals.filter((arrival) => arrival.subject === "fnd_enable");
    const types = ["finding.created", "finding.escalated", "finding.sla_breached"] as const;
    for (let index = 0; index < 6; index++) await publish(tenant, types[index % types.length]!, "fnd_enable");
    await waitUntil(async () => mine().length, (count) => count === 3);
    await waitUntil(() => heldDeliveries(webhook.id), (rows) => rows.length === 3);
    expect((await heldDeliveries(webhook.id)).map((row) => [row.sequence, row.held_reason])).toEqual([
      [4, "daily_cap"],
      [5, "daily_cap"],
      [6, "daily_cap"],
    ]);

    // Raised while disabled: nothing may go yet, so nothing is released.
    expect((await api("PATCH", `/v1/webhooks/${webhook.id}`, { apiKey: tenant.apiKey, body: { enabled: false } })).status).toBe(200);
    expect((await api("PATCH", `/v1/webhooks/${webhook.id}`, { apiKey: tenant.apiKey, body: { daily_cap: 10 } })).status).toBe(200);
    expect(await heldDeliveries(webhook.id)).toHaveLength(3);
    const raised = await pool().query(`SELECT details FROM audit_entries WHERE target_id = $1 AND action = 'webhook.daily_cap_changed' AND details->'changes'->'daily_cap'->>'to' = '10'`, [
      webhook.id,
    ]);
    expect(raised.rows).toEqual([{ details: { changes: { daily_cap: { from: 3, to: 10 } } } }]);
    expect((await usage(tenant, webhook.id)).today).toMatchObject({ used: 3, daily_cap: 10, remaining: 7, held: 3 });

    // Enabling releases what the raised cap admits, in sequence order, without waiting for midnight.
    const enabled = await api("PATCH", `/v1/webhooks/${webhook.id}`, { apiKey: tenant.apiKey, body: { enabled: true } });
    expect(enabled.status).toBe(200);
    await waitUntil(async () => mine().length, (count) => count === 6);
    expect(mine().map((arrival) => arrival.sequence)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await heldDeliveries(webhook.id)).toEqual([]);
    const entry = await pool().query(`SELECT details FROM audit_entries WHERE target_id = $1 AND action = 'webhook.enabled'`, [webhook.id]);
    expect(entry.rows).toEqual([
      { details: { changes: { enabled: { from: false, to: true } }, clearedDisabledReason: null, releasedDeliveries: 0, releasedHeldByCap: 3 } },
    ]);
    await waitUntil(() => usage(tenant, webhook.id), (body) => body.today.used === 6);
    expect((await usage(tenant, webhook.id)).today).toMatchObject({ used: 6, daily_cap: 10, remaining: 4, held: 0, held_until: null });
    expect(await countedAgreesWithDeliveries(webhook.id)).toEqual({ counters: 6, deliveries: 6 });
  });

  it("releases held deliveries beyond the cap on request", async () => {
    await clock.setTime(new Date("2026-12-11T09:00:00.000Z"));
    const tenant = await createTenant();
    const webhook = await cappedWebhook(tenant, receiver, 1);
    for (let index = 0; index < 3; index++) await publish(tenant, "finding.created", `fnd_release_${index}`);
    await waitUntil(() => heldDeliveries(webhook.id), (rows) => rows.length === 2);

    const released = await api("POST", `/v1/webhooks/${webhook.id}/release-held`, { apiKey: tenant.apiKey });
    expect(released.status).toBe(200);
    expect(released.body).toMatchObject({ released: 2, today: { used: 3, daily_cap: 1, state: "reached", held: 0, held_until: null } });
    await waitUntil(async () => arrivals.filter((arrival) => arrival.subject.startsWith("fnd_release_")).length, (count) => count === 3);
    const entry = await pool().query(`SELECT actor_type, details FROM audit_entries WHERE target_id = $1 AND action = 'webhook.held_deliveries_released'`, [webhook.id]);
    expect(entry.rows).toEqual([{ actor_type: "api_key", details: { released: 2, stillHeld: 0, reason: "released beyond the daily cap" } }]);

    // The cap still applies to what comes next.
    const later = await publish(tenant, "finding.created", "fnd_release_later");
    await waitUntil(() => deliveryOf(later, webhook.id), (row) => row?.status === "held");
    expect(await countedAgreesWithDeliveries(webhook.id)).toEqual({ counters: 3, deliveries: 3 });

    await api("PATCH", `/v1/webhooks/${webhook.id}`, { apiKey: tenant.apiKey, body: { enabled: false } });
    const whileDisabled = await api("POST", `/v1/webhooks/${webhook.id}/release-held`, { apiKey: tenant.apiKey });
    expect(whileDisabled.status).toBe(409);
  });

  it("gives up deliveries held for 24 hours", async () => {
    await clock.setTime(new Date("2026-12-13T10:00:00.000Z"));
    const tenant = await createTenant();
    const webhook = await cappedWebhook(tenant, receiver, 1);
    const subject = "fnd_expiry";
    const events = [
      await publish(tenant, "finding.created", subject),
      await publish(tenant, "finding.escalated", subject),
      await publish(tenant, "finding.sla_breached", subject),
      await publish(tenant, "finding.escalated", subject),
    ];
    await waitUntil(() => heldDeliveries(webhook.id), (rows) => rows.length === 3);

    // The next day admits one; the two others wait until 24 hours after they were held.
    await clock.setTime(new Date("2026-12-14T00:00:00.000Z"));
    await waitUntil(() => deliveryOf(events[1]!, webhook.id), (row) => row.status === "succeeded");
    await clock.setTime(new Date("2026-12-14T10:00:00.000Z"));
    await waitUntil(() => deliveryOf(events[3]!, webhook.id), (row) => row.status === "failed");
    for (const eventId of events.slice(2)) {
      expect(await deliveryOf(eventId, webhook.id)).toMatchObject({ status: "failed", held_reason: "daily_cap", attempt_count: 0 });
    }
    expect(await auditActions(webhook.id)).toContain("webhook.held_deliveries_expired");
    const hour = await usage(tenant, webhook.id, "?granularity=hour&from=2026-12-14T10:00:00Z&to=2026-12-14T11:00:00Z");
    expect(hour.buckets).toEqual([expect.objectContaining({ failed: 2, held: 0 })]);

    // The day's cap is used, and a given-up delivery was never counted, so it cannot be replayed yet.
    const givenUpEarly = await deliveryOf(events[2]!, webhook.id);
    const early = await api("POST", `/v1/webhooks/${webhook.id}/deliveries/${givenUpEarly.id}/replay`, { apiKey: tenant.apiKey });
    expect(early.status).toBe(429);
    expect(early.body.detail).toContain(`delivery ${givenUpEarly.id}, which the cap has not counted, cannot be replayed`);

    // Once the cap has reset, a given-up delivery can be replayed, and once it succeeds it no longer names the cap.
    await clock.setTime(new Date("2026-12-15T08:00:00.000Z"));
    const givenUp = await deliveryOf(events[2]!, webhook.id);
    const replayed = await api("POST", `/v1/webhooks/${webhook.id}/deliveries/${givenUp.id}/replay`, { apiKey: tenant.apiKey });
    expect(replayed.status).toBe(200);
    expect(await deliveryOf(events[2]!, webhook.id)).toMatchObject({ status: "succeeded", held_reason: null });

    // The finding is not stuck: its next event goes out, without waiting for a release since nothing is held.
    const next = await publish(tenant, "finding.created", subject);
    expect((await deliveryOf(next, webhook.id)).held_reason).toBeNull();
    await waitUntil(() => deliveryOf(next, webhook.id), (row) => row?.status === "succeeded");
  });

  it("holds event 50,001 at the default cap", async () => {
    await clock.setTime(new Date("2026-12-18T15:00:00.000Z"));
    const tenant = await createTenant();
    const webhook = await createWebhook(tenant, receiver.url);
    expect((await api("GET", `/v1/webhooks/${webhook.id}`, { apiKey: tenant.apiKey })).body.daily_cap).toBe(50_000);
    // 49,990 deliveries earlier today, recorded in the counters as the gate records them: sending them here would take minutes.
    await addUsage(pool(), [{ subscriptionId: webhook.id, at: new Date("2026-12-18T09:00:00.000Z"), counted: 49_990, succeeded: 49_990 }]);
    // Deliveries that arrived, each once: the replay below sends one of them again.
    const mine = () => [...new Set(arrivals.filter((arrival) => arrival.subject.startsWith("fnd_default_")).map((arrival) => arrival.deliveryId))];

    // A test delivery and a replay on the way do not use any of the last 10.
    const first = await publish(tenant, "finding.created", "fnd_default_0");
    const delivered = await waitUntil(() => deliveryOf(first, webhook.id), (row) => row?.status === "succeeded");
    expect((await api("POST", `/v1/webhooks/${webhook.id}/test`, { apiKey: tenant.apiKey })).status).toBe(200);
    expect((await api("POST", `/v1/webhooks/${webhook.id}/deliveries/${delivered.id}/replay`, { apiKey: tenant.apiKey })).status).toBe(200);
    for (let index = 1; index < 20; index++) await publish(tenant, "finding.created", `fnd_default_${index}`);

    await waitUntil(() => heldDeliveries(webhook.id), (rows) => rows.length === 10);
    await waitUntil(async () => mine().length, (count) => count === 10);
    const today = (await usage(tenant, webhook.id)).today;
    expect(today).toMatchObject({ used: 50_000, daily_cap: 50_000, remaining: 0, state: "reached", held: 10, held_until: "2026-12-19T00:00:00.000Z" });
    expect(await auditActions(webhook.id)).toContain("webhook.cap_reached");
    const refused = await api("PATCH", `/v1/webhooks/${webhook.id}`, { apiKey: tenant.apiKey, body: { description: "over" } });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe(String(9 * 3600));

    await clock.setTime(new Date("2026-12-19T00:00:00.000Z"));
    await waitUntil(async () => mine().length, (count) => count === 20);
    expect(await heldDeliveries(webhook.id)).toEqual([]);
    expect((await usage(tenant, webhook.id)).today).toMatchObject({ day: "2026-12-19", used: 10, state: "ok", held: 0 });
  });

  it("counts neither test deliveries nor replays", async () => {
    await clock.setTime(new Date("2026-12-16T09:00:00.000Z"));
    const tenant = await createTenant();
    const webhook = await cappedWebhook(tenant, receiver, 2);
    const sent = await publish(tenant, "finding.created", "fnd_free");
    const delivered = await waitUntil(() => deliveryOf(sent, webhook.id), (row) => row?.status === "succeeded");

    expect((await api("POST", `/v1/webhooks/${webhook.id}/test`, { apiKey: tenant.apiKey })).status).toBe(200);
    expect((await api("POST", `/v1/webhooks/${webhook.id}/deliveries/${delivered.id}/replay`, { apiKey: tenant.apiKey })).status).toBe(200);
    const today = (await usage(tenant, webhook.id)).today;
    expect(today).toMatchObject({ used: 1, remaining: 1, state: "ok" });
    const hour = (await usage(tenant, webhook.id, "?granularity=hour")).buckets.find((bucket: any) => bucket.start === "2026-12-16T09:00:00.000Z");
    expect(hour).toMatchObject({ counted: 1, succeeded: 1 });
  });

  it("lists webhooks by share of cap used", async () => {
    await clock.setTime(new Date("2026-12-17T09:00:00.000Z"));
    const tenant = await createTenant();
    const quiet = await cappedWebhook(tenant, receiver, 10);
    const busy = await cappedWebhook(tenant, receiver, 2);
    const event = await publish(tenant, "finding.created", "fnd_org_1");
    for (const webhook of [quiet, busy]) await waitUntil(() => deliveryOf(event, webhook.id), (row) => row?.status === "succeeded");

    const response = await api("GET", "/v1/usage?granularity=hour", { apiKey: tenant.apiKey });
    expect(response.status).toBe(200);
    expect(response.body.webhooks.map((item: any) => [item.id, item.today.used, item.today.daily_cap])).toEqual([
      [busy.id, 1, 2],
      [quiet.id, 1, 10],
    ]);
    expect(response.body.buckets.find((bucket: any) => bucket.start === "2026-12-17T09:00:00.000Z")).toMatchObject({ counted: 2, succeeded: 2, daily_cap: null });

    const other = await createTenant();
    expect((await api("GET", `/v1/webhooks/${busy.id}/usage`, { apiKey: other.apiKey })).status).toBe(404);
    expect((await api("GET", "/v1/usage", { apiKey: other.apiKey })).body.webhooks).toEqual([]);
  });

  it("rejects an invalid usage range", async () => {
    const tenant = await createTenant();
    const webhook = await cappedWebhook(tenant, receiver, 10);
    const reversed = await api("GET", `/v1/webhooks/${webhook.id}/usage?from=2026-12-05T00:00:00Z&to=2026-12-01T00:00:00Z`, { apiKey: tenant.apiKey });
    expect(reversed.status).toBe(422);
    expect(reversed.body.errors).toEqual([{ field: "query/to", message: "to must be later than from" }]);
    const badTime = await api("GET", `/v1/webhooks/${webhook.id}/usage?from=yesterday`, { apiKey: tenant.apiKey });
    expect(badTime.status).toBe(422);
    expect(badTime.body.errors[0].field).toBe("query/from");
    const badGranularity = await api("GET", `/v1/webhooks/${webhook.id}/usage?granularity=week`, { apiKey: tenant.apiKey });
    expect(badGranularity.status).toBe(422);
  });
});
