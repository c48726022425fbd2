/** Configuration and reports of the bare loop process (bench/bare-loop.ts). */
export interface BareLoopConfig {
  queue: string;
  // Jobs queued before the loop starts; it exits once all are completed.
  jobs: number;
  inFlight: number;
  batchSize: number;
  // pg-boss group concurrency for fetch, as the engine uses it; null fetches without groups.
  groupConcurrency: number | null;
  url: string;
  bodyBytes: number;
}

// Sent by the benchmark once it has read the figures it needs while the loop's connections are still open.
export type BareLoopCommand = { type: "exit" };

export type BareLoopEvent =
  | { type: "ready" }
  | {
      type: "done";
      completed: number;
      // Requests that got no 2xx response; the benchmark reports any as a failed check.
      failedRequests: number;
      // From "ready" to the last completion committed, measured inside the loop.
      elapsedMs: number;
      cpuMs: number;
      meanFetchSize: number;
    }
  | { type: "failed"; message: string };
