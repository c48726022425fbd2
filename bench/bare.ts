import type { BareLoopCommand, BareLoopConfig, BareLoopEvent } from "./bare-loop-protocol";
import { backendCpuBetween, BARE_QUEUE, maintainedTables, maintenanceCounts, resetStatements, workerBackendCpu } from "./database-probes";
import { wallClock } from "./load";
import { machineCpuTicks, startNodeChild, stopChild } from "./processes";
import {
  analyzeAfterSeeding,
  type BenchContext,
  busyFraction,
  type Checks,
  prepareRun,
  profileArguments,
  receiverCpuMs,
  statementReport,
  type StatementReport,
} from "./run-context";

/** Starts the bare loop process and returns a way to wait for each of its reports. */
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

/** Queues `jobs` jobs on the bare loop's queue, spread over as many groups as there are load webhooks. */
async function queueBareJobs(context: BenchContext, run: number, jobs: number): Promise<void> {
  const webhooks = context.options.webhooks;
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
}

/** Drains the same number of jobs through the bare loop (bench/bare-loop.ts): the practical limit. */
export async function measureBare(context: BenchContext, run: number, jobs: number): Promise<BareResult> {
  const { options } = context;
  await prepareRun(context);
  await queueBareJobs(context, run, jobs);
  await analyzeAfterSeeding(context);
  if (context.statements) await resetStatements();
  const maintenanceBefore = await maintenanceCounts();

  const timeoutMs = 60_000 + jobs * 5;
  const received = context.receiver.waitFor(jobs, timeoutMs);
  // Awaited below; this only keeps a timeout from surfacing as an unhandled rejection if the loop fails first.
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
    // Read while the loop still holds its connections, which it closes on the exit command.
    const databaseCpuMs = backendCpuBetween(backendsAtReady, await workerBackendCpu());
    loop.child.process.send({ type: "exit" } satisfies BareLoopCommand);
    await received;
    await loop.child.exited;

    const statements = context.statements ? await statementReport(jobs) : null;
    const receipts = await context.receiver.collect();
    const failures: string[] = [];
    if (done.completed !== jobs) failures.push(`${done.completed} jobs completed, expected ${jobs}`);
    if (done.failedRequests > 0) failures.push(`${done.failedRequests} requests got no 2xx response`);
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
