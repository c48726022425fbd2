import { wallClock } from "./load";
import { type NodeChild, type ProcessStats, processStats, startNodeChild, stopChild } from "./processes";

/**
 * The real dispatch worker (`npm run worker`, worker/main.ts) in its own
 * process, started exactly as production starts it, so its memory and CPU
 * time can be read from /proc. It counts as ready when it logs "worker
 * started", which it does after the engine's loop has begun.
 */
export interface EngineWorker {
  child: NodeChild;
  // Wall-clock time at which the "worker started" line arrived.
  readyAt: number;
  // CPU time and memory at that moment, so start-up and TypeScript loading can be left out.
  atReady: ProcessStats | null;
  stats(): ProcessStats | null;
  stop(): Promise<number | string>;
}

const READY_MESSAGE = "worker started";

/**
 * Starts the worker of the checkout in `directory` and resolves once it is fetching; `nodeArguments` can add
 * --cpu-prof, and `onLine` receives every line it prints.
 */
export async function startEngineWorker(
  directory: string,
  env: NodeJS.ProcessEnv,
  nodeArguments: string[] = [],
  timeoutMs = 60_000,
  onLine?: (line: string) => void,
): Promise<EngineWorker> {
  let markReady: (at: number) => void = () => undefined;
  const ready = new Promise<number>((resolve) => (markReady = resolve));
  const child = startNodeChild({
    script: "worker/main.ts",
    directory,
    env,
    nodeArguments,
    onLine(line) {
      onLine?.(line);
      if (line.includes(`"msg":"${READY_MESSAGE}"`)) markReady(wallClock());
    },
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const failed = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`The worker did not log "${READY_MESSAGE}" within ${timeoutMs} ms: ${child.problems.join("\n")}`)), timeoutMs);
    void child.exited.then((code) => reject(new Error(`The worker exited (${code}) before it was ready: ${child.problems.join("\n")}`)));
  });
  try {
    const readyAt = await Promise.race([ready, failed]);
    return {
      child,
      readyAt,
      atReady: processStats(child.pid),
      stats: () => processStats(child.pid),
      stop: () => stopChild(child),
    };
  } catch (error) {
    await stopChild(child, 5_000);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
