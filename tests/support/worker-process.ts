import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { TEST_ENVIRONMENT } from "./environment";

/**
 * Runs the real worker (worker/main.ts, what `npm run worker` starts) as a
 * child process, so tests can kill it, stop it with a signal, or run several.
 * Node runs it directly with tsx's loader: `tsx` itself would put a second
 * process in between, and a SIGKILL would then miss the worker.
 */
export interface WorkerProcess {
  child: ChildProcess;
  // Parsed JSON log lines, in order.
  logs: Array<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): void;
}

const projectDirectory = path.resolve(import.meta.dirname, "..", "..");

/** Starts a worker on `databaseUrl` and resolves once it logged that it started. */
export async function startWorkerProcess(databaseUrl: string, env: Record<string, string> = {}): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "worker/main.ts"], {
    cwd: projectDirectory,
    env: { ...process.env, ...TEST_ENVIRONMENT, LOG_LEVEL: "debug", DATABASE_URL: databaseUrl, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: Array<Record<string, unknown>> = [];
  let pending = "";
  let started: (() => void) | undefined;
  child.stdout!.on("data", (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split("\n");
    pending = lines.pop()!;
    for (const line of lines) {
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        if (entry.msg === "worker started") started?.();
      } catch {
        logs.push({ msg: line });
      }
    }
  });
  let errors = "";
  child.stderr!.on("data", (chunk: Buffer) => (errors += chunk.toString()));
  // "close" comes after the last of the worker's output has been read, which "exit" may precede.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("close", (code, signal) => resolve({ code, signal })));
  await Promise.race([
    new Promise<void>((resolve) => (started = resolve)),
    exited.then(({ code }) => {
      throw new Error(`The worker exited with ${code} before starting: ${errors}${JSON.stringify(logs)}`);
    }),
    new Promise<void>((_resolve, reject) => setTimeout(() => reject(new Error(`The worker did not start within 30 s: ${errors}`)), 30_000)),
  ]);
  return { child, logs, exited, kill: (signal) => child.kill(signal) };
}

/** Stops a worker if it still runs, so a failed test leaves no process behind. */
export async function stopWorkerProcess(worker: WorkerProcess | undefined): Promise<void> {
  if (!worker || worker.child.exitCode !== null || worker.child.signalCode !== null) return;
  worker.kill("SIGKILL");
  await worker.exited;
}
