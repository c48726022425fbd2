import type pg from "pg";
import { parameter, prepared, type StatementPart } from "../db";
import { nextUtcDayStart, utcDayStart, utcHourStart } from "./window";

/**
 * The hourly usage counters of webhooks (table webhook_usage). They change
 * only in the transaction that changes the deliveries they count, so they
 * cannot drift from the deliveries whatever the number of workers:
 *
 * - `counted`: deliveries counted against the daily cap, each exactly once
 *   (lib/caps/admission.ts, and a release beyond the cap);
 * - `succeeded`, `failed`: deliveries that reached that final status in the
 *   hour (lib/deliveries/record.ts, and the expiry of held deliveries);
 * - `held`: deliveries the daily cap held in the hour.
 */
type Queryable = Pick<pg.PoolClient, "query">;

export interface UsageChange {
  subscriptionId: string;
  // Any time inside the hour the change belongs to.
  at: Date;
  counted?: number;
  succeeded?: number;
  failed?: number;
  held?: number;
}

interface MergedChange {
  subscriptionId: string;
  hour: Date;
  counted: number;
  succeeded: number;
  failed: number;
  held: number;
}

/** Adds up changes to the same webhook and hour, in key order. */
export function mergeUsageChanges(changes: readonly UsageChange[]): MergedChange[] {
  const merged = new Map<string, MergedChange>();
  for (const change of changes) {
    const hour = utcHourStart(change.at);
    const key = `${change.subscriptionId}\u0000${hour.toISOString()}`;
    const row = merged.get(key) ?? { subscriptionId: change.subscriptionId, hour, counted: 0, succeeded: 0, failed: 0, held: 0 };
    row.counted += change.counted ?? 0;
    row.succeeded += change.succeeded ?? 0;
    row.failed += change.failed ?? 0;
    row.held += change.held ?? 0;
    merged.set(key, row);
  }
  const rows = [...merged.values()].filter((row) => row.counted + row.succeeded + row.failed + row.held !== 0);
  rows.sort((a, b) => {
    if (a.subscriptionId !== b.subscriptionId) return a.subscriptionId < b.subscriptionId ? -1 : 1;
    return a.hour.getTime() - b.hour.getTime();
  });
  return rows;
}

// Rows each webhook's hour is spread over. Every recording transaction of every worker adds to the hour of each
// webhook it touched, and a row stays locked until its transaction commits, so a single row per hour would
// make them commit one after the other.
export const USAGE_SHARDS = 8;

// The admission gate's shard. Gates already wait for each other on their webhooks' budget rows, and with a shard of
// their own a gate that has those rows locked never waits for a recorder's counters as well.
export const GATE_SHARD = 0;

/** Picks one of the shards other than the gate's, at random. */
export function sharedShard(random: () => number = Math.random): number {
  return 1 + Math.min(USAGE_SHARDS - 2, Math.floor(random() * (USAGE_SHARDS - 1)));
}

/**
 * Builds the upsert that adds `changes` to the counters in one shard, as SQL whose
 * parameters start at `$first`. Rows are written in (webhook, hour) order, so
 * concurrent writers lock them in the same order. Each row also takes the
 * webhook's current cap, which is what a past day shows. With no changes the
 * statement writes nothing.
 */
export function usageUpsert(changes: readonly UsageChange[], first = 1, shard = sharedShard()): StatementPart {
  const rows = mergeUsageChanges(changes);
  const p = (offset: number) => parameter(first, offset);
  return {
    sql: `INSERT INTO webhook_usage (subscription_id, organization_id, hour, shard, counted, succeeded, failed, held, daily_cap)
     SELECT u.subscription_id, s.organization_id, u.hour, ${p(6)}::smallint, u.counted, u.succeeded, u.failed, u.held, s.daily_cap
     FROM unnest(${p(0)}::text[], ${p(1)}::timestamptz[], ${p(2)}::int[], ${p(3)}::int[], ${p(4)}::int[], ${p(5)}::int[]) WITH ORDINALITY
       AS u(subscription_id, hour, counted, succeeded, failed, held, position)
     JOIN subscriptions s ON s.id = u.subscription_id
     ORDER BY u.position
     ON CONFLICT (subscription_id, hour, shard) DO UPDATE SET
       counted = webhook_usage.counted + EXCLUDED.counted,
       succeeded = webhook_usage.succeeded + EXCLUDED.succeeded,
       failed = webhook_usage.failed + EXCLUDED.failed,
       held = webhook_usage.held + EXCLUDED.held,
       daily_cap = EXCLUDED.daily_cap`,
    values: [
      rows.map((row) => row.subscriptionId),
      rows.map((row) => row.hour),
      rows.map((row) => row.counted),
      rows.map((row) => row.succeeded),
      rows.map((row) => row.failed),
      rows.map((row) => row.held),
      shard,
    ],
    writes: rows.length > 0,
  };
}

/**
 * Builds the insert that marks deliveries as counted against their webhook's
 * daily cap (table delivery_counts), as SQL whose parameters start at `$first`.
 * A delivery already marked keeps its first mark, so none is counted twice.
 */
export function countedMarks(deliveryIds: readonly string[], at: Date, first = 1): StatementPart {
  return {
    sql: `INSERT INTO delivery_counts (delivery_id, counted_at)
     SELECT id, ${parameter(first, 1)} FROM unnest(${parameter(first, 0)}::text[]) AS m(id) ORDER BY id
     ON CONFLICT (delivery_id) DO NOTHING`,
    values: [deliveryIds, at],
    writes: deliveryIds.length > 0,
  };
}

/** Marks deliveries as counted inside the caller's transaction (see countedMarks). */
export async function markCounted(client: Queryable, deliveryIds: readonly string[], at: Date): Promise<void> {
  const marks = countedMarks(deliveryIds, at);
  if (marks.writes) await client.query(marks.sql, marks.values);
}

/** Adds to the counters inside the caller's transaction (see usageUpsert). */
export async function addUsage(client: Queryable, changes: readonly UsageChange[], shard = sharedShard()): Promise<void> {
  const upsert = usageUpsert(changes, 1, shard);
  if (upsert.writes) await client.query(upsert.sql, upsert.values);
}

export interface DailyCapStatus {
  subscriptionId: string;
  organizationId: string;
  enabled: boolean;
  cap: number;
  // Deliveries counted against the cap on the UTC day of `now`.
  used: number;
  // Set while deliveries are held by the cap: when they are next released.
  cappedUntil: Date | null;
  // Of the deliveries asked about, those of this webhook not counted yet (test deliveries are never counted).
  uncounted: string[];
}

/**
 * Returns each webhook's cap and what it used on the current UTC day; unknown
 * ids are left out. With `deliveryIds`, it also returns which of those
 * deliveries were never counted, read in the same snapshot as the counters.
 */
export async function dailyCapStatus(
  client: Queryable,
  subscriptionIds: readonly string[],
  now: Date,
  deliveryIds: readonly string[] = [],
): Promise<Map<string, DailyCapStatus>> {
  if (subscriptionIds.length === 0) return new Map();
  const result = await client.query<{
    id: string;
    organization_id: string;
    enabled: boolean;
    daily_cap: number;
    used: number;
    capped_until: Date | null;
    uncounted: string[];
  }>(
    prepared(
      `WITH uncounted AS MATERIALIZED (
         SELECT d.id, d.subscription_id FROM deliveries d
         WHERE d.id = ANY($4) AND NOT d.is_test AND NOT EXISTS (SELECT 1 FROM delivery_counts c WHERE c.delivery_id = d.id)
       )
       SELECT s.id, s.organization_id, s.enabled, s.daily_cap, b.capped_until,
         COALESCE((SELECT SUM(u.counted) FROM webhook_usage u WHERE u.subscription_id = s.id AND u.hour >= $2 AND u.hour < $3), 0)::int AS used,
         ARRAY(SELECT d.id FROM uncounted d WHERE d.subscription_id = s.id) AS uncounted
       FROM subscriptions s LEFT JOIN webhook_budgets b ON b.subscription_id = s.id
       WHERE s.id = ANY($1)`,
      [subscriptionIds, utcDayStart(now), nextUtcDayStart(now), deliveryIds],
    ),
  );
  return new Map(
    result.rows.map((row) => [
      row.id,
      {
        subscriptionId: row.id,
        organizationId: row.organization_id,
        enabled: row.enabled,
        cap: row.daily_cap,
        used: row.used,
        cappedUntil: row.capped_until,
        uncounted: row.uncounted,
      },
    ]),
  );
}
