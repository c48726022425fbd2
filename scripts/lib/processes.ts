import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";

const projectDirectory = path.resolve(import.meta.dirname, "..", "..");
const POLL_INTERVAL_MS = 100;
// How long a service may take to stop after SIGTERM: the worker finishes its attempts in flight, at most one attempt timeout.
export const SERVICE_STOP_GRACE_MS = 20_000;

/**
 * Starts a long-running part of the product (the portal, a worker) in its own
 * process group, so stopping it also stops whatever it spawned (npx, tsx and
 * next each start a child of their own), and so a terminal's Ctrl-C reaches it
 * only through the parent, which stops the parts in order.
 */
export function startService(command: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const binary = path.join(projectDirectory, "node_modules", ".bin", command);
  return spawn(binary, args, { cwd: projectDirectory, env, stdio: "inherit", detached: true });
}

/** Sends SIGTERM to a service's process group and waits for it to exit, with SIGKILL after `graceMs`. */
export function stopService(child: ChildProcess, graceMs = SERVICE_STOP_GRACE_MS): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return Promise.resolve();
  return stopProcessGroup(child.pid, graceMs);
}

/** Writes the process ids of the running services for the watchdog, replacing the file in one step. */
export function writeServicesFile(file: string, pids: readonly number[]): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify({ services: pids })}\n`);
  renameSync(temporary, file);
}

/** Reads the process ids that writeServicesFile wrote, or undefined when the file is missing or malformed. */
export function readServicesFile(file: string): number[] | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, "utf8")) as { services?: unknown };
    if (!Array.isArray(parsed.services)) return undefined;
    return parsed.services.filter((pid): pid is number => Number.isInteger(pid) && (pid as number) > 0);
  } catch {
    return undefined;
  }
}

/**
 * Sends SIGTERM to the process group that `leaderPid` leads and waits until the
 * leader has exited, with SIGKILL to the group after `graceMs`. Anything the
 * leader left behind in its group is killed once the leader has exited.
 */
export async function stopProcessGroup(leaderPid: number, graceMs: number): Promise<void> {
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-leaderPid, signal);
    } catch {
      // The group is already gone.
    }
  };
  signalGroup("SIGTERM");
  const deadline = Date.now() + graceMs;
  while (isProcessAlive(leaderPid)) {
    if (Date.now() >= deadline) {
      signalGroup("SIGKILL");
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
  signalGroup("SIGKILL");
}

/**
 * Tells whether a process runs. A zombie (exited, but not yet reaped by its
 * parent) counts as gone. Linux shows that state in /proc. Elsewhere only the
 * existence of the process id is checked.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM means that the id belongs to a process of another user, such as the embedded PostgreSQL under root.
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    // No /proc (not Linux), or the process exited in between.
    return process.platform !== "linux";
  }
  // The state follows the command name, which is in parentheses and may itself contain ") ".
  const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
  return state !== "Z" && state !== "X";
}

/** Returns the parent process id of `pid` from /proc, or undefined where it cannot be read. */
function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The fields after the command name: state, then the parent's id.
    const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    return Number.isInteger(parent) && parent > 0 ? parent : undefined;
  } catch {
    return undefined;
  }
}

function hasNpmScriptEnvironment(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").some((entry) => entry.startsWith("npm_lifecycle_event="));
  } catch {
    return false;
  }
}

function isNpm(pid: number): boolean {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    // npm names its process after the command ("npm start"); before it does, its script is in the arguments.
    return /^npm( |$)/.test(argv[0] ?? "") || argv.some((argument) => /(^|\/)npm-cli\.js$/.test(argument));
  } catch {
    return false;
  }
}

/**
 * Returns the processes between `pid` and the terminal that started it through
 * npm: the wrappers npm ran the script in (each carries npm's script
 * environment) and npm itself. Killing any of them ends `npm start` for the
 * user, although `pid` itself may survive it. Empty when `pid` was not started
 * by npm, or where /proc is missing.
 */
export function launcherProcesses(pid: number): number[] {
  const launchers: number[] = [];
  for (let current = parentOf(pid); current !== undefined && current > 1; current = parentOf(current)) {
    if (hasNpmScriptEnvironment(current)) {
      launchers.push(current);
    } else {
      if (isNpm(current)) launchers.push(current);
      break;
    }
  }
  return launchers;
}
