import type { ServerResponse } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { utcDayStart } from "../../lib/caps/window";
import { pool } from "../../lib/db";
import { installQueue } from "../../lib/dispatch/queue";
import { api } from "../support/api";
import { createWebhook, publish, waitUntil } from "../support/deliveries";
import { createTenant } from "../support/fixtures";
import { startReceiver, type TestReceiver } from "../support/receiver";
import { startWorkerProcess, stopWorkerProcess, type WorkerProcess } from "../support/worker-process";

// A short expiry brings a killed worker's attempts back within seconds; a generous pace leaves the cap alone in charge.
const WORKER_ENV = { WVK_JOB_EXPIRY_SECONDS: "4", WVK_ATTEMPT_TIMEOUT_SECONDS: "2", WVK_WEBHOOK_RATE_PER_SECOND: "1000", WVK_WEBHOOK_BURST: "1000" };
const CAP = 30;
const EVENTS = 50;

/** Reads the usage counters and the deliveries they count in one statement, so both come from one snapshot. */
async function figures(webhookId: string) {
  const result = await pool().query(
    `SELECT
       (SELECT COALESCE(SUM(counted), 0)::int FROM webhook_usage WHERE subscription_id = $1) AS counted_counter,
       (SELECT COALESCE(SUM(held), 0)::int FROM webhook_usage WHERE subscription_id = $1) AS held_counter,
       (SELECT COALESCE(SUM(succeeded), 0)::int FROM webhook_usage WHERE subscription_id = $1) AS succeeded_counter,
       (SELECT COUNT(*)::int FROM deliveries d JOIN delivery_counts c ON c.delivery_id = d.id WHERE d.subscription_id = $1) AS counted,
       (SELECT COUNT(*)::int FROM deliveries WHERE subscription_id = $1 AND status = 'held') AS held,
       (SELECT COUNT(*)::int FROM deliveries WHERE subscription_id = $1 AND status = 'succeeded') AS succeeded`,
    [webhookId],
  );
  const row = result.rows[0];
  return {
    counters: { counted: row.counted_counter, held: row.held_counter, succeeded: row.succeeded_counter },
    deliveries: { counted: row.counted, held: row.held, succeeded: row.succeeded },
  };
}

describe("daily cap with several workers", () => {
  const workers: WorkerProcess[] = [];
  let receiver: TestReceiver;

  beforeAll(async () => {
    process.env.WVK_JOB_EXPIRY_SECONDS = WORKER_ENV.WVK_JOB_EXPIRY_SECONDS;
    await installQueue();
    delete process.env.WVK_JOB_EXPIRY_SECONDS;
    receiver = await startReceiver();
  });

  afterAll(async () => {
    for (const worker of workers) await stopWorkerProcess(worker);
    await receiver.close();
  });

  it("counts each delivery once through a crash", async () => {
    const startedOn = utcDayStart(new Date()).getTime();
    const tenant = await createTenant();
    const webhook = await createWebhook(tenant, receiver.url);
    expect((await api("PATCH", `/v1/webhooks/${webhook.id}`, { apiKey: tenant.apiKey, body: { daily_cap: CAP } })).status).toBe(200);
    for (let index = 0; index < EVENTS; index++) await publish(tenant, "finding.created", `fnd_workers_${index}`);
    // The first responses are held back, so the worker killed below dies with attempts in flight, after counting them.
    const waiting: ServerResponse[] = [];
    receiver.respond((_request, response) => {
      if (waiting.length < 6) waiting.push(response);
      else response.writeHead(204).end();
    });
    const first = await startWorkerProcess(process.env.DATABASE_URL!, WORKER_ENV);
    workers.push(first);
    await waitUntil(async () => waiting.length, (count) => count === 6, 20_000);
    expect((await figures(webhook.id)).deliveries.counted).toBeGreaterThanOrEqual(6);
    first.kill("SIGKILL");
    await first.exited;
    for (const response of waiting) response.destroy();

    // Two more workers take over: the dead worker's jobs come back once they expire.
    for (let index = 0; index < 2; index++) workers.push(await startWorkerProcess(process.env.DATABASE_URL!, WORKER_ENV));
    const settled = await waitUntil(
      () => figures(webhook.id),
      (value) => value.deliveries.succeeded + value.deliveries.held >= EVENTS,
      30_000,
    );
    // Let late recordings land before the final reading.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const final = await figures(webhook.id);
    expect(final).toEqual(settled);

    // Every counted delivery is counted once, whichever worker admitted it and however often it was sent.
    expect(final.counters.counted).toBe(final.deliveries.counted);
    expect(final.counters.held).toBe(final.deliveries.held);
    expect(final.counters.succeeded).toBe(final.deliveries.succeeded);
    expect(final.deliveries.counted + final.deliveries.held).toBe(EVENTS);
    const received = new Set(receiver.requests.map((request) => request.headers["wasviking-delivery"] as string));
    expect(received.size).toBe(final.deliveries.counted);
    // The attempts cut short by the crash were sent again, and still counted once.
    expect(receiver.requests.length).toBeGreaterThanOrEqual(received.size + 6);
    if (utcDayStart(new Date()).getTime() === startedOn) {
      expect(final.deliveries.counted).toBe(CAP);
      expect(final.deliveries.held).toBe(EVENTS - CAP);
    }
  });
});
