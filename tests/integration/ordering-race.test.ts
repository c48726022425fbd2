import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pool } from "../../lib/db";
import { producer } from "../../lib/dispatch/producer";
import { exampleData } from "../../lib/events/examples";
import { publishEvent } from "../../lib/events/publish";
import { createWebhook, deliveryOf, publish, waitUntil } from "../support/deliveries";
import { createTenant } from "../support/fixtures";
import { startReceiver, type TestReceiver } from "../support/receiver";
import { startTestWorker, type TestWorker } from "../support/worker";

/**
 * A finding's next event is published at the moment its previous delivery is
 * being recorded. The publisher keeps the ordering chain's row locked until it
 * commits, so the recorder waits for it; once it may go on, it must see the new
 * delivery and plan its attempt. Missing it would leave that delivery pending
 * for ever, with every later event of the finding behind it.
 */
describe("ordering chain released during a publish", () => {
  let worker: TestWorker;
  let receiver: TestReceiver;

  beforeAll(async () => {
    worker = await startTestWorker();
    receiver = await startReceiver();
  });

  afterAll(async () => {
    await worker.stop();
    await receiver.close();
  });

  it("plans the delivery the publisher added", async () => {
    const tenant = await createTenant();
    const webhook = await createWebhook(tenant, receiver.url);
    let answerFirst: () => void = () => undefined;
    const firstArrived = new Promise<void>((arrived) => {
      receiver.respond((_request, response) => {
        if (receiver.requests.length === 1) {
          answerFirst = () => response.writeHead(204).end();
          arrived();
        } else {
          response.writeHead(204).end();
        }
      });
    });
    const first = await publish(tenant, "finding.created", "fnd_race");
    await firstArrived;

    // The second event's transaction stops before its commit, holding the chain's row.
    let commit: () => void = () => undefined;
    const mayCommit = new Promise<void>((resolve) => (commit = resolve));
    let holding: () => void = () => undefined;
    const chainHeld = new Promise<void>((resolve) => (holding = resolve));
    const second = publishEvent(
      tenant.organizationId,
      { type: "finding.escalated", subject: "fnd_race", data: { ...exampleData("finding.escalated"), finding_id: "fnd_race" } },
      {
        producer: await producer(),
        beforeCommit: async () => {
          holding();
          await mayCommit;
        },
      },
    );
    await chainHeld;

    // The first delivery succeeds; its recorder now waits for the chain's row.
    answerFirst();
    await waitUntil(
      async () => (await pool().query(`SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`)).rows[0].waiting,
      (waiting) => waiting > 0,
    );
    commit();
    const published = await second;

    await waitUntil(() => deliveryOf(first, webhook.id), (row) => row.status === "succeeded");
    const delivered = await waitUntil(() => deliveryOf(published.id, webhook.id), (row) => row.status === "succeeded");
    expect(delivered.sequence).toBe(2);
    expect(receiver.requests).toHaveLength(2);
  });
});
