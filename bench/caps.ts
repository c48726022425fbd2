import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { systemClock } from "pg-boss";
import { applyMigrations } from "../scripts/lib/migrations";

/**
 * `npm run bench:caps`: what the daily cap and the smoothing cost and do, on
 * a scratch database of the DATABASE_URL server, with the real engine in this
 * process and a loopback receiver that responds with 204 at once.
 *
 * 1. Drain: 10 webhooks with a pace too high to matter, 500 events each
 *    published first; the time until every delivery succeeded, so every
 *    attempt passed the admission gate (count, cap, slot) in the database.
 * 2. Pace: one webhook at the default pace (100 per second after a burst of
 *    1,000) gets 2,000 events at once; the receipt times show the burst and
 *    the pace that follows.
 * 3. Usage reads: the Usage tab's two reads for a webhook with 30 days of
 *    hourly counters, and the organisation overview with 50 such webhooks.
 */
process.env.LOG_LEVEL ??= "error";
process.env.WVK_ENCRYPTION_KEYS ??= `bench:${randomBytes(32).toString("base64")}`;
process.env.WVK_ALLOW_PRIVATE_DESTINATIONS = "1";

const serverUrl = process.env.DATABASE_URL;
if (!serverUrl) throw new Error("DATABASE_URL is missing: point it at a PostgreSQL server where a scratch database may be created");
const name = `wvk_bench_caps_${randomBytes(3).toString("hex")}`;
const admin = new pg.Client({ connectionString: serverUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
const url = new URL(serverUrl);
url.pathname = `/${name}`;
process.env.DATABASE_URL = url.toString();

const receivedAt: number[] = [];
const receiver = createServer((request, response) => {
  request.resume();
  request.on("end", () => {
    receivedAt.push(performance.now());
    response.writeHead(204).end();
  });
});
await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function percentile(values: number[], share: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * share))]!;
}

try {
  await applyMigrations(url.toString());
  const { installQueue, createBoss } = await import("../lib/dispatch/queue");
  await installQueue();
  const { createOrganization } = await import("../lib/accounts/organizations");
  const { publishEvent } = await import("../lib/events/publish");
  const { exampleData } = await import("../lib/events/examples");
  const { DeliveryEngine } = await import("../lib/dispatch/engine");
  const { createHttpClient } = await import("../lib/dispatch/http-client");
  const { addUsage } = await import("../lib/caps/usage-counters");
  const { webhookUsageReport, organizationUsageReport } = await import("../lib/caps/usage-report");
  const { HOUR_MS } = await import("../lib/caps/window");
  const { createSubscription } = await import("../lib/subscriptions/service");
  const { SYSTEM_ACTOR } = await import("../lib/audit");
  const { SCOPES } = await import("../lib/auth/principal");
  const { closeDatabase, pool } = await import("../lib/db");

  const producer = createBoss({ role: "producer" });
  await producer.start();

  // Webhooks are registered through the domain, so each has a signing secret; a cap of a million keeps the cap out of the way.
  async function createWebhooks(organizationId: string, count: number): Promise<string[]> {
    const principal = { organizationId, actor: SYSTEM_ACTOR, via: "api_key" as const, scopes: new Set(SCOPES) };
    const ids: string[] = [];
    for (let index = 0; index < count; index++) {
      const input = { url: receiverUrl, events: ["finding.created"], description: "", enabled: true, dailyCap: 1_000_000 };
      ids.push((await createSubscription(principal, input, new Date())).subscription.id);
    }
    return ids;
  }

  async function publishMany(organizationId: string, count: number): Promise<void> {
    for (let index = 0; index < count; index++) {
      const subject = `fnd_bench_${randomBytes(6).toString("hex")}`;
      await publishEvent(organizationId, { type: "finding.created", subject, data: { ...exampleData("finding.created"), finding_id: subject } }, { producer });
    }
  }

  async function drain(pacing: { ratePerSecond: number; burst: number }, expected: number, timeoutMs: number): Promise<number> {
    receivedAt.length = 0;
    const boss = createBoss({ role: "worker" });
    await boss.start();
    const http = createHttpClient({ allowPrivate: true });
    const engine = new DeliveryEngine({ boss, http, clock: systemClock, pacing });
    const started = performance.now();
    await engine.start();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const done = await pool().query(`SELECT COUNT(*)::int AS count FROM deliveries WHERE status = 'succeeded'`);
      if (done.rows[0].count >= expected) break;
      if (Date.now() > deadline) throw new Error(`Only ${done.rows[0].count} of ${expected} deliveries succeeded within ${timeoutMs / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const elapsed = performance.now() - started;
    await engine.stop();
    await boss.stop({ graceful: false });
    await http.close();
    return elapsed;
  }

  // 1. Drain through the gate.
  const drains: number[] = [];
  for (let run = 1; run <= 3; run++) {
    await pool().query(`TRUNCATE delivery_counts, deliveries, events, ordering_chains, webhook_budgets, webhook_usage, signing_secrets, subscriptions CASCADE`);
    const organization = await createOrganization(`Drain ${run}`);
    await createWebhooks(organization.id, 10);
    await publishMany(organization.id, 500);
    await pool().query("ANALYZE");
    const elapsed = await drain({ ratePerSecond: 100_000, burst: 1_000_000 }, 5000, 120_000);
    drains.push(5000 / (elapsed / 1000));
    process.stdout.write(`drain run ${run}: 5,000 deliveries to 10 webhooks in ${(elapsed / 1000).toFixed(2)} s (${Math.round(5000 / (elapsed / 1000))} deliveries/s)\n`);
  }
  process.stdout.write(`drain median: ${Math.round(median(drains))} deliveries/s\n`);

  // 2. The default pace.
  await pool().query(`TRUNCATE delivery_counts, deliveries, events, ordering_chains, webhook_budgets, webhook_usage, signing_secrets, subscriptions CASCADE`);
  const paced = await createOrganization("Pace");
  await createWebhooks(paced.id, 1);
  await publishMany(paced.id, 2000);
  const { DEFAULT_PACING } = await import("../lib/caps/pacing");
  await drain(DEFAULT_PACING, 2000, 120_000);
  const first = receivedAt[0]!;
  const offsets = receivedAt.map((time) => (time - first) / 1000);
  const burstEnd = offsets[DEFAULT_PACING.burst - 1]!;
  const paceSpan = offsets[offsets.length - 1]! - offsets[DEFAULT_PACING.burst]!;
  // The burst refills while it is being sent, so the rest arrives a little faster than the rate at first.
  process.stdout.write(
    `pace: first ${DEFAULT_PACING.burst} received within ${burstEnd.toFixed(2)} s; the other ${offsets.length - DEFAULT_PACING.burst} over ${paceSpan.toFixed(2)} s; ` +
      `all 2,000 within ${offsets[offsets.length - 1]!.toFixed(2)} s; at the configured pace they take at least ${((2000 - DEFAULT_PACING.burst) / DEFAULT_PACING.ratePerSecond).toFixed(2)} s\n`,
  );

  // 3. Usage reads over 30 days of hourly counters.
  const readers = await createOrganization("Usage reads");
  const webhooks = await createWebhooks(readers.id, 50);
  const now = new Date();
  for (const webhookId of webhooks) {
    const changes = Array.from({ length: 30 * 24 }, (_, hour) => ({
      subscriptionId: webhookId,
      at: new Date(now.getTime() - hour * HOUR_MS),
      counted: 60,
      succeeded: 57,
      failed: 3,
      held: hour % 24 === 0 ? 5 : 0,
    }));
    await addUsage(pool(), changes);
  }
  await pool().query("ANALYZE");
  const timings = { daily: [] as number[], hourly: [] as number[], organization: [] as number[] };
  for (let run = 0; run < 30; run++) {
    let start = performance.now();
    await webhookUsageReport(readers.id, webhooks[0]!, { granularity: "day" }, now);
    timings.daily.push(performance.now() - start);
    start = performance.now();
    await webhookUsageReport(readers.id, webhooks[0]!, { granularity: "hour" }, now);
    timings.hourly.push(performance.now() - start);
    start = performance.now();
    await organizationUsageReport(readers.id, { granularity: "day" }, now);
    timings.organization.push(performance.now() - start);
  }
  for (const [label, values] of Object.entries(timings)) {
    process.stdout.write(`usage read, ${label}: median ${median(values).toFixed(1)} ms, p95 ${percentile(values, 0.95).toFixed(1)} ms (30 runs)\n`);
  }

  await producer.stop({ graceful: false });
  await closeDatabase();
} finally {
  receiver.close();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}
