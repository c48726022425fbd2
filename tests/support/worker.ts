import { type Clock, systemClock, type PgBoss } from "pg-boss";
import { setTimeSource } from "../../lib/clock";
import { DeliveryEngine, type EngineOptions } from "../../lib/dispatch/engine";
import { createHttpClient, type HttpClientOptions } from "../../lib/dispatch/http-client";
import { createBoss } from "../../lib/dispatch/queue";

export interface TestWorker {
  boss: PgBoss;
  engine: DeliveryEngine;
  stop(): Promise<void>;
}

/**
 * Runs the real dispatch engine in the test process against the test
 * database. Jitter is pinned to zero so retry times are exact, and the idle
 * poll and the sweep of held deliveries are short so a clock jump is noticed
 * at once. A given clock also drives the API handlers called in-process,
 * until stop().
 */
export async function startTestWorker(
  options: { clock?: Clock; http?: Partial<HttpClientOptions>; engine?: Partial<EngineOptions> } = {},
): Promise<TestWorker> {
  const clock = options.clock ?? systemClock;
  if (options.clock) setTimeSource(options.clock);
  const boss = createBoss({ role: "worker", clock });
  await boss.start();
  const http = createHttpClient({ allowPrivate: true, ...options.http });
  const engine = new DeliveryEngine({ boss, http, clock, pollIntervalMs: 50, capSweepIntervalMs: 100, random: () => 0, ...options.engine });
  await engine.start();
  return {
    boss,
    engine,
    async stop() {
      await engine.stop();
      await boss.stop({ graceful: false });
      await http.close();
      setTimeSource(null);
    },
  };
}
