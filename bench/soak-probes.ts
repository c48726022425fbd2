import { pool } from "../lib/db";
import { countStuckDeliveries } from "../lib/deliveries/stuck";
import { DELIVERY_QUEUE } from "../lib/dispatch/queue";

/**
 * Database reads of `npm run soak` at each sample: the attempt queue, and the
 * deliveries that nothing will move any more.
 */
export interface QueueFigures {
  // Jobs due now (created or retry, start time passed), including those waiting for a webhook's free slot.
  due: number;
  active: number;
  // Retries planned for later.
  scheduled: number;
}

/** Counts the attempt jobs by whether they are due, being made, or planned for later. */
export async function queueFigures(): Promise<QueueFigures> {
  const result = await pool().query<{ due: number; active: number; scheduled: number }>(
    `SELECT count(*) FILTER (WHERE state IN ('created', 'retry') AND start_after <= now())::int AS due,
            count(*) FILTER (WHERE state = 'active')::int AS active,
            count(*) FILTER (WHERE state IN ('created', 'retry') AND start_after > now())::int AS scheduled
     FROM pgboss.job WHERE name = $1 /* soak */`,
    [DELIVERY_QUEUE],
  );
  return result.rows[0]!;
}

/** Counts the stuck deliveries (lib/deliveries/stuck.ts). */
export function stuckDeliveries(): Promise<number> {
  return countStuckDeliveries(pool());
}
