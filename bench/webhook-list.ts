import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { applyMigrations } from "../scripts/lib/migrations";

/**
 * `npm run bench:webhook-list -- [deliveries per webhook per day]`: times the
 * query behind the delivery figures of a page of webhooks
 * (lib/deliveries/webhook-stats.ts). It creates a scratch database on the
 * DATABASE_URL server and seeds 50 webhooks whose deliveries are spread over
 * the last 48 hours (90% succeeded, 5% failed, 3% retrying, 2% pending, a few
 * tests). After ANALYZE it prints the median and p95 of 30 runs of the query
 * for the whole page, then the query plan, and drops the database.
 */
// Dropping the scratch database ends the pool's last connections, which the product's logger would report as warnings.
process.env.LOG_LEVEL ??= "error";

const WEBHOOKS = 50;
const RUNS = 30;
const perDay = Number(process.argv[2] ?? 2000);
const serverUrl = process.env.DATABASE_URL;
if (!serverUrl) throw new Error("DATABASE_URL is missing: point it at a PostgreSQL server where a scratch database may be created");
if (!Number.isInteger(perDay) || perDay < 1) throw new Error(`Invalid deliveries per day "${process.argv[2]}": give a positive integer`);

const name = `wvk_bench_${randomBytes(3).toString("hex")}`;
const admin = new pg.Client({ connectionString: serverUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
const url = new URL(serverUrl);
url.pathname = `/${name}`;
process.env.DATABASE_URL = url.toString();

function percentile(sorted: number[], share: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * share))]!;
}

try {
  await applyMigrations(url.toString());
  const { idLowerBound, newId } = await import("../lib/ids");
  const { webhookStats } = await import("../lib/deliveries/webhook-stats");
  const { closeDatabase, pool } = await import("../lib/db");

  const now = new Date();
  const organizationId = newId("organization", now);
  await pool().query(`INSERT INTO organizations (id, name, created_at) VALUES ($1, 'Bench', $2)`, [organizationId, now]);
  const webhookIds = Array.from({ length: WEBHOOKS }, () => newId("subscription", now));
  await pool().query(
    `INSERT INTO subscriptions (id, organization_id, url, event_types, created_at, updated_at)
     SELECT id, $1, 'https://siem.example.com/in', ARRAY['finding.created'], $2, $2 FROM unnest($3::text[]) AS id`,
    [organizationId, now, webhookIds],
  );
  const eventId = newId("event", now);
  await pool().query(`INSERT INTO events (id, organization_id, type, data, occurred_at, created_at) VALUES ($1, $2, 'finding.created', '{}', $3, $3)`, [
    eventId,
    organizationId,
    now,
  ]);

  // Ids are built as the product builds them: the creation time in Crockford base32, then random characters.
  const seeded = performance.now();
  for (const webhookId of webhookIds) {
    const rows = perDay * 2;
    const ids: string[] = [];
    const times: Date[] = [];
    for (let index = 0; index < rows; index++) {
      const createdAt = new Date(now.getTime() - Math.floor(((index + 0.5) / rows) * 48 * 3600 * 1000));
      times.push(createdAt);
      ids.push(newId("delivery", createdAt));
    }
    await pool().query(
      `INSERT INTO deliveries (id, organization_id, subscription_id, event_id, event_type, body, status, attempt_count, last_attempt_at, last_status_code, is_test, created_at)
       SELECT d.id, $1, $2, $3, 'finding.created', '{}',
              (CASE WHEN d.n % 100 < 90 THEN 'succeeded' WHEN d.n % 100 < 95 THEN 'failed' WHEN d.n % 100 < 98 THEN 'retrying' ELSE 'pending' END)::delivery_status,
              CASE WHEN d.n % 100 < 98 THEN 1 ELSE 0 END,
              CASE WHEN d.n % 100 < 98 THEN d.created_at END,
              CASE WHEN d.n % 100 < 90 THEN 200 WHEN d.n % 100 < 98 THEN 503 END,
              d.n % 500 = 0, d.created_at
       FROM unnest($4::text[], $5::timestamptz[]) WITH ORDINALITY AS d(id, created_at, n)`,
      [organizationId, webhookId, eventId, ids, times],
    );
  }
  await pool().query("ANALYZE deliveries");
  const seedSeconds = (performance.now() - seeded) / 1000;

  await webhookStats(organizationId, webhookIds, now);
  const timings: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    await webhookStats(organizationId, webhookIds, now);
    timings.push(performance.now() - started);
  }
  timings.sort((a, b) => a - b);

  const plan = await pool().query(
    `EXPLAIN (ANALYZE, BUFFERS) SELECT count(*) FROM deliveries d WHERE d.subscription_id = $1 AND d.organization_id = $2 AND d.id >= $3 AND NOT d.is_test`,
    [webhookIds[0], organizationId, idLowerBound("delivery", new Date(now.getTime() - 24 * 3600 * 1000))],
  );
  process.stdout.write(
    [
      `webhooks per page: ${WEBHOOKS}, deliveries per webhook per day: ${perDay}, rows seeded: ${WEBHOOKS * perDay * 2} in ${seedSeconds.toFixed(1)} s`,
      `figures of one page: median ${percentile(timings, 0.5).toFixed(1)} ms, p95 ${percentile(timings, 0.95).toFixed(1)} ms over ${RUNS} runs`,
      "plan of one webhook's 24-hour count:",
      ...plan.rows.map((row) => `  ${row["QUERY PLAN"]}`),
      "",
    ].join("\n"),
  );
  await closeDatabase();
} finally {
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}
