import { performance } from "node:perf_hooks";
import { createBenchDatabase } from "./database";

/**
 * `npm run bench:audit-log -- [entries]`: times the audit log's query
 * (lib/audit-log/queries.ts) for one page of 50 entries under each kind of
 * filter. It creates a scratch database on DATABASE_URL's server and seeds
 * one organisation with `entries` audit entries (1,000,000 by default) spread
 * over a year. They come from 50 actors and name 200 webhooks, with six
 * frequent actions, one rare action (1 entry in 5,000) and one rare target
 * (1 in 10,000). After ANALYZE it prints the median and maximum of 15 runs of
 * each filter, then drops the database. Without DATABASE_URL it uses the
 * embedded PostgreSQL of the other benchmarks.
 */
// Dropping the scratch database ends the pool's last connections, which the product's logger would report as warnings.
process.env.LOG_LEVEL ??= "error";

const RUNS = 15;
const BATCH = 10_000;
const total = Number(process.argv[2] ?? 1_000_000);
if (!Number.isInteger(total) || total < BATCH) throw new Error(`Invalid number of entries "${process.argv[2]}": give an integer of at least ${BATCH}`);

const database = await createBenchDatabase({ useEmbedded: false, statements: false, keep: false, log: (message) => console.log(message) });
try {
  process.env.DATABASE_URL = database.url;
  const { closeDatabase, pool } = await import("../lib/db");
  const { listAuditEntries } = await import("../lib/audit-log/queries");
  const { newId } = await import("../lib/ids");

  const organizationId = newId("organization");
  await pool().query(`INSERT INTO organizations (id, name, created_at) VALUES ($1, 'Audit log benchmark', now())`, [organizationId]);
  const frequent = ["webhook.test_sent", "user.signed_in", "webhook.updated", "delivery.replayed", "webhook.cap_warning", "user.sign_in_failed"];
  const actors = Array.from({ length: 50 }, () => newId("user"));
  const webhooks = Array.from({ length: 200 }, () => newId("subscription"));
  const rareTarget = newId("subscription");
  const yearMs = 365 * 24 * 3600 * 1000;
  const start = Date.now() - yearMs;

  const seedStarted = performance.now();
  for (let offset = 0; offset < total; offset += BATCH) {
    const columns = { ids: [] as string[], actions: [] as string[], actors: [] as string[], targets: [] as string[], times: [] as Date[] };
    for (let index = offset; index < Math.min(offset + BATCH, total); index++) {
      const at = new Date(start + Math.floor((index / total) * yearMs));
      columns.ids.push(newId("audit", at));
      columns.actions.push(index % 5000 === 0 ? "webhook.daily_cap_changed" : frequent[index % frequent.length]!);
      columns.actors.push(actors[index % actors.length]!);
      columns.targets.push(index % 10_000 === 7 ? rareTarget : webhooks[index % webhooks.length]!);
      columns.times.push(at);
    }
    await pool().query(
      `INSERT INTO audit_entries (id, organization_id, actor_type, actor_id, actor_label, action, target_type, target_id, details, created_at)
       SELECT id, $1, 'user', actor, 'Benchmark user (bench@example.com)', action, 'webhook', target, '{"changes": {}}', at
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[]) AS t(id, action, actor, target, at)`,
      [organizationId, columns.ids, columns.actions, columns.actors, columns.targets, columns.times],
    );
  }
  await pool().query("ANALYZE audit_entries");
  console.log(`PostgreSQL ${database.serverVersion}: seeded ${total.toLocaleString("en-US")} audit entries in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`);

  const daysAgo = (days: number) => new Date(Date.now() - days * 24 * 3600 * 1000);
  const cases: Array<[string, Parameters<typeof listAuditEntries>[1]]> = [
    ["no filter", {}],
    ["one frequent action", { actions: ["user.signed_in"] }],
    ["one rare action", { actions: ["webhook.daily_cap_changed"] }],
    ["two actions, one never recorded", { actions: ["webhook.daily_cap_changed", "webhook.enabled"] }],
    ["actor", { actor: actors[3] }],
    ["rare target", { targetId: rareTarget }],
    ["actor and rare action", { actor: actors[0], actions: ["webhook.daily_cap_changed"] }],
    ["last 7 days", { from: daysAgo(7) }],
    ["rare action in one month", { actions: ["webhook.daily_cap_changed"], from: daysAgo(60), to: daysAgo(30) }],
  ];
  for (const [label, filters] of cases) {
    const timings: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const began = performance.now();
      await listAuditEntries(organizationId, filters, { limit: 50 });
      timings.push(performance.now() - began);
    }
    timings.sort((a, b) => a - b);
    console.log(`${label}: median ${timings[Math.floor(RUNS / 2)]!.toFixed(1)} ms, max ${timings[RUNS - 1]!.toFixed(1)} ms`);
  }
  await closeDatabase();
} finally {
  await database.drop();
}
