import { performance } from "node:perf_hooks";
import { createBenchDatabase } from "./database";
import { median, percentile } from "./statistics";

/**
 * `npm run bench:not-found`: compares how long the API's lookups take to
 * return 404 for another organisation's id and for an id that does not exist.
 * A caller who could tell them apart by timing would learn which ids exist
 * elsewhere. Both lookups filter by id and organisation in one statement;
 * this measures whether the plans' one difference (a foreign id finds its
 * row in the index and drops it at the organisation filter, an unknown id
 * finds none) is visible. It seeds two organisations with a webhook and
 * 2,000 deliveries each, then times the webhook lookup and the delivery
 * lookup, alternating foreign and unknown ids, and prints the median and p99
 * of each in microseconds.
 */
process.env.LOG_LEVEL ??= "error";

const RUNS = Number(process.argv[2] ?? 3000);
const DELIVERIES = 2000;
if (!Number.isInteger(RUNS) || RUNS < 100) throw new Error(`Invalid run count "${process.argv[2]}": give an integer of at least 100`);

const database = await createBenchDatabase({ useEmbedded: !process.env.DATABASE_URL, statements: false, keep: false, log: (message) => console.log(`[bench] ${message}`) });
process.env.DATABASE_URL = database.url;

try {
  const { newId } = await import("../lib/ids");
  const { pool, closeDatabase } = await import("../lib/db");
  const { getSubscription } = await import("../lib/subscriptions/service");
  const { getDeliveryDetail } = await import("../lib/deliveries/queries");
  const { ApiError } = await import("../lib/http/problem");

  const now = new Date();
  async function seedOrganization(name: string): Promise<{ organizationId: string; webhookId: string; deliveryIds: string[] }> {
    const organizationId = newId("organization", now);
    const webhookId = newId("subscription", now);
    await pool().query(`INSERT INTO organizations (id, name, created_at) VALUES ($1, $2, $3)`, [organizationId, name, now]);
    await pool().query(
      `INSERT INTO subscriptions (id, organization_id, url, event_types, created_at, updated_at) VALUES ($1, $2, 'https://siem.example.com/in', ARRAY['finding.created'], $3, $3)`,
      [webhookId, organizationId, now],
    );
    const eventId = newId("event", now);
    await pool().query(`INSERT INTO events (id, organization_id, type, data, occurred_at, created_at) VALUES ($1, $2, 'finding.created', '{}', $3, $3)`, [eventId, organizationId, now]);
    const deliveryIds = Array.from({ length: DELIVERIES }, () => newId("delivery", now));
    await pool().query(
      `INSERT INTO deliveries (id, organization_id, subscription_id, event_id, event_type, body, status, ordering_key, sequence, created_at)
       SELECT id, $1, $2, $3, 'finding.created', '{}', 'succeeded', 'finding:' || id, 1, $4 FROM unnest($5::text[]) AS id`,
      [organizationId, webhookId, eventId, now, deliveryIds],
    );
    return { organizationId, webhookId, deliveryIds };
  }

  const own = await seedOrganization("Acme Security");
  const other = await seedOrganization("Other Tenant");
  await pool().query("ANALYZE");

  /** Times one lookup in microseconds; it must end in a 404. */
  async function timeNotFound(lookup: () => Promise<unknown>): Promise<number> {
    const started = performance.now();
    try {
      await lookup();
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return (performance.now() - started) * 1000;
      throw error;
    }
    throw new Error("The lookup found the object, but the benchmark compares 404 responses only");
  }

  const cases = {
    webhook: {
      foreign: () => () => getSubscription(own.organizationId, other.webhookId, now),
      unknown: () => {
        const id = newId("subscription", now);
        return () => getSubscription(own.organizationId, id, now);
      },
    },
    delivery: {
      foreign: (index: number) => () => getDeliveryDetail(own.organizationId, own.webhookId, other.deliveryIds[index % DELIVERIES]!),
      unknown: () => {
        const id = newId("delivery", now);
        return () => getDeliveryDetail(own.organizationId, own.webhookId, id);
      },
    },
  };

  console.log(`[bench] ${RUNS} lookups of each kind, foreign and unknown alternating, PostgreSQL ${database.serverVersion}`);
  for (const [name, lookups] of Object.entries(cases)) {
    const foreign: number[] = [];
    const unknown: number[] = [];
    // Warm-up: connections, prepared statements and caches, then alternate so drift hits both alike.
    for (let index = 0; index < 200; index++) await timeNotFound(index % 2 ? lookups.foreign(index) : lookups.unknown());
    for (let index = 0; index < RUNS; index++) {
      foreign.push(await timeNotFound(lookups.foreign(index)));
      unknown.push(await timeNotFound(lookups.unknown()));
    }
    for (const [label, samples] of [["foreign id", foreign], ["unknown id", unknown]] as const) {
      console.log(`${name.padEnd(8)} ${label}: median ${Math.round(median(samples))} µs, p99 ${Math.round(percentile(samples, 99))} µs`);
    }
  }
  await closeDatabase();
} finally {
  await database.drop();
}
