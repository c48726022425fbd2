import { randomBytes } from "node:crypto";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { PgBoss } from "pg-boss";
import { createOrganization } from "../lib/accounts/organizations";
import { SYSTEM_ACTOR } from "../lib/audit";
import type { Principal } from "../lib/auth/principal";
import { attemptTimeoutSeconds } from "../lib/config";
import { closeDatabase } from "../lib/db";
import { createBoss, installQueue } from "../lib/dispatch/queue";
import type { EventType } from "../lib/events/catalog";
import { exampleData } from "../lib/events/examples";
import { publishEvent } from "../lib/events/publish";
import { createSubscription } from "../lib/subscriptions/service";
import { createBenchDatabase } from "./database";
import { deliveryStatusCounts } from "./database-probes";
import { PROJECT_DIRECTORY } from "./processes";
import { parseSoakArguments, SOAK_USAGE, type SoakOptions } from "./soak-options";
import { queueFigures, stuckDeliveries } from "./soak-probes";
import { judgeSoak, type SoakSample } from "./soak-verdict";
import { type EngineWorker, startEngineWorker } from "./worker-process";

/**
 * `npm run soak`: a long run of the real worker under a steady, mixed load, to
 * catch what short tests cannot: memory that grows, a queue that never drains,
 * deliveries that nothing moves any more. It publishes through the domain
 * layer (as the API does) to loopback receivers of four kinds, samples the
 * worker and the database every few seconds, and ends with a verdict.
 * docs/reliability.md explains the checks and records measured figures.
 */
type ReceiverKind = "ok" | "failing" | "slow" | "hanging";

// On a delivery's first request, "failing" responds 500 and "hanging" never responds, so that attempt runs into
// the attempt timeout. The retry one step later succeeds. A finished soak therefore has every delivery succeeded,
// and a lost or stuck one shows.
const SLOW_RESPONSE_MS = 1500;

interface SoakReceiver {
  kind: ReceiverKind;
  url: string;
  requests: number;
  close(): Promise<void>;
}

// The soak's webhooks, each with its receiver's kind and the event types it listens to. The hanging receiver gets
// the rare type because a webhook has at most WORKER_PER_WEBHOOK_CONCURRENCY (16) attempts open, and 16 hanging
// attempts of 15 s each make about one attempt per second.
const WEBHOOKS: ReadonlyArray<{ kind: ReceiverKind; events: EventType[] }> = [
  { kind: "ok", events: ["finding.created", "asset.first_seen", "finding.sla_breached"] },
  { kind: "ok", events: ["finding.created", "asset.first_seen", "finding.sla_breached"] },
  { kind: "failing", events: ["finding.created"] },
  { kind: "slow", events: ["asset.first_seen"] },
  { kind: "hanging", events: ["finding.sla_breached"] },
];

// Share of the published events of each type.
const EVENT_MIX: ReadonlyArray<{ type: EventType; share: number }> = [
  { type: "finding.created", share: 0.7 },
  { type: "asset.first_seen", share: 0.27 },
  { type: "finding.sla_breached", share: 0.03 },
];
// Every tenth event is about the same subject as the one before, so ordering chains of two form (one waits for the other).
const SHARED_SUBJECT_EVERY = 10;

function say(message: string): void {
  process.stdout.write(`[soak] ${message}\n`);
}

/** Starts one loopback receiver that responds as its kind does. */
async function startSoakReceiver(kind: ReceiverKind): Promise<SoakReceiver> {
  // Deliveries seen once; the set grows with the run, which is the soak process's memory, not the worker's.
  const seen = new Set<string>();
  const answer = (deliveryId: string, response: ServerResponse) => {
    const first = !seen.has(deliveryId);
    seen.add(deliveryId);
    if (kind === "slow") setTimeout(() => response.writeHead(204).end(), SLOW_RESPONSE_MS);
    else if (kind === "failing" && first) response.writeHead(500, { "content-type": "text/plain" }).end("first attempt fails in the soak run");
    else if (kind !== "hanging" || !first) response.writeHead(204).end();
  };
  const receiver: SoakReceiver = { kind, url: "", requests: 0, close: async () => undefined };
  const server: Server = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      receiver.requests++;
      answer(String(request.headers["wasviking-delivery"]), response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}

/** Creates the soak's organisation and one webhook per entry of WEBHOOKS, with a daily cap the run cannot reach. */
async function createSoakWebhooks(receivers: readonly SoakReceiver[]): Promise<string> {
  const organization = await createOrganization("Soak run");
  const principal: Principal = { organizationId: organization.id, actor: SYSTEM_ACTOR, via: "api_key", scopes: new Set(["webhooks:write"]) };
  for (const [index, webhook] of WEBHOOKS.entries()) {
    await createSubscription(
      principal,
      { url: receivers[index]!.url, events: webhook.events, description: `soak ${webhook.kind} receiver`, enabled: true, dailyCap: 1_000_000 },
      new Date(),
    );
  }
  return organization.id;
}

/** Picks the type of the `index`-th event so that the mix follows EVENT_MIX over every 100 events. */
function eventTypeAt(index: number): EventType {
  let position = ((index * 37) % 100) / 100;
  for (const entry of EVENT_MIX) {
    if (position < entry.share) return entry.type;
    position -= entry.share;
  }
  return EVENT_MIX[0]!.type;
}

/** Publishes `rate` events per second until stopped; failures are counted, not thrown. */
function startPublishing(organizationId: string, producer: PgBoss, rate: number) {
  const counts = { published: 0, deliveries: 0, failed: 0, firstError: "" };
  let index = 0;
  const pending = new Set<Promise<void>>();
  const publishOne = async () => {
    const type = eventTypeAt(index);
    const subjectIndex = index % SHARED_SUBJECT_EVERY === 0 && index > 0 ? index - 1 : index;
    const subject = type.startsWith("asset.") ? `ast_soak_${subjectIndex}` : `fnd_soak_${subjectIndex}`;
    index++;
    const data: Record<string, unknown> = { ...exampleData(type), ...(type.startsWith("asset.") ? { asset_id: subject } : { finding_id: subject }) };
    try {
      const published = await publishEvent(organizationId, { type, subject, data }, { producer });
      counts.published++;
      counts.deliveries += published.deliveryCount;
    } catch (error) {
      counts.failed++;
      counts.firstError ||= (error as Error).message;
    }
  };
  const timer = setInterval(() => {
    const call = publishOne();
    pending.add(call);
    void call.finally(() => pending.delete(call));
  }, 1000 / rate);
  return {
    counts,
    async stop() {
      clearInterval(timer);
      await Promise.all(pending);
    },
  };
}

const COLUMNS = ["time", "phase", "rss MiB", "heap MiB", "due", "active", "scheduled", "stuck", "published", "received"];

function row(cells: ReadonlyArray<string | number>): string {
  return cells.map((cell, index) => String(cell).padStart(index === 1 ? 10 : 9)).join(" ");
}

function formatElapsed(seconds: number): string {
  return `${Math.floor(seconds / 60)}:${String(Math.floor(seconds % 60)).padStart(2, "0")}`;
}

interface Run {
  options: SoakOptions;
  worker: EngineWorker;
  latestHeapMiB: () => number | null;
  publisher: ReturnType<typeof startPublishing>;
  receivers: readonly SoakReceiver[];
  startedAt: number;
}

/** Takes one sample and prints it as a row of the table. */
async function takeSample(run: Run, phase: SoakSample["phase"]): Promise<SoakSample & { active: number }> {
  const queue = await queueFigures();
  const stuck = await stuckDeliveries();
  const stats = run.worker.stats();
  const sample = {
    elapsedSeconds: (Date.now() - run.startedAt) / 1000,
    phase,
    rssMiB: stats?.rssMiB ?? null,
    heapUsedMiB: run.latestHeapMiB(),
    dueJobs: queue.due + queue.active,
    scheduledJobs: queue.scheduled,
    stuckDeliveries: stuck,
    active: queue.active,
  };
  const received = run.receivers.reduce((sum, receiver) => sum + receiver.requests, 0);
  say(
    row([
      formatElapsed(sample.elapsedSeconds),
      phase,
      sample.rssMiB?.toFixed(1) ?? "-",
      sample.heapUsedMiB?.toFixed(1) ?? "-",
      queue.due,
      queue.active,
      queue.scheduled,
      stuck,
      run.publisher.counts.published,
      received,
    ]),
  );
  return sample;
}

const pause = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

/** Samples while publishing for --minutes, then until the queue is empty, for at most --drain-minutes. */
async function sampleRun(run: Run): Promise<SoakSample[]> {
  const { options } = run;
  const samples: SoakSample[] = [];
  const publishUntil = run.startedAt + options.minutes * 60_000;
  say(row(COLUMNS));
  while (Date.now() < publishUntil) {
    await pause(Math.min(options.sampleSeconds * 1000, Math.max(0, publishUntil - Date.now())));
    if (run.worker.child.process.exitCode !== null) throw new Error(`The worker exited during the soak: ${run.worker.child.problems.join("\n")}`);
    samples.push(await takeSample(run, "publishing"));
  }
  await run.publisher.stop();
  say(`publishing stopped; waiting up to ${options.drainMinutes} min for the queue to drain`);
  const drainUntil = Date.now() + options.drainMinutes * 60_000;
  for (;;) {
    await pause(options.sampleSeconds * 1000);
    const sample = await takeSample(run, "draining");
    samples.push(sample);
    if ((sample.dueJobs === 0 && sample.scheduledJobs === 0) || Date.now() >= drainUntil) return samples;
  }
}

function printSummary(run: Run, statuses: Record<string, number>, samples: readonly SoakSample[]): boolean {
  const { counts } = run.publisher;
  say(`published ${counts.published} events (${counts.deliveries} deliveries), ${counts.failed} publish calls failed${counts.firstError ? ` (first: ${counts.firstError})` : ""}`);
  say(`requests received: ${run.receivers.map((receiver) => `${receiver.kind} ${receiver.requests}`).join(", ")}`);
  say(`deliveries by status: ${Object.entries(statuses).map(([status, count]) => `${status} ${count}`).join(", ")}`);
  const rss = samples.flatMap((sample) => (sample.rssMiB === null ? [] : [sample.rssMiB]));
  if (rss.length > 0) say(`worker RSS: first ${rss[0]!.toFixed(1)} MiB, max ${Math.max(...rss).toFixed(1)} MiB, last ${rss.at(-1)!.toFixed(1)} MiB`);
  say(`worker log lines at warn or above: ${run.worker.child.problemCount}`);

  const checks = judgeSoak(samples);
  checks.push({ name: "every publish call succeeded", passed: counts.failed === 0, detail: `${counts.failed} failed` });
  const succeeded = statuses.succeeded ?? 0;
  checks.push({ name: "every delivery succeeded", passed: succeeded === counts.deliveries, detail: `${succeeded} of ${counts.deliveries}` });
  for (const check of checks) say(`${check.passed ? "PASS" : "FAIL"}  ${check.name}: ${check.detail}`);
  const passed = checks.every((check) => check.passed);
  say(passed ? "verdict: PASS" : "verdict: FAIL");
  return passed;
}

async function main(): Promise<number> {
  let options: SoakOptions;
  try {
    options = parseSoakArguments(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${SOAK_USAGE}\n`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(`${SOAK_USAGE}\n`);
    return 0;
  }

  const database = await createBenchDatabase({ useEmbedded: !process.env.DATABASE_URL, statements: false, keep: false, log: say });
  let producer: PgBoss | undefined;
  let worker: EngineWorker | undefined;
  const receivers: SoakReceiver[] = [];
  try {
    Object.assign(process.env, {
      DATABASE_URL: database.url,
      WVK_ENCRYPTION_KEYS: `soak:${randomBytes(32).toString("base64")}`,
      WVK_ALLOW_PRIVATE_DESTINATIONS: "1",
    });
    await installQueue();
    producer = createBoss({ role: "producer" });
    await producer.start();
    for (const webhook of WEBHOOKS) receivers.push(await startSoakReceiver(webhook.kind));
    const organizationId = await createSoakWebhooks(receivers);

    let latestHeapMiB: number | null = null;
    worker = await startEngineWorker(
      PROJECT_DIRECTORY,
      // LOG_LEVEL info, as production runs; the stats line carries the heap, which /proc does not show.
      { ...process.env, LOG_LEVEL: "info", WVK_SERVICE: "wasviking-worker", WORKER_STATS_INTERVAL_SECONDS: String(Math.max(1, Math.floor(options.sampleSeconds))) },
      [],
      60_000,
      (line) => {
        if (!line.includes('"msg":"worker stats"')) return;
        latestHeapMiB = (JSON.parse(line) as { heapUsedMiB: number }).heapUsedMiB;
      },
    );
    say(
      `worker pid ${worker.child.pid}; ${options.rate} events/s for ${options.minutes} min to ${WEBHOOKS.length} webhooks ` +
        `(${WEBHOOKS.map((webhook) => webhook.kind).join(", ")}); attempt timeout ${attemptTimeoutSeconds()} s`,
    );

    const run: Run = {
      options,
      worker,
      latestHeapMiB: () => latestHeapMiB,
      publisher: startPublishing(organizationId, producer, options.rate),
      receivers,
      startedAt: Date.now(),
    };
    const samples = await sampleRun(run);
    await worker.stop();
    return printSummary(run, await deliveryStatusCounts(), samples) ? 0 : 1;
  } finally {
    await worker?.stop();
    for (const receiver of receivers) await receiver.close();
    await producer?.stop({ graceful: false });
    await closeDatabase();
    await database.drop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`[soak] failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
