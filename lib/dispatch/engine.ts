import pg from "pg";
import type { Clock, Job, PgBoss } from "pg-boss";
import { databaseUrl } from "../config";
import { pool } from "../db";
import { type AttemptRecord, recordAttempts } from "../deliveries/record";
import { logger } from "../log";
import { validSecrets } from "../subscriptions/secrets";
import { performAttempt } from "./attempt";
import type { HttpClient } from "./http-client";
import { type AttemptJobData, DELIVERY_QUEUE, WAKE_CHANNEL } from "./queue";

/**
 * The worker's dispatch loop. It fetches due attempt jobs in batches, keeps up
 * to `maxInFlight` requests open at once, and records finished attempts in
 * batches, each batch in one transaction that also completes its jobs. A slow
 * receiver holds only its own slots: fetching goes on while any slot is free,
 * and each subscription may hold at most `perWebhookConcurrency` of them across
 * all workers.
 */
export interface EngineOptions {
  boss: PgBoss;
  http: HttpClient;
  clock: Clock;
  maxInFlight?: number;
  fetchBatchSize?: number;
  perWebhookConcurrency?: number;
  // How often to look for scheduled retries when no wake-up arrives.
  pollIntervalMs?: number;
  // Finished attempts wait at most this long to be recorded with others.
  recordDelayMs?: number;
  random?: () => number;
}

interface Settled {
  record: AttemptRecord | null;
  job: Job<AttemptJobData>;
}

interface PreparedJob {
  job: Job<AttemptJobData>;
  target?: { deliveryId: string; eventType: string; body: string; url: string; subscriptionId: string };
}

export class DeliveryEngine {
  private readonly options: Required<Omit<EngineOptions, "random">> & Pick<EngineOptions, "random">;
  private running = false;
  private inFlight = 0;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private wakePending = false;
  private slotFreed: (() => void) | undefined;
  private settled: Settled[] = [];
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private listener: pg.Client | undefined;
  private listenerRetry: ReturnType<typeof setTimeout> | undefined;
  private failingSince: number | undefined;
  private lastFailureLog = 0;
  private failures = 0;

  constructor(options: EngineOptions) {
    this.options = {
      maxInFlight: 256,
      fetchBatchSize: 100,
      perWebhookConcurrency: 16,
      pollIntervalMs: 1000,
      recordDelayMs: 10,
      ...options,
    };
  }

  /** Number of attempts being made right now. */
  get activeAttempts(): number {
    return this.inFlight;
  }

  /** Starts fetching and sending. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.listen();
    this.loop = this.run();
  }

  /** Stops fetching, waits for attempts in flight to finish and be recorded, then returns. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake?.();
    this.slotFreed?.();
    await this.loop;
    while (this.inFlight > 0) await new Promise<void>((resolve) => (this.slotFreed = resolve));
    await this.flush();
    clearTimeout(this.listenerRetry);
    await this.listener?.end().catch(() => undefined);
    this.listener = undefined;
  }

  private now(): Date {
    return new Date(this.options.clock.now());
  }

  /** Holds one connection that LISTENs for due attempts, reconnecting after a database restart. */
  private async listen(): Promise<void> {
    if (!this.running) return;
    const client = new pg.Client({ connectionString: databaseUrl(), application_name: "wasviking-worker-listener" });
    client.on("notification", () => this.notify());
    client.on("error", (error) => {
      logger.warn({ err: error }, "wake-up listener connection failed, reconnecting in the background");
      this.listener = undefined;
      client.end().catch(() => undefined);
      this.listenerRetry = setTimeout(() => void this.listen(), 1000);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${WAKE_CHANNEL}`);
      this.listener = client;
      // Wake-ups sent while the listener was down were lost; one fetch covers them.
      this.notify();
    } catch (error) {
      // Fetch failures are already reported; while the database is down this would only repeat them.
      if (this.failures === 0) logger.warn({ err: error }, "wake-up listener could not connect, polling until it can");
      await client.end().catch(() => undefined);
      this.listenerRetry = setTimeout(() => void this.listen(), 1000);
    }
  }

  private notify(): void {
    this.wakePending = true;
    this.wake?.();
  }

  private waitForWake(milliseconds: number): Promise<void> {
    if (this.wakePending) {
      this.wakePending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(finish, milliseconds);
      function finish() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        this.wakePending = false;
        finish();
      };
    });
  }

  private async run(): Promise<void> {
    while (this.running) {
      const room = this.options.maxInFlight - this.inFlight;
      if (room < Math.min(this.options.fetchBatchSize, this.options.maxInFlight) / 4) {
        await new Promise<void>((resolve) => (this.slotFreed = resolve));
        continue;
      }
      let jobs: Job<AttemptJobData>[];
      try {
        this.wakePending = false;
        jobs = await this.options.boss.fetch<AttemptJobData>(DELIVERY_QUEUE, {
          batchSize: Math.min(room, this.options.fetchBatchSize),
          groupConcurrency: this.options.perWebhookConcurrency,
        });
      } catch (error) {
        this.reportFetchFailure(error);
        await this.waitForWake(this.options.pollIntervalMs);
        continue;
      }
      if (this.failingSince !== undefined) {
        logger.info({ failures: this.failures, seconds: Math.round((Date.now() - this.failingSince) / 1000) }, "fetching attempt jobs works again");
        this.failingSince = undefined;
        this.failures = 0;
      }
      if (jobs.length === 0) {
        await this.waitForWake(this.options.pollIntervalMs);
        continue;
      }
      try {
        await this.launch(jobs);
      } catch (error) {
        // The jobs stay active and pg-boss hands them out again once they expire.
        logger.error({ err: error, jobs: jobs.length }, "preparing attempts failed; their jobs will be retried after they expire");
        await this.waitForWake(this.options.pollIntervalMs);
      }
    }
  }

  /** Logs a failed fetch at once, then at most every 30 seconds while the database stays unreachable. */
  private reportFetchFailure(error: unknown): void {
    const now = Date.now();
    this.failures++;
    this.failingSince ??= now;
    if (this.failures === 1 || now - this.lastFailureLog >= 30_000) {
      this.lastFailureLog = now;
      logger.error({ err: error, failures: this.failures }, "fetching attempt jobs failed; retrying every poll interval");
    }
  }

  /** Loads what the fetched jobs need in two queries and starts their attempts. */
  private async launch(jobs: Job<AttemptJobData>[]): Promise<void> {
    const now = this.now();
    const deliveryIds = jobs.map((job) => job.data.deliveryId);
    const rows = await pool().query<{
      id: string;
      subscription_id: string;
      event_type: string;
      body: string;
      status: string;
      next_attempt_at: Date | null;
      url: string;
      enabled: boolean;
    }>(
      `SELECT d.id, d.subscription_id, d.event_type, d.body, d.status, d.next_attempt_at, s.url, s.enabled
       FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id WHERE d.id = ANY($1)`,
      [deliveryIds],
    );
    const byId = new Map(rows.rows.map((row) => [row.id, row]));
    const prepared: PreparedJob[] = jobs.map((job) => {
      const row = byId.get(job.data.deliveryId);
      const current =
        row !== undefined &&
        row.enabled &&
        (row.status === "pending" || row.status === "retrying") &&
        row.next_attempt_at?.toISOString() === job.data.dueAt;
      if (!current) return { job };
      return {
        job,
        target: { deliveryId: row.id, eventType: row.event_type, body: row.body, url: row.url, subscriptionId: row.subscription_id },
      };
    });
    const subscriptionIds = [...new Set(prepared.flatMap((item) => (item.target ? [item.target.subscriptionId] : [])))];
    const secrets = await validSecrets(pool(), subscriptionIds, now);
    for (const item of prepared) {
      if (!item.target) {
        // Stale (the delivery finished, moved on or its webhook was disabled or deleted): complete the job without sending.
        this.settle({ record: null, job: item.job });
        continue;
      }
      this.inFlight++;
      const target = { ...item.target, secrets: secrets.get(item.target.subscriptionId) ?? [] };
      performAttempt(this.options.http, target, "automatic", () => this.now())
        .then((record) => {
          record.automaticAttempt = item.job.data.attempt;
          record.dueAt = new Date(item.job.data.dueAt);
          this.settle({ record, job: item.job });
        })
        .catch((error: unknown) => {
          logger.error({ err: error, deliveryId: item.job.data.deliveryId }, "attempt failed unexpectedly; its job will be retried after it expires");
        })
        .finally(() => {
          this.inFlight--;
          this.slotFreed?.();
          this.slotFreed = undefined;
        });
    }
  }

  private settle(item: Settled): void {
    this.settled.push(item);
    if (this.settled.length >= this.options.fetchBatchSize) {
      void this.flush();
    } else {
      this.flushTimer ??= setTimeout(() => void this.flush(), this.options.recordDelayMs);
    }
  }

  /** Records every settled attempt; batches are written one at a time, in order. */
  private flush(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const batch = this.settled;
    this.settled = [];
    if (batch.length === 0) return this.flushing;
    this.flushing = this.flushing.then(() => this.write(batch));
    return this.flushing;
  }

  private async write(batch: Settled[]): Promise<void> {
    const records = batch.flatMap((item) => (item.record ? [item.record] : []));
    const jobs = batch.map((item) => ({ id: item.job.id, retryCount: item.job.retryCount }));
    try {
      await recordAttempts(records, { boss: this.options.boss, now: this.now(), random: this.options.random, completeJobs: jobs });
      for (const record of records) {
        logger.debug(
          { deliveryId: record.deliveryId, attempt: record.automaticAttempt, status: record.verdict.statusCode, errorClass: record.verdict.errorClass },
          "attempt recorded",
        );
      }
    } catch (error) {
      // The jobs stay active, so pg-boss hands them out again after they expire and the attempts are made again.
      logger.error({ err: error, attempts: records.length }, "recording attempts failed; they will be made again");
    }
  }
}
