import { pool } from "../lib/db";
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

/**
 * Open deliveries that no attempt will ever move, read in one snapshot:
 * - pending with no next attempt time while no earlier delivery of its ordering
 *   chain is still open (an earlier one in progress is a legitimate wait);
 * - pending or retrying with a next attempt time but no job to make it.
 */
export const STUCK_DELIVERIES_SQL = `
  SELECT count(*)::int AS stuck FROM deliveries d
  WHERE (d.status = 'pending' AND d.next_attempt_at IS NULL AND NOT EXISTS (
           SELECT 1 FROM deliveries earlier
           WHERE earlier.subscription_id = d.subscription_id AND earlier.ordering_key = d.ordering_key
             AND earlier.sequence < d.sequence AND earlier.status IN ('pending', 'retrying', 'held')))
     OR (d.status IN ('pending', 'retrying') AND d.next_attempt_at IS NOT NULL AND NOT EXISTS (
           SELECT 1 FROM pgboss.job j
           WHERE j.name = $1 AND j.state IN ('created', 'retry', 'active') AND j.data->>'deliveryId' = d.id))
  /* soak */`;

/** Counts the stuck deliveries (STUCK_DELIVERIES_SQL). */
export async function stuckDeliveries(): Promise<number> {
  const result = await pool().query<{ stuck: number }>(STUCK_DELIVERIES_SQL, [DELIVERY_QUEUE]);
  return result.rows[0]!.stuck;
}
