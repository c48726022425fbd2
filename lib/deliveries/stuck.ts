import type pg from "pg";
import { DELIVERY_QUEUE } from "../dispatch/queue";

/**
 * Open deliveries that no attempt will ever move: the invariant that every
 * crash and outage must keep is that there are none. A delivery is stuck when
 * - it is pending with no next attempt time while no earlier delivery of its
 *   ordering chain is still open (an earlier one in progress is a legitimate wait);
 * - or it is pending or retrying with a next attempt time but no job to make it.
 * Publishing, recording and holding change deliveries and jobs in one
 * transaction, and the count is read in one snapshot, so any non-zero count is
 * real, not a race.
 */
const STUCK_DELIVERIES_SQL = `
  SELECT count(*)::int AS stuck FROM deliveries d
  WHERE ($2::text IS NULL OR d.subscription_id = $2)
    AND ((d.status = 'pending' AND d.next_attempt_at IS NULL AND NOT EXISTS (
            SELECT 1 FROM deliveries earlier
            WHERE earlier.subscription_id = d.subscription_id AND earlier.ordering_key = d.ordering_key
              AND earlier.sequence < d.sequence AND earlier.status IN ('pending', 'retrying', 'held')))
      OR (d.status IN ('pending', 'retrying') AND d.next_attempt_at IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM pgboss.job j
            WHERE j.name = $1 AND j.state IN ('created', 'retry', 'active') AND j.data->>'deliveryId' = d.id)))`;

/** Counts the stuck deliveries, of one webhook or of all. */
export async function countStuckDeliveries(db: Pick<pg.Pool, "query">, subscriptionId: string | null = null): Promise<number> {
  const result = await db.query<{ stuck: number }>(STUCK_DELIVERIES_SQL, [DELIVERY_QUEUE, subscriptionId]);
  return result.rows[0]!.stuck;
}
