import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resetConfigForTests } from "../../lib/config";
import { closeDatabase, pool } from "../../lib/db";
import { countStuckDeliveries } from "../../lib/deliveries/stuck";
import { installQueue } from "../../lib/dispatch/queue";
import { stopProducer } from "../../lib/dispatch/producer";
import { exampleData } from "../../lib/events/examples";
import { api } from "../support/api";
import { createWebhook, waitUntil } from "../support/deliveries";
import { createTenant, type Tenant } from "../support/fixtures";
import { startReceiver, type TestReceiver } from "../support/receiver";
import { type RestartablePostgres, startRestartablePostgres } from "../support/restartable-postgres";
import { startWorkerProcess, stopWorkerProcess, type WorkerProcess } from "../support/worker-process";

/**
 * The database server itself goes away under a steady publishing load: the
 * API's route handlers run in this process and the real worker in a child
 * process, both on a PostgreSQL of this file's own, which is stopped (fast
 * shutdown) or killed outright and started again. Nothing is restarted but the
 * database.
 */

// Short enough that an attempt cut off by the outage comes back within seconds, and still twice the attempt timeout.
const WORKER_ENV = { WVK_JOB_EXPIRY_SECONDS: "4", WVK_ATTEMPT_TIMEOUT_SECONDS: "2" };
const PUBLISH_INTERVAL_MS = 50;
// A publish call that has not answered by then counts as hanging.
const HANG_LIMIT_MS = 20_000;

interface PublishOutcome {
  status: number | "hung";
  eventId?: string;
  problemType?: string;
  retryAfter?: string | null;
}

/** Publishes one event every PUBLISH_INTERVAL_MS, each about its own subject, until stopped. */
function startPublishing(tenant: Tenant, label: string) {
  const outcomes: PublishOutcome[] = [];
  const pending = new Set<Promise<void>>();
  let sequence = 0;
  const publishOne = async () => {
    const subject = `fnd_${label}_${sequence++}`;
    const call = api("POST", "/v1/events", {
      apiKey: tenant.apiKey,
      body: { type: "finding.created", subject, data: { ...exampleData("finding.created"), finding_id: subject } },
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const hung = new Promise<"hung">((resolve) => (timer = setTimeout(() => resolve("hung"), HANG_LIMIT_MS)));
    const result = await Promise.race([call, hung]).finally(() => clearTimeout(timer));
    if (result === "hung") outcomes.push({ status: "hung" });
    else
      outcomes.push({
        status: result.status,
        eventId: result.status === 202 ? result.body.id : undefined,
        problemType: result.body?.type,
        retryAfter: result.headers.get("retry-after"),
      });
  };
  const timer = setInterval(() => {
    const call = publishOne();
    pending.add(call);
    void call.finally(() => pending.delete(call));
  }, PUBLISH_INTERVAL_MS);
  return {
    outcomes,
    async stop() {
      clearInterval(timer);
      await Promise.all(pending);
    },
  };
}

/** Counts the outcomes published since `from`. */
function outcomesSince(outcomes: PublishOutcome[], from: number) {
  const later = outcomes.slice(from);
  return { accepted: later.filter((outcome) => outcome.status === 202).length, unavailable: later.filter((outcome) => outcome.status === 503).length };
}

const pause = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

// Generous: a busy machine can take tens of seconds to initialise, restart and recover a cluster.
describe("database restart under load", { timeout: 120_000 }, () => {
  let database: RestartablePostgres;
  let receiver: TestReceiver;
  let worker: WorkerProcess | undefined;
  let sharedDatabaseUrl: string;

  beforeAll(async () => {
    database = await startRestartablePostgres();
    // The route handlers of this process move to the test's own server.
    sharedDatabaseUrl = process.env.DATABASE_URL!;
    await stopProducer();
    await closeDatabase();
    process.env.DATABASE_URL = database.url;
    resetConfigForTests();
    process.env.WVK_JOB_EXPIRY_SECONDS = WORKER_ENV.WVK_JOB_EXPIRY_SECONDS;
    await installQueue();
    delete process.env.WVK_JOB_EXPIRY_SECONDS;
    receiver = await startReceiver();
    receiver.respond((_request, response) => response.writeHead(200).end());
  });

  afterAll(async () => {
    await stopWorkerProcess(worker);
    await receiver?.close();
    await stopProducer();
    await closeDatabase();
    await database?.remove();
    process.env.DATABASE_URL = sharedDatabaseUrl;
    resetConfigForTests();
  });

  /**
   * Publishes for a while, takes the database away with `outage` for a few
   * seconds, starts it again, keeps publishing, then checks every accepted
   * event was delivered and every refused one was a 503 with Retry-After.
   */
  async function publishThroughOutage(label: string, outage: () => Promise<void>) {
    const tenant = await createTenant(`Restart ${label}`);
    const webhook = await createWebhook(tenant, receiver.url, ["finding.created"]);
    worker ??= await startWorkerProcess(database.url, WORKER_ENV);
    const recoveries = () => worker!.logs.filter((entry) => entry.msg === "fetching attempt jobs works again").length;
    const recoveriesBefore = recoveries();
    const publisher = startPublishing(tenant, label);

    await waitUntil(async () => publisher.outcomes.length, (count) => count >= 20);
    const beforeOutage = publisher.outcomes.length;
    await outage();
    await pause(3000);
    const outageStart = publisher.outcomes.length;
    await database.start();
    const restarted = publisher.outcomes.length;
    // The web app must accept events again by itself, within the same pool and producer.
    await waitUntil(async () => outcomesSince(publisher.outcomes, restarted).accepted, (accepted) => accepted >= 20, 30_000);
    await publisher.stop();
    // Right after the outage, before anything had time to settle, every open delivery has its next attempt coming.
    expect(await countStuckDeliveries(pool(), webhook.id)).toBe(0);

    const { outcomes } = publisher;
    expect(outcomes.filter((outcome) => outcome.status === "hung")).toEqual([]);
    const unexpected = outcomes.filter((outcome) => outcome.status !== 202 && outcome.status !== 503);
    expect(unexpected).toEqual([]);
    expect(outcomesSince(outcomes.slice(0, beforeOutage), 0).accepted).toBeGreaterThan(0);
    expect(outcomesSince(outcomes.slice(0, outageStart), beforeOutage).unavailable).toBeGreaterThan(0);
    for (const refused of outcomes.filter((outcome) => outcome.status === 503)) {
      expect(refused.problemType).toBe("https://docs.wasviking.com/problems/database-unavailable");
      expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    }

    const accepted = outcomes.filter((outcome) => outcome.status === 202).map((outcome) => outcome.eventId!);
    const undelivered = () =>
      pool()
        .query<{ event_id: string; status: string; next_attempt_at: Date | null }>(
          `SELECT event_id, status, next_attempt_at FROM deliveries WHERE subscription_id = $1 AND status <> 'succeeded'`,
          [webhook.id],
        )
        .then((result) => result.rows);
    await waitUntil(undelivered, (rows) => rows.length === 0, 60_000);
    const stored = await pool().query<{ event_id: string; id: string }>(`SELECT event_id, id FROM deliveries WHERE subscription_id = $1`, [webhook.id]);
    const deliveryByEvent = new Map(stored.rows.map((row) => [row.event_id, row.id]));
    expect(accepted.filter((eventId) => !deliveryByEvent.has(eventId))).toEqual([]);
    const received = new Set(receiver.requests.map((request) => request.headers["wasviking-delivery"] as string));
    expect(accepted.filter((eventId) => !received.has(deliveryByEvent.get(eventId)!))).toEqual([]);

    expect(worker.child.exitCode).toBeNull();
    expect(worker.child.signalCode).toBeNull();
    expect(recoveries()).toBeGreaterThan(recoveriesBefore);
  }

  it("recovers from a fast shutdown", async () => {
    await publishThroughOutage("stop", () => database.stop());
  });

  it("recovers from a killed server", async () => {
    await publishThroughOutage("kill", () => database.kill());
  });
});
