import path from "node:path";
import type { PgBoss } from "pg-boss";
import { DELIVERY_QUEUE } from "../lib/dispatch/queue";
import { publishEvent } from "../lib/events/publish";
import type { BareLoopCommand, BareLoopConfig, BareLoopEvent } from "./bare-loop-protocol";
import {
  analyzeDatabase,
  attemptCount,
  BARE_QUEUE,
  deliveryStatusCounts,
  eventsOfDeliveries,
  jobStateCounts,
  backendCpuBetween,
  maintainedTables,
  maintenanceCounts,
  readStatements,
  resetDeliveryState,
  resetStatements,
  type StatementLine,
  waitForAttempts,
  workerBackendCpu,
} from "./database-probes";
import { eventData, FANOUT_EVENT_TYPE, publishBacklog, publishPaced, type PublishedSample, wallClock } from "./load";
import type { BenchOptions } from "./options";
import { machineCpuTicks, type ProcessStats, startNodeChild, stopChild } from "./processes";
import type { BenchReceiver } from "./receiver-process";
import { percentile } from "./statistics";
import { startEngineWorker } from "./worker-process";

/**
 * The four measurements. Each run starts from emptied tables and runs ANALYZE
 * at the point --analyze names, so the planner's view of the job table is the
 * same from run to run instead of whatever autovacuum last saw.
 */
export interface BenchContext {
  options: BenchOptions;
  receiver: BenchReceiver;
  producer: PgBoss;
  workerEnv: NodeJS.ProcessEnv;
  statements: boolean;
  loadOrganizationId: string;
  fanoutOrganizationId: string;
}

/** A checkout whose worker/main.ts is measured; the first one is this project, others come from --compare. */
export interface EngineVariant {
  label: string;
  directory: string;
}

export interface Checks {
  // Problems found by the end-of-run checks; an empty list means every count matched.
  failures: string[];
  // Tables autovacuum or autoanalyze touched while the run was measured.
  maintained: string[];
  // Warnings and errors the measured process logged.
  logged: string[];
}

export interface StatementReport {
  callsPerDelivery: number;
  top: StatementLine[];
}

export interface DrainResult {
  deliveries: number;
  seconds: number;
  perSecond: number;
  publishSeconds: number;
  cpuMsPerDelivery: number | null;
  peakRssMiB: number | null;
  machineBusy: number | null;
  receiverCpuMsPerDelivery: number;
  // CPU of the database server processes serving the worker; null when the server is not on this machine.
  databaseCpuMsPerDelivery: number | null;
  statements: StatementReport | null;
  checks: Checks;
}

export interface PacedResult {
  deliveries: number;
  achievedPerSecond: number;
  fromCall: { p50: number; p99: number; max: number };
  fromReturn: { p50: number; p99: number };
  publisherLagP99Ms: number;
  cpuMsPerDelivery: number | null;
  peakRssMiB: number | null;
  checks: Checks;
}

export interface FanoutResult {
  // From the publishEvent call to the last of the webhooks' requests arriving, one per run.
  allReceivedMs: number[];
  publishMs: number[];
  allRecordedMs: number[];
  peakRssMiB: number | null;
  checks: Checks;
}

function cpuMsBetween(from: ProcessStats | null, to: ProcessStats | null): number | null {
  return from && to ? to.cpuMs - from.cpuMs : null;
}

function receiverCpuMs(receipts: { cpu: NodeJS.CpuUsage }): number {
  return (receipts.cpu.user + receipts.cpu.system) / 1000;
}

function busyFraction(from: ReturnType<typeof machineCpuTicks>, to: ReturnType<typeof machineCpuTicks>): number | null {
  if (!from || !to || to.total === from.total) return null;
  return (to.busy - from.busy) / (to.total - from.total);
}

function profileArguments(context: BenchContext, name: string): string[] {
  const directory = context.options.cpuProfileDirectory;
  // One directory per process: Node.js writes one profile per thread, and tsx runs its loader on a thread of its own.
  return directory ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(directory, name)}`] : [];
}

async function prepareRun(context: BenchContext): Promise<void> {
  await resetDeliveryState(context.producer);
  if (context.options.analyze === "before-seeding") await analyzeDatabase();
}

async function analyzeAfterSeeding(context: BenchContext): Promise<void> {
  if (context.options.analyze === "after-seeding") await analyzeDatabase();
}

/** Compares what the database and the receiver hold with what a run should have produced. */
async function checkDelivered(expected: number, receiptIds: readonly string[], unsigned: number): Promise<string[]> {
  const failures: string[] = [];
  const attempts = await attemptCount();
  if (attempts !== expected) failures.push(`${attempts} attempts recorded, expected ${expected}`);
  const statuses = await deliveryStatusCounts();
  if ((statuses.succeeded ?? 0) !== expected) failures.push(`deliveries by status ${JSON.stringify(statuses)}, expected ${expected} succeeded`);
  const distinct = new Set(receiptIds).size;
  if (distinct !== expected) failures.push(`the receiver got ${distinct} distinct deliveries, expected ${expected}`);
  if (receiptIds.length !== distinct) failures.push(`the receiver got ${receiptIds.length - distinct} duplicate requests`);
  if (unsigned > 0) failures.push(`${unsigned} requests carried no Wasviking-Signature header`);
  const jobs = await jobStateCounts(DELIVERY_QUEUE);
  const open = Object.entries(jobs).filter(([state]) => state !== "completed");
  if (open.length > 0) failures.push(`jobs left open: ${JSON.stringify(Object.fromEntries(open))}`);
  return failures;
}

async function statementReport(deliveries: number): Promise<StatementReport> {
  const lines = await readStatements();
  const calls = lines.reduce((sum, line) => sum + line.calls, 0);
  return { callsPerDelivery: calls / deliveries, top: lines.slice(0, 12) };
}

/** Drains a backlog of events x webhooks deliveries with the real worker, from its start to the last attempt recorded. */
export async function measureDrain(context: BenchContext, variant: EngineVariant, run: number): Promise<DrainResult> {
  const { options } = context;
  await prepareRun(context);
  const published = await publishBacklog({
    organizationId: context.loadOrganizationId,
    producer: context.producer,
    bodyBytes: options.payloadBytes,
    events: options.events,
    tag: `drain${run}`,
  });
  const expected = published.deliveries;
  await analyzeAfterSeeding(context);
  if (context.statements) await resetStatements();
  const maintenanceBefore = await maintenanceCounts();
  const timeoutMs = 60_000 + expected * 5;
  const received = context.receiver.waitFor(expected, timeoutMs);
  // Awaited below; this only keeps a timeout from surfacing as an unhandled rejection if the worker fails first.
  received.catch(() => undefined);
  const machineBefore = machineCpuTicks();
  const worker = await startEngineWorker(variant.directory, context.workerEnv, profileArguments(context, `worker-${variant.label}-drain-${run}`));
  let endedAt: number;
  let atEnd: ProcessStats | null;
  let machineAfter: ReturnType<typeof machineCpuTicks>;
  let databaseCpuMs: number | null;
  try {
    const backendsAtReady = await workerBackendCpu();
    await received;
    endedAt = await waitForAttempts(expected, timeoutMs);
    atEnd = worker.stats();
    machineAfter = machineCpuTicks();
    databaseCpuMs = backendCpuBetween(backendsAtReady, await workerBackendCpu());
  } finally {
    await worker.stop();
  }
  const statements = context.statements ? await statementReport(expected) : null;
  const maintained = maintainedTables(maintenanceBefore, await maintenanceCounts());
  const receipts = await context.receiver.collect();
  const seconds = (endedAt - worker.readyAt) / 1000;
  const cpuMs = cpuMsBetween(worker.atReady, atEnd);
  return {
    deliveries: expected,
    seconds,
    perSecond: expected / seconds,
    publishSeconds: published.seconds,
    cpuMsPerDelivery: cpuMs === null ? null : cpuMs / expected,
    peakRssMiB: atEnd?.peakRssMiB ?? null,
    machineBusy: busyFraction(machineBefore, machineAfter),
    receiverCpuMsPerDelivery: receiverCpuMs(receipts) / expected,
    databaseCpuMsPerDelivery: databaseCpuMs === null ? null : databaseCpuMs / expected,
    statements,
    checks: {
      failures: await checkDelivered(expected, receipts.deliveryIds, receipts.unsigned),
      maintained,
      logged: worker.child.problems,
    },
  };
}

function runBareLoop(context: BenchContext, config: BareLoopConfig, profileName: string) {
  const child = startNodeChild({
    script: "bench/bare-loop.ts",
    args: [JSON.stringify(config)],
    env: context.workerEnv,
    nodeArguments: profileArguments(context, profileName),
    ipc: true,
  });
  // Each report with the wall-clock time it arrived, which is what the benchmark times the loop by.
  const reports: Array<{ event: BareLoopEvent; at: number }> = [];
  const waiters: Array<() => void> = [];
  const wakeAll = () => waiters.splice(0).forEach((wake) => wake());
  child.process.on("message", (event: BareLoopEvent) => {
    reports.push({ event, at: wallClock() });
    wakeAll();
  });
  void child.exited.then(wakeAll);

  async function next<T extends BareLoopEvent["type"]>(type: T, timeoutMs: number): Promise<{ event: Extract<BareLoopEvent, { type: T }>; at: number }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const failed = reports.find((report) => report.event.type === "failed")?.event;
      if (failed?.type === "failed") throw new Error(`The bare loop failed: ${failed.message}`);
      const found = reports.find((report) => report.event.type === type);
      if (found) return found as { event: Extract<BareLoopEvent, { type: T }>; at: number };
      if (child.process.exitCode !== null) throw new Error(`The bare loop exited (${child.process.exitCode}): ${child.problems.join("\n")}`);
      if (Date.now() > deadline) throw new Error(`The bare loop sent no "${type}" within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
  return { child, next };
}

export interface BareResult {
  deliveries: number;
  perSecond: number;
  cpuMsPerDelivery: number;
  meanFetchSize: number;
  machineBusy: number | null;
  receiverCpuMsPerDelivery: number;
  databaseCpuMsPerDelivery: number | null;
  statements: StatementReport | null;
  checks: Checks;
}

/** Drains the same number of jobs through the bare loop (bench/bare-loop.ts): the practical limit. */
export async function measureBare(context: BenchContext, run: number, jobs: number): Promise<BareResult> {
  const { options } = context;
  await prepareRun(context);
  const webhooks = options.webhooks;
  for (let start = 0; start < jobs; start += 1000) {
    const count = Math.min(1000, jobs - start);
    await context.producer.insert(
      BARE_QUEUE,
      Array.from({ length: count }, (_unused, offset) => ({
        data: { deliveryId: `dlv_bare_${run}_${start + offset}` },
        group: { id: `group_${(start + offset) % webhooks}` },
      })),
    );
  }
  await analyzeAfterSeeding(context);
  if (context.statements) await resetStatements();
  const maintenanceBefore = await maintenanceCounts();
  const timeoutMs = 60_000 + jobs * 5;
  const received = context.receiver.waitFor(jobs, timeoutMs);
  received.catch(() => undefined);
  const machineBefore = machineCpuTicks();
  const loop = runBareLoop(
    context,
    {
      queue: BARE_QUEUE,
      jobs,
      inFlight: options.bareInFlight,
      batchSize: options.bareBatch,
      groupConcurrency: options.bareGroupConcurrency,
      url: context.receiver.url,
      bodyBytes: options.payloadBytes,
    },
    `bare-${run}`,
  );
  try {
    const ready = await loop.next("ready", 60_000);
    const backendsAtReady = await workerBackendCpu();
    const { event: done, at: doneAt } = await loop.next("done", timeoutMs);
    const machineAfter = machineCpuTicks();
    const databaseCpuMs = backendCpuBetween(backendsAtReady, await workerBackendCpu());
    loop.child.process.send({ type: "exit" } satisfies BareLoopCommand);
    await received;
    await loop.child.exited;
    const statements = context.statements ? await statementReport(jobs) : null;
    const receipts = await context.receiver.collect();
    const failures: string[] = [];
    if (done.completed !== jobs) failures.push(`${done.completed} jobs completed, expected ${jobs}`);
    if (done.failedRequests > 0) failures.push(`${done.failedRequests} requests got no 2xx answer`);
    if (receipts.deliveryIds.length !== jobs) failures.push(`the receiver got ${receipts.deliveryIds.length} requests, expected ${jobs}`);
    const seconds = (doneAt - ready.at) / 1000;
    return {
      deliveries: jobs,
      perSecond: jobs / seconds,
      cpuMsPerDelivery: done.cpuMs / jobs,
      meanFetchSize: done.meanFetchSize,
      machineBusy: busyFraction(machineBefore, machineAfter),
      receiverCpuMsPerDelivery: receiverCpuMs(receipts) / jobs,
      databaseCpuMsPerDelivery: databaseCpuMs === null ? null : databaseCpuMs / jobs,
      statements,
      checks: { failures, maintained: maintainedTables(maintenanceBefore, await maintenanceCounts()), logged: loop.child.problems },
    };
  } finally {
    await stopChild(loop.child, 5_000);
  }
}

/**
 * Publishes at a steady rate while the worker runs: a warm-up, then ANALYZE,
 * then the measured window. Latency runs from the publishEvent call (and,
 * second, from its return) to the receiver's clock at full receipt.
 */
export async function measurePaced(context: BenchContext, variant: EngineVariant, run: number): Promise<PacedResult> {
  const { options } = context;
  await prepareRun(context);
  const worker = await startEngineWorker(variant.directory, context.workerEnv, profileArguments(context, `worker-${variant.label}-paced-${run}`));
  let measureFrom: number | undefined;
  let cpuAtWindow: ProcessStats | null = null;
  let maintenanceBefore = new Map<string, number>();
  let atEnd: ProcessStats | null = null;
  let samples: PublishedSample[] = [];
  try {
    const startWindow = async () => {
      await analyzeAfterSeeding(context);
      maintenanceBefore = await maintenanceCounts();
      cpuAtWindow = worker.stats();
      measureFrom = wallClock();
    };
    const windowStarted = new Promise<void>((resolve, reject) => {
      setTimeout(() => startWindow().then(resolve, reject), options.warmupSeconds * 1000);
    });
    [samples] = await Promise.all([
      publishPaced({
        organizationId: context.loadOrganizationId,
        producer: context.producer,
        bodyBytes: options.payloadBytes,
        eventsPerSecond: options.rate / options.webhooks,
        tag: `paced${run}`,
        isMeasured: () => measureFrom !== undefined,
        shouldStop: () => measureFrom !== undefined && wallClock() - measureFrom >= options.pacedSeconds * 1000,
      }),
      windowStarted,
    ]);
    const published = samples.reduce((sum, sample) => sum + sample.deliveries, 0);
    await context.receiver.waitFor(published, 60_000);
    await waitForAttempts(published, 60_000);
    atEnd = worker.stats();
  } finally {
    await worker.stop();
  }
  const maintained = maintainedTables(maintenanceBefore, await maintenanceCounts());
  const receipts = await context.receiver.collect();
  const expected = samples.reduce((sum, sample) => sum + sample.deliveries, 0);
  const failures = await checkDelivered(expected, receipts.deliveryIds, receipts.unsigned);

  const firstReceipt = new Map<string, number>();
  receipts.deliveryIds.forEach((id, index) => {
    if (!firstReceipt.has(id)) firstReceipt.set(id, receipts.receivedAt[index]!);
  });
  const eventByDelivery = await eventsOfDeliveries([...firstReceipt.keys()]);
  const measuredEvents = new Map(samples.filter((sample) => sample.measured).map((sample) => [sample.eventId, sample]));
  const fromCall: number[] = [];
  const fromReturn: number[] = [];
  for (const [deliveryId, receivedAt] of firstReceipt) {
    const sample = measuredEvents.get(eventByDelivery.get(deliveryId) ?? "");
    if (!sample) continue;
    fromCall.push(receivedAt - sample.calledAt);
    fromReturn.push(receivedAt - sample.returnedAt);
  }
  const measuredDeliveries = [...measuredEvents.values()].reduce((sum, sample) => sum + sample.deliveries, 0);
  if (fromCall.length !== measuredDeliveries) failures.push(`${fromCall.length} of ${measuredDeliveries} measured deliveries were matched to their events`);
  if (fromCall.length === 0) throw new Error("No delivery of the measured window arrived: nothing to take percentiles of");
  const cpuMs = cpuMsBetween(cpuAtWindow, atEnd);
  const lags = samples.filter((sample) => sample.measured).map((sample) => sample.lagMs);
  return {
    deliveries: fromCall.length,
    achievedPerSecond: measuredDeliveries / options.pacedSeconds,
    fromCall: { p50: percentile(fromCall, 50), p99: percentile(fromCall, 99), max: Math.max(...fromCall) },
    fromReturn: { p50: percentile(fromReturn, 50), p99: percentile(fromReturn, 99) },
    publisherLagP99Ms: lags.length > 0 ? percentile(lags, 99) : 0,
    cpuMsPerDelivery: cpuMs === null ? null : cpuMs / measuredDeliveries,
    peakRssMiB: atEnd?.peakRssMiB ?? null,
    checks: { failures, maintained, logged: worker.child.problems },
  };
}

async function publishFanout(context: BenchContext, subject: string) {
  const arrived = context.receiver.waitFor(context.options.fanout, 60_000);
  const calledAt = wallClock();
  const published = await publishEvent(
    context.fanoutOrganizationId,
    { type: FANOUT_EVENT_TYPE, subject, data: eventData(subject, context.options.payloadBytes) },
    { producer: context.producer },
  );
  const returnedAt = wallClock();
  if (published.deliveryCount !== context.options.fanout) {
    throw new Error(`The fan-out event made ${published.deliveryCount} deliveries, expected ${context.options.fanout}`);
  }
  const lastArrival = await arrived;
  return { calledAt, returnedAt, lastArrival };
}

/** Publishes one event to --fanout webhooks, once to warm up and then once per run, with one worker throughout. */
export async function measureFanout(context: BenchContext, variant: EngineVariant): Promise<FanoutResult> {
  const { options } = context;
  await prepareRun(context);
  const worker = await startEngineWorker(variant.directory, context.workerEnv, profileArguments(context, `worker-${variant.label}-fanout`));
  const result: FanoutResult = { allReceivedMs: [], publishMs: [], allRecordedMs: [], peakRssMiB: null, checks: { failures: [], maintained: [], logged: [] } };
  try {
    await publishFanout(context, "ast_warmup");
    await waitForAttempts(options.fanout, 60_000);
    const warmup = await context.receiver.collect();
    result.checks.failures.push(...(await checkDelivered(options.fanout, warmup.deliveryIds, warmup.unsigned)));
    await analyzeAfterSeeding(context);
    const maintenanceBefore = await maintenanceCounts();
    for (let run = 1; run <= options.runs; run++) {
      const timing = await publishFanout(context, `ast_${run}`);
      const recordedAt = await waitForAttempts(options.fanout * (run + 1), 60_000);
      result.allReceivedMs.push(timing.lastArrival - timing.calledAt);
      result.publishMs.push(timing.returnedAt - timing.calledAt);
      result.allRecordedMs.push(recordedAt - timing.calledAt);
      const receipts = await context.receiver.collect();
      if (new Set(receipts.deliveryIds).size !== options.fanout) {
        result.checks.failures.push(`fan-out run ${run}: ${new Set(receipts.deliveryIds).size} distinct deliveries arrived, expected ${options.fanout}`);
      }
    }
    result.peakRssMiB = worker.stats()?.peakRssMiB ?? null;
    result.checks.maintained = maintainedTables(maintenanceBefore, await maintenanceCounts());
  } finally {
    await worker.stop();
  }
  const attempts = await attemptCount();
  if (attempts !== options.fanout * (options.runs + 1)) result.checks.failures.push(`${attempts} attempts recorded, expected ${options.fanout * (options.runs + 1)}`);
  result.checks.logged = worker.child.problems;
  return result;
}
