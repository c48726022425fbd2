import { describe, expect, it } from "vitest";
import { pool } from "../../lib/db";
import { countStuckDeliveries } from "../../lib/deliveries/stuck";
import { createWebhook, deliveryOf, publish } from "../support/deliveries";
import { createTenant } from "../support/fixtures";

// No worker runs in this file, so the jobs publishing queued stay where they are.
describe("countStuckDeliveries", () => {
  it("counts a delivery whose job is gone", async () => {
    const tenant = await createTenant();
    const webhook = await createWebhook(tenant, "http://127.0.0.1:9/hook");
    const event = await publish(tenant, "finding.created", "fnd_stuck_job");
    expect(await countStuckDeliveries(pool(), webhook.id)).toBe(0);

    const delivery = await deliveryOf(event, webhook.id);
    await pool().query(`DELETE FROM pgboss.job WHERE data->>'deliveryId' = $1`, [delivery.id]);
    expect(await countStuckDeliveries(pool(), webhook.id)).toBe(1);
    expect(await countStuckDeliveries(pool())).toBeGreaterThanOrEqual(1);
  });

  it("tells waiting from stuck in a chain", async () => {
    const tenant = await createTenant();
    const webhook = await createWebhook(tenant, "http://127.0.0.1:9/hook");
    const first = await publish(tenant, "finding.created", "fnd_stuck_chain");
    const second = await publish(tenant, "finding.escalated", "fnd_stuck_chain");
    const waiting = await deliveryOf(second, webhook.id);
    expect(waiting).toMatchObject({ status: "pending", next_attempt_at: null });
    expect(await countStuckDeliveries(pool(), webhook.id)).toBe(0);

    // The first one finishes without its successor being released: the successor now waits for nothing.
    await pool().query(`UPDATE deliveries SET status = 'succeeded', next_attempt_at = NULL WHERE id = $1`, [(await deliveryOf(first, webhook.id)).id]);
    expect(await countStuckDeliveries(pool(), webhook.id)).toBe(1);
  });
});
