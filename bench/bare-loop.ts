import type { Job } from "pg-boss";
import { generateSigningSecret } from "../lib/crypto/signing-secrets";
import { createHttpClient } from "../lib/dispatch/http-client";
import { createBoss } from "../lib/dispatch/queue";
import { envelopeBody } from "../lib/events/envelope";
import { signedHeaders } from "../lib/signing";
import type { BareLoopCommand, BareLoopConfig, BareLoopEvent } from "./bare-loop-protocol";
import { eventData, wallClock } from "./load";

/**
 * The bare delivery loop: the practical limit the engine is compared against.
 * It uses the engine's own parts and nothing else: a pg-boss worker instance
 * from createBoss, signedHeaders from lib/signing.ts and the HTTP client of
 * lib/dispatch/http-client.ts. It fetches jobs in batches ahead of need, signs
 * one fixed body per job with a fresh timestamp, keeps `inFlight` POSTs open,
 * and completes finished jobs in batches. It reads no delivery rows, decrypts
 * no secrets and records no attempts. bench/bare.ts runs it with its
 * configuration as JSON in argv[2], and it reports over the IPC channel.
 */
const config = JSON.parse(process.argv[2] ?? "{}") as BareLoopConfig;
const COMPLETE_DELAY_MS = 10;

function report(event: BareLoopEvent): void {
  process.send?.(event);
}

// Resolves when the benchmark sends "exit" or goes away.
const exitRequested = new Promise<void>((resolve) => {
  process.on("message", (command: BareLoopCommand) => {
    if (command.type === "exit") resolve();
  });
  process.on("disconnect", resolve);
});

async function main(): Promise<void> {
  const boss = createBoss({ role: "worker" });
  await boss.start();
  const http = createHttpClient({ allowPrivate: true });
  const secrets = [generateSigningSecret()];
  const subject = "fnd_bare";
  const body = envelopeBody({
    eventId: "evt_bare",
    type: "finding.escalated",
    occurredAt: new Date(),
    subject,
    ordering: { key: `finding:${subject}`, sequence: 1 },
    data: eventData(subject, config.bodyBytes),
  });

  let inFlight = 0;
  let fetched = 0;
  let completed = 0;
  let failedRequests = 0;
  let slotFreed: (() => void) | undefined;
  let finished: (() => void) | undefined;
  let toComplete: string[] = [];
  let completeTimer: ReturnType<typeof setTimeout> | undefined;
  let completing = Promise.resolve();
  const fetchSizes: number[] = [];

  const flush = () => {
    clearTimeout(completeTimer);
    completeTimer = undefined;
    const ids = toComplete;
    toComplete = [];
    if (ids.length === 0) return;
    completing = completing.then(async () => {
      await boss.complete(config.queue, ids);
      completed += ids.length;
      if (completed >= config.jobs) finished?.();
    });
  };

  const settle = (job: Job<{ deliveryId: string }>) => {
    toComplete.push(job.id);
    if (toComplete.length >= config.batchSize) flush();
    else completeTimer ??= setTimeout(flush, COMPLETE_DELAY_MS);
  };

  const done = new Promise<void>((resolve) => (finished = resolve));
  report({ type: "ready" });
  const startedAt = wallClock();
  const cpuAtStart = process.cpuUsage();

  // Fetching runs ahead of sending: one fetch is outstanding whenever less than a batch is buffered,
  // so fetches stay full and sending waits for a fetch only when the queue runs dry.
  let buffered: Job<{ deliveryId: string }>[] = [];
  let fetching: Promise<void> | undefined;
  let sent = 0;
  const fetchMore = () => {
    fetching ??= (async () => {
      const jobs = await boss.fetch<{ deliveryId: string }>(config.queue, {
        batchSize: config.batchSize,
        ...(config.groupConcurrency !== null ? { groupConcurrency: config.groupConcurrency } : {}),
      });
      fetched += jobs.length;
      if (jobs.length > 0) fetchSizes.push(jobs.length);
      buffered = buffered.concat(jobs);
      // The whole backlog was queued before the loop started, so an empty fetch means the rest is in flight.
      if (jobs.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    })().finally(() => (fetching = undefined));
    return fetching;
  };

  while (sent < config.jobs) {
    if (buffered.length < config.batchSize && fetched < config.jobs) void fetchMore();
    if (buffered.length === 0) {
      await fetching;
      continue;
    }
    if (inFlight >= config.inFlight) {
      await new Promise<void>((resolve) => (slotFreed = resolve));
      continue;
    }
    const job = buffered.shift()!;
    sent++;
    inFlight++;
    const headers = signedHeaders({
      deliveryId: job.data.deliveryId,
      eventType: "finding.escalated",
      timestamp: Math.floor(Date.now() / 1000),
      body,
      secrets,
    });
    void http.send(config.url, headers, body).then((result) => {
      if (result.kind !== "response" || result.response.status >= 300) failedRequests++;
      inFlight--;
      settle(job);
      slotFreed?.();
      slotFreed = undefined;
    });
  }
  await done;
  await completing;
  const elapsedMs = wallClock() - startedAt;
  const cpu = process.cpuUsage(cpuAtStart);
  report({
    type: "done",
    completed,
    failedRequests,
    elapsedMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    meanFetchSize: fetchSizes.reduce((sum, size) => sum + size, 0) / Math.max(1, fetchSizes.length),
  });
  await exitRequested;
  await boss.stop({ graceful: false });
  await http.close();
  // An explicit exit lets --cpu-prof write its profile.
  process.exit(0);
}

main().catch((error: unknown) => {
  report({ type: "failed", message: (error as Error).stack ?? String(error) });
  process.exit(1);
});
