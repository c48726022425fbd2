import { chmodSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { isProcessAlive } from "./processes";

/**
 * Lets `npm run worker` join the embedded PostgreSQL of a running `npm start`.
 * npm start writes the settings it filled in for its own worker to
 * .data/worker-settings.json (mode 600): the database URL, which contains the
 * database password, the destination policy and, when npm start generated it,
 * the encryption keyring. It removes the file when it stops. A worker started
 * without DATABASE_URL takes from the file each variable that its own
 * environment leaves unset.
 */
export const WORKER_SETTINGS_FILE = "worker-settings.json";

export interface WorkerSettings {
  // Process id of the npm start that wrote the file; the settings are valid while it runs.
  pid: number;
  environment: Record<string, string>;
}

/** The outcome of attachToEmbeddedDatabase, for the worker's start-up log. Names only, because the values are secret. */
export interface AttachedDatabase {
  file: string;
  npmStartPid: number;
  // Variables taken from the file.
  applied: string[];
  // Variables that the worker's own environment sets to another value than npm start gave its worker.
  differing: string[];
}

function settingsFile(dataDirectory: string): string {
  return path.join(dataDirectory, WORKER_SETTINGS_FILE);
}

/** Writes the settings file in one step, readable by its owner only, replacing a file left by an earlier start. */
export function writeWorkerSettings(dataDirectory: string, settings: WorkerSettings): void {
  const file = settingsFile(dataDirectory);
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
  // The mode given to writeFileSync applies only to a new file, so a temporary file left by a killed start is fixed here.
  chmodSync(temporary, 0o600);
  renameSync(temporary, file);
}

/**
 * Reads the settings file, or returns null when it does not exist. Throws when
 * it exists but is not what writeWorkerSettings writes.
 */
export function readWorkerSettings(dataDirectory: string): WorkerSettings | null {
  const file = settingsFile(dataDirectory);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const candidate = parsed as Partial<WorkerSettings> | undefined;
  const environment = candidate?.environment;
  const validEnvironment =
    typeof environment === "object" && environment !== null && Object.values(environment).every((value) => typeof value === "string");
  if (!Number.isInteger(candidate?.pid) || (candidate?.pid ?? 0) <= 0 || !validEnvironment) {
    throw new Error(`Invalid ${file}: expected the settings that npm start writes. Delete the file and start npm start again`);
  }
  return { pid: candidate!.pid!, environment: environment as Record<string, string> };
}

/** Removes the settings file if the npm start with process id `pid` wrote it, as when that start stops. */
export function removeWorkerSettings(dataDirectory: string, pid: number): void {
  let owner: number | undefined;
  try {
    owner = readWorkerSettings(dataDirectory)?.pid;
  } catch {
    // A malformed file names no owner, so it is left for the next start to replace.
    return;
  }
  if (owner === pid) rmSync(settingsFile(dataDirectory), { force: true });
}

/**
 * Fills `environment` in from the settings file of a running npm start, when
 * DATABASE_URL is unset and the file exists. Variables that `environment`
 * already sets keep their values. Returns null when nothing was read, and
 * throws when the npm start that wrote the file no longer runs.
 */
export function attachToEmbeddedDatabase(
  environment: Record<string, string | undefined>,
  dataDirectory: string,
  isRunning: (pid: number) => boolean = isProcessAlive,
): AttachedDatabase | null {
  if (environment.DATABASE_URL?.trim()) return null;
  const settings = readWorkerSettings(dataDirectory);
  if (!settings) return null;
  const file = settingsFile(dataDirectory);
  if (!isRunning(settings.pid)) {
    throw new Error(
      `DATABASE_URL is missing, and ${file} was written by npm start (process ${settings.pid}), which no longer runs. ` +
        "Start npm start again, or set DATABASE_URL",
    );
  }

  const applied: string[] = [];
  const differing: string[] = [];
  for (const [name, value] of Object.entries(settings.environment)) {
    const own = environment[name];
    if (own === undefined || own.trim() === "") {
      environment[name] = value;
      applied.push(name);
    } else if (own !== value) {
      differing.push(name);
    }
  }
  return { file, npmStartPid: settings.pid, applied, differing };
}
