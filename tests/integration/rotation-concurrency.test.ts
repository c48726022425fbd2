import pg from "pg";
import { TestClock } from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setTimeSource } from "../../lib/clock";
import { pool } from "../../lib/db";
import { verifySignature } from "../../lib/signing";
import { api, type ApiResult } from "../support/api";
import { createWebhook, type CreatedWebhook, deliveryOf, publish, waitUntil } from "../support/deliveries";
import { createTenant, type Tenant } from "../support/fixtures";
import { startReceiver, type TestReceiver } from "../support/receiver";
import { startTestWorker } from "../support/worker";

/**
 * Rotations of one webhook that run at the same time. Each must start from the
 * state the one before it left, whatever the order in which they arrived. The
 * webhook then always ends with one current secret and at most one in its
 * overlap, and every caller gets the secret that was current when its
 * rotation committed.
 */
const clock = new TestClock(new Date("2026-12-01T10:00:00.000Z"));
const ROTATIONS = 10;

interface SecretSummary {
  id: string;
  fingerprint: string;
  status: "current" | "expiring";
}

interface Rotated {
  secret: string;
  secret_id: string;
  secrets: SecretSummary[];
  revoked_secrets: Array<{ id: string }>;
}

/** Counts the sessions of the test database that wait for a lock, such as rotations queued behind a held row lock. */
async function lockWaiters(client: pg.Client): Promise<number> {
  const result = await client.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
  );
  return result.rows[0]!.count;
}

/** Returns the id of the webhook's current secret, as the API lists it. */
async function currentSecretId(tenant: Tenant, webhookId: string): Promise<string> {
  const webhook = await api("GET", `/v1/webhooks/${webhookId}`, { apiKey: tenant.apiKey });
  return webhook.body.secrets.find((secret: SecretSummary) => secret.status === "current").id;
}

/**
 * Orders the rotations by the secret each one made previous: the first made
 * the webhook's original secret previous, each later one the secret of the
 * rotation before it. Fails when the responses do not form one such chain.
 */
function rotationChain(originalId: string, rotations: Rotated[]): Rotated[] {
  const byPrevious = new Map<string, Rotated>();
  for (const rotation of rotations) {
    const previous = rotation.secrets.filter((secret) => secret.status === "expiring");
    expect(previous, `previous secrets in the answer of ${rotation.secret_id}`).toHaveLength(1);
    expect(byPrevious.has(previous[0]!.id), `${previous[0]!.id} made previous twice`).toBe(false);
    byPrevious.set(previous[0]!.id, rotation);
  }
  const chain: Rotated[] = [];
  for (let link = byPrevious.get(originalId); link !== undefined; link = byPrevious.get(link.secret_id)) chain.push(link);
  expect(chain).toHaveLength(rotations.length);
  return chain;
}

/**
 * Checks the invariant after concurrent rotations. Each response names its own
 * secret as the only current one, and the responses form one chain in which
 * each rotation revoked exactly the secret two links back. A delivery made
 * afterwards carries two signatures, by the last two secrets of the chain only.
 */
async function expectSerialRotations(
  tenant: Tenant,
  webhook: CreatedWebhook,
  originalId: string,
  answers: Array<ApiResult<Rotated>>,
  receiver: TestReceiver,
) {
  for (const answer of answers) expect(answer.status, answer.text).toBe(200);
  const rotations = answers.map((answer) => answer.body);
  for (const rotation of rotations) {
    const current = rotation.secrets.filter((secret) => secret.status === "current");
    expect(current.map((secret) => secret.id)).toEqual([rotation.secret_id]);
  }

  const final = (await api("GET", `/v1/webhooks/${webhook.id}`, { apiKey: tenant.apiKey })).body;
  const chain = rotationChain(originalId, rotations);
  expect(chain[0]!.revoked_secrets).toEqual([]);
  expect(chain[1]!.revoked_secrets.map((secret) => secret.id)).toEqual([originalId]);
  for (let index = 2; index < chain.length; index++) {
    expect(chain[index]!.revoked_secrets.map((secret) => secret.id)).toEqual([chain[index - 2]!.secret_id]);
  }

  const last = chain.at(-1)!;
  const previous = chain.at(-2)!;
  expect(final.secrets.map((secret: SecretSummary) => [secret.id, secret.status])).toEqual([
    [last.secret_id, "current"],
    [previous.secret_id, "expiring"],
  ]);
  const stored = await pool().query<{ id: string; expires_at: Date | null }>(
    `SELECT id, expires_at FROM signing_secrets WHERE subscription_id = $1 AND revoked_at IS NULL ORDER BY created_at, id`,
    [webhook.id],
  );
  expect(stored.rows.filter((row) => row.expires_at === null).map((row) => row.id)).toEqual([last.secret_id]);
  expect(stored.rows.filter((row) => row.expires_at !== null).map((row) => row.id)).toEqual([previous.secret_id]);

  const before = receiver.requests.length;
  const eventId = await publish(tenant, "finding.created", `fnd_rotations_${webhook.id.slice(-6)}`);
  await waitUntil(() => deliveryOf(eventId, webhook.id), (row) => row?.status === "succeeded");
  const request = receiver.requests.slice(before).find((received) => received.path === new URL(receiver.url).pathname)!;
  const header = request.headers["wasviking-signature"] as string;
  expect(header.split(",").filter((part) => part.startsWith("v1="))).toHaveLength(2);
  const verifiesWith = (secret: string) =>
    verifySignature({
      signatureHeader: header,
      deliveryId: request.headers["wasviking-delivery"] as string,
      body: request.body,
      secrets: [secret],
      nowSeconds: Math.floor(clock.now() / 1000),
    }).ok;
  expect(verifiesWith(last.secret)).toBe(true);
  expect(verifiesWith(previous.secret)).toBe(true);
  for (const stopped of [webhook.secret, ...chain.slice(0, -2).map((rotation) => rotation.secret)]) {
    expect(verifiesWith(stopped)).toBe(false);
  }
}

describe("concurrent rotations", () => {
  let receiver: TestReceiver;

  beforeAll(async () => {
    receiver = await startReceiver();
  });

  afterAll(async () => {
    setTimeSource(null);
    await receiver.close();
  });

  it("serialises rotations arriving out of order", async () => {
    // No worker runs yet, because its sweeps lock webhook rows too and would join the queue below.
    setTimeSource(clock);
    const tenant = await createTenant();
    const webhook = await createWebhook(tenant, receiver.url);
    const originalId = await currentSecretId(tenant, webhook.id);
    const start = clock.now();

    // The test holds the webhook's row lock, so the rotations queue for it in the order they are sent. Each one
    // is sent a second earlier by the clock than the one before it, so they get the lock in the reverse order of
    // their arrival. That is the case of a request that arrived first but was the slowest to reach the database.
    // pg_stat_activity keeps one snapshot per transaction, so the waiting rotations are counted from another session.
    const blocker = new pg.Client({ connectionString: process.env.DATABASE_URL });
    const observer = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await blocker.connect();
    await observer.connect();
    const pending: Array<Promise<ApiResult<Rotated>>> = [];
    try {
      await blocker.query("BEGIN");
      await blocker.query(`SELECT id FROM subscriptions WHERE id = $1 FOR UPDATE`, [webhook.id]);
      for (let index = 0; index < ROTATIONS; index++) {
        await clock.setTime(new Date(start + (ROTATIONS - index) * 1000));
        pending.push(api("POST", `/v1/webhooks/${webhook.id}/rotate`, { apiKey: tenant.apiKey }));
        await waitUntil(() => lockWaiters(observer), (count) => count === index + 1, 10_000);
      }
      await blocker.query("COMMIT");
    } finally {
      await blocker.end();
      await observer.end();
    }
    const answers = await Promise.all(pending);

    await clock.setTime(new Date(start + 60_000));
    const worker = await startTestWorker({ clock });
    try {
      await expectSerialRotations(tenant, webhook, originalId, answers, receiver);
    } finally {
      await worker.stop();
    }
  });

  it("serialises simultaneous rotations", async () => {
    const worker = await startTestWorker({ clock });
    try {
      const tenant = await createTenant();
      const webhook = await createWebhook(tenant, receiver.url);
      const originalId = await currentSecretId(tenant, webhook.id);

      const answers = await Promise.all(
        Array.from({ length: ROTATIONS }, () => api<Rotated>("POST", `/v1/webhooks/${webhook.id}/rotate`, { apiKey: tenant.apiKey })),
      );

      await clock.setTime(new Date(clock.now() + 60_000));
      await expectSerialRotations(tenant, webhook, originalId, answers, receiver);
    } finally {
      await worker.stop();
    }
  });
});
