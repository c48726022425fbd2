import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import type { PgBoss } from "pg-boss";
import { jobExpirySeconds } from "../lib/config";
import { closeDatabase } from "../lib/db";
import { createBoss, deliveryQueueOptions, installQueue } from "../lib/dispatch/queue";
import { createBenchDatabase } from "./database";
import { BARE_QUEUE } from "./database-probes";
import { createWebhooks, FANOUT_EVENT_TYPE, LOAD_EVENT_TYPE } from "./load";
import { type BenchOptions, parseBenchArguments, USAGE } from "./options";
import { measureBare } from "./bare";
import { measureDrain } from "./drain";
import { measureFanout } from "./fanout";
import { measurePaced } from "./paced";
import type { BenchContext, EngineVariant } from "./run-context";
import { PROJECT_DIRECTORY } from "./processes";
import { type BenchReceiver, startBenchReceiver } from "./receiver-process";
import {
  printBareRun,
  printDrainRun,
  printFanout,
  printMachine,
  printPacedRun,
  printProfiles,
  printSummary,
  type Results,
  say,
} from "./report";

/**
 * `npm run bench`: the delivery benchmark. It creates its own database,
 * seeds webhooks through the domain layer, starts a loopback receiver, and
 * measures the real worker process (backlog drain, paced latency, fan-out,
 * peak memory) next to a bare fetch-sign-POST-complete loop on the same
 * database and receiver. Engine and bare runs alternate so both see the same
 * machine load. docs/benchmarks.md explains the method and the figures.
 */
function engineVariants(options: BenchOptions): EngineVariant[] {
  const variants: EngineVariant[] = [{ label: "engine", directory: PROJECT_DIRECTORY }];
  for (const argument of options.compare) {
    const directory = path.resolve(argument);
    if (!existsSync(path.join(directory, "worker", "main.ts"))) throw new Error(`Invalid --compare ${argument}: ${directory}/worker/main.ts does not exist`);
    if (!existsSync(path.join(directory, "node_modules", "tsx"))) {
      throw new Error(`Invalid --compare ${argument}: ${directory}/node_modules has no tsx. Run npm install there or link this project's node_modules`);
    }
    variants.push({ label: `${path.basename(directory)}#${variants.length}`, directory });
  }
  return variants;
}

async function runPhases(context: BenchContext, variants: readonly EngineVariant[]): Promise<Results> {
  const { options } = context;
  const results: Results = { variants: variants.map((variant) => ({ variant, drain: [], paced: [], fanout: null })), bare: [] };
  for (let run = 1; run <= options.runs; run++) {
    if (options.phases.includes("drain")) {
      for (const entry of results.variants) {
        const result = await measureDrain(context, entry.variant, run);
        entry.drain.push(result);
        printDrainRun(entry.variant.label, run, result);
      }
    }
    if (options.phases.includes("bare")) {
      const result = await measureBare(context, run, options.events * options.webhooks);
      results.bare.push(result);
      printBareRun(run, result);
    }
  }
  if (options.phases.includes("paced")) {
    for (let run = 1; run <= options.runs; run++) {
      for (const entry of results.variants) {
        const result = await measurePaced(context, entry.variant, run);
        entry.paced.push(result);
        printPacedRun(entry.variant.label, run, result);
      }
    }
  }
  if (options.phases.includes("fanout")) {
    for (const entry of results.variants) {
      entry.fanout = await measureFanout(context, entry.variant);
      printFanout(entry.variant.label, options.fanout, entry.fanout);
    }
  }
  return results;
}

async function main(): Promise<number> {
  let options: BenchOptions;
  let variants: EngineVariant[];
  try {
    options = parseBenchArguments(process.argv.slice(2));
    variants = engineVariants(options);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (options.cpuProfileDirectory && !existsSync(options.cpuProfileDirectory)) mkdirSync(options.cpuProfileDirectory, { recursive: true });
  const startedAt = Date.now();

  const database = await createBenchDatabase({ useEmbedded: options.embedded, statements: options.statements, keep: options.keepDatabase, log: say });
  let producer: PgBoss | undefined;
  let receiver: BenchReceiver | undefined;
  try {
    await printMachine(database, options, variants);
    Object.assign(process.env, {
      DATABASE_URL: database.url,
      WVK_ENCRYPTION_KEYS: `bench:${randomBytes(32).toString("base64")}`,
      WVK_ALLOW_PRIVATE_DESTINATIONS: "1",
    });
    await installQueue();
    producer = createBoss({ role: "producer" });
    await producer.start();
    await producer.createQueue(BARE_QUEUE, deliveryQueueOptions(jobExpirySeconds()));
    receiver = await startBenchReceiver();

    const seedStarted = Date.now();
    const needsLoad = options.phases.some((phase) => phase !== "fanout");
    const loadOrganizationId = needsLoad ? await createWebhooks("Benchmark load", options.webhooks, receiver.url, LOAD_EVENT_TYPE) : "";
    const fanoutOrganizationId = options.phases.includes("fanout") ? await createWebhooks("Benchmark fan-out", options.fanout, receiver.url, FANOUT_EVENT_TYPE) : "";
    say(`seeded webhooks in ${((Date.now() - seedStarted) / 1000).toFixed(1)} s; receiver at ${receiver.url}`);

    const context: BenchContext = {
      options,
      receiver,
      producer,
      // LOG_LEVEL info is what production runs with: the worker logs its start, stop and every problem, not each attempt.
      workerEnv: { ...process.env, LOG_LEVEL: "info", WVK_SERVICE: "wasviking-worker" },
      statements: database.statements,
      loadOrganizationId,
      fanoutOrganizationId,
    };
    const results = await runPhases(context, variants);
    printProfiles(options.cpuProfileDirectory, startedAt);
    return printSummary(options, results, database.statements) ? 0 : 1;
  } finally {
    await receiver?.stop();
    await producer?.stop({ graceful: false });
    await closeDatabase();
    await database.drop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`[bench] failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
