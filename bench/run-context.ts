import path from "node:path";
import type { PgBoss } from "pg-boss";
import { DELIVERY_QUEUE } from "../lib/dispatch/queue";
import {
  analyzeDatabase,
  attemptCount,
  deliveryStatusCounts,
  jobStateCounts,
  readStatements,
  resetDeliveryState,
  type StatementLine,
} from "./database-probes";
import type { BenchOptions } from "./options";
import type { machineCpuTicks, ProcessStats } from "./processes";
import type { BenchReceiver } from "./receiver-process";

/**
 * Settings and handles every measurement shares. Each run starts from emptied
 * tables and runs ANALYZE at the point --analyze names, so the planner's view
 * of the job table is the same from run to run instead of whatever autovacuum
 * last saw.
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
  // Transactions that recorded attempts (calls of the attempts INSERT), and all statements per such batch.
  recordingBatches: number;
  callsPerRecordingBatch: number;
  top: StatementLine[];
}

// The engine's default fetch batch (lib/dispatch/engine.ts); no setting changes it.
export const ENGINE_FETCH_BATCH_SIZE = 100;

/** Returns the CPU time a process used between two readings, in ms, or null if either reading is missing. */
export function cpuMsBetween(from: ProcessStats | null, to: ProcessStats | null): number | null {
  return from && to ? to.cpuMs - from.cpuMs : null;
}

/** Returns the CPU time the receiver used since its previous collect, in ms. */
export function receiverCpuMs(receipts: { cpu: NodeJS.CpuUsage }): number {
  return (receipts.cpu.user + receipts.cpu.system) / 1000;
}

/** Returns the busy fraction (0 to 1) of the machine's CPU time between two readings, or null without /proc. */
export function busyFraction(from: ReturnType<typeof machineCpuTicks>, to: ReturnType<typeof machineCpuTicks>): number | null {
  if (!from || !to || to.total === from.total) return null;
  return (to.busy - from.busy) / (to.total - from.total);
}

/** Returns the Node.js flags that write CPU profiles of one process, or none without --cpu-prof. */
export function profileArguments(context: BenchContext, name: string): string[] {
  const directory = context.options.cpuProfileDirectory;
  // One directory per process: Node.js writes one profile per thread, and tsx runs its loader on a thread of its own.
  return directory ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(directory, name)}`] : [];
}

/** Empties what runs write to and, with --analyze before-seeding, analyses the emptied tables. */
export async function prepareRun(context: BenchContext): Promise<void> {
  await resetDeliveryState(context.producer);
  if (context.options.analyze === "before-seeding") await analyzeDatabase();
}

/** Runs ANALYZE unless --analyze names another point or off. */
export async function analyzeAfterSeeding(context: BenchContext): Promise<void> {
  if (context.options.analyze === "after-seeding") await analyzeDatabase();
}

/** Compares what the database and the receiver hold with what a run should have produced. */
export async function checkDelivered(expected: number, receiptIds: readonly string[], unsigned: number): Promise<string[]> {
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

/** Reads the statements of a run from pg_stat_statements, per delivery and per recording transaction. */
export async function statementReport(deliveries: number): Promise<StatementReport> {
  const lines = await readStatements();
  const calls = lines.reduce((sum, line) => sum + line.calls, 0);
  const recordingBatches = lines.find((line) => /^\s*INSERT INTO attempts/i.test(line.query))?.calls ?? 0;
  return {
    callsPerDelivery: calls / deliveries,
    recordingBatches,
    callsPerRecordingBatch: recordingBatches > 0 ? calls / recordingBatches : 0,
    top: lines.slice(0, 12),
  };
}

