import { TestClock } from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pool } from "../../lib/db";
import { createWebhook, publish, waitUntil } from "../support/deliveries";
import { createTenant } from "../support/fixtures";
import { startReceiver, type TestReceiver } from "../support/receiver";
import { startTestWorker, type TestWorker } from "../support/worker";

const start = new Date("2026-12-01T10:00:00.000Z");
const clock = new TestClock(start);
// Small numbers, so the pace shows with a handful of events: 3 at once, then 1 per second.
const PACING = { ratePerSecond: 1, burst: 3 };

/** Seconds after `start` at which each automatic attempt of the webhook began, in order. */
async function attemptOffsets(webhookId: string): Promise<number[]> {
  const rows = await pool().query<{ started_at: Date }>(
    `SELECT a.started_at FROM attempts a JOIN deliveries d ON d.id = a.delivery_id
     WHERE d.subscription_id = $1 AND a.trigger = 'automatic' ORDER BY a.started_at`,
    [webhookId],
  );
  return rows.rows.map((row) => (row.started_at.getTime() - start.getTime()) / 1000);
}

describe("burst smoothing", () => {
  const workers: TestWorker[] = [];
  let receiver: TestReceiver;

  beforeAll(async () => {
    receiver = await startReceiver();
    // Two engines on one database: the pace is kept in the database, so they share it.
    for (let index = 0; index < 2; index++) workers.push(await startTestWorker({ clock, engine: { pacing: PACING } }));
  });

  afterAll(async () => {
    for (const worker of workers) await worker.stop();
    await receiver.close();
  });

  it("spreads a burst at the configured pace", async () => {
    const tenant = await createTenant();
    const webhook = await createWebhook(tenant, receiver.url);
    for (let index = 0; index < 8; index++) await publish(tenant, "finding.created", `fnd_burst_${index}`);

    await receiver.waitForRequests(3);
    await waitUntil(
      () => pool().query(`SELECT next_attempt_at FROM deliveries WHERE subscription_id = $1 AND status = 'pending' ORDER BY next_attempt_at`, [webhook.id]),
      (result) => result.rows.length === 5 && result.rows.every((row) => row.next_attempt_at.getTime() > start.getTime()),
    );
    const slots = await pool().query(`SELECT next_attempt_at FROM deliveries WHERE subscription_id = $1 AND status = 'pending' ORDER BY next_attempt_at`, [webhook.id]);
    expect(slots.rows.map((row) => (row.next_attempt_at.getTime() - start.getTime()) / 1000)).toEqual([1, 2, 3, 4, 5]);
    // Nothing beyond the burst goes before its slot, however many workers poll.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.requests).toHaveLength(3);

    for (let second = 1; second <= 5; second++) {
      await clock.setTime(new Date(start.getTime() + second * 1000));
      await receiver.waitForRequests(3 + second);
      expect(receiver.requests).toHaveLength(3 + second);
    }
    await waitUntil(() => attemptOffsets(webhook.id), (offsets) => offsets.length === 8);
    expect(await attemptOffsets(webhook.id)).toEqual([0, 0, 0, 1, 2, 3, 4, 5]);
    const succeeded = async () =>
      (await pool().query(`SELECT COUNT(*)::int AS count FROM deliveries WHERE subscription_id = $1 AND status = 'succeeded'`, [webhook.id])).rows[0].count;
    expect(await waitUntil(succeeded, (count) => count === 8)).toBe(8);
  });

  it("refills the burst after a quiet spell", async () => {
    await clock.setTime(new Date(start.getTime() + 3600_000));
    const tenant = await createTenant();
    const webhook = await createWebhook(tenant, receiver.url);
    const before = receiver.requests.length;
    for (let index = 0; index < 3; index++) await publish(tenant, "finding.created", `fnd_quiet_${index}`);
    await receiver.waitForRequests(before + 3);
    await waitUntil(() => attemptOffsets(webhook.id), (offsets) => offsets.length === 3);
    expect(await attemptOffsets(webhook.id)).toEqual([3600, 3600, 3600]);
  });

  it("paces each webhook on its own", async () => {
    const at = new Date(start.getTime() + 7200_000);
    await clock.setTime(at);
    const tenant = await createTenant();
    const first = await createWebhook(tenant, receiver.url, ["asset.first_seen"]);
    const second = await createWebhook(tenant, receiver.url, ["asset.first_seen"]);
    const before = receiver.requests.length;
    for (let index = 0; index < 3; index++) await publish(tenant, "asset.first_seen", `ast_pace_${index}`);
    // Three events to two webhooks: each webhook's burst covers its own three.
    await receiver.waitForRequests(before + 6);
    for (const webhook of [first, second]) {
      await waitUntil(() => attemptOffsets(webhook.id), (offsets) => offsets.length === 3);
      expect(await attemptOffsets(webhook.id)).toEqual([7200, 7200, 7200]);
    }
  });
});
