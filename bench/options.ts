import { parseArgs } from "node:util";

/**
 * Command-line options of `npm run bench`. Parsing is pure so it can be unit
 * tested; bench/delivery.ts turns a parse error into a message and exit code 2.
 */
export const PHASES = ["drain", "bare", "paced", "fanout"] as const;
export type Phase = (typeof PHASES)[number];

// When the benchmark runs ANALYZE: after each backlog or warm-up is in place (the controlled default),
// right after each reset while the tables are empty (reproduces stale planner statistics), or never.
export const ANALYZE_MODES = ["after-seeding", "before-seeding", "off"] as const;
export type AnalyzeMode = (typeof ANALYZE_MODES)[number];

export interface BenchOptions {
  phases: Phase[];
  runs: number;
  events: number;
  webhooks: number;
  rate: number;
  pacedSeconds: number;
  warmupSeconds: number;
  fanout: number;
  payloadBytes: number;
  bareInFlight: number;
  bareBatch: number;
  bareGroupConcurrency: number | null;
  embedded: boolean;
  statements: boolean;
  explain: boolean;
  analyze: AnalyzeMode;
  cpuProfileDirectory: string | null;
  compare: string[];
  keepDatabase: boolean;
  help: boolean;
}

interface IntegerOption {
  flag: string;
  key: keyof BenchOptions;
  fallback: number;
  min: number;
  max: number;
  help: string;
}

const INTEGER_OPTIONS: readonly IntegerOption[] = [
  { flag: "runs", key: "runs", fallback: 3, min: 1, max: 50, help: "repetitions of each measurement; the median is reported" },
  { flag: "events", key: "events", fallback: 1000, min: 1, max: 1_000_000, help: "events published before the worker starts (drain backlog = events x webhooks)" },
  { flag: "webhooks", key: "webhooks", fallback: 10, min: 1, max: 10_000, help: "webhooks every drain and paced event fans out to" },
  { flag: "rate", key: "rate", fallback: 1000, min: 1, max: 100_000, help: "paced load, in deliveries per second" },
  { flag: "paced-seconds", key: "pacedSeconds", fallback: 5, min: 1, max: 3600, help: "length of each measured paced window, in seconds" },
  { flag: "warmup-seconds", key: "warmupSeconds", fallback: 2, min: 0, max: 600, help: "paced load sent before each measured window and not counted, in seconds" },
  { flag: "fanout", key: "fanout", fallback: 1000, min: 1, max: 100_000, help: "webhooks the single fan-out event goes to" },
  { flag: "payload-bytes", key: "payloadBytes", fallback: 1024, min: 200, max: 1_000_000, help: "approximate size of each delivery body, in bytes" },
  { flag: "bare-in-flight", key: "bareInFlight", fallback: 64, min: 1, max: 10_000, help: "requests the bare loop keeps open at once" },
  { flag: "bare-batch", key: "bareBatch", fallback: 100, min: 1, max: 10_000, help: "jobs the bare loop fetches and completes per query" },
];

export const USAGE = `Usage: npm run bench -- [options]

Measures the delivery engine (the real worker process) against a bare
fetch-sign-POST-complete loop on the same database and receiver.

Options:
${INTEGER_OPTIONS.map((option) => `  --${`${option.flag} N`.padEnd(22)}${option.help} (default ${option.fallback})`).join("\n")}
  --phases LIST           comma-separated subset of ${PHASES.join(",")} (default all)
  --bare-group-concurrency N
                          make the bare loop fetch with pg-boss group concurrency N,
                          as the engine does with the scope all-workers (default: plain fetch)
  --embedded              use the embedded PostgreSQL even when DATABASE_URL is set
  --statements            report statements per delivery from pg_stat_statements
                          (embedded server only: it is started with the module loaded)
  --explain               print EXPLAIN ANALYZE of the plain and the group-limited fetch
                          (scope all-workers) on the first drain backlog, with webhooks
                          idle and at their limit
  --analyze WHEN          after-seeding (default): ANALYZE once each backlog or warm-up
                          is in place; before-seeding: ANALYZE the emptied tables, which
                          reproduces stale planner statistics; off: leave it to autovacuum
  --compare DIR           also measure the worker of another checkout of this project
                          (repeatable); its runs alternate with this one's, so engine
                          changes are compared under the same machine load
  --cpu-prof DIR          write V8 CPU profiles of the worker and bare loop to DIR
  --keep-database         leave the benchmark database in place for EXPLAIN afterwards
  -h, --help              print this help

Environment: DATABASE_URL (a server where the role may CREATE DATABASE; a fresh
database is created and dropped), WORKER_MAX_IN_FLIGHT,
WORKER_PER_WEBHOOK_CONCURRENCY, WORKER_PER_WEBHOOK_LIMIT_SCOPE and
DATABASE_POOL_SIZE (passed to the worker).
The last line printed is:
  deliveries_per_s=... p50_ms=... p99_ms=... bare_deliveries_per_s=... ratio=...`;

function parseInteger(flag: string, text: string, min: number, max: number): number {
  if (!/^\d+$/.test(text)) throw new Error(`Invalid --${flag} "${text}": expected a whole number`);
  const value = Number(text);
  if (value < min || value > max) throw new Error(`Invalid --${flag} ${value}: expected ${min} to ${max}`);
  return value;
}

function parsePhases(text: string): Phase[] {
  const names = text.split(",").map((name) => name.trim()).filter((name) => name.length > 0);
  if (names.length === 0) throw new Error(`Invalid --phases "${text}": name at least one of ${PHASES.join(", ")}`);
  for (const name of names) {
    if (!(PHASES as readonly string[]).includes(name)) throw new Error(`Invalid --phases entry "${name}": choose from ${PHASES.join(", ")}`);
  }
  return PHASES.filter((phase) => names.includes(phase));
}

function parseAnalyzeMode(text: string): AnalyzeMode {
  if (!(ANALYZE_MODES as readonly string[]).includes(text)) throw new Error(`Invalid --analyze "${text}": choose from ${ANALYZE_MODES.join(", ")}`);
  return text as AnalyzeMode;
}

/** Parses the benchmark's arguments; throws an Error whose message names the invalid flag. */
export function parseBenchArguments(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      ...Object.fromEntries(INTEGER_OPTIONS.map((option) => [option.flag, { type: "string" as const }])),
      phases: { type: "string" },
      "bare-group-concurrency": { type: "string" },
      embedded: { type: "boolean" },
      statements: { type: "boolean" },
      explain: { type: "boolean" },
      analyze: { type: "string" },
      "cpu-prof": { type: "string" },
      compare: { type: "string", multiple: true },
      "keep-database": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  const text = values as Record<string, string | boolean | undefined>;
  const options: BenchOptions = {
    phases: typeof text.phases === "string" ? parsePhases(text.phases) : [...PHASES],
    runs: 0,
    events: 0,
    webhooks: 0,
    rate: 0,
    pacedSeconds: 0,
    warmupSeconds: 0,
    fanout: 0,
    payloadBytes: 0,
    bareInFlight: 0,
    bareBatch: 0,
    bareGroupConcurrency:
      typeof text["bare-group-concurrency"] === "string" ? parseInteger("bare-group-concurrency", text["bare-group-concurrency"], 1, 10_000) : null,
    embedded: text.embedded === true,
    statements: text.statements === true,
    explain: text.explain === true,
    analyze: typeof text.analyze === "string" ? parseAnalyzeMode(text.analyze) : "after-seeding",
    cpuProfileDirectory: typeof text["cpu-prof"] === "string" ? text["cpu-prof"] : null,
    compare: (values.compare as string[] | undefined) ?? [],
    keepDatabase: text["keep-database"] === true,
    help: text.help === true,
  };
  for (const option of INTEGER_OPTIONS) {
    const flagValue = text[option.flag];
    (options[option.key] as number) = typeof flagValue === "string" ? parseInteger(option.flag, flagValue, option.min, option.max) : option.fallback;
  }
  return options;
}
