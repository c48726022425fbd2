import type { ChildProcess } from "node:child_process";
import { connect } from "node:net";
import path from "node:path";
import { privateDestinationsAllowed } from "../lib/config";
import { describeListenAddress, exposureWarning, LISTEN_HOST_VARIABLE, listenHostFromEnvironment, listenPortFromEnvironment, portalUrl } from "../lib/listen-address";
import { buildIfNeeded } from "./lib/build";
import { type EmbeddedDatabase, ensureDatabase, startEmbeddedPostgres } from "./lib/embedded-postgres";
import { lockDataDirectory } from "./lib/instance-lock";
import { createDataDirectory, dataDirectoryFromEnvironment, loadLocalSettings } from "./lib/local-settings";
import { launcherProcesses, SERVICE_STOP_GRACE_MS, startService, stopProcessGroup, stopService, writeServicesFile } from "./lib/processes";
import { decideRestart, type RestartState } from "./lib/restart-policy";
import { applyMigrations } from "./lib/migrations";
import { removeWorkerSettings, writeWorkerSettings } from "./lib/worker-settings";

/**
 * `npm start`: the whole product in one command. Without DATABASE_URL it runs
 * an embedded PostgreSQL with its data in .data/ (kept across restarts); it
 * then applies migrations, seeds a demo organisation on first start, builds the
 * portal if the sources changed, and runs the portal/API and the worker until
 * Ctrl-C, which stops all of them, the database included. While it runs,
 * `npm run worker` can join the embedded database
 * (scripts/lib/worker-settings.ts). A service that crashes is restarted
 * (scripts/lib/restart-policy.ts). If this process is
 * killed instead, scripts/watchdog.ts stops them. `--dev` runs the portal with
 * reload instead of a production build. Either way the portal listens on
 * loopback unless WVK_HOST names another address (lib/listen-address.ts).
 */
const dataDirectory = dataDirectoryFromEnvironment(process.env);
const development = process.argv.includes("--dev");

function say(message: string): void {
  process.stdout.write(`[start] ${message}\n`);
}

function warn(message: string): void {
  process.stderr.write(`[start] WARNING: ${message}\n`);
}

/** Tells whether something accepts TCP connections on `host` and `port`. */
function acceptsConnections(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Waits until the portal accepts connections, so the URLs printed next work at once; false after `timeoutMs`. */
async function waitForPortal(host: string, port: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await acceptsConnections(host, port)) return true;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}

/** Starts scripts/watchdog.ts, which stops the services and the database if this process dies without stopping them. */
function startWatchdog(services: ChildProcess[], servicesFile: string, embedded: EmbeddedDatabase | undefined): ChildProcess {
  const args = [
    "scripts/watchdog.ts",
    "--supervisor",
    String(process.pid),
    ...launcherProcesses(process.pid).flatMap((pid) => ["--launcher", String(pid)]),
    ...services.flatMap((child) => ["--service", String(child.pid)]),
    "--services-file",
    servicesFile,
  ];
  if (embedded) args.push("--postgres", String(embedded.pid), "--postgres-data", embedded.dataDirectory, "--lock-directory", dataDirectory);
  return startService("tsx", args, process.env);
}

async function main(): Promise<void> {
  // Read before anything starts, so that a mistyped WVK_HOST or PORT stops the start at once.
  const host = listenHostFromEnvironment(process.env);
  const port = listenPortFromEnvironment(process.env);
  createDataDirectory(dataDirectory);
  const env: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };
  let embedded: EmbeddedDatabase | undefined;

  if (!env.DATABASE_URL) {
    process.on("exit", lockDataDirectory(dataDirectory));
    embedded = await startEmbeddedPostgres({ dataDirectory: path.join(dataDirectory, "postgres"), log: (line) => process.env.WVK_DEBUG_POSTGRES && say(line) });
    env.DATABASE_URL = await ensureDatabase(embedded.url, "wasviking");
    say(`embedded PostgreSQL running, data in ${embedded.dataDirectory}`);
    // The quick start talks to receivers on this machine, so it allows loopback and plain http destinations.
    env.WVK_ALLOW_PRIVATE_DESTINATIONS ??= "1";
  }
  const local = loadLocalSettings(dataDirectory);
  // What npm start decides for its worker, which another worker on the embedded database must be given too.
  const workerEnvironment: Record<string, string> = {};
  if (!env.WVK_ENCRYPTION_KEYS) {
    if (!embedded) {
      throw new Error("WVK_ENCRYPTION_KEYS is missing. With your own DATABASE_URL, set it to id:base64key (openssl rand -base64 32 gives a key)");
    }
    env.WVK_ENCRYPTION_KEYS = local.encryptionKeys;
    workerEnvironment.WVK_ENCRYPTION_KEYS = local.encryptionKeys;
  }
  env.NEXTAUTH_SECRET ??= local.nextAuthSecret;
  const url = portalUrl(host, port);
  // A blank value counts as unset, as next-auth ignores an empty one too.
  if (!env.NEXTAUTH_URL?.trim()) env.NEXTAUTH_URL = url;
  env.PORT = String(port);
  const allowsPrivateDestinations = privateDestinationsAllowed(env);
  Object.assign(process.env, env);

  const migration = await applyMigrations(env.DATABASE_URL!);
  say(`database schema up to date (${migration.applied.length} migration(s) applied now, ${migration.alreadyApplied} before)`);
  const { installQueue } = await import("../lib/dispatch/queue");
  await installQueue();
  const { seedDemoOrganization } = await import("./lib/seed");
  const credentials = await seedDemoOrganization();
  const { closeDatabase } = await import("../lib/db");
  await closeDatabase();

  if (!development) buildIfNeeded(env, say);

  let watchdog: ChildProcess | undefined;
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say("stopping the portal and the worker");
    await Promise.all([...services.values()].map((child) => stopService(child)));
    if (embedded) {
      say("stopping the embedded PostgreSQL");
      await embedded.stop();
    }
    // Stopped last, so that it still finishes the job if this process is killed while stopping.
    if (watchdog) await stopService(watchdog);
    process.exit(code);
  };
  // The watchdog reads the services' current process ids from this file, because a restart gives a service a new one.
  const servicesFile = path.join(dataDirectory, "services.json");
  const services = new Map<string, ChildProcess>();
  const recordServices = () => writeServicesFile(servicesFile, [...services.values()].flatMap((child) => (child.pid === undefined ? [] : [child.pid])));
  const run = (name: string, command: string, args: string[], service: string, extraEnv: Record<string, string> = {}, restarts: RestartState = { quickExits: 0 }) => {
    const child = startService(command, args, { ...env, ...extraEnv, WVK_SERVICE: service });
    const startedAt = Date.now();
    child.on("exit", (code, signal) => {
      if (stopping) return;
      const decision = decideRestart(restarts, Date.now() - startedAt, code);
      if (decision.action === "give-up") {
        say(
          decision.reason === "configuration"
            ? `${name} cannot run with the current settings (code ${code}; its log above says why); stopping everything`
            : `${name} exited unexpectedly (${signal ?? `code ${code}`}) ${decision.quickExits + 1} times in a row, each soon after its start; stopping everything`,
        );
        void stopAll(1);
        return;
      }
      say(`${name} exited unexpectedly (${signal ?? `code ${code}`}); restarting it in ${decision.delayMs / 1000} s`);
      // Whatever the service left in its process group goes first, because tsx runs the service in a child process
      // that outlives a killed tsx.
      void (child.pid === undefined ? Promise.resolve() : stopProcessGroup(child.pid, SERVICE_STOP_GRACE_MS)).then(() =>
        setTimeout(() => {
          if (stopping) return;
          run(name, command, args, service, extraEnv, decision.state);
          recordServices();
          say(`${name} restarted`);
        }, decision.delayMs),
      );
    });
    services.set(name, child);
  };
  if (development) run("portal", "next", ["dev", "--port", String(port), "--hostname", host], "web");
  else run("portal", "tsx", ["web/server.ts", "--port", String(port), "--hostname", host], "web", { NODE_ENV: "production" });
  run("worker", "tsx", ["worker/main.ts"], "worker");
  recordServices();
  if (embedded) {
    // `npm run worker` without DATABASE_URL reads this file to join the embedded database (scripts/lib/worker-settings.ts).
    workerEnvironment.DATABASE_URL = env.DATABASE_URL!;
    if (env.WVK_ALLOW_PRIVATE_DESTINATIONS !== undefined) workerEnvironment.WVK_ALLOW_PRIVATE_DESTINATIONS = env.WVK_ALLOW_PRIVATE_DESTINATIONS;
    writeWorkerSettings(dataDirectory, { pid: process.pid, environment: workerEnvironment });
    process.on("exit", () => removeWorkerSettings(dataDirectory, process.pid));
  }
  watchdog = startWatchdog([...services.values()], servicesFile, embedded);
  watchdog.on("exit", (code, signal) => {
    if (!stopping) say(`the watchdog exited (${signal ?? `code ${code}`}): if npm start is killed now, the portal, the worker and the database keep running`);
  });
  process.on("SIGINT", () => void stopAll(0));
  process.on("SIGTERM", () => void stopAll(0));
  // A closed terminal sends SIGHUP; the services run in their own process groups and would not get it.
  process.on("SIGHUP", () => void stopAll(0));

  say(`listening on ${describeListenAddress(host, port)} (${LISTEN_HOST_VARIABLE} sets the address)`);
  if (allowsPrivateDestinations) {
    say(`development mode: webhooks may target loopback, private addresses and plain http (WVK_ALLOW_PRIVATE_DESTINATIONS=${env.WVK_ALLOW_PRIVATE_DESTINATIONS})`);
  }
  const exposure = exposureWarning(host, allowsPrivateDestinations);
  if (exposure) warn(exposure);
  if (!(await waitForPortal(host, port, 120_000))) {
    warn(`the portal did not accept connections on ${describeListenAddress(host, port)} within 120 s; its log above may say why`);
  }
  if (stopping) return;
  say(`portal and API: ${url} (REST API under /v1, OpenAPI at /v1/openapi.json)`);
  if (embedded) say("to add a worker on this database, run npm run worker in another terminal");
  if (credentials) {
    say("first start: a demo organisation was created. These credentials are shown only now:");
    say(`  sign in at ${url}/login as ${credentials.email} with password ${credentials.password}`);
    say(`  API key (all scopes): ${credentials.apiKey}`);
    say(`  try: curl -sS ${url}/v1/webhooks -H "Authorization: ApiKey ${credentials.apiKey}"`);
  }
  say("press Ctrl-C to stop");
}

main().catch((error: unknown) => {
  process.stderr.write(`[start] ${(error as Error).message}\n`);
  process.exit(1);
});
