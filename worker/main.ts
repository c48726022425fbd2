import { systemClock } from "pg-boss";
import { attemptTimeoutSeconds, config, jobExpirySeconds, pacingSettings } from "../lib/config";
import { closeDatabase } from "../lib/db";
import { DeliveryEngine, type PerWebhookLimitScope } from "../lib/dispatch/engine";
import { createHttpClient } from "../lib/dispatch/http-client";
import { assertExpiryCoversAttempts, createBoss, DELIVERY_QUEUE } from "../lib/dispatch/queue";
import { logger } from "../lib/log";
import { dataDirectoryFromEnvironment } from "../scripts/lib/local-settings";
import { attachToEmbeddedDatabase } from "../scripts/lib/worker-settings";

/**
 * The dispatch worker: `npm run worker`. Several may run against one database;
 * pg-boss hands each job to one of them. Without DATABASE_URL it joins the
 * embedded database of a running `npm start`. SIGTERM or SIGINT stops fetching,
 * finishes and records the attempts in flight (at most one attempt timeout),
 * then exits. A worker killed outright loses nothing: its jobs expire and
 * another worker makes those attempts again.
 */
function positiveInteger(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`Invalid ${name}: expected a positive integer, got "${process.env[name]}"`);
  return value;
}

function perWebhookLimitScope(): PerWebhookLimitScope {
  const value = process.env.WORKER_PER_WEBHOOK_LIMIT_SCOPE ?? "worker";
  if (value !== "worker" && value !== "all-workers") {
    throw new Error(`Invalid WORKER_PER_WEBHOOK_LIMIT_SCOPE: expected "worker" or "all-workers", got "${value}"`);
  }
  return value;
}

const MIB = 1024 * 1024;

/**
 * Logs the worker's memory and open attempts every `seconds`, so a leak shows
 * as a rising line in the logs (and `npm run soak` can read the heap, which
 * /proc does not show).
 */
function logStatsPeriodically(engine: DeliveryEngine, seconds: number): ReturnType<typeof setInterval> {
  const timer = setInterval(() => {
    const memory = process.memoryUsage();
    logger.info(
      {
        rssMiB: Math.round((memory.rss / MIB) * 10) / 10,
        heapUsedMiB: Math.round((memory.heapUsed / MIB) * 10) / 10,
        heapTotalMiB: Math.round((memory.heapTotal / MIB) * 10) / 10,
        externalMiB: Math.round((memory.external / MIB) * 10) / 10,
        activeAttempts: engine.activeAttempts,
      },
      "worker stats",
    );
  }, seconds * 1000);
  timer.unref();
  return timer;
}

/**
 * Takes DATABASE_URL and the settings that go with it from a running
 * `npm start` when DATABASE_URL is unset (scripts/lib/worker-settings.ts), so
 * that `npm run worker` alone adds a worker to the quick start.
 */
function joinEmbeddedDatabase(): void {
  const attached = attachToEmbeddedDatabase(process.env, dataDirectoryFromEnvironment(process.env));
  if (!attached) return;
  logger.info(
    { settingsFile: attached.file, npmStartPid: attached.npmStartPid, settingsFromFile: attached.applied },
    "worker joins the embedded PostgreSQL of npm start",
  );
  if (attached.differing.length > 0) {
    logger.warn(
      { settingsFile: attached.file, differing: attached.differing },
      "this worker's environment sets variables to other values than npm start gave its worker; this worker uses its own. Unset them to use npm start's",
    );
  }
}

async function main(): Promise<void> {
  joinEmbeddedDatabase();
  const settings = config();
  const timeoutSeconds = attemptTimeoutSeconds();
  const pacing = pacingSettings();
  const boss = createBoss({ role: "worker" });
  await boss.start();
  const queue = await boss.getQueue(DELIVERY_QUEUE);
  if (!queue?.expireInSeconds) throw new Error(`The job queue ${DELIVERY_QUEUE} does not exist: run npm run db:migrate first`);
  const expirySeconds = queue.expireInSeconds;
  assertExpiryCoversAttempts(expirySeconds, timeoutSeconds);
  if (expirySeconds !== jobExpirySeconds()) {
    logger.warn(
      { queueExpirySeconds: expirySeconds, configuredExpirySeconds: jobExpirySeconds() },
      "WVK_JOB_EXPIRY_SECONDS differs from the queue's expiry: run npm run db:migrate with the same setting",
    );
  }
  const http = createHttpClient({
    allowPrivate: settings.WVK_ALLOW_PRIVATE_DESTINATIONS,
    deadlineMs: timeoutSeconds * 1000,
    ca: process.env.WVK_EXTRA_CA_PEM,
  });
  const engine = new DeliveryEngine({
    boss,
    http,
    clock: systemClock,
    maxInFlight: positiveInteger("WORKER_MAX_IN_FLIGHT", 256),
    maxSlowInFlight: positiveInteger("WORKER_MAX_SLOW_IN_FLIGHT", 1024),
    perWebhookConcurrency: positiveInteger("WORKER_PER_WEBHOOK_CONCURRENCY", 16),
    perWebhookLimitScope: perWebhookLimitScope(),
    pacing,
  });
  await engine.start();
  logger.info(
    {
      pid: process.pid,
      allowPrivateDestinations: settings.WVK_ALLOW_PRIVATE_DESTINATIONS,
      attemptTimeoutSeconds: timeoutSeconds,
      jobExpirySeconds: expirySeconds,
      webhookRatePerSecond: pacing.ratePerSecond,
      webhookBurst: pacing.burst,
    },
    "worker started",
  );

  const statsTimer = logStatsPeriodically(engine, positiveInteger("WORKER_STATS_INTERVAL_SECONDS", 300));

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, inFlight: engine.activeAttempts }, "worker stopping: finishing attempts in flight");
    clearInterval(statsTimer);
    await engine.stop();
    await boss.stop({ graceful: false });
    await http.close();
    await closeDatabase();
    logger.info("worker stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

main().catch((error: unknown) => {
  logger.fatal({ err: error }, "worker failed to start");
  process.exit(1);
});
