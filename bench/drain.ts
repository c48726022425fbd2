import { explainFetches, type FetchPlan } from "./explain";
import { backendCpuBetween, maintainedTables, maintenanceCounts, resetStatements, waitForAttempts, workerBackendCpu } from "./database-probes";
import { publishBacklog } from "./load";
import { machineCpuTicks, type ProcessStats, PROJECT_DIRECTORY } from "./processes";
import {
  analyzeAfterSeeding,
  type BenchContext,
  busyFraction,
  checkDelivered,
  type Checks,
  cpuMsBetween,
  ENGINE_FETCH_BATCH_SIZE,
  type EngineVariant,
  prepareRun,
  profileArguments,
  receiverCpuMs,
  statementReport,
  type StatementReport,
} from "./run-context";
import { startEngineWorker } from "./worker-process";

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
  fetchPlans: FetchPlan[] | null;
  checks: Checks;
}

interface DrainTiming {
  endedAt: number;
  atEnd: ProcessStats | null;
  machineAfter: ReturnType<typeof machineCpuTicks>;
  databaseCpuMs: number | null;
}

/** Waits until every delivery of the backlog was received and recorded, then reads the CPU figures before the worker stops. */
async function awaitDrained(received: Promise<number>, expected: number, timeoutMs: number): Promise<Omit<DrainTiming, "atEnd">> {
  const backendsAtReady = await workerBackendCpu();
  await received;
  const endedAt = await waitForAttempts(expected, timeoutMs);
  const machineAfter = machineCpuTicks();
  return { endedAt, machineAfter, databaseCpuMs: backendCpuBetween(backendsAtReady, await workerBackendCpu()) };
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

  const explain = options.explain && run === 1 && variant.directory === PROJECT_DIRECTORY;
  const perWebhookConcurrency = Number(context.workerEnv.WORKER_PER_WEBHOOK_CONCURRENCY ?? 16);
  const fetchPlans = explain ? await explainFetches(ENGINE_FETCH_BATCH_SIZE, perWebhookConcurrency) : null;
  if (context.statements) await resetStatements();
  const maintenanceBefore = await maintenanceCounts();

  const timeoutMs = 60_000 + expected * 5;
  const received = context.receiver.waitFor(expected, timeoutMs);
  // Awaited below; this only keeps a timeout from surfacing as an unhandled rejection if the worker fails first.
  received.catch(() => undefined);
  const machineBefore = machineCpuTicks();
  const worker = await startEngineWorker(variant.directory, context.workerEnv, profileArguments(context, `worker-${variant.label}-drain-${run}`));
  let timing: DrainTiming;
  try {
    const drained = await awaitDrained(received, expected, timeoutMs);
    timing = { ...drained, atEnd: worker.stats() };
  } finally {
    await worker.stop();
  }

  const statements = context.statements ? await statementReport(expected) : null;
  const maintained = maintainedTables(maintenanceBefore, await maintenanceCounts());
  const receipts = await context.receiver.collect();
  const seconds = (timing.endedAt - worker.readyAt) / 1000;
  const cpuMs = cpuMsBetween(worker.atReady, timing.atEnd);
  return {
    deliveries: expected,
    seconds,
    perSecond: expected / seconds,
    publishSeconds: published.seconds,
    cpuMsPerDelivery: cpuMs === null ? null : cpuMs / expected,
    peakRssMiB: timing.atEnd?.peakRssMiB ?? null,
    machineBusy: busyFraction(machineBefore, timing.machineAfter),
    receiverCpuMsPerDelivery: receiverCpuMs(receipts) / expected,
    databaseCpuMsPerDelivery: timing.databaseCpuMs === null ? null : timing.databaseCpuMs / expected,
    statements,
    fetchPlans,
    checks: {
      failures: await checkDelivered(expected, receipts.deliveryIds, receipts.unsigned),
      maintained,
      logged: worker.child.problems,
    },
  };
}
