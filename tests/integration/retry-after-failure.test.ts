import { TestClock } from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pool } from "../../lib/db";
import { verifySignature } from "../../lib/signing";
import { api } from "../support/api";
import { createTenant, type Tenant } from "../support/fixtures";
import { startReceiver, type TestReceiver } from "../support/receiver";
import { startTestWorker, type TestWorker } from "../support/worker";

async function deliveryRow(id: string) {
  return (await pool().query(`SELECT * FROM deliveries WHERE id = $1`, [id])).rows[0];
}

async function waitUntil<T>(read: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`Condition not met in time; last value ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe("failed attempt and retry", () => {
  const start = new Date("2026-12-01T10:00:00.000Z");
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

  it("records a 500 as a failed attempt and retries one minute later with the same delivery id", async () => {
    receiver.respond((_request, response) => response.writeHead(500, { "content-type": "text/plain" }).end("database is down"));
    const created = await api("POST", "/v1/webhooks", { apiKey: tenant.apiKey, body: { url: receiver.url, events: ["asset.first_seen"] } });
    expect(created.status).toBe(201);
    await api("POST", "/v1/events", { apiKey: tenant.apiKey, body: { type: "asset.first_seen", subject: "ast_1", data: { asset_id: "ast_1", kind: "hostname", name: "shop.example.com" } } });

    const [first] = await receiver.waitForRequests(1);
    const deliveryId = first!.headers["wasviking-delivery"] as string;
    const afterFirst = await waitUntil(() => deliveryRow(deliveryId), (row) => row.status === "retrying");
    expect(afterFirst.attempt_count).toBe(1);
    expect(afterFirst.last_status_code).toBe(500);
    expect(new Date(afterFirst.next_attempt_at).getTime() - new Date(afterFirst.first_attempt_at).getTime()).toBe(60_000);

    const attempts = await pool().query(`SELECT * FROM attempts WHERE delivery_id = $1`, [deliveryId]);
    expect(attempts.rows).toHaveLength(1);
    expect(attempts.rows[0].succeeded).toBe(false);
    expect(attempts.rows[0].response_status).toBe(500);
    expect(attempts.rows[0].response_body).toBe("database is down");
    expect(attempts.rows[0].error_class).toBe("http_status");

    receiver.respond((_request, response) => response.writeHead(200).end("ok"));
    await clock.setTime(afterFirst.next_attempt_at);
    const [, second] = await receiver.waitForRequests(2);
    expect(second!.headers["wasviking-delivery"]).toBe(deliveryId);
    // Each attempt is signed anew with its own time, so a retry passes a 5-minute freshness check.
    const signedAt = Number(/t=(\d+)/.exec(second!.headers["wasviking-signature"] as string)![1]);
    expect(signedAt).toBe(Math.floor(new Date(afterFirst.next_attempt_at).getTime() / 1000));
    expect(
      verifySignature({
        signatureHeader: second!.headers["wasviking-signature"] as string,
        deliveryId,
        body: second!.body,
        secrets: [created.body.secret],
        nowSeconds: signedAt,
      }),
    ).toMatchObject({ ok: true });

    const done = await waitUntil(() => deliveryRow(deliveryId), (row) => row.status === "succeeded");
    expect(done.attempt_count).toBe(2);
    expect(done.next_attempt_at).toBeNull();
  });
});
