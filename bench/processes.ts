import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";

/**
 * Child processes of the benchmark (the worker, the bare loop, the receiver)
 * and what Linux reports about them in /proc: peak and current resident set
 * size, and CPU time. Children run TypeScript through tsx's loader in the same
 * Node.js binary, so the pid is the program itself, not a wrapper.
 */
export const PROJECT_DIRECTORY = path.resolve(import.meta.dirname, "..");

export interface ProcessStats {
  // Peak resident set size (VmHWM), in MiB.
  peakRssMiB: number;
  rssMiB: number;
  // User plus system CPU time consumed so far, in milliseconds.
  cpuMs: number;
}

let clockTicksPerSecond: number | undefined;

function ticksPerSecond(): number {
  if (clockTicksPerSecond === undefined) {
    try {
      clockTicksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      clockTicksPerSecond = 100;
    }
  }
  return clockTicksPerSecond;
}

/** Reads a live process's memory and CPU figures from /proc; returns null where /proc is missing or the process is gone. */
export function processStats(pid: number): ProcessStats | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th fields of the line.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    return { peakRssMiB: kib("VmHWM") / 1024, rssMiB: kib("VmRSS") / 1024, cpuMs: (ticks * 1000) / ticksPerSecond() };
  } catch {
    return null;
  }
}

/** Returns the command name of a local process, or null if there is none with that pid. */
export function processName(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return null;
  }
}

/** Busy and total CPU time of the whole machine so far, in clock ticks, from /proc/stat. */
export function machineCpuTicks(): { busy: number; total: number } | null {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n")[0]!;
    const values = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = (values[3] ?? 0) + (values[4] ?? 0);
    const total = values.reduce((sum, value) => sum + value, 0);
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

export interface NodeChild {
  process: ChildProcess;
  pid: number;
  // Resolves with the exit code (or the signal's name) once the process has ended.
  exited: Promise<number | string>;
  // Log lines at warn level or above, as printed (at most the first 20).
  problems: string[];
  problemCount: number;
}

export interface NodeChildOptions {
  // Relative to `directory`, which defaults to this project.
  script: string;
  directory?: string;
  args?: string[];
  env: NodeJS.ProcessEnv;
  nodeArguments?: string[];
  ipc?: boolean;
  // Called with every stdout line; pino writes one JSON object per line.
  onLine?: (line: string) => void;
}

/** Starts a TypeScript file of this project in a new Node.js process. */
export function startNodeChild(options: NodeChildOptions): NodeChild {
  const child = spawn(process.execPath, ["--import", "tsx", ...(options.nodeArguments ?? []), options.script, ...(options.args ?? [])], {
    cwd: options.directory ?? PROJECT_DIRECTORY,
    env: options.env,
    stdio: ["ignore", "pipe", "pipe", ...(options.ipc ? (["ipc"] as const) : [])],
  });
  if (child.pid === undefined) throw new Error(`Could not start ${options.script}`);
  const handle: NodeChild = {
    process: child,
    pid: child.pid,
    exited: new Promise((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown"))),
    problems: [],
    problemCount: 0,
  };
  const noteProblem = (line: string) => {
    handle.problemCount++;
    if (handle.problems.length < 20) handle.problems.push(line);
  };
  createInterface({ input: child.stdout! }).on("line", (line) => {
    options.onLine?.(line);
    try {
      const level = (JSON.parse(line) as { level?: number }).level;
      if (level !== undefined && level >= 40) noteProblem(line);
    } catch {
      // Not a log line (plain text from a dependency): keep it only for the report.
      noteProblem(line);
    }
  });
  createInterface({ input: child.stderr! }).on("line", noteProblem);
  return handle;
}

/** Stops a child with SIGTERM and waits for it to exit, killing it after `graceMs`. */
export async function stopChild(child: NodeChild, graceMs = 30_000): Promise<number | string> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return child.exited;
  child.process.kill("SIGTERM");
  const timer = setTimeout(() => child.process.kill("SIGKILL"), graceMs);
  try {
    return await child.exited;
  } finally {
    clearTimeout(timer);
  }
}
