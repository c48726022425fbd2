import type { PgBoss } from "pg-boss";
import { pool } from "../lib/db";
import { DELIVERY_QUEUE } from "../lib/dispatch/queue";
import { processName, processStats } from "./processes";

/**
 * The benchmark's own queries on its database: resetting between runs,
 * ANALYZE, counting what was recorded, and reading autovacuum and
 * pg_stat_statements figures. Each ends with the comment bench so it can be
 * left out of the statement counts: PostgreSQL keeps a trailing comment in
 * the statement text it records, but drops a leading one.
 */
export const BARE_QUEUE = "bench-bare";

/** Empties every table a run writes to, so each run starts from the same state. */
export async function resetDeliveryState(producer: PgBoss): Promise<void> {
  await pool().query("TRUNCATE attempts, delivery_counts, deliveries, ordering_chains, events, webhook_usage /* bench */");
  // Each run starts with every webhook's full burst of the smoothing, as after a long idle time. Otherwise a run
  // that follows another within seconds finds the burst used and is paced at WVK_WEBHOOK_RATE_PER_SECOND.
  await pool().query("UPDATE webhook_budgets SET next_slot_at = now(), capped_until = NULL /* bench */");
  await producer.deleteAllJobs(DELIVERY_QUEUE);
  await producer.deleteAllJobs(BARE_QUEUE);
  // VACUUM also sets the planner's row estimate of the job table to its now empty state.
  await pool().query("VACUUM pgboss.job_common /* bench */");
}

/** Refreshes the planner statistics of the whole benchmark database. */
export async function analyzeDatabase(): Promise<void> {
  await pool().query("ANALYZE /* bench */");
}

/** Returns the number of attempt rows. */
export async function attemptCount(): Promise<number> {
  const result = await pool().query<{ count: number }>("SELECT count(*)::int AS count FROM attempts /* bench */");
  return result.rows[0]!.count;
}

/** Polls until at least `expected` attempts are recorded; returns the wall-clock time it saw them, or throws after `timeoutMs`. */
export async function waitForAttempts(expected: number, timeoutMs: number, pollMs = 20): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const count = await attemptCount();
    if (count >= expected) return performance.timeOrigin + performance.now();
    if (Date.now() > deadline) throw new Error(`Only ${count} of ${expected} attempts were recorded within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** Counts deliveries per status. */
export async function deliveryStatusCounts(): Promise<Record<string, number>> {
  const result = await pool().query<{ status: string; count: number }>(
    "SELECT status::text AS status, count(*)::int AS count FROM deliveries GROUP BY status /* bench */",
  );
  return Object.fromEntries(result.rows.map((row) => [row.status, row.count]));
}

/** Counts the jobs of a queue per state. */
export async function jobStateCounts(queue: string): Promise<Record<string, number>> {
  const result = await pool().query<{ state: string; count: number }>(
    "SELECT state::text AS state, count(*)::int AS count FROM pgboss.job WHERE name = $1 GROUP BY state /* bench */",
    [queue],
  );
  return Object.fromEntries(result.rows.map((row) => [row.state, row.count]));
}

/** Maps delivery ids to their event ids. */
export async function eventsOfDeliveries(deliveryIds: readonly string[]): Promise<Map<string, string>> {
  const result = await pool().query<{ id: string; event_id: string }>("SELECT id, event_id FROM deliveries WHERE id = ANY($1) /* bench */", [
    deliveryIds,
  ]);
  return new Map(result.rows.map((row) => [row.id, row.event_id]));
}

/** Autovacuum and autoanalyze runs so far per table, to tell whether they happened during a measurement. */
export async function maintenanceCounts(): Promise<Map<string, number>> {
  const result = await pool().query<{ name: string; runs: number }>(
    `SELECT schemaname || '.' || relname AS name, (autovacuum_count + autoanalyze_count)::int AS runs
     FROM pg_stat_user_tables WHERE schemaname IN ('public', 'pgboss') /* bench */`,
  );
  return new Map(result.rows.map((row) => [row.name, row.runs]));
}

/** Names the tables whose autovacuum or autoanalyze count grew between two snapshots. */
export function maintainedTables(before: Map<string, number>, after: Map<string, number>): string[] {
  return [...after.entries()].filter(([name, runs]) => runs > (before.get(name) ?? 0)).map(([name]) => name);
}

export interface StatementLine {
  query: string;
  calls: number;
  totalMs: number;
  meanMs: number;
  // Time spent planning the statement, summed over its calls (pg_stat_statements.track_planning).
  planMs: number;
  // WAL written and shared buffers dirtied by the statement, summed over its calls.
  walBytes: number;
  walFullPages: number;
  blocksDirtied: number;
}

/** Forgets the statement statistics collected so far. */
export async function resetStatements(): Promise<void> {
  await pool().query("SELECT pg_stat_statements_reset() /* bench */");
}

/** Reads the statements of the benchmark database since the last reset, largest total time first, without the benchmark's own. */
export async function readStatements(): Promise<StatementLine[]> {
  const result = await pool().query<{ query: string; calls: string; total: number; mean: number; plan: number; wal: string; fpi: string; dirtied: string }>(
    `SELECT query, calls, total_exec_time AS total, mean_exec_time AS mean, total_plan_time AS plan, wal_bytes AS wal, wal_fpi AS fpi,
            shared_blks_dirtied AS dirtied
     FROM pg_stat_statements
     WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND query NOT LIKE '%/* bench */%'
     ORDER BY total_exec_time DESC /* bench */`,
  );
  return result.rows.map((row) => ({
    query: row.query,
    calls: Number(row.calls),
    totalMs: row.total,
    meanMs: row.mean,
    planMs: row.plan,
    walBytes: Number(row.wal),
    walFullPages: Number(row.fpi),
    blocksDirtied: Number(row.dirtied),
  }));
}

/**
 * CPU time so far of each server process serving the benchmark database for
 * the worker or the bare loop (application names wasviking-worker*), in ms by
 * pid. Empty when the server runs elsewhere or /proc is unreadable.
 */
export async function workerBackendCpu(): Promise<Map<number, number>> {
  const result = await pool().query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'wasviking-worker%' /* bench */`,
  );
  const cpu = new Map<number, number>();
  for (const row of result.rows) {
    // The pid is only meaningful when the server runs on this machine: check it names a PostgreSQL process here.
    if (processName(row.pid) !== "postgres") continue;
    const stats = processStats(row.pid);
    if (stats) cpu.set(row.pid, stats.cpuMs);
  }
  return cpu;
}

/** Adds up the CPU time backends used between two snapshots; a backend absent from the first counts from zero. */
export function backendCpuBetween(before: Map<number, number>, after: Map<number, number>): number | null {
  if (after.size === 0) return null;
  let total = 0;
  for (const [pid, cpuMs] of after) total += cpuMs - (before.get(pid) ?? 0);
  return total;
}
