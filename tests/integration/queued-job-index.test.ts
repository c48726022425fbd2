import { describe, expect, it } from "vitest";
import { pool } from "../../lib/db";
import { DELETE_QUEUED_ATTEMPTS, DELIVERY_QUEUE, QUEUED_JOBS_BY_WEBHOOK_INDEX } from "../../lib/dispatch/queue";
import { api } from "../support/api";
import { createTenant } from "../support/fixtures";

/**
 * Deleting a webhook deletes its queued attempt jobs. With many jobs in the
 * queue, the statement must read only that webhook's jobs through our index
 * instead of every queued or retained job.
 */
const WEBHOOKS = 200;
const JOBS_PER_WEBHOOK = 100;

interface PlanNode {
  "Node Type": string;
  "Index Name"?: string;
  Plans?: PlanNode[];
}

function planNodes(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(planNodes)];
}

// Queued jobs of many webhooks, and completed ones, which pg-boss keeps for a day and a scan would also read.
async function seedJobs(): Promise<void> {
  await pool().query(
    `INSERT INTO pgboss.job (name, data, state, group_id, start_after, completed_on)
     SELECT $1, jsonb_build_object('deliveryId', 'dlv_seed_' || i, 'attempt', 1),
            CASE WHEN i % 4 = 0 THEN 'completed'::pgboss.job_state WHEN i % 4 = 1 THEN 'retry'::pgboss.job_state ELSE 'created'::pgboss.job_state END,
            'wh_seed_' || (i % $2), now() + interval '1 hour',
            CASE WHEN i % 4 = 0 THEN now() END
     FROM generate_series(1, $3::int) AS i`,
    [DELIVERY_QUEUE, WEBHOOKS, WEBHOOKS * JOBS_PER_WEBHOOK],
  );
  await pool().query("ANALYZE pgboss.job");
}

describe("queued jobs by webhook", () => {
  it("indexes every partition of the job table", async () => {
    const indexes = await pool().query<{ table: string }>(
      `SELECT i.indrelid::regclass::text AS table
       FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
       WHERE c.relname = $1
          OR c.oid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = to_regclass('pgboss.' || $1))`,
      [QUEUED_JOBS_BY_WEBHOOK_INDEX],
    );
    expect(indexes.rows.map((row) => row.table).sort()).toEqual(["pgboss.job", "pgboss.job_common"]);
  });

  it("plans the deletion on the index", async () => {
    await seedJobs();
    const client = await pool().connect();
    try {
      await client.query("BEGIN");
      const explained = await client.query<{ "QUERY PLAN": Array<{ Plan: PlanNode }> }>(`EXPLAIN (FORMAT JSON) ${DELETE_QUEUED_ATTEMPTS}`, [
        DELIVERY_QUEUE,
        "wh_seed_7",
      ]);
      const nodes = planNodes(explained.rows[0]!["QUERY PLAN"][0]!.Plan);
      const scans = nodes.filter((node) => node["Node Type"].includes("Scan"));
      expect(scans.map((node) => node["Node Type"])).not.toContain("Seq Scan");
      // PostgreSQL names the index it builds on each partition itself.
      const partitionIndexes = await client.query<{ name: string }>(
        `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = to_regclass('pgboss.' || $1)`,
        [QUEUED_JOBS_BY_WEBHOOK_INDEX],
      );
      expect(partitionIndexes.rows).toHaveLength(1);
      expect(scans.map((node) => node["Index Name"])).toEqual([partitionIndexes.rows[0]!.name]);
    } finally {
      await client.query("ROLLBACK");
      client.release();
    }
  });

  it("deletes only the webhook's queued jobs", async () => {
    const tenant = await createTenant();
    const created = await api("POST", "/v1/webhooks", {
      apiKey: tenant.apiKey,
      body: { url: "https://siem.example.com/hooks/wasviking", events: ["finding.created"] },
    });
    expect(created.status).toBe(201);
    const webhookId: string = created.body.id;
    await pool().query(
      `INSERT INTO pgboss.job (name, data, state, group_id, start_after)
       SELECT $1, jsonb_build_object('deliveryId', 'dlv_gone_' || i, 'attempt', 1), state, $2, now() + interval '1 hour'
       FROM generate_series(1, 3) AS i, unnest(ARRAY['created', 'retry', 'completed']::pgboss.job_state[]) AS state`,
      [DELIVERY_QUEUE, webhookId],
    );
    const countJobs = async (groupId: string) =>
      (
        await pool().query<{ state: string; count: number }>(
          `SELECT state::text, count(*)::int AS count FROM pgboss.job WHERE name = $1 AND group_id = $2 GROUP BY state ORDER BY state`,
          [DELIVERY_QUEUE, groupId],
        )
      ).rows;
    const othersBefore = await countJobs("wh_seed_8");

    const deleted = await api("DELETE", `/v1/webhooks/${webhookId}`, { apiKey: tenant.apiKey });
    expect(deleted.status).toBe(204);
    expect(await countJobs(webhookId)).toEqual([{ state: "completed", count: 3 }]);
    expect(await countJobs("wh_seed_8")).toEqual(othersBefore);
  });
});
