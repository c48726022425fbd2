import { TestClock } from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api } from "../support/api";
import { attemptsOf, createWebhook, deliveryOf, deliveryRow, publish, waitForAttempts, waitUntil } from "../support/deliveries";
import { createTenant, type Tenant } from "../support/fixtures";
import { startReceiver, type TestReceiver } from "../support/receiver";
import { startTestWorker, type TestWorker } from "../support/worker";

const start = new Date("2026-12-01T10:00:00.000Z");
const at = (seconds: number) => new Date(start.getTime() + seconds * 1000);
// 0, then 1 min, 5 min, 30 min, 2 h and 8 h after each failure, then every 8 h, capped at the 24 h mark.
const SCHEDULE_SECONDS = [0, 60, 360, 2160, 9360, 38160, 66960, 86400];

describe("retry schedule", () => {
  const clock = new TestClock(start);
  let tenant: Tenant;
  let receiver: TestReceiver;
  let worker: TestWorker;

  beforeAll(async () => {
    tenant = await createTenant();
    receiver = await startReceiver();
    worker = await startTestWorker({ clock });
  });

  afterAll(async () => {
    await worker.stop();
    await receiver.close();
  });

  it("gives up after the 24 h attempt", async () => {
    receiver.respond((_request, response) => response.writeHead(500).end("down"));
    const webhook = await createWebhook(tenant, receiver.url);
    const eventId = await publish(tenant, "finding.created", "fnd_schedule");
    const first = await waitUntil(() => deliveryOf(eventId, webhook.id), (row) => row?.attempt_count === 1);

    for (let made = 1; made < SCHEDULE_SECONDS.length; made++) {
      const row = await waitForAttempts(first.id, made);
      expect(row.status).toBe("retrying");
      expect(row.next_attempt_at).toEqual(at(SCHEDULE_SECONDS[made]!));
      // One second early nothing happens: a retry is never made before its time.
      await clock.setTime(at(SCHEDULE_SECONDS[made]! - 1));
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect((await deliveryRow(first.id)).attempt_count).toBe(made);
      await clock.setTime(at(SCHEDULE_SECONDS[made]!));
    }

    const given = await waitUntil(() => deliveryRow(first.id), (row) => row.status === "failed");
    expect(given.attempt_count).toBe(SCHEDULE_SECONDS.length);
    expect(given.next_attempt_at).toBeNull();
    expect(given.completed_at).toEqual(at(86_400));
    const attempts = await attemptsOf(first.id);
    expect(attempts.map((attempt) => (attempt.started_at.getTime() - start.getTime()) / 1000)).toEqual(SCHEDULE_SECONDS);
    expect(attempts.every((attempt) => attempt.trigger === "automatic" && attempt.response_status === 500)).toBe(true);
    expect(receiver.requests).toHaveLength(SCHEDULE_SECONDS.length);
    expect(new Set(receiver.requests.map((request) => request.headers["wasviking-delivery"]))).toEqual(new Set([first.id]));

    // Nothing more is tried after the give-up, however long one waits.
    await clock.setTime(at(86_400 * 3));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await deliveryRow(first.id)).attempt_count).toBe(SCHEDULE_SECONDS.length);
  });

  it("replays a given-up delivery", async () => {
    receiver.respond((_request, response) => response.writeHead(503).end());
    const webhook = await createWebhook(tenant, receiver.url);
    const eventId = await publish(tenant, "finding.escalated", "fnd_visible");
    const delivery = await waitUntil(() => deliveryOf(eventId, webhook.id), (row) => row?.attempt_count === 1);
    for (let made = 1; made < SCHEDULE_SECONDS.length; made++) {
      const row = await waitForAttempts(delivery.id, made);
      await clock.setTime(row.next_attempt_at);
    }
    await waitUntil(() => deliveryRow(delivery.id), (row) => row.status === "failed");

    const listed = await api("GET", `/v1/webhooks/${webhook.id}/deliveries`, { apiKey: tenant.apiKey });
    expect(listed.body.data[0]).toMatchObject({ id: delivery.id, status: "failed", attempts: SCHEDULE_SECONDS.length, next_attempt_at: null });

    receiver.respond((_request, response) => response.writeHead(200).end("ok"));
    const replayed = await api("POST", `/v1/webhooks/${webhook.id}/deliveries/${delivery.id}/replay`, { apiKey: tenant.apiKey });
    expect(replayed.status).toBe(200);
    expect(replayed.body.attempt).toMatchObject({ trigger: "replay", succeeded: true, response_status: 200, number: SCHEDULE_SECONDS.length + 1 });
    expect((await deliveryRow(delivery.id)).status).toBe("succeeded");
    expect(receiver.requests.at(-1)!.headers["wasviking-replay"]).toBe("true");
  });
});
