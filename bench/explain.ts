import { fetchNextJob } from "pg-boss/dist/plans.js";
import { pool } from "../lib/db";
import { DELIVERY_QUEUE } from "../lib/dispatch/queue";

/**
 * EXPLAIN ANALYZE of pg-boss's fetch statement on the queued backlog, built by
 * pg-boss's own query builder (pg-boss 12's internal plans module) exactly as
 * the engine's fetch builds it. Each plan runs inside a transaction that is
 * rolled back, so the jobs it claims stay queued.
 */
export interface FetchPlan {
  label: string;
  executionMs: number;
  lines: string[];
}

interface FetchShape {
  label: string;
  batchSize: number;
  groupConcurrency: number | null;
  // Mark this many jobs of every group active first, as when each webhook already has all its slots in use.
  activePerGroup: number;
}

async function explainOne(shape: FetchShape): Promise<FetchPlan> {
  const client = await pool().connect();
  try {
    await client.query("BEGIN");
    if (shape.activePerGroup > 0) {
      await client.query(
        `UPDATE pgboss.job_common SET state = 'active', started_on = now()
         WHERE id IN (SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY group_id ORDER BY created_on) AS position
                                      FROM pgboss.job_common WHERE name = $1 AND state < 'active') ranked
                      WHERE position <= $2) /* bench */`,
        [DELIVERY_QUEUE, shape.activePerGroup],
      );
    }
    const query = fetchNextJob(
      {
        schema: "pgboss",
        table: "job_common",
        name: DELIVERY_QUEUE,
        policy: "standard",
        limit: shape.batchSize,
        includeMetadata: false,
        ...(shape.groupConcurrency !== null ? { groupConcurrency: shape.groupConcurrency } : {}),
      },
      false,
    );
    const result = await client.query<{ "QUERY PLAN": string }>(`EXPLAIN (ANALYZE, BUFFERS, TIMING OFF) ${query.text}`, query.values);
    const lines = result.rows.map((row) => row["QUERY PLAN"]);
    const executionMs = Number(/Execution Time: ([\d.]+) ms/.exec(lines.join("\n"))?.[1] ?? NaN);
    return { label: shape.label, executionMs, lines };
  } finally {
    await client.query("ROLLBACK").catch(() => undefined);
    client.release();
  }
}

/** Explains the engine's fetch with free and with saturated webhooks, and a plain fetch for comparison. */
export async function explainFetches(batchSize: number, perWebhookConcurrency: number): Promise<FetchPlan[]> {
  const shapes: FetchShape[] = [
    { label: "plain fetch (the bare loop's)", batchSize, groupConcurrency: null, activePerGroup: 0 },
    { label: `group-limited fetch (scope all-workers), webhooks idle`, batchSize, groupConcurrency: perWebhookConcurrency, activePerGroup: 0 },
    {
      label: `group-limited fetch (scope all-workers), every webhook at its limit of ${perWebhookConcurrency}`,
      batchSize,
      groupConcurrency: perWebhookConcurrency,
      activePerGroup: perWebhookConcurrency,
    },
  ];
  const plans: FetchPlan[] = [];
  for (const shape of shapes) plans.push(await explainOne(shape));
  return plans;
}
