import { readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { releaseDataDirectoryLock } from "./lib/instance-lock";
import { isProcessAlive, readServicesFile, SERVICE_STOP_GRACE_MS, stopProcessGroup } from "./lib/processes";
import { removeWorkerSettings } from "./lib/worker-settings";

/**
 * Stops what `npm start` started when `npm start` itself is killed. The
 * supervisor (scripts/start.ts) runs this script in a process group of its own,
 * next to the portal and the worker, which are in their own groups too. A
 * SIGKILL of the supervisor, or of its whole group, reaches none of them, so
 * without this script they would keep running after it.
 *
 * The watchdog also watches the processes that launched the supervisor: npm
 * and the wrappers it ran the script in (`--launcher`). Killing npm's own
 * process ends `npm start` for the user but leaves the supervisor running. So
 * when a launcher is gone, the watchdog sends the supervisor SIGTERM, which
 * stops everything as Ctrl-C would.
 *
 * The supervisor restarts a service that crashed, under a new process id, and
 * writes the current ids to the file given as `--services-file`.
 *
 * Once the supervisor has exited, the watchdog stops the rest as Ctrl-C would.
 * The portal's and the worker's groups get SIGTERM, and SIGKILL after the same
 * grace period. The embedded PostgreSQL gets a fast shutdown only after both
 * have exited, so that the worker can record its attempts in flight first.
 * Last, the watchdog removes the data directory's lock and the settings file
 * that lets `npm run worker` join the database. It is not meant to be started
 * by hand.
 */
const SUPERVISOR_POLL_MS = 1_000;
const POSTGRES_STOP_MS = 60_000;

const { values } = parseArgs({
  options: {
    supervisor: { type: "string" },
    launcher: { type: "string", multiple: true, default: [] },
    service: { type: "string", multiple: true, default: [] },
    "services-file": { type: "string" },
    postgres: { type: "string" },
    "postgres-data": { type: "string" },
    "lock-directory": { type: "string" },
  },
});

function processId(name: string, text: string | undefined): number {
  const pid = Number(text);
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`Invalid --${name} "${text}": expected a process id`);
  return pid;
}

const supervisor = processId("supervisor", values.supervisor);
const startedServices = values.service.map((text) => processId("service", text));

/** Returns the services' current process ids, from the file the supervisor rewrites at each restart, else the arguments. */
function currentServices(): number[] {
  const file = values["services-file"];
  return (file === undefined ? undefined : readServicesFile(file)) ?? startedServices;
}
const launchers = values.launcher.map((text) => processId("launcher", text));
const postgres = values.postgres === undefined ? undefined : { pid: processId("postgres", values.postgres), dataDirectory: values["postgres-data"] };
if (postgres && !postgres.dataDirectory) throw new Error("--postgres needs --postgres-data, the cluster's data directory");

function say(message: string): void {
  process.stdout.write(`[watchdog] ${message}\n`);
}

/**
 * Asks the embedded PostgreSQL for a fast shutdown and waits for it to exit.
 * The first line of postmaster.pid is the id of the server that uses the data
 * directory. When the file is gone or names another process, the server has
 * exited, and its old id may already belong to a process that must not get
 * the signal.
 */
async function stopPostgres(pid: number, dataDirectory: string): Promise<void> {
  let owner: string | undefined;
  try {
    owner = readFileSync(path.join(dataDirectory, "postmaster.pid"), "utf8").split("\n")[0]?.trim();
  } catch {
    return;
  }
  if (owner !== String(pid) || !isProcessAlive(pid)) return;

  say("stopping the embedded PostgreSQL");
  // SIGINT is PostgreSQL's fast shutdown: open sessions are ended, nothing committed is lost.
  process.kill(pid, "SIGINT");
  const deadline = Date.now() + POSTGRES_STOP_MS;
  while (isProcessAlive(pid)) {
    if (Date.now() >= deadline) {
      say(`PostgreSQL (process ${pid}) did not stop within ${POSTGRES_STOP_MS / 1000} s; the next npm start stops it`);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function main(): Promise<void> {
  while (isProcessAlive(supervisor) && launchers.every((pid) => isProcessAlive(pid))) {
    await new Promise((resolve) => setTimeout(resolve, SUPERVISOR_POLL_MS));
  }
  if (isProcessAlive(supervisor)) {
    say(`the process that ran npm start exited: asking npm start (process ${supervisor}) to stop everything`);
    // The supervisor stops the portal, the worker and the database, then this watchdog. Should it not finish, the
    // watchdog goes on below once the grace period is over.
    process.kill(supervisor, "SIGTERM");
    const deadline = Date.now() + SERVICE_STOP_GRACE_MS + POSTGRES_STOP_MS;
    while (isProcessAlive(supervisor) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    if (isProcessAlive(supervisor)) process.kill(supervisor, "SIGKILL");
  }

  const running = currentServices().filter((pid) => isProcessAlive(pid));
  const postgresRunning = postgres !== undefined && isProcessAlive(postgres.pid);
  if (running.length > 0 || postgresRunning) {
    say(`npm start (process ${supervisor}) exited without stopping the portal, the worker and the database: stopping them`);
    await Promise.all(running.map((pid) => stopProcessGroup(pid, SERVICE_STOP_GRACE_MS)));
    if (postgres) await stopPostgres(postgres.pid, postgres.dataDirectory!);
    say("stopped");
  }
  if (values["lock-directory"]) {
    releaseDataDirectoryLock(values["lock-directory"], supervisor);
    removeWorkerSettings(values["lock-directory"], supervisor);
  }
  process.exit(0);
}

// The terminal may be gone by the time there is something to report, and a failed write must not end the watchdog.
process.stdout.on("error", () => undefined);
// Only the supervisor stops the watchdog early, with SIGTERM. A terminal's signals must not stop it.
process.on("SIGINT", () => undefined);
process.on("SIGHUP", () => undefined);

main().catch((error: unknown) => {
  process.stderr.write(`[watchdog] ${(error as Error).message}\n`);
  process.exit(1);
});
