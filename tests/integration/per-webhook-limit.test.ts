import type { ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { pool } from "../../lib/db";
import { createWebhook, publish, waitUntil } from "../support/deliveries";
import { createTenant } from "../support/fixtures";
import { startReceiver, type TestReceiver } from "../support/receiver";
import { startTestWorker } from "../support/worker";

/**
 * Starts a receiver that keeps each request open until the test releases it,
 * and records the largest number it had open at once.
 */
async function startHoldingReceiver(): Promise<{ receiver: TestReceiver; open: () => number; peak: () => number; release: () => void; close: () => Promise<void> }> {
  const receiver = await startReceiver();
  const waitingResponses: ServerResponse[] = [];
  let open = 0;
  let peak = 0;
  let releasing = false;
  receiver.respond((_request, response) => {
    open++;
    peak = Math.max(peak, open);
    response.on("finish", () => open--);
    if (releasing) response.writeHead(204).end();
    else waitingResponses.push(response);
  });
  return {
    receiver,
    open: () => open,
    peak: () => peak,
    release() {
      releasing = true;
      for (const response of waitingResponses.splice(0)) response.writeHead(204).end();
    },
    close: () => receiver.close(),
  };
}

async function succeededCount(webhookId: string): Promise<number> {
  const result = await pool().query<{ count: number }>(
    `SELECT COUNT(*)::int AS count FROM deliveries WHERE subscription_id = $1 AND status = 'succeeded'`,
    [webhookId],
  );
  return result.rows[0]!.count;
}

async function publishMany(tenant: Awaited<ReturnType<typeof createTenant>>, count: number, tag: string): Promise<void> {
  // Distinct subjects, so ordering never makes one wait for another.
  for (let index = 0; index < count; index++) await publish(tenant, "finding.created", `fnd_${tag}_${index}`);
}

describe("per-webhook request limit", () => {
  it("limits open requests per worker", async () => {
    const holding = await startHoldingReceiver();
    const tenant = await createTenant();
    const webhook = await createWebhook(tenant, holding.receiver.url);
    // Published before the worker starts, so that its first fetch brings more of the webhook's jobs than it has slots.
    await publishMany(tenant, 10, "one");
    const worker = await startTestWorker({ engine: { perWebhookConcurrency: 3 } });
    try {
      await waitUntil(async () => holding.open(), (open) => open === 3);
      // Three more wait in the worker for a slot, and the last four went back to the queue until the webhook has room.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(holding.open()).toBe(3);
      expect(worker.engine.activeAttempts).toBe(3);

      holding.release();
      await waitUntil(() => succeededCount(webhook.id), (count) => count === 10);
      expect(holding.peak()).toBe(3);
      expect(holding.receiver.requests).toHaveLength(10);
    } finally {
      holding.release();
      await worker.stop();
      await holding.close();
    }
  });

  it("limits across workers when configured", async () => {
    const holding = await startHoldingReceiver();
    const engine = { perWebhookConcurrency: 2, perWebhookLimitScope: "all-workers" as const };
    const first = await startTestWorker({ engine });
    const second = await startTestWorker({ engine });
    try {
      const tenant = await createTenant();
      const webhook = await createWebhook(tenant, holding.receiver.url);
      await publishMany(tenant, 8, "all");
      await waitUntil(async () => holding.open(), (open) => open === 2);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(holding.open()).toBe(2);
      expect(first.engine.activeAttempts + second.engine.activeAttempts).toBe(2);

      holding.release();
      await waitUntil(() => succeededCount(webhook.id), (count) => count === 8);
      expect(holding.peak()).toBe(2);
    } finally {
      holding.release();
      await first.stop();
      await second.stop();
      await holding.close();
    }
  });

  it("requeues waiting attempts on stop", async () => {
    const holding = await startHoldingReceiver();
    const tenant = await createTenant();
    const webhook = await createWebhook(tenant, holding.receiver.url);
    await publishMany(tenant, 4, "stop");
    // One attempt is sent, one waits in the worker for the slot, and two go back to the queue.
    const first = await startTestWorker({ engine: { perWebhookConcurrency: 1 } });
    await waitUntil(async () => holding.open(), (open) => open === 1);

    // Stopping waits for the open request, so let it go once the stop has begun.
    const stopping = first.stop();
    holding.release();
    await stopping;
    const second = await startTestWorker({ engine: { perWebhookConcurrency: 1 } });
    try {
      // Nothing waits for the first worker's jobs to expire: the attempt it handed back is due now. The attempts go
      // one at a time through a slot of one, which can take seconds each on an overloaded machine. The wait stays
      // below the 60 s job expiry, so an attempt left active by the first worker still fails the test.
      await waitUntil(() => succeededCount(webhook.id), (count) => count === 4, 40_000);
      const perDelivery = await pool().query<{ attempt_count: number }>(`SELECT attempt_count FROM deliveries WHERE subscription_id = $1`, [webhook.id]);
      expect(perDelivery.rows.map((row) => row.attempt_count)).toEqual([1, 1, 1, 1]);
      expect(holding.peak()).toBe(1);
    } finally {
      await second.stop();
      await holding.close();
    }
  });
});
