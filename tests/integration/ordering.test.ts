import { TestClock } from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api } from "../support/api";
import { attemptsOf, createWebhook, deliveryOf, deliveryRow, publish, waitForAttempts, waitUntil } from "../support/deliveries";
import { createTenant, type Tenant } from "../support/fixtures";
import { type ReceivedRequest, startReceiver, type TestReceiver } from "../support/receiver";
import { startTestWorker, type TestWorker } from "../support/worker";

const clock = new TestClock(new Date("2026-12-01T10:00:00.000Z"));
const minutes = (count: number, from: Date) => new Date(from.getTime() + count * 60_000);

interface Arrival {
  subject: string;
  type: string;
  sequence: number;
  status: number;
  replay: boolean;
}

/** A receiver that answers with `statusFor` and notes what arrived, in order. */
async function recordingReceiver(statusFor: (payload: { subject: string; type: string }) => number) {
  const receiver = await startReceiver();
  const arrivals: Arrival[] = [];
  receiver.respond((request: ReceivedRequest, response) => {
    const payload = JSON.parse(request.body.toString());
    const status = statusFor(payload);
    arrivals.push({ subject: payload.subject, type: payload.type, sequence: payload.ordering.sequence, status, replay: request.headers["wasviking-replay"] === "true" });
    response.writeHead(status).end();
  });
  return { receiver, arrivals };
}

/** Publishes the sequence F1.e1, F2.e1, F1.e2, F2.e2, F1.e3 and returns the event ids by name. */
async function publishSequence(tenant: Tenant, f1: string, f2: string) {
  return {
    f1e1: await publish(tenant, "finding.created", f1),
    f2e1: await publish(tenant, "finding.created", f2),
    f1e2: await publish(tenant, "finding.escalated", f1),
    f2e2: await publish(tenant, "finding.escalated", f2),
    f1e3: await publish(tenant, "finding.sla_breached", f1),
  };
}

const successes = (arrivals: Arrival[], subject: string) => arrivals.filter((item) => item.subject === subject && item.status < 300);

describe("per-finding ordering", () => {
  let worker: TestWorker;
  const receivers: TestReceiver[] = [];

  beforeAll(async () => {
    worker = await startTestWorker({ clock });
  });

  afterAll(async () => {
    await worker.stop();
    for (const receiver of receivers) await receiver.close();
  });

  it("holds F1 while F2 flows", async () => {
    const tenant = await createTenant();
    const start = new Date(clock.now());
    // F1 fails until its retry after the 30 min step, 36 min after the first attempt.
    const { receiver, arrivals } = await recordingReceiver(({ subject }) => (subject === "fnd_F1" && clock.now() < minutes(36, start).getTime() ? 500 : 200));
    const other = await recordingReceiver(() => 200);
    receivers.push(receiver, other.receiver);
    const webhook = await createWebhook(tenant, receiver.url);
    const otherWebhook = await createWebhook(tenant, other.receiver.url);
    const events = await publishSequence(tenant, "fnd_F1", "fnd_F2");

    await waitUntil(async () => successes(arrivals, "fnd_F2").length, (count) => count === 2);
    expect(successes(arrivals, "fnd_F2").map((item) => item.sequence)).toEqual([1, 2]);
    // Another webhook gets every F1 event at once: a failing receiver holds back only its own chain.
    await waitUntil(async () => successes(other.arrivals, "fnd_F1").length, (count) => count === 3);
    expect(successes(other.arrivals, "fnd_F1").map((item) => item.type)).toEqual(["finding.created", "finding.escalated", "finding.sla_breached"]);
    expect(await deliveryOf(events.f1e2, webhook.id)).toMatchObject({ status: "pending", attempt_count: 0, next_attempt_at: null, sequence: 2 });
    expect(await deliveryOf(events.f1e3, webhook.id)).toMatchObject({ status: "pending", attempt_count: 0, next_attempt_at: null, sequence: 3 });

    const first = await deliveryOf(events.f1e1, webhook.id);
    for (const step of [1, 6]) {
      await clock.setTime(minutes(step, start));
      await waitForAttempts(first.id, step === 1 ? 2 : 3);
    }
    expect(arrivals.filter((item) => item.subject === "fnd_F1").map((item) => [item.sequence, item.status])).toEqual([
      [1, 500],
      [1, 500],
      [1, 500],
    ]);

    await clock.setTime(minutes(36, start));
    await waitUntil(async () => successes(arrivals, "fnd_F1").length, (count) => count === 3);
    expect(successes(arrivals, "fnd_F1").map((item) => item.type)).toEqual(["finding.created", "finding.escalated", "finding.sla_breached"]);
    expect(successes(arrivals, "fnd_F1").map((item) => item.sequence)).toEqual([1, 2, 3]);
    const last = await waitUntil(() => deliveryOf(events.f1e3, webhook.id), (row) => row.status === "succeeded");
    expect(last.attempt_count).toBe(1);
    expect((await deliveryOf(events.f1e1, otherWebhook.id)).status).toBe("succeeded");

    // A replay of F1.e1 after F1.e3 arrived is sent at once, outside the order, and labelled as a replay.
    const replayed = await api("GET", `/v1/webhooks/${webhook.id}/deliveries/${first.id}/replay`, { apiKey: tenant.apiKey });
    expect(replayed.status).toBe(200);
    expect(replayed.body.attempt).toMatchObject({ trigger: "replay", succeeded: true });
    expect(arrivals.at(-1)).toEqual({ subject: "fnd_F1", type: "finding.created", sequence: 1, status: 200, replay: true });
    expect(arrivals.filter((item) => item.replay)).toHaveLength(1);
    expect((await deliveryRow(first.id)).status).toBe("succeeded");
  });

  it("releases F1 after a give-up", async () => {
    const tenant = await createTenant();
    const { receiver, arrivals } = await recordingReceiver(({ subject, type }) => (subject === "fnd_G1" && type === "finding.created" ? 503 : 200));
    receivers.push(receiver);
    const webhook = await createWebhook(tenant, receiver.url);
    const events = await publishSequence(tenant, "fnd_G1", "fnd_G2");
    const first = await waitUntil(() => deliveryOf(events.f1e1, webhook.id), (row) => row?.attempt_count === 1);

    for (let made = 1; ; made++) {
      const row = await waitForAttempts(first.id, made);
      if (row.status === "failed") break;
      expect(successes(arrivals, "fnd_G1")).toHaveLength(0);
      await clock.setTime(row.next_attempt_at);
    }
    const given = await deliveryRow(first.id);
    expect(given.completed_at.getTime() - given.first_attempt_at.getTime()).toBe(24 * 3600 * 1000);

    await waitUntil(async () => successes(arrivals, "fnd_G1").length, (count) => count === 2);
    // The consumer sees sequence 2 follow a sequence 1 that never succeeded: the gap is in the payload.
    expect(successes(arrivals, "fnd_G1").map((item) => item.sequence)).toEqual([2, 3]);
    expect(arrivals.filter((item) => item.subject === "fnd_G1" && item.sequence === 1).every((item) => item.status === 503)).toBe(true);
    const released = await attemptsOf((await deliveryOf(events.f1e2, webhook.id)).id);
    expect(released[0].started_at).toEqual(given.completed_at);
  });

  it("keeps order across restarts", async () => {
    const tenant = await createTenant();
    const start = new Date(clock.now());
    const { receiver, arrivals } = await recordingReceiver(({ subject }) => (subject === "fnd_H1" && clock.now() < minutes(6, start).getTime() ? 500 : 200));
    receivers.push(receiver);
    const webhook = await createWebhook(tenant, receiver.url);
    const events = await publishSequence(tenant, "fnd_H1", "fnd_H2");
    const first = await waitUntil(() => deliveryOf(events.f1e1, webhook.id), (row) => row?.attempt_count === 1);

    await worker.stop();
    worker = await startTestWorker({ clock });
    await clock.setTime(minutes(1, start));
    await waitForAttempts(first.id, 2);
    expect(successes(arrivals, "fnd_H1")).toHaveLength(0);

    await worker.stop();
    // Events published while no worker runs are ordered too.
    const late = await publish(tenant, "finding.escalated", "fnd_H1");
    worker = await startTestWorker({ clock });
    await clock.setTime(minutes(6, start));
    await waitUntil(async () => successes(arrivals, "fnd_H1").length, (count) => count === 4);
    expect(successes(arrivals, "fnd_H1").map((item) => item.sequence)).toEqual([1, 2, 3, 4]);
    expect((await deliveryOf(late, webhook.id)).sequence).toBe(4);
  });
});
