import { type NodeChild, startNodeChild, stopChild } from "./processes";
import type { ReceiverCommand, ReceiverEvent } from "./receiver-protocol";

/** The benchmark's receiver process (bench/receiver.ts) as seen from the benchmark. */
export interface BenchReceiver {
  url: string;
  child: NodeChild;
  // Resolves with the receipt time of the `count`-th request since the last collect.
  waitFor(count: number, timeoutMs: number): Promise<number>;
  collect(): Promise<Extract<ReceiverEvent, { type: "receipts" }>>;
  stop(): Promise<void>;
}

/** Starts the receiver in its own process and returns once it listens on loopback. */
export async function startBenchReceiver(): Promise<BenchReceiver> {
  const child = startNodeChild({ script: "bench/receiver.ts", env: process.env, ipc: true });
  const listeners = new Set<(event: ReceiverEvent) => void>();
  child.process.on("message", (event: ReceiverEvent) => listeners.forEach((listener) => listener(event)));

  function next<T extends ReceiverEvent["type"]>(type: T, timeoutMs: number, what: string): Promise<Extract<ReceiverEvent, { type: T }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        listeners.delete(listener);
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for the receiver: ${what}`));
      }, timeoutMs);
      const listener = (event: ReceiverEvent) => {
        if (event.type !== type) return;
        clearTimeout(timer);
        listeners.delete(listener);
        resolve(event as Extract<ReceiverEvent, { type: T }>);
      };
      listeners.add(listener);
    });
  }

  const command = (message: ReceiverCommand) => child.process.send(message);
  const listening = await next("listening", 30_000, "it did not start listening");
  return {
    url: `http://127.0.0.1:${listening.port}/hook`,
    child,
    async waitFor(count, timeoutMs) {
      const reached = next("reached", timeoutMs, `${count} requests did not all arrive`);
      command({ type: "expect", count });
      return (await reached).at;
    },
    async collect() {
      const receipts = next("receipts", 60_000, "it did not send its receipts");
      command({ type: "collect" });
      return receipts;
    },
    async stop() {
      command({ type: "stop" });
      await stopChild(child, 5_000);
    },
  };
}

