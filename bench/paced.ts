import { eventsOfDeliveries, maintainedTables, maintenanceCounts, waitForAttempts } from "./database-probes";
import { publishPaced, type PublishedSample, wallClock } from "./load";
import type { ProcessStats } from "./processes";
import {
  analyzeAfterSeeding,
  type BenchContext,
  checkDelivered,
  type Checks,
  cpuMsBetween,
  type EngineVariant,
  prepareRun,
  profileArguments,
} from "./run-context";
import { firstReceipts, measuredLatencies } from "./latency";
import { percentile } from "./statistics";
import { startEngineWorker } from "./worker-process";

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
    const timeoutMs = 60_000 + published * 5;
    await context.receiver.waitFor(published, timeoutMs);
    await waitForAttempts(published, timeoutMs);
    atEnd = worker.stats();
  } finally {
    await worker.stop();
  }

  const maintained = maintainedTables(maintenanceBefore, await maintenanceCounts());
  const receipts = await context.receiver.collect();
  const expected = samples.reduce((sum, sample) => sum + sample.deliveries, 0);
  const failures = await checkDelivered(expected, receipts.deliveryIds, receipts.unsigned);

  const receiptTimes = firstReceipts(receipts.deliveryIds, receipts.receivedAt);
  const eventByDelivery = await eventsOfDeliveries([...receiptTimes.keys()]);
  const { fromCall, fromReturn, measuredDeliveries } = measuredLatencies(receiptTimes, eventByDelivery, samples);
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

