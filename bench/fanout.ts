import { publishEvent } from "../lib/events/publish";
import { attemptCount, maintainedTables, maintenanceCounts, waitForAttempts } from "./database-probes";
import { eventData, FANOUT_EVENT_TYPE, wallClock } from "./load";
import { analyzeAfterSeeding, type BenchContext, checkDelivered, type Checks, type EngineVariant, prepareRun, profileArguments } from "./run-context";
import { startEngineWorker } from "./worker-process";

export interface FanoutResult {
  // From the publishEvent call to the last of the webhooks' requests arriving, one per run.
  allReceivedMs: number[];
  publishMs: number[];
  allRecordedMs: number[];
  peakRssMiB: number | null;
  checks: Checks;
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
