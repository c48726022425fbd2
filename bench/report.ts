import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { type CpuProfile, summariseProfile } from "./cpu-profile";
import type { FetchPlan } from "./explain";
import type { BenchDatabase } from "./database";
import { machineInfo } from "./machine";
import type { BenchOptions } from "./options";
import type { BareResult } from "./bare";
import type { DrainResult } from "./drain";
import type { FanoutResult } from "./fanout";
import type { PacedResult } from "./paced";
import type { Checks, EngineVariant, StatementReport } from "./run-context";
import { machineCpuTicks, PROJECT_DIRECTORY } from "./processes";
import { describeSpread, fixed, median } from "./statistics";

/** Prints one line of the benchmark's report: the machine, one line per run, then the medians. */
export function say(message: string): void {
  process.stdout.write(`[bench] ${message}\n`);
}

export interface VariantResults {
  variant: EngineVariant;
  drain: DrainResult[];
  paced: PacedResult[];
  fanout: FanoutResult | null;
}

export interface Results {
  variants: VariantResults[];
  bare: BareResult[];
}

/** Prints the hardware, versions and settings, and samples for one second how busy other work keeps the CPU. */
export async function printMachine(database: BenchDatabase, options: BenchOptions, variants: readonly EngineVariant[]): Promise<void> {
  const machine = machineInfo();
  const before = machineCpuTicks();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const after = machineCpuTicks();
  const busy = before && after && after.total > before.total ? `${(((after.busy - before.busy) / (after.total - before.total)) * 100).toFixed(0)} %` : "unknown";
  say(`machine: ${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGiB.toFixed(1)} GiB RAM, ${machine.kernel}`);
  say(`software: Node.js ${machine.node}, PostgreSQL ${database.serverVersion} (${database.embedded ? "embedded" : "DATABASE_URL's server"}), pg-boss ${machine.pgBoss}`);
  say(`load before the benchmark: load average ${machine.loadAverage.map((value) => value.toFixed(2)).join(" ")}, CPU busy ${busy} over 1 s (other work on this machine)`);
  say(
    `settings: ${options.runs} runs; drain ${options.events} events x ${options.webhooks} webhooks; paced ${options.rate}/s for ${options.pacedSeconds} s after ${options.warmupSeconds} s warm-up; fan-out to ${options.fanout}; ~${options.payloadBytes} B bodies; analyze ${options.analyze}`,
  );
  say(
    `worker: WORKER_MAX_IN_FLIGHT=${process.env.WORKER_MAX_IN_FLIGHT ?? "256 (default)"} WORKER_PER_WEBHOOK_CONCURRENCY=${process.env.WORKER_PER_WEBHOOK_CONCURRENCY ?? "16 (default)"} WORKER_PER_WEBHOOK_LIMIT_SCOPE=${process.env.WORKER_PER_WEBHOOK_LIMIT_SCOPE ?? "worker (default)"} DATABASE_POOL_SIZE=${process.env.DATABASE_POOL_SIZE ?? "10 (default)"}; bare loop: ${options.bareInFlight} in flight, batches of ${options.bareBatch}${options.bareGroupConcurrency !== null ? `, group concurrency ${options.bareGroupConcurrency}` : ""}`,
  );
  if (variants.length > 1) say(`engines compared: ${variants.map((variant) => `${variant.label} (${variant.directory})`).join(", ")}`);
}

function describeChecks(label: string, checks: Checks): void {
  for (const failure of checks.failures) say(`  CHECK FAILED (${label}): ${failure}`);
  if (checks.maintained.length > 0) say(`  note (${label}): autovacuum or autoanalyze ran during the measurement on ${checks.maintained.join(", ")}`);
  if (checks.logged.length > 0) say(`  note (${label}): the process logged ${checks.logged.length} warning(s) or error(s), first: ${checks.logged[0]!.slice(0, 300)}`);
}

function milliseconds(value: number | null, digits = 3): string {
  return `${fixed(value ?? NaN, digits)} ms`;
}

function printFetchPlans(plans: readonly FetchPlan[] | null): void {
  if (!plans) return;
  for (const plan of plans) {
    say(`EXPLAIN ANALYZE, ${plan.label}: ${plan.executionMs.toFixed(2)} ms`);
    for (const line of plan.lines) say(`    ${line}`);
  }
}

export function printDrainRun(label: string, run: number, result: DrainResult): void {
  printFetchPlans(result.fetchPlans);
  say(
    `${label} drain run ${run}: ${result.deliveries} deliveries in ${result.seconds.toFixed(2)} s = ${result.perSecond.toFixed(0)}/s (published in ${result.publishSeconds.toFixed(1)} s); CPU per delivery: worker ${milliseconds(result.cpuMsPerDelivery)}, database ${milliseconds(result.databaseCpuMsPerDelivery)}, receiver ${milliseconds(result.receiverCpuMsPerDelivery)}; machine CPU busy ${fixed((result.machineBusy ?? NaN) * 100, 0)} %; peak RSS ${fixed(result.peakRssMiB ?? NaN, 0)} MiB`,
  );
  describeChecks(`${label} drain run ${run}`, result.checks);
}

export function printBareRun(run: number, result: BareResult): void {
  say(
    `bare run ${run}: ${result.deliveries} deliveries = ${result.perSecond.toFixed(0)}/s, mean fetch ${result.meanFetchSize.toFixed(0)} jobs; CPU per delivery: loop ${milliseconds(result.cpuMsPerDelivery)}, database ${milliseconds(result.databaseCpuMsPerDelivery)}, receiver ${milliseconds(result.receiverCpuMsPerDelivery)}; machine CPU busy ${fixed((result.machineBusy ?? NaN) * 100, 0)} %`,
  );
  describeChecks(`bare run ${run}`, result.checks);
}

export function printPacedRun(label: string, run: number, result: PacedResult): void {
  say(
    `${label} paced run ${run}: ${result.deliveries} deliveries at ${result.achievedPerSecond.toFixed(0)}/s; from the publishEvent call p50 ${result.fromCall.p50.toFixed(1)} ms, p99 ${result.fromCall.p99.toFixed(1)} ms, max ${result.fromCall.max.toFixed(0)} ms; from its return p50 ${result.fromReturn.p50.toFixed(1)} ms, p99 ${result.fromReturn.p99.toFixed(1)} ms; publisher lag p99 ${result.publisherLagP99Ms.toFixed(1)} ms; worker CPU ${milliseconds(result.cpuMsPerDelivery)}/delivery; peak RSS ${fixed(result.peakRssMiB ?? NaN, 0)} MiB`,
  );
  describeChecks(`${label} paced run ${run}`, result.checks);
}

export function printFanout(label: string, fanout: number, result: FanoutResult): void {
  result.allReceivedMs.forEach((received, index) =>
    say(
      `${label} fan-out run ${index + 1}: ${fanout} webhooks all received ${received.toFixed(0)} ms after the publishEvent call (publish took ${result.publishMs[index]!.toFixed(0)} ms, all recorded after ${result.allRecordedMs[index]!.toFixed(0)} ms)`,
    ),
  );
  describeChecks(`${label} fan-out`, result.checks);
}

function printStatements(label: string, report: StatementReport | null): void {
  if (!report) return;
  const batches =
    report.recordingBatches > 0
      ? `, ${report.recordingBatches} recording transactions, ${report.callsPerRecordingBatch.toFixed(1)} statements of the whole run per recording transaction`
      : "";
  say(`${label}: ${report.callsPerDelivery.toFixed(3)} statements per delivery (pg_stat_statements)${batches}; largest total time:`);
  for (const line of report.top) {
    const text = line.query.replace(/\s+/g, " ").slice(0, 110);
    const writeVolume = `${(line.walBytes / 1024 / 1024).toFixed(1).padStart(6)} MiB WAL ${String(line.walFullPages).padStart(6)} full pages ${String(line.blocksDirtied).padStart(6)} pages dirtied`;
    say(`  ${String(line.calls).padStart(7)} calls ${line.totalMs.toFixed(0).padStart(7)} ms total ${line.meanMs.toFixed(3).padStart(8)} ms mean ${line.planMs.toFixed(0).padStart(5)} ms planning ${writeVolume}  ${text}`);
  }
}

/** Prints, for each process profiled in this run, the summary of its busiest thread (the main one). */
export function printProfiles(directory: string | null, startedAt: number): void {
  if (!directory) return;
  const processes = readdirSync(directory, { withFileTypes: true }).filter((entry) => entry.isDirectory());
  for (const entry of processes.sort((a, b) => a.name.localeCompare(b.name))) {
    const folder = path.join(directory, entry.name);
    const summaries = readdirSync(folder)
      .filter((name) => name.endsWith(".cpuprofile") && statSync(path.join(folder, name)).mtimeMs >= startedAt)
      .map((name) => summariseProfile(JSON.parse(readFileSync(path.join(folder, name), "utf8")) as CpuProfile, PROJECT_DIRECTORY, 15));
    const main = summaries.sort((a, b) => b.busyMs - a.busyMs)[0];
    if (!main) continue;
    say(`CPU profile of ${entry.name} (${folder}): ${(main.busyMs / 1000).toFixed(2)} s busy, ${(main.idleMs / 1000).toFixed(2)} s idle`);
    say(`  by area: ${main.areas.map((area) => `${area.name} ${(area.share * 100).toFixed(1)} %`).join(", ")}`);
    for (const line of main.functions) say(`  ${(line.share * 100).toFixed(1).padStart(5)} %  ${line.name}`);
  }
}

function totalCpu(result: DrainResult | BareResult): number {
  return (result.cpuMsPerDelivery ?? NaN) + (result.databaseCpuMsPerDelivery ?? NaN) + result.receiverCpuMsPerDelivery;
}

interface KeyFigures {
  deliveriesPerSecond: number;
  p50: number;
  p99: number;
}

function printVariant(options: BenchOptions, results: VariantResults, bare: readonly BareResult[]): KeyFigures {
  const label = results.variant.label;
  const rates = results.drain.map((result) => result.perSecond);
  if (rates.length > 0) {
    say(`  ${label} drain: ${describeSpread(rates, 0, "/s")}`);
    say(`  ${label} CPU per delivery, worker + database + receiver: ${describeSpread(results.drain.map(totalCpu), 3, " ms")}`);
  }
  if (rates.length > 0 && rates.length === bare.length) {
    say(`  ${label}/bare of each run pair: ${rates.map((rate, index) => (rate / bare[index]!.perSecond).toFixed(3)).join(", ")}`);
  }
  if (results.paced.length > 0) {
    say(`  ${label} paced p50 from call: ${describeSpread(results.paced.map((result) => result.fromCall.p50), 1, " ms")}`);
    say(`  ${label} paced p99 from call: ${describeSpread(results.paced.map((result) => result.fromCall.p99), 1, " ms")}`);
    say(`  ${label} paced p99 from return: ${describeSpread(results.paced.map((result) => result.fromReturn.p99), 1, " ms")}`);
  }
  if (results.fanout) say(`  ${label} fan-out to ${options.fanout}, all received: ${describeSpread(results.fanout.allReceivedMs, 0, " ms")}`);
  const peaks = [...results.drain, ...results.paced, ...(results.fanout ? [results.fanout] : [])].flatMap((result) =>
    result.peakRssMiB === null ? [] : [result.peakRssMiB],
  );
  if (peaks.length > 0) say(`  ${label} worker peak RSS: max ${Math.max(...peaks).toFixed(0)} MiB over ${peaks.length} worker processes`);
  if (results.fanout || peaks.length > 0) {
    say(
      `${label}: fanout_ms=${results.fanout ? fixed(median(results.fanout.allReceivedMs), 0) : "nan"} peak_rss_mib=${peaks.length > 0 ? Math.max(...peaks).toFixed(0) : "nan"}`,
    );
  }
  return {
    deliveriesPerSecond: rates.length > 0 ? median(rates) : NaN,
    p50: results.paced.length > 0 ? median(results.paced.map((result) => result.fromCall.p50)) : NaN,
    p99: results.paced.length > 0 ? median(results.paced.map((result) => result.fromCall.p99)) : NaN,
  };
}

function summaryLine(figures: KeyFigures, bare: number): string {
  return `deliveries_per_s=${fixed(figures.deliveriesPerSecond, 0)} p50_ms=${fixed(figures.p50, 1)} p99_ms=${fixed(figures.p99, 1)} bare_deliveries_per_s=${fixed(bare, 0)} ratio=${fixed(figures.deliveriesPerSecond / bare, 3)}`;
}

/**
 * Prints the medians and ends with the summary line of this project's engine,
 * preceded by one for each compared engine. Returns false when an
 * end-of-run check failed.
 */
export function printSummary(options: BenchOptions, results: Results, statements: boolean): boolean {
  say(`results (median of ${options.runs} runs; ± is half the min-max range relative to the median):`);
  const bareRates = results.bare.map((result) => result.perSecond);
  if (bareRates.length > 0) {
    say(`  bare loop: ${describeSpread(bareRates, 0, "/s")}`);
    say(`  bare CPU per delivery, loop + database + receiver: ${describeSpread(results.bare.map(totalCpu), 3, " ms")}`);
  }
  const bare = bareRates.length > 0 ? median(bareRates) : NaN;
  const figures = results.variants.map((variant) => printVariant(options, variant, results.bare));
  if (statements) {
    for (const variant of results.variants) printStatements(`${variant.variant.label} drain, last run`, variant.drain.at(-1)?.statements ?? null);
    printStatements("bare loop, last run", results.bare.at(-1)?.statements ?? null);
  }

  const all = [...results.bare, ...results.variants.flatMap((variant) => [...variant.drain, ...variant.paced, ...(variant.fanout ? [variant.fanout] : [])])];
  const failed = all.some((result) => result.checks.failures.length > 0);
  if (failed) say("some end-of-run checks failed (see CHECK FAILED above): the figures of those runs are not trustworthy");

  results.variants.slice(1).forEach((variant, index) => say(`${variant.variant.label}: ${summaryLine(figures[index + 1]!, bare)}`));
  process.stdout.write(`${summaryLine(figures[0]!, bare)}\n`);
  return !failed;
}
