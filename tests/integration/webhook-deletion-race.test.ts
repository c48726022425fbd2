import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pool } from "../../lib/db";
import { DELIVERY_QUEUE } from "../../lib/dispatch/queue";
import { exampleData } from "../../lib/events/examples";
import { api } from "../support/api";
import { waitUntil } from "../support/deliveries";
import { createTenant, type Tenant } from "../support/fixtures";
import { startReceiver, type TestReceiver } from "../support/receiver";

/**
 * A webhook is deleted while events for it are being published. Publishers
 * lock the webhook's row before its ordering chains, and deletion must take
 * them in the same order, or the two deadlock and the deletion fails with 500.
 * Afterwards nothing of the webhook may be left: no delivery, chain, counter or
 * budget, and no job that could still be sent.
 */
describe("webhook deleted while events are published", () => {
  let receiver: TestReceiver;

  beforeAll(async () => {
    receiver = await startReceiver();
  });

  afterAll(async () => {
    await receiver.close();
  });

  async function publishAssetEvent(tenant: Tenant, assetId: string): Promise<number> {
    const data = { ...exampleData("asset.first_seen"), asset_id: assetId };
    const published = await api("POST", "/v1/events", { apiKey: tenant.apiKey, body: { type: "asset.first_seen", subject: assetId, data } });
    return published.status;
  }

  async function countRows(sql: string, values: unknown[]): Promise<number> {
    return (await pool().query<{ count: number }>(sql, values)).rows[0]!.count;
  }

  // Each round deletes at another point of the burst, because one point may miss the interleaving that deadlocks.
  for (const deliveriesBeforeDeletion of [1, 2, 3, 4, 5, 6, 8, 10, 12, 15]) {
    it(`answers 204 and leaves nothing behind after ${deliveriesBeforeDeletion} deliveries`, async () => {
      const tenant = await createTenant();
      const created = await api("POST", "/v1/webhooks", { apiKey: tenant.apiKey, body: { url: receiver.url, events: ["asset.first_seen"] } });
      expect(created.status).toBe(201);
      const webhookId: string = created.body.id;

      const assetIds = ["ast_race_1", "ast_race_2", "ast_race_3"];
      let finishedPublishes = 0;
      const publishing = Promise.all(
        Array.from({ length: 30 }, async (_, index) => {
          const status = await publishAssetEvent(tenant, assetIds[index % assetIds.length]!);
          finishedPublishes++;
          return status;
        }),
      );
      await waitUntil(
        () => countRows(`SELECT count(*)::int AS count FROM deliveries WHERE subscription_id = $1`, [webhookId]),
        (count) => count >= deliveriesBeforeDeletion,
      );
      const publishesBeforeDeletion = finishedPublishes;
      const deleted = await api("DELETE", `/v1/webhooks/${webhookId}`, { apiKey: tenant.apiKey });
      const publishStatuses = await publishing;

      // The deletion must have overlapped the burst, or the round tested nothing.
      expect(publishesBeforeDeletion).toBeLessThan(30);
      expect(deleted.status, deleted.text).toBe(204);
      expect(publishStatuses.every((status) => status === 202)).toBe(true);

      const values = [webhookId];
      expect(await countRows(`SELECT count(*)::int AS count FROM subscriptions WHERE id = $1`, values)).toBe(0);
      expect(await countRows(`SELECT count(*)::int AS count FROM deliveries WHERE subscription_id = $1`, values)).toBe(0);
      expect(await countRows(`SELECT count(*)::int AS count FROM ordering_chains WHERE subscription_id = $1`, values)).toBe(0);
      expect(await countRows(`SELECT count(*)::int AS count FROM webhook_usage WHERE subscription_id = $1`, values)).toBe(0);
      expect(await countRows(`SELECT count(*)::int AS count FROM webhook_budgets WHERE subscription_id = $1`, values)).toBe(0);
      expect(await countRows(`SELECT count(*)::int AS count FROM signing_secrets WHERE subscription_id = $1`, values)).toBe(0);
      expect(
        await countRows(`SELECT count(*)::int AS count FROM deliveries d LEFT JOIN subscriptions s ON s.id = d.subscription_id WHERE s.id IS NULL`, []),
      ).toBe(0);
      // Jobs of the webhook that no worker had taken yet are removed with it.
      expect(
        await countRows(`SELECT count(*)::int AS count FROM pgboss.job WHERE name = $1 AND group_id = $2 AND state IN ('created', 'retry')`, [
          DELIVERY_QUEUE,
          webhookId,
        ]),
      ).toBe(0);

      const audit = await pool().query(`SELECT details FROM audit_entries WHERE action = 'webhook.deleted' AND target_id = $1`, values);
      expect(audit.rows).toHaveLength(1);
    });
  }
});
