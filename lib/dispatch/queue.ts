import { type Clock, type Db, type JobInsert, PgBoss } from "pg-boss";
import type pg from "pg";
import { databaseUrl, jobExpirySeconds } from "../config";
import { logger } from "../log";

/**
 * The pg-boss queue of delivery attempts: one job per attempt, carrying ids
 * only. The delivery row is the source of truth; a job that no longer matches
 * it (the delivery finished, or another attempt already ran) is completed
 * without sending (lib/dispatch/engine.ts).
 */
export const DELIVERY_QUEUE = "webhook-attempts";

export type AttemptTrigger = "automatic" | "replay" | "test";

export interface AttemptJobData {
  deliveryId: string;
  // Which automatic attempt this job makes (1 for the first); it picks the next retry step.
  attempt: number;
  // The delivery's next_attempt_at when the job was queued. A job whose due time no longer
  // matches the delivery (it finished, or this attempt was already recorded) is stale.
  dueAt: string;
  // Set when the due time is the attempt's smoothing slot: the attempt is made without being smoothed again.
  paced?: true;
}

// Channel that wakes idle workers when attempts become due now; scheduled retries are found by polling.
export const WAKE_CHANNEL = "wasviking_attempts";

/**
 * Queue settings; pg-boss's own retries serve only crash recovery, never the
 * delivery schedule. A job still active after `expirySeconds` belongs to a
 * worker that died, and pg-boss hands it to another one; it must exceed the
 * longest attempt plus recording time (see assertExpiryCoversAttempts).
 */
export function deliveryQueueOptions(expirySeconds: number) {
  return {
    expireInSeconds: expirySeconds,
    retryLimit: 1000,
    retryDelay: 1,
    deleteAfterSeconds: 24 * 60 * 60,
    // Workers are woken on our own channel (WAKE_CHANNEL), which also covers attempts queued by the recorder.
    notify: false,
  } as const;
}

/**
 * Rejects a job expiry that an attempt in flight could outlive: another worker
 * would then make the same attempt while the first one is still sending it.
 * Twice the attempt timeout leaves the other half for loading and recording.
 */
export function assertExpiryCoversAttempts(expirySeconds: number, attemptTimeoutSeconds: number): void {
  if (expirySeconds < 2 * attemptTimeoutSeconds) {
    throw new Error(
      `The attempt job expiry (${expirySeconds} s) must be at least twice the attempt timeout (${attemptTimeoutSeconds} s): ` +
        "raise WVK_JOB_EXPIRY_SECONDS and run npm run db:migrate, or lower WVK_ATTEMPT_TIMEOUT_SECONDS",
    );
  }
}

/**
 * How often a worker looks for jobs of dead workers, in seconds: a quarter of
 * the expiry, so a crashed attempt is made again at most 1.25 expiries later.
 */
export function expiryCheckIntervalSeconds(expirySeconds: number): number {
  return Math.max(1, Math.min(60, Math.ceil(expirySeconds / 4)));
}

export interface BossOptions {
  // The worker listens for new jobs and supervises expiry; the web app only inserts.
  role: "worker" | "producer" | "migrator";
  // Tests pass a pg-boss TestClock to drive time forward instead of sleeping.
  clock?: Clock;
}

/** Creates a pg-boss instance for one role; call start() on it before use. */
export function createBoss(options: BossOptions): PgBoss {
  const worker = options.role === "worker";
  const expiryCheck = expiryCheckIntervalSeconds(jobExpirySeconds());
  const boss = new PgBoss({
    connectionString: databaseUrl(),
    application_name: `wasviking-${options.role}`,
    max: worker ? 6 : 2,
    migrate: options.role === "migrator",
    createSchema: options.role === "migrator",
    supervise: worker,
    // Expired jobs are found by the monitor pass of supervision, which runs when both intervals have passed.
    ...(worker ? { superviseIntervalSeconds: expiryCheck, monitorIntervalSeconds: expiryCheck } : {}),
    schedule: false,
    useListenNotify: worker,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  // While the database is away, every internal timer of pg-boss fails in turn: one line per 30 s is enough.
  let lastErrorLog = 0;
  let suppressedErrors = 0;
  boss.on("error", (error) => {
    if (Date.now() - lastErrorLog < 30_000) {
      suppressedErrors++;
      return;
    }
    logger.error({ err: error, role: options.role, suppressedErrors }, "job queue error");
    lastErrorLog = Date.now();
    suppressedErrors = 0;
  });
  boss.on("warning", (warning) => logger.warn({ warning, role: options.role }, "job queue warning"));
  return boss;
}

/**
 * Our index of each webhook's queued attempt jobs, which deleteQueuedAttempts
 * reads. pg-boss 12 indexes group_id only for active jobs, so without it
 * deleting a webhook reads every queued job of every webhook (docs/delivery.md,
 * "Deleting a webhook"). It is on the partitioned parent, so PostgreSQL also
 * builds it on partitions that pg-boss adds later.
 */
export const QUEUED_JOBS_BY_WEBHOOK_INDEX = "wasviking_job_queued_by_group";

// Created after pg-boss has installed or upgraded its schema, because migrations run before pgboss.job exists. IF NOT
// EXISTS makes every later run cheap, and recreates the index after an upgrade of pg-boss that rebuilt its tables.
// The predicate must stay the state list of DELETE_QUEUED_ATTEMPTS, or the planner cannot use the index for it.
const CREATE_QUEUED_JOBS_BY_WEBHOOK_INDEX = `CREATE INDEX IF NOT EXISTS ${QUEUED_JOBS_BY_WEBHOOK_INDEX} ON pgboss.job (name, group_id)
  WHERE state IN ('created', 'retry')`;

/** Statement that deletes the queued attempt jobs of one webhook: $1 is the queue, $2 the webhook's id. */
export const DELETE_QUEUED_ATTEMPTS = `DELETE FROM pgboss.job WHERE name = $1 AND group_id = $2 AND state IN ('created', 'retry')`;

/**
 * Deletes the attempt jobs of a webhook that no worker has started, inside the
 * caller's transaction, and returns how many it deleted.
 */
export async function deleteQueuedAttempts(client: pg.PoolClient, subscriptionId: string): Promise<number> {
  const result = await client.query(DELETE_QUEUED_ATTEMPTS, [DELIVERY_QUEUE, subscriptionId]);
  return result.rowCount ?? 0;
}

/**
 * Installs or upgrades the pg-boss schema, creates the delivery queue with the
 * expiry of WVK_JOB_EXPIRY_SECONDS, and adds our index of queued jobs by webhook.
 */
export async function installQueue(): Promise<void> {
  const options = deliveryQueueOptions(jobExpirySeconds());
  const boss = createBoss({ role: "migrator" });
  await boss.start();
  try {
    const existing = await boss.getQueue(DELIVERY_QUEUE);
    if (existing) await boss.updateQueue(DELIVERY_QUEUE, options);
    else await boss.createQueue(DELIVERY_QUEUE, options);
    await boss.getDb().executeSql(CREATE_QUEUED_JOBS_BY_WEBHOOK_INDEX);
  } finally {
    await boss.stop({ graceful: false });
  }
}

/** Adapts a pg client inside a transaction so pg-boss statements join that transaction. */
export function transactionExecutor(client: pg.PoolClient): Db {
  return { executeSql: (text, values) => client.query(text, values as unknown[]) };
}

export interface AttemptToQueue {
  deliveryId: string;
  attempt: number;
  startAfter: Date;
  // Jobs of one subscription share a group, which bounds how many of its attempts run at once.
  subscriptionId: string;
  // The start time is the attempt's smoothing slot (see AttemptJobData.paced).
  paced?: boolean;
}

/** Queues planned attempts inside the caller's transaction and wakes workers if any is due now. */
export async function queueAttempts(
  boss: PgBoss,
  client: pg.PoolClient,
  attempts: readonly AttemptToQueue[],
  now: Date,
): Promise<void> {
  if (attempts.length === 0) return;
  await boss.insert(DELIVERY_QUEUE, attemptJobs(attempts), { db: transactionExecutor(client) });
  if (attempts.some((item) => item.startAfter.getTime() <= now.getTime())) {
    await client.query("SELECT pg_notify($1, '')", [WAKE_CHANNEL]);
  }
}

/** Builds the pg-boss jobs for planned attempts. */
export function attemptJobs(attempts: readonly AttemptToQueue[]): JobInsert<AttemptJobData>[] {
  return attempts.map((item) => ({
    data: { deliveryId: item.deliveryId, attempt: item.attempt, dueAt: item.startAfter.toISOString(), ...(item.paced ? { paced: true as const } : {}) },
    startAfter: item.startAfter,
    group: { id: item.subscriptionId },
  }));
}
