import pg from "pg";
import type { Clock, Job, PgBoss } from "pg-boss";
import { admitDueAttempts } from "../caps/admission";
import { DEFAULT_PACING, type PacingSettings } from "../caps/pacing";
import { sweepHeldDeliveries } from "../caps/release";
import { nextUtcDayStart } from "../caps/window";
import { databaseUrl } from "../config";
import { pool, prepared } from "../db";
import type { Deferral } from "../deliveries/defer";
import type { DueJob } from "../deliveries/hold";
import { type AttemptRecord, recordAttempts } from "../deliveries/record";
import { logger } from "../log";
import { deferredAttemptAt } from "../retry-schedule";
import { disableFailingWebhooks } from "../subscriptions/health-store";
import { validSecrets } from "../subscriptions/secrets";
import { performAttempt } from "./attempt";
import type { HttpClient } from "./http-client";
import { type AttemptJobData, DELIVERY_QUEUE, WAKE_CHANNEL } from "./queue";

/**
 * The worker's dispatch loop. It fetches due attempt jobs in batches, keeps up
 * to `maxInFlight` requests open at once, and records finished attempts in
 * batches, each batch in one transaction that also completes its jobs.
 *
 * A slow receiver occupies only its own slots. Each webhook may have at most
 * `perWebhookConcurrency` requests open from this worker (with the scope
 * "all-workers", also at most that many attempts open across all workers). An
 * attempt still open after `slowAfterMs` moves out of the regular slots into a
 * separate, larger budget of `maxSlowInFlight`, so hanging or trickling
 * receivers cannot starve the others while they wait for their deadline.
 *
 * Before it is made, every automatic attempt passes the daily cap and the
 * smoothing of its webhook (lib/caps/admission.ts). The engine also sweeps,
 * every `capSweepIntervalMs` and at each UTC midnight, the deliveries the cap
 * held: released when a new day's budget opens, given up after 24 hours
 * (lib/caps/release.ts). The same sweep switches off webhooks whose attempts
 * all failed for days (lib/subscriptions/health.ts).
 */
export interface EngineOptions {
  boss: PgBoss;
  http: HttpClient;
  clock: Clock;
  maxInFlight?: number;
  maxSlowInFlight?: number;
  slowAfterMs?: number;
  fetchBatchSize?: number;
  perWebhookConcurrency?: number;
  // "worker" counts each webhook's open requests in this worker only, which costs nothing in the database.
  // "all-workers" also fetches through pg-boss's group concurrency, so that the limit applies across workers, but each
  // attempt then keeps its webhook's slot until it is recorded, and every fetch counts the webhooks' active jobs.
  perWebhookLimitScope?: PerWebhookLimitScope;
  // How often to look for scheduled retries when no wake-up arrives.
  pollIntervalMs?: number;
  // Finished attempts wait at most this long to be recorded with others.
  recordDelayMs?: number;
  // Recording transactions that may run at once. Batches lock disjoint deliveries and jobs, and shared rows
  // (ordering chains, usage counters) in key order. A deadlock with other writers is still possible, and
  // withTransaction runs the batch again after one.
  maxConcurrentRecords?: number;
  // How long a batch that cannot be recorded (database unreachable) is tried again before its jobs are left to expire.
  // Recording after the jobs expired is still right: another worker cannot take them while the database is away,
  // and if it did meanwhile, completion is fenced by the job's retry count and the late attempt is only added to the log.
  recordRetryWindowMs?: number;
  // Smoothing of each webhook's attempts; the worker reads it from WVK_WEBHOOK_RATE_PER_SECOND and WVK_WEBHOOK_BURST.
  pacing?: PacingSettings;
  // How often to look for held deliveries to release or give up, and for webhooks to switch off, besides each UTC midnight.
  capSweepIntervalMs?: number;
  random?: () => number;
}

export type PerWebhookLimitScope = "worker" | "all-workers";

/** Outcome of one fetched job, waiting to be recorded. */
type Outcome =
  | { kind: "attempt"; job: Job<AttemptJobData>; record: AttemptRecord }
  // The delivery finished, moved on, or its webhook was deleted: the job is completed without sending.
  | { kind: "stale"; job: Job<AttemptJobData> }
  // The webhook is disabled: the delivery is held until it is enabled again.
  | { kind: "held"; job: Job<AttemptJobData> }
  // The webhook is paused by a throttling response: the attempt moves to the end of the pause. An admitted attempt
  // that cannot wait for its webhook's open requests goes back to the queue, keeping its smoothing slot (paced).
  | { kind: "deferred"; job: Job<AttemptJobData>; until: Date; paced?: boolean };

/** An admitted attempt, ready to be sent. */
interface ReadyAttempt {
  job: Job<AttemptJobData>;
  webhookId: string;
  target: Parameters<typeof performAttempt>[1];
}

interface DeliveryToSend {
  id: string;
  subscription_id: string;
  event_type: string;
  body: string;
  status: string;
  first_attempt_at: Date | null;
  next_attempt_at: Date | null;
  url: string;
  enabled: boolean;
  paused_until: Date | null;
}

const OPEN_STATUSES = new Set(["pending", "retrying"]);


// Fetched batches being loaded and admitted at once. Their admission transactions take the same budget rows,
// so a third one would only wait for the lock.
const MAX_PREPARATIONS = 2;

export class DeliveryEngine {
  private readonly options: Required<Omit<EngineOptions, "random">> & Pick<EngineOptions, "random">;
  private running = false;
  // Attempts holding a regular slot, and attempts moved to the slow budget after slowAfterMs.
  private regularInFlight = 0;
  private slowInFlight = 0;
  // Fetched jobs still being loaded and admitted; they count against maxInFlight like attempts.
  private preparing = 0;
  private preparations = new Set<Promise<void>>();
  // Per webhook: requests open now, and admitted attempts waiting for one of them to finish. At most
  // perWebhookConcurrency wait per webhook, so each starts within one attempt timeout and its job cannot expire.
  private readonly webhookLoad = new Map<string, { open: number; waiting: ReadyAttempt[] }>();
  private waitingAttempts = 0;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private wakePending = false;
  private slotFreed: (() => void) | undefined;
  private settled: Outcome[] = [];
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  // Batches waiting for a recording slot, and the recording transactions running now.
  private unwritten: Outcome[][] = [];
  private writing = new Set<Promise<void>>();
  private listener: pg.Client | undefined;
  private listenerRetry: ReturnType<typeof setTimeout> | undefined;
  private failingSince: number | undefined;
  private lastFailureLog = 0;
  private failures = 0;
  private lastRecordFailureLog = 0;
  private sweeps: Promise<void> | undefined;
  private sweepTimer: ReturnType<typeof setTimeout> | undefined;
  private endSweepWait: (() => void) | undefined;
  private lastSweepFailureLog = 0;
  private lastHealthSweepFailureLog = 0;

  constructor(options: EngineOptions) {
    this.options = {
      maxInFlight: 256,
      maxSlowInFlight: 1024,
      slowAfterMs: 1000,
      fetchBatchSize: 100,
      perWebhookConcurrency: 16,
      perWebhookLimitScope: "worker",
      pollIntervalMs: 1000,
      recordDelayMs: 10,
      maxConcurrentRecords: 3,
      recordRetryWindowMs: 5 * 60_000,
      pacing: DEFAULT_PACING,
      capSweepIntervalMs: 10_000,
      ...options,
    };
  }

  /** Number of attempts being made right now. */
  get activeAttempts(): number {
    return this.regularInFlight + this.slowInFlight;
  }

  /** Starts fetching and sending. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.listen();
    this.loop = this.run();
    this.sweeps = this.runSweeps();
  }

  /** Stops fetching, waits for attempts in flight to finish and be recorded, then returns. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake?.();
    this.freeSlot();
    clearTimeout(this.sweepTimer);
    this.endSweepWait?.();
    await this.sweeps;
    await this.loop;
    await Promise.all([...this.preparations]);
    this.deferWaitingAttempts();
    while (this.activeAttempts > 0) await new Promise<void>((resolve) => (this.slotFreed = resolve));
    await this.flushAndWait();
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

  private freeSlot(): void {
    const resolve = this.slotFreed;
    this.slotFreed = undefined;
    resolve?.();
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
      const room = this.options.maxInFlight - this.regularInFlight - this.preparing;
      if (room < Math.min(this.options.fetchBatchSize, this.options.maxInFlight) / 4 || this.preparations.size >= MAX_PREPARATIONS) {
        await new Promise<void>((resolve) => (this.slotFreed = resolve));
        continue;
      }
      let jobs: Job<AttemptJobData>[];
      try {
        this.wakePending = false;
        const full = this.fullWebhooks();
        jobs = await this.options.boss.fetch<AttemptJobData>(DELIVERY_QUEUE, {
          batchSize: Math.min(room, this.options.fetchBatchSize),
          ...(this.options.perWebhookLimitScope === "all-workers" ? { groupConcurrency: this.options.perWebhookConcurrency } : {}),
          ...(full.length > 0 ? { ignoreGroups: full } : {}),
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
      this.prepare(jobs);
    }
  }

  /**
   * Launches fetched jobs without waiting for them, so the next fetch overlaps
   * with loading and admitting this batch, which takes several round trips.
   */
  private prepare(jobs: Job<AttemptJobData>[]): void {
    this.preparing += jobs.length;
    const preparation: Promise<void> = this.launch(jobs)
      .catch((error: unknown) => {
        // The jobs stay active and pg-boss hands them out again once they expire.
        logger.error({ err: error, jobs: jobs.length }, "preparing attempts failed; their jobs will be retried after they expire");
        // Keeps this preparation's place for a poll interval, so a failing database is not asked again at once.
        return new Promise<void>((resolve) => setTimeout(resolve, this.options.pollIntervalMs));
      })
      .finally(() => {
        this.preparing -= jobs.length;
        this.preparations.delete(preparation);
        this.freeSlot();
      });
    this.preparations.add(preparation);
  }

  /**
   * Releases and expires held deliveries, and switches off webhooks failing for
   * days, every capSweepIntervalMs and right after each UTC midnight.
   */
  private async runSweeps(): Promise<void> {
    while (this.running) {
      const untilMidnight = nextUtcDayStart(this.now()).getTime() - this.now().getTime();
      const delay = Math.max(50, Math.min(this.options.capSweepIntervalMs, untilMidnight + 50));
      await new Promise<void>((resolve) => {
        this.endSweepWait = resolve;
        this.sweepTimer = setTimeout(resolve, delay);
      });
      this.endSweepWait = undefined;
      if (!this.running) return;
      try {
        await sweepHeldDeliveries(this.options.boss, this.now());
      } catch (error) {
        // The database is probably away; fetching reports that too, so once every 30 s is enough here.
        if (Date.now() - this.lastSweepFailureLog >= 30_000) {
          this.lastSweepFailureLog = Date.now();
          logger.error({ err: error }, "releasing deliveries held by the daily cap failed; trying again at the next sweep");
        }
      }
      try {
        await disableFailingWebhooks(this.now());
      } catch (error) {
        if (Date.now() - this.lastHealthSweepFailureLog >= 30_000) {
          this.lastHealthSweepFailureLog = Date.now();
          logger.error({ err: error }, "switching off failing webhooks failed; trying again at the next sweep");
        }
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

  /**
   * Loads what the fetched jobs need, sets aside stale, held and paused ones,
   * passes the rest through the daily cap and the smoothing, and starts the
   * attempts that may go now.
   */
  private async launch(jobs: Job<AttemptJobData>[]): Promise<void> {
    const now = this.now();
    const rows = await pool().query<DeliveryToSend>(
      prepared(
        `SELECT d.id, d.subscription_id, d.event_type, d.body, d.status, d.first_attempt_at, d.next_attempt_at, s.url, s.enabled, s.paused_until
         FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id WHERE d.id = ANY($1)`,
        [jobs.map((job) => job.data.deliveryId)],
      ),
    );
    const byId = new Map(rows.rows.map((row) => [row.id, row]));
    const due: Array<{ job: Job<AttemptJobData>; delivery: DeliveryToSend }> = [];
    for (const job of jobs) {
      const delivery = byId.get(job.data.deliveryId);
      const current = delivery !== undefined && OPEN_STATUSES.has(delivery.status) && delivery.next_attempt_at?.toISOString() === job.data.dueAt;
      if (!current) {
        this.settle({ kind: "stale", job });
        continue;
      }
      if (!delivery.enabled) {
        this.settle({ kind: "held", job });
        continue;
      }
      const until = deferredAttemptAt({ pausedUntil: delivery.paused_until, firstAttemptAt: delivery.first_attempt_at, now });
      if (until) {
        this.settle({ kind: "deferred", job, until });
        continue;
      }
      due.push({ job, delivery });
    }
    // The secrets are read on another connection while the gate decides, to save a round trip before sending.
    const subscriptionIds = [...new Set(due.map((item) => item.delivery.subscription_id))];
    const [toSend, secrets] = await Promise.all([this.admit(due, now), validSecrets(pool(), subscriptionIds, now)]);
    for (const { job, delivery } of toSend) {
      this.dispatch({
        job,
        webhookId: delivery.subscription_id,
        target: {
          deliveryId: delivery.id,
          eventType: delivery.event_type,
          body: delivery.body,
          url: delivery.url,
          secrets: secrets.get(delivery.subscription_id) ?? [],
        },
      });
    }
  }

  /** Webhooks with a full round of requests open or waiting here: fetching more of their jobs would only make them wait. */
  private fullWebhooks(): string[] {
    const full: string[] = [];
    for (const [webhookId, load] of this.webhookLoad) {
      if (load.open + load.waiting.length >= this.options.perWebhookConcurrency) full.push(webhookId);
    }
    return full;
  }

  /**
   * Sends an admitted attempt now if its webhook has a free request slot, or
   * lets it wait for one. When a full round is already waiting (a batch can
   * bring more of one webhook's jobs than it has slots), the attempt goes back
   * to the queue, due at once, keeping the cap count and smoothing slot it got.
   * The fetch leaves it there until the webhook has room (fullWebhooks).
   */
  private dispatch(ready: ReadyAttempt): void {
    let load = this.webhookLoad.get(ready.webhookId);
    if (!load) {
      load = { open: 0, waiting: [] };
      this.webhookLoad.set(ready.webhookId, load);
    }
    if (load.open < this.options.perWebhookConcurrency) {
      this.startAttempt(ready, load);
    } else if (load.waiting.length < this.options.perWebhookConcurrency && this.waitingAttempts < this.options.maxInFlight) {
      load.waiting.push(ready);
      this.waitingAttempts++;
    } else {
      this.settle({ kind: "deferred", job: ready.job, until: this.now(), paced: true });
    }
  }

  /** On stop, hands the attempts still waiting for their webhook back to the queue, due now, for any worker. */
  private deferWaitingAttempts(): void {
    for (const load of this.webhookLoad.values()) {
      for (const ready of load.waiting.splice(0)) {
        this.waitingAttempts--;
        this.settle({ kind: "deferred", job: ready.job, until: this.now(), paced: true });
      }
    }
  }

  /**
   * Returns the due attempts that may be made now: those already given their
   * smoothing slot, and those the admission gate lets through. The gate holds
   * or moves the others and completes their jobs itself.
   */
  private async admit(
    due: Array<{ job: Job<AttemptJobData>; delivery: DeliveryToSend }>,
    now: Date,
  ): Promise<Array<{ job: Job<AttemptJobData>; delivery: DeliveryToSend }>> {
    const candidates = due.filter((item) => !item.job.data.paced);
    const admitted = await admitDueAttempts(
      this.options.boss,
      candidates.map(({ job, delivery }) => ({
        job: { id: job.id, retryCount: job.retryCount },
        deliveryId: delivery.id,
        subscriptionId: delivery.subscription_id,
        dueAt: new Date(job.data.dueAt),
        attempt: job.data.attempt,
      })),
      now,
      this.options.pacing,
    );
    const admittedJobs = new Set(admitted.map((item) => item.job.id));
    return due.filter((item) => item.job.data.paced || admittedJobs.has(item.job.id));
  }

  private startAttempt({ job, webhookId, target }: ReadyAttempt, load: { open: number; waiting: ReadyAttempt[] }): void {
    this.regularInFlight++;
    load.open++;
    let slow = false;
    const slowTimer = setTimeout(() => {
      if (this.slowInFlight >= this.options.maxSlowInFlight) return;
      slow = true;
      this.regularInFlight--;
      this.slowInFlight++;
      this.freeSlot();
    }, this.options.slowAfterMs);
    performAttempt(this.options.http, target, "automatic", () => this.now())
      .then((record) => {
        record.automaticAttempt = job.data.attempt;
        record.dueAt = new Date(job.data.dueAt);
        this.settle({ kind: "attempt", job, record });
      })
      .catch((error: unknown) => {
        logger.error({ err: error, deliveryId: job.data.deliveryId }, "attempt failed unexpectedly; its job will be retried after it expires");
      })
      .finally(() => {
        clearTimeout(slowTimer);
        if (slow) this.slowInFlight--;
        else this.regularInFlight--;
        load.open--;
        // A stopping worker hands the waiting attempts back to the queue instead (deferWaitingAttempts).
        const next = this.running ? load.waiting.shift() : undefined;
        if (next) {
          this.waitingAttempts--;
          this.startAttempt(next, load);
        } else if (load.open === 0 && load.waiting.length === 0) {
          // A stopping worker keeps the entry while attempts still wait in it, so deferWaitingAttempts finds them.
          this.webhookLoad.delete(webhookId);
        }
        this.freeSlot();
      });
  }

  private settle(outcome: Outcome): void {
    this.settled.push(outcome);
    if (this.settled.length >= this.options.fetchBatchSize) {
      this.flush();
    } else {
      this.flushTimer ??= setTimeout(() => this.flush(), this.options.recordDelayMs);
    }
  }

  /**
   * Hands every settled outcome to a recorder. Up to maxConcurrentRecords
   * batches are written at once, because a fetch can only take the slots that
   * recorded jobs free.
   */
  private flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.settled.length === 0) return;
    this.unwritten.push(this.settled);
    this.settled = [];
    this.startWrites();
  }

  /** Records everything settled so far and waits until it is written. */
  private async flushAndWait(): Promise<void> {
    this.flush();
    while (this.writing.size > 0) await Promise.all([...this.writing]);
  }

  private startWrites(): void {
    while (this.writing.size < this.options.maxConcurrentRecords && this.unwritten.length > 0) {
      const batch = this.unwritten.shift()!;
      const writing: Promise<void> = this.write(batch).finally(() => {
        this.writing.delete(writing);
        this.startWrites();
      });
      this.writing.add(writing);
    }
  }

  /**
   * Writes one batch, trying again with growing pauses while the database is
   * unreachable, so a short outage does not make receivers get attempts twice.
   * After recordRetryWindowMs the batch is dropped: its jobs stay active, expire
   * and are handed out again, and the attempts are made again.
   */
  private async write(batch: Outcome[]): Promise<void> {
    const records: AttemptRecord[] = [];
    const deferrals: Deferral[] = [];
    const disabledWebhookJobs: DueJob[] = [];
    for (const outcome of batch) {
      const due = { deliveryId: outcome.job.data.deliveryId, dueAt: new Date(outcome.job.data.dueAt), attempt: outcome.job.data.attempt };
      if (outcome.kind === "attempt") records.push(outcome.record);
      else if (outcome.kind === "deferred") deferrals.push({ ...due, until: outcome.until, ...(outcome.paced ? { paced: true } : {}) });
      else if (outcome.kind === "held") disabledWebhookJobs.push(due);
    }
    const completeJobs = batch.map((outcome) => ({ id: outcome.job.id, retryCount: outcome.job.retryCount }));
    const started = Date.now();
    for (let pauseMs = 250; ; pauseMs = Math.min(pauseMs * 2, 5000)) {
      try {
        await recordAttempts(records, { boss: this.options.boss, now: this.now(), random: this.options.random, completeJobs, deferrals, disabledWebhookJobs });
        break;
      } catch (error) {
        const givingUp = Date.now() - started + pauseMs > this.options.recordRetryWindowMs;
        if (givingUp || Date.now() - this.lastRecordFailureLog >= 30_000) {
          this.lastRecordFailureLog = Date.now();
          logger.error(
            { err: error, attempts: records.length, jobs: batch.length, givingUp },
            givingUp ? "recording attempts failed; their jobs will expire and the attempts will be made again" : "recording attempts failed; trying again",
          );
        }
        if (givingUp) return;
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
      }
    }
    // The completed jobs freed their webhooks' slots: fetch again now rather than at the next poll, or a webhook
    // with a backlog would get at most WORKER_PER_WEBHOOK_CONCURRENCY attempts per poll interval.
    this.notify();
    for (const record of records) {
      logger.debug(
        { deliveryId: record.deliveryId, attempt: record.automaticAttempt, status: record.verdict.statusCode, errorClass: record.verdict.errorClass },
        "attempt recorded",
      );
    }
  }
}
