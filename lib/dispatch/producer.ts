import type { PgBoss } from "pg-boss";
import { createBoss } from "./queue";

// One started producer per process; Next.js module reloads must not start another.
const holder = globalThis as typeof globalThis & { __wvkProducer?: Promise<PgBoss> };

/** Returns this process's pg-boss producer, started on first use. */
export function producer(): Promise<PgBoss> {
  holder.__wvkProducer ??= createBoss({ role: "producer" })
    .start()
    .catch((error: unknown) => {
      holder.__wvkProducer = undefined;
      throw error;
    });
  return holder.__wvkProducer;
}

/** Stops the producer of this process, if one was started. */
export async function stopProducer(): Promise<void> {
  const pending = holder.__wvkProducer;
  holder.__wvkProducer = undefined;
  if (pending) await (await pending).stop({ graceful: false });
}
