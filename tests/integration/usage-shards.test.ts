import { describe, expect, it } from "vitest";
import { addUsage, dailyCapStatus, USAGE_SHARDS } from "../../lib/caps/usage-counters";
import { pool } from "../../lib/db";
import { api } from "../support/api";
import { createWebhook } from "../support/deliveries";
import { createTenant } from "../support/fixtures";

describe("usage counter shards", () => {
  it("adds up every shard of an hour", async () => {
    const tenant = await createTenant();
    const webhook = await createWebhook(tenant, "http://127.0.0.1:9/hook");
    const now = new Date();
    const hour = new Date(Math.floor(now.getTime() / 3_600_000) * 3_600_000);
    await addUsage(pool(), [{ subscriptionId: webhook.id, at: now, counted: 3, succeeded: 2 }], 0);
    await addUsage(pool(), [{ subscriptionId: webhook.id, at: now, counted: 4, failed: 1, held: 5 }], USAGE_SHARDS - 1);
    await addUsage(pool(), [{ subscriptionId: webhook.id, at: now, succeeded: 1 }], 0);

    const rows = await pool().query(`SELECT shard, counted, succeeded FROM webhook_usage WHERE subscription_id = $1 ORDER BY shard`, [webhook.id]);
    expect(rows.rows).toEqual([
      { shard: 0, counted: 3, succeeded: 3 },
      { shard: USAGE_SHARDS - 1, counted: 4, succeeded: 0 },
    ]);
    expect((await dailyCapStatus(pool(), [webhook.id], now)).get(webhook.id)?.used).toBe(7);
    const report = await api("GET", `/v1/webhooks/${webhook.id}/usage?granularity=hour`, { apiKey: tenant.apiKey });
    expect(report.status).toBe(200);
    const bucket = report.body.buckets.find((item: { start: string }) => item.start === hour.toISOString());
    expect(bucket).toMatchObject({ counted: 7, succeeded: 3, failed: 1, held: 5 });
    expect(report.body.today).toMatchObject({ used: 7 });
  });
});
