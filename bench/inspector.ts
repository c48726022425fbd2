import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import pg from "pg";
import { applyMigrations } from "../scripts/lib/migrations";

/**
 * `npm run bench:inspector`: times the deliveries inspector's reads at scale.
 * It creates a scratch database on the DATABASE_URL server and seeds one
 * webhook with 1,000,000 deliveries over 30 days, and 19 more webhooks with
 * 10,000 each, by bulk inserts of generated rows. After ANALYZE it times each
 * filter combination many times, through the API's route handlers and
 * through the query alone, and prints p50 and p95 per query. It also checks
 * each query plan for sequential scans, measures what the inspector's indexes
 * cost status updates, and drops the database (unless --keep).
 *
 * Options: --deliveries N (default 1000000), --runs N per query (200),
 * --keep to leave the database for inspection.
 */
// Dropping the scratch database ends the pool's last connections, which the product's logger would report as warnings.
process.env.LOG_LEVEL ??= "error";

const { values: options } = parseArgs({
  options: {
    deliveries: { type: "string", default: "1000000" },
    runs: { type: "string", default: "200" },
    keep: { type: "boolean", default: false },
  },
});
const DELIVERIES = Number(options.deliveries);
const RUNS = Number(options.runs);
const OTHER_WEBHOOKS = 19;
const OTHER_DELIVERIES = 10_000;
const WARM_UP_RUNS = 10;
const CHUNK = 50_000;
const PAGE = 50;
const DAY = 24 * 60 * 60 * 1000;

if (!Number.isInteger(DELIVERIES) || DELIVERIES < 1000) throw new Error(`Invalid --deliveries "${options.deliveries}": give an integer of at least 1000`);
if (!Number.isInteger(RUNS) || RUNS < 20) throw new Error(`Invalid --runs "${options.runs}": give an integer of at least 20`);
const serverUrl = process.env.DATABASE_URL;
if (!serverUrl) throw new Error("DATABASE_URL is missing: point it at a PostgreSQL server where a scratch database may be created");

const name = `wvk_bench_inspector_${randomBytes(3).toString("hex")}`;
const admin = new pg.Client({ connectionString: serverUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
const url = new URL(serverUrl);
url.pathname = `/${name}`;
process.env.DATABASE_URL = url.toString();

function percentile(sorted: number[], share: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * share))]!;
}

function log(message: string): void {
  process.stdout.write(`${message}\n`);
}

// Event types with the share of deliveries each gets, out of 1000.
const EVENT_MIX: Array<[string, number]> = [
  ["finding.created", 400],
  ["finding.escalated", 150],
  ["finding.sla_breached", 100],
  ["secret.verified_live", 20],
  ["sbom.intel_match", 30],
  ["asset.first_seen", 150],
  ["asset.disappeared", 70],
  ["asset.reappeared", 70],
  ["webhook.test", 10],
];

/** Builds a SQL CASE that picks an event type from a number between 0 and 999. */
function eventTypeCase(column: string): string {
  let bound = 0;
  const branches = EVENT_MIX.map(([type, share]) => {
    bound += share;
    return `WHEN ${column} < ${bound} THEN '${type}'`;
  });
  return `CASE ${branches.join(" ")} END`;
}

try {
  await applyMigrations(url.toString());
  const { newId } = await import("../lib/ids");
  const { closeDatabase, pool } = await import("../lib/db");
  const { deliveryPageQuery, getDeliveryDetail, listDeliveries } = await import("../lib/deliveries/queries");
  const { createApiKey } = await import("../lib/accounts/api-keys");
  const { SYSTEM_ACTOR } = await import("../lib/audit");
  const { api } = await import("../tests/support/api");

  const now = new Date();
  const organizationId = newId("organization", now);
  await pool().query(`INSERT INTO organizations (id, name, created_at) VALUES ($1, 'Bench', $2)`, [organizationId, now]);
  const apiKey = await createApiKey(organizationId, { name: "bench", scopes: ["webhooks:read", "webhooks:write"] }, SYSTEM_ACTOR);
  const webhookId = newId("subscription", new Date(now.getTime() - 40 * DAY));
  const otherWebhooks = Array.from({ length: OTHER_WEBHOOKS }, (_, index) => newId("subscription", new Date(now.getTime() - 40 * DAY + index)));
  await pool().query(
    `INSERT INTO subscriptions (id, organization_id, url, event_types, created_at, updated_at)
     SELECT id, $1, 'https://siem.example.com/in', ARRAY['finding.created'], $2, $2 FROM unnest($3::text[]) AS id`,
    [organizationId, now, [webhookId, ...otherWebhooks]],
  );

  /**
   * Inserts `count` deliveries of one webhook spread evenly over the last 30
   * days. Ids are built in JavaScript exactly as the product builds them. The
   * rest of each row is derived in SQL from its position, and the multipliers
   * keep status, type and subject independent of one another.
   */
  async function seed(subscriptionId: string, count: number): Promise<void> {
    for (let offset = 0; offset < count; offset += CHUNK) {
      const size = Math.min(CHUNK, count - offset);
      const ids: string[] = [];
      const times: Date[] = [];
      for (let index = 0; index < size; index++) {
        const position = offset + index;
        const createdAt = new Date(now.getTime() - 30 * DAY + Math.floor(((position + 0.5) / count) * 30 * DAY));
        times.push(createdAt);
        ids.push(newId("delivery", createdAt));
      }
      // One event per delivery, with the delivery's time and random part, as a fan-out to one webhook leaves them.
      const eventIds = ids.map((id) => `evt_${id.slice(4)}`);
      await pool().query(
        `INSERT INTO events (id, organization_id, type, data, occurred_at, created_at)
         SELECT e.id, $1, 'finding.created', '{}', e.created_at, e.created_at FROM unnest($2::text[], $3::timestamptz[]) AS e(id, created_at)`,
        [organizationId, eventIds, times],
      );
      await pool().query(
        `INSERT INTO deliveries (id, organization_id, subscription_id, event_id, event_type, subject, ordering_key, sequence, body, status,
                                 held_reason, attempt_count, first_attempt_at, last_attempt_at, next_attempt_at, last_status_code, last_error_class,
                                 last_duration_ms, completed_at, is_test, created_at)
         SELECT g.id, $1, $2, g.event_id, g.event_type, g.subject, g.ordering_key, g.n, g.body, g.status::delivery_status,
                CASE WHEN g.status = 'held' THEN 'webhook_disabled' END,
                CASE g.status WHEN 'pending' THEN 0 WHEN 'held' THEN 0 WHEN 'succeeded' THEN 1 ELSE 3 END,
                CASE WHEN g.status IN ('pending', 'held') THEN NULL ELSE g.created_at END,
                CASE WHEN g.status IN ('pending', 'held') THEN NULL ELSE g.created_at + interval '36 minutes' END,
                CASE WHEN g.status = 'retrying' THEN g.created_at + interval '2 hours' END,
                CASE g.status WHEN 'succeeded' THEN 200 WHEN 'failed' THEN 500 WHEN 'retrying' THEN 503 END,
                CASE g.status WHEN 'failed' THEN 'http_status' WHEN 'retrying' THEN 'http_status' END,
                CASE WHEN g.status IN ('pending', 'held') THEN NULL ELSE 20 + g.n % 180 END,
                CASE WHEN g.status IN ('succeeded', 'failed') THEN g.created_at + interval '1 second' END,
                g.event_type = 'webhook.test', g.created_at
         FROM (
           SELECT r.id, r.event_id, r.created_at, r.n, t.event_type,
                  CASE WHEN t.event_type LIKE 'asset.%' THEN 'ast_' || (r.n * 7 % 10000) ELSE 'fnd_' || (r.n * 13 % 50000) END AS subject,
                  CASE WHEN t.event_type = 'webhook.test' THEN NULL
                       WHEN t.event_type LIKE 'asset.%' THEN 'asset:ast_' || (r.n * 7 % 10000)
                       ELSE 'finding:fnd_' || (r.n * 13 % 50000) END AS ordering_key,
                  CASE WHEN r.n * 7919 % 1000 < 940 THEN 'succeeded' WHEN r.n * 7919 % 1000 < 960 THEN 'failed'
                       WHEN r.n * 7919 % 1000 < 975 THEN 'retrying' WHEN r.n * 7919 % 1000 < 995 THEN 'pending' ELSE 'held' END AS status,
                  format('{"id":"evt_bench%s","type":"%s","timestamp":"%s","subject":"fnd_%s","ordering":null,"data":{"finding_id":"fnd_%s","severity":"high","title":"%s","asset":{"id":"ast_%s","kind":"hostname","name":"shop-%s.example.com"}}}',
                         r.n, t.event_type, r.created_at, r.n * 13 % 50000, r.n * 13 % 50000, repeat('Exposed admin console ', 12), r.n * 7 % 10000, r.n % 997) AS body
           FROM unnest($3::text[], $4::text[], $5::timestamptz[]) WITH ORDINALITY AS r(id, event_id, created_at, n)
           CROSS JOIN LATERAL (SELECT ${eventTypeCase("((r.n + $6) * 104729 % 1000)")} AS event_type) t
         ) g`,
        [organizationId, subscriptionId, ids, eventIds, times, offset],
      );
    }
  }

  log(`seeding ${DELIVERIES.toLocaleString("en")} deliveries of one webhook and ${OTHER_WEBHOOKS} × ${OTHER_DELIVERIES.toLocaleString("en")} of others…`);
  const seedStarted = performance.now();
  await seed(webhookId, DELIVERIES);
  for (const other of otherWebhooks) await seed(other, OTHER_DELIVERIES);
  // Three attempts for each failed delivery of the big webhook, so the detail reads real rows.
  await pool().query(
    `INSERT INTO attempts (id, delivery_id, number, trigger, url, started_at, duration_ms, request_headers, response_status, response_headers, response_body, error_class, error_detail, succeeded)
     SELECT 'att_' || substr(d.id, 5, 10) || lpad(to_hex(a.number), 2, '0') || substr(d.id, 17, 14), d.id, a.number, 'automatic', 'https://siem.example.com/in',
            d.created_at + (a.number - 1) * interval '6 minutes', 120, '{"content-type":"application/json","wasviking-delivery":"x"}',
            500, '{"content-type":"text/plain"}', repeat('Internal error at the receiver. ', 40), 'http_status', 'The receiver answered HTTP 500', false
     FROM deliveries d CROSS JOIN generate_series(1, 3) AS a(number)
     WHERE d.subscription_id = $1 AND d.status = 'failed'`,
    [webhookId],
  );
  await pool().query("ANALYZE");
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  log(`seeded in ${seedSeconds.toFixed(0)} s`);

  const sample = await pool().query<{ id: string; event_id: string; subject: string; created_at: Date }>(
    `SELECT id, event_id, subject, created_at FROM deliveries WHERE subscription_id = $1 AND status = 'failed' ORDER BY id LIMIT 1 OFFSET $2`,
    [webhookId, Math.floor((DELIVERIES * 0.02) / 2)],
  );
  const failed = sample.rows[0]!;
  const middle = (await pool().query<{ id: string }>(`SELECT id FROM deliveries WHERE subscription_id = $1 ORDER BY id LIMIT 1 OFFSET $2`, [webhookId, Math.floor(DELIVERIES / 2)])).rows[0]!.id;
  const tenDaysAgo = new Date(now.getTime() - 10 * DAY);
  const twentyDaysAgo = new Date(now.getTime() - 20 * DAY);

  type Case = { name: string; query: Record<string, string>; everyWebhook?: boolean };
  const cases: Case[] = [
    { name: "first page, no filter", query: {} },
    { name: "status=failed", query: { status: "failed" } },
    { name: "status=failed,retrying", query: { status: "failed,retrying" } },
    { name: "status=held (0.5%)", query: { status: "held" } },
    { name: "event_type=finding.created", query: { event_type: "finding.created" } },
    { name: "event_type=secret.verified_live (2%)", query: { event_type: "secret.verified_live" } },
    { name: "event_type + status=failed", query: { event_type: "finding.created", status: "failed" } },
    { name: "2 event types + 2 statuses", query: { event_type: "finding.escalated,finding.sla_breached", status: "failed,retrying" } },
    { name: "rare pair: webhook.test + held", query: { event_type: "webhook.test", status: "held" } },
    { name: "subject", query: { subject: failed.subject } },
    { name: "subject + status=succeeded", query: { subject: failed.subject, status: "succeeded" } },
    { name: "delivery_id", query: { delivery_id: failed.id } },
    { name: "event_id", query: { event_id: failed.event_id } },
    { name: "one hour, 10 days ago", query: { created_after: tenDaysAgo.toISOString(), created_before: new Date(tenDaysAgo.getTime() + 3600_000).toISOString() } },
    { name: "status=failed before 20 days ago", query: { status: "failed", created_before: twentyDaysAgo.toISOString() } },
    { name: "page in the middle (cursor)", query: { cursor: middle } },
    { name: "status=failed, page in the middle", query: { status: "failed", cursor: middle } },
    { name: "all webhooks: first page", query: {}, everyWebhook: true },
    { name: "all webhooks: status=failed", query: { status: "failed" }, everyWebhook: true },
    { name: "all webhooks: event_type + status", query: { event_type: "finding.created", status: "failed" }, everyWebhook: true },
    { name: "all webhooks: subject", query: { subject: failed.subject }, everyWebhook: true },
    { name: "all webhooks: delivery_id", query: { delivery_id: failed.id }, everyWebhook: true },
  ];

  const { deliveryListQuery } = await import("../lib/api/schemas");
  const { filtersOfQuery } = await import("../lib/api/delivery-inspector");

  async function time(run: () => Promise<unknown>): Promise<{ p50: number; p95: number; max: number }> {
    for (let index = 0; index < WARM_UP_RUNS; index++) await run();
    const timings: number[] = [];
    for (let index = 0; index < RUNS; index++) {
      const started = performance.now();
      await run();
      timings.push(performance.now() - started);
    }
    timings.sort((a, b) => a - b);
    return { p50: percentile(timings, 0.5), p95: percentile(timings, 0.95), max: timings[timings.length - 1]! };
  }

  interface PlanSummary {
    indexes: string[];
    sequentialScans: string[];
    executionMs: number;
    sharedBuffers: number;
  }

  // A sequential scan of the 20-row subscriptions table is the right plan; one of deliveries or attempts is not.
  const LARGE_TABLES = new Set(["deliveries", "attempts", "events"]);

  function summarise(node: Record<string, unknown>, summary: PlanSummary): void {
    if (typeof node["Index Name"] === "string" && !summary.indexes.includes(node["Index Name"] as string)) summary.indexes.push(node["Index Name"] as string);
    if (node["Node Type"] === "Seq Scan" && LARGE_TABLES.has(String(node["Relation Name"]))) summary.sequentialScans.push(String(node["Relation Name"]));
    for (const child of (node["Plans"] as Array<Record<string, unknown>> | undefined) ?? []) summarise(child, summary);
  }

  // Other work on the machine shows in p95 first; the load before and after the timings tells how busy it was.
  const loadBefore = loadavg()[0]!;
  const results: Array<{ name: string; api: { p50: number; p95: number; max: number }; query: { p50: number; p95: number; max: number }; rows: number; plan: PlanSummary }> = [];
  log(`\n${"query".padEnd(44)} ${"rows".padStart(4)}  ${"API p50".padStart(8)} ${"API p95".padStart(8)}  ${"SQL p50".padStart(8)} ${"SQL p95".padStart(8)}  indexes`);
  for (const item of cases) {
    const parsed = deliveryListQuery.parse({ limit: String(PAGE), ...item.query });
    const filters = filtersOfQuery(parsed);
    const scope = item.everyWebhook ? { organizationId } : { organizationId, webhookId };
    const path = item.everyWebhook ? "/v1/deliveries" : `/v1/webhooks/${webhookId}/deliveries`;
    const target = `${path}?${new URLSearchParams({ limit: String(PAGE), ...item.query })}`;

    const check = await api("GET", target, { apiKey: apiKey.key });
    if (check.status !== 200) throw new Error(`${item.name}: the API responded ${check.status} ${check.text}`);
    const apiTiming = await time(() => api("GET", target, { apiKey: apiKey.key }));
    const queryTiming = await time(() => listDeliveries(scope, filters, { limit: PAGE, cursor: parsed.cursor }));

    const statement = deliveryPageQuery(scope, filters, { limit: PAGE + 1, cursor: parsed.cursor })!;
    const explained = await pool().query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${statement.text}`, statement.values);
    const root = (explained.rows[0]["QUERY PLAN"] as Array<Record<string, unknown>>)[0]!;
    const plan: PlanSummary = { indexes: [], sequentialScans: [], executionMs: Number(root["Execution Time"]), sharedBuffers: 0 };
    const top = root["Plan"] as Record<string, unknown>;
    plan.sharedBuffers = Number(top["Shared Hit Blocks"] ?? 0) + Number(top["Shared Read Blocks"] ?? 0);
    summarise(top, plan);
    results.push({ name: item.name, api: apiTiming, query: queryTiming, rows: check.body.data.length, plan });
    const scans = plan.sequentialScans.length > 0 ? `  SEQ SCAN on ${plan.sequentialScans.join(", ")}` : "";
    log(
      `${item.name.padEnd(44)} ${String(check.body.data.length).padStart(4)}  ${apiTiming.p50.toFixed(2).padStart(8)} ${apiTiming.p95.toFixed(2).padStart(8)}  ${queryTiming.p50.toFixed(2).padStart(8)} ${queryTiming.p95.toFixed(2).padStart(8)}  ${plan.indexes.join(", ")}${scans}`,
    );
  }

  const detailTarget = `/v1/webhooks/${webhookId}/deliveries/${failed.id}`;
  const detailApi = await time(() => api("GET", detailTarget, { apiKey: apiKey.key }));
  const detailQuery = await time(() => getDeliveryDetail(organizationId, webhookId, failed.id));
  log(`${"detail of a failed delivery (3 attempts)".padEnd(44)} ${"1".padStart(4)}  ${detailApi.p50.toFixed(2).padStart(8)} ${detailApi.p95.toFixed(2).padStart(8)}  ${detailQuery.p50.toFixed(2).padStart(8)} ${detailQuery.p95.toFixed(2).padStart(8)}`);

  const loadAfter = loadavg()[0]!;
  log(`load average (1 min) before the timings: ${loadBefore.toFixed(1)}, after: ${loadAfter.toFixed(1)}, on ${cpus().length} cores`);

  // What the indexes cost: status updates in batches of 500, as the attempt recorder writes them, with and without them.
  const sizes = await pool().query<{ name: string; bytes: string }>(
    `SELECT c.relname AS name, pg_relation_size(c.oid) AS bytes FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid
     WHERE i.indrelid = 'deliveries'::regclass ORDER BY c.relname`,
  );
  const tableBytes = (await pool().query<{ bytes: string }>(`SELECT pg_table_size('deliveries') AS bytes`)).rows[0]!.bytes;
  async function updateRate(offset: number): Promise<number> {
    const count = Math.min(20_000, Math.floor(DELIVERIES / 10));
    const ids = (await pool().query<{ id: string }>(`SELECT id FROM deliveries WHERE subscription_id = $1 ORDER BY id LIMIT $2 OFFSET $3`, [webhookId, count, offset])).rows.map(
      (row) => row.id,
    );
    const started = performance.now();
    for (let index = 0; index < ids.length; index += 500) {
      await pool().query(
        `UPDATE deliveries d SET status = CASE WHEN d.status = 'succeeded' THEN 'retrying'::delivery_status ELSE 'succeeded'::delivery_status END,
                attempt_count = d.attempt_count + 1, last_attempt_at = now()
         FROM unnest($1::text[]) AS v(id) WHERE d.id = v.id`,
        [ids.slice(index, index + 500)],
      );
    }
    return ids.length / ((performance.now() - started) / 1000);
  }
  async function hotUpdates(): Promise<{ updates: number; hot: number }> {
    // The statistics collector reports with a delay; this forces the current counts out.
    await pool().query("SELECT pg_stat_force_next_flush()").catch(() => undefined);
    const row = (await pool().query<{ n_tup_upd: string; n_tup_hot_upd: string }>(`SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables WHERE relname = 'deliveries'`)).rows[0]!;
    return { updates: Number(row.n_tup_upd), hot: Number(row.n_tup_hot_upd) };
  }
  const INSPECTOR_INDEXES = [
    `CREATE INDEX deliveries_subscription_id_event_type_status_id_idx ON deliveries (subscription_id, event_type, status, id DESC)`,
    `CREATE INDEX deliveries_subscription_id_subject_id_idx ON deliveries (subscription_id, subject, id DESC)`,
  ];
  // Rounds alternate with and without the indexes, each on rows not updated before and after a checkpoint,
  // so cache warmth and background writes do not pass for the indexes' cost. The medians are reported.
  const rates = { with: [] as number[], without: [] as number[] };
  let buildSeconds = 0;
  const before = await hotUpdates();
  for (let round = 0; round < 3; round++) {
    await pool().query("CHECKPOINT").catch(() => undefined);
    rates.with.push(await updateRate(Math.floor(DELIVERIES * (0.05 + 0.15 * round))));
    await pool().query(`DROP INDEX deliveries_subscription_id_event_type_status_id_idx, deliveries_subscription_id_subject_id_idx`);
    await pool().query("CHECKPOINT").catch(() => undefined);
    rates.without.push(await updateRate(Math.floor(DELIVERIES * (0.1 + 0.15 * round))));
    const buildStarted = performance.now();
    for (const statement of INSPECTOR_INDEXES) await pool().query(statement);
    buildSeconds = (performance.now() - buildStarted) / 1000;
  }
  const after = await hotUpdates();
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const hotShare = `${(((after.hot - before.hot) / Math.max(1, after.updates - before.updates)) * 100).toFixed(0)}% of them HOT`;
  log(
    `\nstatus updates (batches of 500, median of 3 rounds): ${median(rates.with).toFixed(0)} rows/s with the inspector's indexes (${rates.with.map((rate) => rate.toFixed(0)).join(", ")}), ` +
      `${median(rates.without).toFixed(0)} rows/s without (${rates.without.map((rate) => rate.toFixed(0)).join(", ")}); ${hotShare}`,
  );
  log(`building the two indexes on ${(DELIVERIES + OTHER_WEBHOOKS * OTHER_DELIVERIES).toLocaleString("en")} rows took ${buildSeconds.toFixed(1)} s`);
  log(`deliveries table: ${(Number(tableBytes) / 2 ** 20).toFixed(0)} MiB; indexes: ${sizes.rows.map((row) => `${row.name} ${(Number(row.bytes) / 2 ** 20).toFixed(0)} MiB`).join(", ")}`);

  const version = (await pool().query<{ version: string }>("SELECT version()")).rows[0]!.version;
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? "unknown CPU"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node.js ${process.version}, ${version.split(" on ")[0]}`;
  log(`machine: ${machine}`);
  log(`deliveries: ${DELIVERIES} in one webhook, ${OTHER_WEBHOOKS} × ${OTHER_DELIVERIES} in others; ${RUNS} runs per query after ${WARM_UP_RUNS} warm-up runs; page size ${PAGE}`);

  const directory = path.join(import.meta.dirname, "results");
  mkdirSync(directory, { recursive: true });
  const file = path.join(directory, `inspector-${now.toISOString().replace(/[:.]/g, "-")}.json`);
  writeFileSync(
    file,
    JSON.stringify({ machine, load: { before: loadBefore, after: loadAfter }, deliveries: DELIVERIES, runs: RUNS, seedSeconds, results, detail: { api: detailApi, query: detailQuery }, updates: rates, indexBuildSeconds: buildSeconds, sizes: sizes.rows, tableBytes }, null, 2),
  );
  log(`results written to ${path.relative(process.cwd(), file)}`);
  const { stopProducer } = await import("../lib/dispatch/producer");
  await stopProducer();
  await closeDatabase();
} finally {
  if (options.keep) log(`database kept: ${url.toString()}`);
  else await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}
