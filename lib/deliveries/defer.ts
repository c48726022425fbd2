import type pg from "pg";
import type { AttemptToQueue } from "../dispatch/queue";

/** An automatic attempt that came due but was not made, to be made at `until` instead. */
export interface Deferral {
  deliveryId: string;
  // The due time its job was queued for; a delivery that moved on since is left alone.
  dueAt: Date;
  // The automatic attempt's number, kept so a deferral never uses up a retry step.
  attempt: number;
  until: Date;
  // The new time is the attempt's smoothing slot (lib/caps/admission.ts), so it is not smoothed again.
  paced?: boolean;
}

/**
 * Moves automatic attempts to a later time without counting them as made (a
 * paused webhook, or a job that must simply run again). Only deliveries still
 * waiting for exactly that attempt move. Returns the attempts to queue.
 */
export async function deferAttempts(client: Pick<pg.PoolClient, "query">, deferrals: readonly Deferral[]): Promise<AttemptToQueue[]> {
  if (deferrals.length === 0) return [];
  const moved = await client.query<{ id: string; subscription_id: string; next_attempt_at: Date }>(
    `UPDATE deliveries d SET next_attempt_at = j.until
     FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[]) AS j(id, due_at, until)
     WHERE d.id = j.id AND d.status IN ('pending', 'retrying') AND d.next_attempt_at = j.due_at
     RETURNING d.id, d.subscription_id, d.next_attempt_at`,
    [deferrals.map((item) => item.deliveryId), deferrals.map((item) => item.dueAt), deferrals.map((item) => item.until)],
  );
  const byId = new Map(deferrals.map((item) => [item.deliveryId, item]));
  return moved.rows.map((row) => ({
    deliveryId: row.id,
    attempt: byId.get(row.id)?.attempt ?? 1,
    startAfter: row.next_attempt_at,
    subscriptionId: row.subscription_id,
    ...(byId.get(row.id)?.paced ? { paced: true } : {}),
  }));
}
