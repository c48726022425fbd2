import { TestClock } from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pool } from "../../lib/db";
import { attemptsOf, createWebhook, deliveryOf, deliveryRow, publish, waitForAttempts, waitUntil } from "../support/deliveries";
import { createTenant } from "../support/fixtures";
import { startReceiver, type TestReceiver } from "../support/receiver";
import { startTestWorker, type TestWorker } from "../support/worker";

const clock = new TestClock(new Date("2026-12-01T10:00:00.000Z"));
const later = (seconds: number) => new Date(clock.now() + seconds * 1000);

async function pausedUntil(webhookId: string): Promise<Date | null> {
  return (await pool().query(`SELECT paused_until FROM subscriptions WHERE id = $1`, [webhookId])).rows[0].paused_until;
}

describe("Retry-After on 429 and 503", () => {
  let receiver: TestReceiver;
  let worker: TestWorker;

  beforeAll(async () => {
    receiver = await startReceiver();
    worker = await startTestWorker({ clock });
  });

  afterAll(async () => {
    await worker.stop();
    await receiver.close();
  });

  // Each case: status and Retry-After of the first answer, then the expected wait before the second attempt
  // and whether the attempt's detail must call the value unusable.
  const cases: Array<{ name: string; status: number; retryAfter: (() => string) | null; waitSeconds: number; unusable?: boolean }> = [
    { name: "429 with 120 seconds", status: 429, retryAfter: () => "120", waitSeconds: 120 },
    { name: "429 with an HTTP-date 10 minutes ahead", status: 429, retryAfter: () => later(600).toUTCString(), waitSeconds: 600 },
    { name: "503 with 30 seconds, shorter than the step", status: 503, retryAfter: () => "30", waitSeconds: 60 },
    { name: "429 with 6457 seconds", status: 429, retryAfter: () => "6457", waitSeconds: 6457 },
    { name: "429 with an absurd 86400000", status: 429, retryAfter: () => "86400000", waitSeconds: 60, unusable: true },
    { name: "429 with a negative value", status: 429, retryAfter: () => "-5", waitSeconds: 60, unusable: true },
    { name: "429 with a non-numeric value", status: 429, retryAfter: () => "abc", waitSeconds: 60, unusable: true },
    { name: "429 with a fractional value", status: 429, retryAfter: () => "1.5", waitSeconds: 60, unusable: true },
    { name: "429 without Retry-After", status: 429, retryAfter: null, waitSeconds: 60 },
  ];

  it.each(cases)("waits after $name", async ({ status, retryAfter, waitSeconds, unusable }) => {
    // A tenant of its own, so no earlier webhook of these tests receives the event.
    const tenant = await createTenant();
    const webhook = await createWebhook(tenant, receiver.url);
    let answered = 0;
    let sent: string | undefined;
    receiver.respond((_request, response) => {
      answered++;
      if (answered > 1) return response.writeHead(200).end();
      sent = retryAfter?.();
      response.writeHead(status, sent === undefined ? {} : { "retry-after": sent }).end();
    });
    const eventId = await publish(tenant, "finding.created", `fnd_${status}_${waitSeconds}_${Math.random().toString(36).slice(2)}`);
    const delivery = await waitUntil(() => deliveryOf(eventId, webhook.id), (row) => row?.attempt_count === 1);
    const [failed] = await attemptsOf(delivery.id);
    expect(failed.response_status).toBe(status);
    expect(delivery.status).toBe("retrying");
    expect(delivery.next_attempt_at.getTime() - failed.started_at.getTime()).toBe(waitSeconds * 1000);
    // The raw header is kept with the attempt, so the inspector can show what the receiver asked for.
    expect(failed.response_headers["retry-after"]).toBe(sent);
    if (sent !== undefined) expect(failed.error_detail).toContain(sent);
    // A value that cannot be used is named as such, so the fallback to the normal schedule is visible.
    if (unusable) expect(failed.error_detail).toMatch(/unusable Retry-After .*normal schedule applies/);
    else expect(failed.error_detail).not.toMatch(/unusable/);
    expect(await pausedUntil(webhook.id)).not.toBeNull();

    await clock.setTime(delivery.next_attempt_at);
    const done = await waitUntil(() => deliveryRow(delivery.id), (row) => row.status === "succeeded");
    expect(done.attempt_count).toBe(2);
    const [, second] = await attemptsOf(delivery.id);
    expect(second.started_at).toEqual(delivery.next_attempt_at);
  });

  it("caps Retry-After at 24 h", async () => {
    const tenant = await createTenant();
    const webhook = await createWebhook(tenant, receiver.url);
    receiver.respond((_request, response) => response.writeHead(500).end());
    const eventId = await publish(tenant, "finding.created", "fnd_cap");
    const delivery = await waitUntil(() => deliveryOf(eventId, webhook.id), (row) => row?.attempt_count === 1);
    const firstAttemptAt: Date = delivery.first_attempt_at;
    // Five failures bring the delivery to its sixth attempt, 10 h 36 min in; that one asks for almost a day.
    for (let made = 1; made <= 5; made++) {
      const row = await waitForAttempts(delivery.id, made);
      await clock.setTime(row.next_attempt_at);
    }
    receiver.respond((_request, response) => response.writeHead(429, { "retry-after": "86000" }).end());
    const throttled = await waitForAttempts(delivery.id, 6);
    const deadline = new Date(firstAttemptAt.getTime() + 86_400_000);
    expect(throttled.next_attempt_at).toEqual(deadline);

    await clock.setTime(deadline);
    const given = await waitUntil(() => deliveryRow(delivery.id), (row) => row.status === "failed");
    expect(given.attempt_count).toBe(7);
    const attempts = await attemptsOf(delivery.id);
    expect(attempts.at(-1).started_at).toEqual(deadline);
  });

  it("pauses the whole webhook on 429", async () => {
    const tenant = await createTenant();
    const throttled = await startReceiver();
    const other = await startReceiver();
    try {
      const webhook = await createWebhook(tenant, throttled.url);
      const otherWebhook = await createWebhook(tenant, other.url);
      let answered = 0;
      throttled.respond((_request, response) => {
        answered++;
        if (answered === 1) return response.writeHead(429, { "retry-after": "300" }).end();
        response.writeHead(204).end();
      });

      const first = await publish(tenant, "finding.created", "fnd_p1");
      const firstDelivery = await waitUntil(() => deliveryOf(first, webhook.id), (row) => row?.attempt_count === 1);
      const pauseEnd = await pausedUntil(webhook.id);
      expect(pauseEnd).toEqual(firstDelivery.next_attempt_at);

      await clock.setTime(later(10));
      const sameFinding = await publish(tenant, "finding.escalated", "fnd_p1");
      const otherFinding = await publish(tenant, "finding.created", "fnd_p2");
      // The other webhook is not slowed down.
      await other.waitForRequests(3);
      expect(other.requests.map((request) => JSON.parse(request.body.toString()).id)).toEqual([first, sameFinding, otherFinding]);
      const deferred = await waitUntil(() => deliveryOf(otherFinding, webhook.id), (row) => row.next_attempt_at?.getTime() === pauseEnd!.getTime());
      expect(deferred.attempt_count).toBe(0);
      expect(throttled.requests).toHaveLength(1);
      const waiting = await deliveryOf(sameFinding, webhook.id);
      expect(waiting).toMatchObject({ status: "pending", next_attempt_at: null });

      await clock.setTime(later(150));
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(throttled.requests).toHaveLength(1);

      await clock.setTime(pauseEnd!);
      await throttled.waitForRequests(4);
      const order = throttled.requests.map((request) => JSON.parse(request.body.toString()).id);
      // The retry of the first delivery and the deferred one of another finding come due together, in either order;
      // only the later delivery of the same finding must wait for the retry.
      expect(order[0]).toBe(first);
      const retryOfFirst = order.indexOf(first, 1);
      expect(retryOfFirst).toBeGreaterThan(0);
      expect(order.indexOf(sameFinding)).toBeGreaterThan(retryOfFirst);
      expect(order).toContain(otherFinding);
      const deferredDone = await waitUntil(() => deliveryOf(otherFinding, webhook.id), (row) => row.status === "succeeded");
      // The deferral did not count as an attempt, so the delivery went with its first and only one.
      expect(deferredDone.attempt_count).toBe(1);
    } finally {
      await throttled.close();
      await other.close();
    }
  });
});
