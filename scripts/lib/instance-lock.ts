import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * Keeps two `npm start` from sharing one embedded PostgreSQL. A second start
 * would stop the first one's server (it looks like a leftover of a killed run),
 * start its own, and stop it again on Ctrl-C, leaving the first without a
 * database. The lock is a file that contains the owner's process id. When that
 * process is gone, the file is a leftover of a killed start and is taken over.
 */
const LOCK_FILE = "start.pid";

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM means the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function lockOwner(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, "utf8").trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Takes the lock of a data directory for this process and returns its release. Throws while another running process has it. */
export function lockDataDirectory(dataDirectory: string, pid: number = process.pid): () => void {
  const file = path.join(dataDirectory, LOCK_FILE);
  for (;;) {
    try {
      writeFileSync(file, `${pid}\n`, { flag: "wx", mode: 0o600 });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const owner = lockOwner(file);
    if (owner !== null && owner !== pid && isRunning(owner)) {
      throw new Error(
        `Another npm start (process ${owner}) is already running with the data in ${dataDirectory}: stop it with Ctrl-C first. ` +
          `If no such start is running, delete ${file}`,
      );
    }
    rmSync(file, { force: true });
  }
  return () => releaseDataDirectoryLock(dataDirectory, pid);
}

/** Removes the lock of a data directory if process `pid` still owns it, as after a start that was killed (scripts/watchdog.ts). */
export function releaseDataDirectoryLock(dataDirectory: string, pid: number): void {
  const file = path.join(dataDirectory, LOCK_FILE);
  if (lockOwner(file) === pid) rmSync(file, { force: true });
}
