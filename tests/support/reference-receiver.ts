import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { collectJsonLines } from "./json-lines";

/**
 * Runs the reference receiver (scripts/receiver.ts) as a separate process on a
 * free loopback port, so tests check exactly what a user gets: its exit code,
 * its output and its command line. It runs under Node.js with the tsx loader
 * in one process, where the tsx command of `npm run receiver` starts two.
 */
const projectDirectory = path.resolve(import.meta.dirname, "..", "..");

export interface ReferenceReceiverOptions {
  args?: string[];
  // Variables added to the environment, which otherwise carries no WEBHOOK_SECRETS.
  env?: Record<string, string>;
  // Text written to the receiver's standard input, which is then closed.
  stdin?: string;
}

export interface RunningReferenceReceiver {
  url: string;
  pid: number;
  // Parsed JSON lines of standard output, one per verified event.
  printed: Array<{ delivery: string; verified: boolean; event: unknown }>;
  // Waits until `count` lines were printed, since a line may arrive after the response that follows it.
  waitForPrinted(count: number): Promise<RunningReferenceReceiver["printed"]>;
  // Waits until standard error contains `text`.
  waitForStderr(text: string): Promise<void>;
  stderr(): string;
  stop(): Promise<void>;
}

function spawnReceiver(options: ReferenceReceiverOptions): ChildProcess {
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  if (!options.env?.WEBHOOK_SECRETS) delete env.WEBHOOK_SECRETS;
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/receiver.ts", "--port", "0", ...(options.args ?? [])], {
    cwd: projectDirectory,
    env,
    stdio: ["pipe", "pipe", "pipe"],
  });
  child.stdin!.end(options.stdin ?? "");
  return child;
}

async function waitUntil(condition: () => boolean, failure: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(failure());
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Starts the receiver and waits until it listens; fails with its output if it exits first. */
export async function startReferenceReceiver(options: ReferenceReceiverOptions = {}): Promise<RunningReferenceReceiver> {
  const child = spawnReceiver(options);
  const printed: RunningReferenceReceiver["printed"] = [];
  collectJsonLines(child.stdout!, printed);
  let stderr = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The reference receiver did not start within 20 s:\n${stderr}`)), 20_000);
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
      const match = /receiver listening on (http:\/\/127\.0\.0\.1:\d+)\//.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve(`${match[1]}/hook`);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`The reference receiver exited with ${code}:\n${stderr}`));
    });
  });
  return {
    url,
    pid: child.pid!,
    printed,
    waitForPrinted: async (count) => {
      await waitUntil(() => printed.length >= count, () => `The reference receiver printed ${printed.length} of ${count} expected lines within 10 s:\n${stderr}`);
      return printed;
    },
    waitForStderr: (text) => waitUntil(() => stderr.includes(text), () => `The reference receiver did not write ${JSON.stringify(text)} within 10 s:\n${stderr}`),
    stderr: () => stderr,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** Runs a receiver that is expected to exit at start-up. Returns its exit code, standard output and standard error. */
export async function runReferenceReceiverToExit(options: ReferenceReceiverOptions): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnReceiver(options);
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  // "close" rather than "exit", so that the output is complete.
  const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/**
 * Returns the command lines of a process and of every process it started,
 * which any user of a Linux machine can read in /proc/PID/cmdline.
 */
export function commandLinesOfProcessTree(rootPid: number): string[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // The fields after the command name, which is in brackets and may contain spaces: state, then the parent id.
      const parentPid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parents.set(Number(entry), parentPid);
    } catch {
      // The process exited while it was read.
    }
  }
  const tree = new Set([rootPid]);
  for (let grown = true; grown; ) {
    grown = false;
    for (const [pid, parentPid] of parents) {
      if (!tree.has(pid) && tree.has(parentPid)) {
        tree.add(pid);
        grown = true;
      }
    }
  }
  const commandLines: string[] = [];
  for (const pid of tree) {
    try {
      commandLines.push(readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" "));
    } catch {
      // The process exited while it was read.
    }
  }
  return commandLines;
}
