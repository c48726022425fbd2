import { TestClock } from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pool } from "../../lib/db";
import { newId } from "../../lib/ids";
import { signatureDigest, verifySignature } from "../../lib/signing";
import { api } from "../support/api";
import { createWebhook, deliveryOf, deliveryRow, publish, waitForAttempts, waitUntil } from "../support/deliveries";
import { createTenant, type Tenant } from "../support/fixtures";
import { type ReceivedRequest, startReceiver, type TestReceiver } from "../support/receiver";
import { startTestWorker, type TestWorker } from "../support/worker";

const clock = new TestClock(new Date("2026-12-01T10:00:00.000Z"));
const minutes = (count: number, from: Date) => new Date(from.getTime() + count * 60_000);

/** What one request proved: which secret holders accept it, and when it was signed. */
interface Check {
  eventType: string;
  deliveryId: string;
  signatures: number;
  signedAt: number;
  receivedAt: number;
  old: boolean;
  current: boolean;
  // The webhook-signature header agrees with Wasviking-Signature about which secrets signed.
  standardWebhooks: boolean;
}

/**
 * Verifies each request twice, as two consumers would: one holding only the
 * old secret, one only the new. Both check the timestamp against the test
 * clock with the usual 5-minute tolerance.
 */
function verifyingReceiver(receiver: TestReceiver, secrets: { old: string; current: () => string | null }, statusFor: (type: string) => number) {
  const checks: Check[] = [];
  receiver.respond((request: ReceivedRequest, response) => {
    const header = request.headers["wasviking-signature"] as string;
    const deliveryId = request.headers["wasviking-delivery"] as string;
    const nowSeconds = Math.floor(clock.now() / 1000);
    const verify = (secret: string | null) =>
      secret !== null && verifySignature({ signatureHeader: header, deliveryId, body: request.body, secrets: [secret], nowSeconds }).ok;
    // The Standard Webhooks header must carry the same digests, in base64, one per valid secret.
    const standardEntries = String(request.headers["webhook-signature"]).split(" ");
    const timestamp = Number(request.headers["webhook-timestamp"]);
    const inStandardHeader = (secret: string | null) =>
      secret !== null && standardEntries.includes(`v1,${signatureDigest(secret, deliveryId, timestamp, request.body).toString("base64")}`);
    const current = secrets.current();
    const standardWebhooks = inStandardHeader(secrets.old) === verify(secrets.old) && inStandardHeader(current) === verify(current);
    const eventType = request.headers["wasviking-event"] as string;
    checks.push({
      eventType,
      deliveryId,
      signatures: header.split(",").filter((part) => part.startsWith("v1=")).length,
      signedAt: Number(/t=(\d+)/.exec(header)![1]),
      receivedAt: nowSeconds,
      old: verify(secrets.old),
      current: verify(secrets.current()),
      standardWebhooks,
    });
    response.writeHead(statusFor(eventType)).end();
  });
  return checks;
}

describe("secret rotation", () => {
  let worker: TestWorker;
  let receiver: TestReceiver;

  beforeAll(async () => {
    worker = await startTestWorker({ clock });
    receiver = await startReceiver();
  });

  afterAll(async () => {
    await worker.stop();
    await receiver.close();
  });

  async function rotate(tenant: Tenant, webhookId: string, method = "POST") {
    const rotated = await api(method, `/v1/webhooks/${webhookId}/rotate`, { apiKey: tenant.apiKey });
    expect(rotated.status).toBe(200);
    return rotated.body as { secret: string; secret_id: string; secrets: Array<{ id: string; status: string; expires_at: string | null }> };
  }

  it("signs twice during the overlap", async () => {
    const tenant = await createTenant();
    const t0 = new Date(clock.now());
    let newSecret: string | null = null;
    let e1Fails = true;
    const webhook = await createWebhook(tenant, receiver.url);
    const checks = verifyingReceiver(receiver, { old: webhook.secret, current: () => newSecret }, (type) =>
      type === "finding.escalated" && e1Fails ? 500 : 200,
    );

    const e0 = await publish(tenant, "finding.created", "fnd_rot_0");
    const e0Delivery = await waitUntil(() => deliveryOf(e0, webhook.id), (row) => row?.status === "succeeded");

    await clock.setTime(minutes(1, t0));
    const e1 = await publish(tenant, "finding.escalated", "fnd_rot_1");
    const e1Delivery = await waitUntil(() => deliveryOf(e1, webhook.id), (row) => row?.status === "retrying");

    await clock.setTime(minutes(1.5, t0));
    const rotated = await rotate(tenant, webhook.id);
    newSecret = rotated.secret;
    expect(rotated.secrets.map((secret) => secret.status)).toEqual(["current", "expiring"]);
    const rotatedAt = new Date(clock.now());

    await clock.setTime(minutes(2, t0));
    await waitForAttempts(e1Delivery.id, 2);
    e1Fails = false;
    const e2 = await publish(tenant, "finding.sla_breached", "fnd_rot_2");
    await waitUntil(() => deliveryOf(e2, webhook.id), (row) => row?.status === "succeeded");
    await clock.setTime(minutes(3, t0));
    expect((await api("POST", `/v1/webhooks/${webhook.id}/deliveries/${e0Delivery.id}/replay`, { apiKey: tenant.apiKey })).status).toBe(200);
    expect((await api("POST", `/v1/webhooks/${webhook.id}/test`, { apiKey: tenant.apiKey })).status).toBe(200);
    await clock.setTime(minutes(7, t0));
    await waitUntil(() => deliveryRow(e1Delivery.id), (row) => row.status === "succeeded");

    const duringOverlap = checks.slice(1);
    expect(duringOverlap.map((check) => check.eventType)).toEqual([
      "finding.escalated",
      "finding.escalated",
      "finding.sla_breached",
      "finding.created",
      "webhook.test",
      "finding.escalated",
    ]);
    // The first E1 attempt went before the rotation; everything after it carries both signatures.
    expect(duringOverlap[0]).toMatchObject({ signatures: 1, old: true, current: false });
    for (const check of duringOverlap.slice(1)) {
      expect(check).toMatchObject({ signatures: 2, old: true, current: true, standardWebhooks: true });
    }

    // After the 24 h overlap only the new secret signs.
    await clock.setTime(new Date(rotatedAt.getTime() + 24 * 3600 * 1000 + 60_000));
    const e3 = await publish(tenant, "finding.created", "fnd_rot_3");
    await waitUntil(() => deliveryOf(e3, webhook.id), (row) => row?.status === "succeeded");
    expect(checks.at(-1)).toMatchObject({ signatures: 1, old: false, current: true, standardWebhooks: true });
    const listed = await api("GET", `/v1/webhooks/${webhook.id}`, { apiKey: tenant.apiKey });
    expect(listed.body.secrets.map((secret: { id: string }) => secret.id)).toEqual([rotated.secret_id]);

    const audit = await pool().query(`SELECT details FROM audit_entries WHERE target_id = $1 AND action = 'webhook.secret_rotated'`, [webhook.id]);
    expect(audit.rows[0].details.overlapEndsAt).toBe(new Date(rotatedAt.getTime() + 24 * 3600 * 1000).toISOString());
  });

  it("stops the old secret on revoke", async () => {
    const tenant = await createTenant();
    const webhook = await createWebhook(tenant, receiver.url);
    const rotated = await rotate(tenant, webhook.id);
    const checks = verifyingReceiver(receiver, { old: webhook.secret, current: () => rotated.secret }, () => 200);
    const oldId = rotated.secrets.find((secret) => secret.status === "expiring")!.id;

    await clock.setTime(minutes(60, new Date(clock.now())));
    const revoked = await api("DELETE", `/v1/webhooks/${webhook.id}/secrets/${oldId}`, { apiKey: tenant.apiKey });
    expect(revoked.status).toBe(200);
    const e4 = await publish(tenant, "finding.created", "fnd_rot_4");
    await waitUntil(() => deliveryOf(e4, webhook.id), (row) => row?.status === "succeeded");
    expect(checks.at(-1)).toMatchObject({ signatures: 1, old: false, current: true });
    const audit = await pool().query(`SELECT details FROM audit_entries WHERE target_id = $1 AND action = 'webhook.secret_revoked'`, [webhook.id]);
    expect(audit.rows[0].details.secretId).toBe(oldId);
  });

  it("drops the oldest on a second rotation", async () => {
    const tenant = await createTenant();
    const webhook = await createWebhook(tenant, receiver.url);
    const second = await rotate(tenant, webhook.id, "GET");
    await clock.setTime(minutes(5, new Date(clock.now())));
    const third = await rotate(tenant, webhook.id, "GET");
    const checks = verifyingReceiver(receiver, { old: second.secret, current: () => third.secret }, () => 200);
    const eventId = await publish(tenant, "finding.created", "fnd_rot_twice");
    await waitUntil(() => deliveryOf(eventId, webhook.id), (row) => row?.status === "succeeded");
    const last = checks.at(-1)!;
    expect(last).toMatchObject({ signatures: 2, old: true, current: true });
    const request = receiver.requests.at(-1)!;
    const byOriginal = verifySignature({
      signatureHeader: request.headers["wasviking-signature"] as string,
      deliveryId: last.deliveryId,
      body: request.body,
      secrets: [webhook.secret],
      nowSeconds: last.receivedAt,
    });
    expect(byOriginal).toEqual({ ok: false, reason: "no_matching_signature" });
  });
});

describe("signing at send time", () => {
  it("signs each attempt at send time", async () => {
    const worker = await startTestWorker({ clock });
    const receiver = await startReceiver();
    try {
      const tenant = await createTenant();
      const t0 = new Date(clock.now());
      const webhook = await createWebhook(tenant, receiver.url, ["finding.sla_breached"]);
      let failures = 3;
      const checks = verifyingReceiver(receiver, { old: webhook.secret, current: () => null }, () => (failures-- > 0 ? 500 : 200));
      const eventId = await publish(tenant, "finding.sla_breached", "fnd_789");
      const delivery = await waitUntil(() => deliveryOf(eventId, webhook.id), (row) => row?.attempt_count === 1);
      for (const [made, minute] of [[1, 1], [2, 6], [3, 36]] as const) {
        await waitForAttempts(delivery.id, made);
        await clock.setTime(minutes(minute, t0));
      }
      await waitUntil(() => deliveryRow(delivery.id), (row) => row.status === "succeeded");

      // Two days later a replay, and a test delivery, are signed just as freshly.
      await clock.setTime(minutes(2 * 24 * 60, t0));
      expect((await api("GET", `/v1/webhooks/${webhook.id}/deliveries/${delivery.id}/replay`, { apiKey: tenant.apiKey })).body.attempt.succeeded).toBe(true);
      expect((await api("GET", `/v1/webhooks/${webhook.id}/test`, { apiKey: tenant.apiKey })).body.attempt.succeeded).toBe(true);

      expect(checks.map((check) => check.signedAt - Math.floor(t0.getTime() / 1000))).toEqual([0, 60, 360, 2160, 172_800, 172_800]);
      for (const check of checks) {
        expect(check.old).toBe(true);
        expect(check.signedAt).toBe(check.receivedAt);
      }
      expect(new Set(checks.slice(0, 5).map((check) => check.deliveryId))).toEqual(new Set([delivery.id]));
      expect(checks[5]!.deliveryId).not.toBe(delivery.id);
    } finally {
      await worker.stop();
      await receiver.close();
    }
  });
});

describe("rotate, test and replay curl forms", () => {
  it.each([
    ["GET", undefined],
    ["POST", undefined],
    ["POST", "{}"],
  ])("answers %s with body %s", async (method, rawBody) => {
    const worker = await startTestWorker({ clock });
    const receiver = await startReceiver();
    try {
      const tenant = await createTenant();
      const webhook = await createWebhook(tenant, receiver.url);
      const headers: Record<string, string> = rawBody ? { "content-type": "application/json" } : {};
      const eventId = await publish(tenant, "finding.created", "fnd_curl");
      const delivery = await waitUntil(() => deliveryOf(eventId, webhook.id), (row) => row?.status === "succeeded");

      const rotated = await api(method, `/v1/webhooks/${webhook.id}/rotate`, { apiKey: tenant.apiKey, rawBody, headers });
      expect(rotated.status).toBe(200);
      expect(rotated.body.secret).toMatch(/^whsec_/);
      const tested = await api(method, `/v1/webhooks/${webhook.id}/test`, { apiKey: tenant.apiKey, rawBody, headers });
      expect(tested.status).toBe(200);
      expect(tested.body.attempt.trigger).toBe("test");
      const replayed = await api(method, `/v1/webhooks/${webhook.id}/deliveries/${delivery.id}/replay`, { apiKey: tenant.apiKey, rawBody, headers });
      expect(replayed.status).toBe(200);
      expect(replayed.body).toMatchObject({ delivery_id: delivery.id, attempt: { trigger: "replay", succeeded: true } });
    } finally {
      await worker.stop();
      await receiver.close();
    }
  });

  it.each([
    ["GET", "/rotate?dry_run=1", undefined, undefined, 422, "query/dry_run"],
    ["POST", "/rotate", '{"overlap_hours":1}', "application/json", 422, "overlap_hours"],
    ["POST", "/rotate", "rotate please", "text/plain", 415, undefined],
    ["POST", "/test?x=1", undefined, undefined, 422, "query/x"],
  ])("rejects %s %s with ignored input", async (method, suffix, rawBody, contentType, status, field) => {
    const tenant = await createTenant();
    const webhook = await createWebhook(tenant, "http://127.0.0.1:9/hook");
    const before = await pool().query(`SELECT id FROM signing_secrets WHERE subscription_id = $1 ORDER BY id`, [webhook.id]);

    const answer = await api(method, `/v1/webhooks/${webhook.id}${suffix}`, {
      apiKey: tenant.apiKey,
      rawBody,
      headers: contentType ? { "content-type": contentType } : {},
    });

    expect(answer.status).toBe(status);
    if (field) expect(answer.body.errors.map((error: { field: string }) => error.field)).toEqual([field]);
    const after = await pool().query(`SELECT id FROM signing_secrets WHERE subscription_id = $1 ORDER BY id`, [webhook.id]);
    expect(after.rows).toEqual(before.rows);
  });
});

describe("rotation answer and precondition", () => {
  async function secretRows(webhookId: string) {
    const rows = await pool().query(`SELECT id, expires_at, revoked_at FROM signing_secrets WHERE subscription_id = $1 ORDER BY id`, [webhookId]);
    return rows.rows;
  }

  async function currentSecret(tenant: Tenant, webhookId: string): Promise<{ id: string; fingerprint: string }> {
    const webhook = await api("GET", `/v1/webhooks/${webhookId}`, { apiKey: tenant.apiKey });
    return webhook.body.secrets.find((secret: { status: string }) => secret.status === "current");
  }

  it("names the secret a second rotation revokes", async () => {
    const tenant = await createTenant();
    const webhook = await createWebhook(tenant, "http://127.0.0.1:9/hook");
    const original = await currentSecret(tenant, webhook.id);

    const first = await api("POST", `/v1/webhooks/${webhook.id}/rotate`, { apiKey: tenant.apiKey });
    expect(first.status).toBe(200);
    expect(first.body.revoked_secrets).toEqual([]);
    const overlapEnd = first.body.secrets.find((secret: { status: string }) => secret.status === "expiring").expires_at;

    const second = await api("GET", `/v1/webhooks/${webhook.id}/rotate`, { apiKey: tenant.apiKey });
    expect(second.status).toBe(200);
    expect(second.body.revoked_secrets).toEqual([
      { id: original.id, fingerprint: original.fingerprint, revoked_at: expect.any(String), expires_at: overlapEnd },
    ]);
    const stored = (await secretRows(webhook.id)).find((row) => row.id === original.id);
    expect(stored.revoked_at.toISOString()).toBe(second.body.revoked_secrets[0].revoked_at);
    expect(second.body.secrets.map((secret: { id: string; status: string }) => [secret.id, secret.status])).toEqual([
      [second.body.secret_id, "current"],
      [first.body.secret_id, "expiring"],
    ]);
  });

  it("rotates while the expected secret is current", async () => {
    const tenant = await createTenant();
    const webhook = await createWebhook(tenant, "http://127.0.0.1:9/hook");
    const original = await currentSecret(tenant, webhook.id);

    const viaGet = await api("GET", `/v1/webhooks/${webhook.id}/rotate?expected_current_secret=${original.id}`, { apiKey: tenant.apiKey });
    expect(viaGet.status, viaGet.text).toBe(200);
    expect(viaGet.body.revoked_secrets).toEqual([]);
    const viaPost = await api("POST", `/v1/webhooks/${webhook.id}/rotate?expected_current_secret=${viaGet.body.secret_id}`, { apiKey: tenant.apiKey });
    expect(viaPost.status, viaPost.text).toBe(200);
    expect(viaPost.body.revoked_secrets.map((secret: { id: string }) => secret.id)).toEqual([original.id]);
  });

  it("rejects a rotation whose expected secret is stale", async () => {
    const tenant = await createTenant();
    const webhook = await createWebhook(tenant, "http://127.0.0.1:9/hook");
    const original = await currentSecret(tenant, webhook.id);
    const rotated = await api("POST", `/v1/webhooks/${webhook.id}/rotate`, { apiKey: tenant.apiKey });
    const before = await secretRows(webhook.id);
    const auditBefore = await pool().query(`SELECT id FROM audit_entries WHERE target_id = $1`, [webhook.id]);

    // A second tab, or a retried request, still expects the original secret to be current.
    for (const method of ["GET", "POST"]) {
      const stale = await api(method, `/v1/webhooks/${webhook.id}/rotate?expected_current_secret=${original.id}`, { apiKey: tenant.apiKey });
      expect(stale.status).toBe(409);
      expect(stale.headers.get("content-type")).toBe("application/problem+json");
      expect(stale.body).toMatchObject({
        type: "https://docs.wasviking.com/problems/current-secret-changed",
        status: 409,
        current_secret: { id: rotated.body.secret_id, fingerprint: rotated.body.fingerprint },
      });
      expect(stale.body.detail).toContain(`Secret ${original.id} is not the current secret of webhook ${webhook.id}`);
      expect(stale.body.detail).toContain("nothing was rotated");
      expect(stale.body).not.toHaveProperty("secret");
    }

    // A well-formed id that this webhook never had is not its current secret either.
    const unknown = await api("POST", `/v1/webhooks/${webhook.id}/rotate?expected_current_secret=${newId("secret")}`, { apiKey: tenant.apiKey });
    expect(unknown.status).toBe(409);
    expect(await secretRows(webhook.id)).toEqual(before);
    expect((await pool().query(`SELECT id FROM audit_entries WHERE target_id = $1`, [webhook.id])).rows).toEqual(auditBefore.rows);
  });

  it.each([
    ["a webhook id", "wh_01KBQ2A9M5X1C8T3V6Q4N7R0JK"],
    ["an empty value", ""],
    ["a fingerprint", "3f9a0c41d2b7"],
  ])("rejects %s as the expected secret", async (_label, value) => {
    const tenant = await createTenant();
    const webhook = await createWebhook(tenant, "http://127.0.0.1:9/hook");
    const before = await secretRows(webhook.id);

    const answer = await api("POST", `/v1/webhooks/${webhook.id}/rotate?expected_current_secret=${value}`, { apiKey: tenant.apiKey });

    expect(answer.status).toBe(422);
    expect(answer.body.errors).toEqual([{ field: "query/expected_current_secret", message: "Use the id of a secret (sec_…) from the webhook's secrets list" }]);
    expect(await secretRows(webhook.id)).toEqual(before);
  });
});
