import { pool } from "../db";
import { DAILY_CAP } from "../deliveries/hold";
import type { FieldError } from "../http/problem";
import { problems } from "../http/problem";
import { dailyCapStatus } from "./usage-counters";
import { capState, type CapState, DAY_MS, HOUR_MS, nextUtcDayStart, utcDayStart, warningThreshold } from "./window";

/**
 * Usage reports for the API and the portal's Usage tab, read from the hourly
 * counters (lib/caps/usage-counters.ts): per day or per hour, deliveries
 * counted against the cap, succeeded, failed and held, and the cap itself.
 */
export type Granularity = "day" | "hour";

export interface UsageRange {
  from: Date;
  to: Date;
  granularity: Granularity;
}

// At most a year of days, or a month of hours, in one response.
export const MAX_BUCKETS: Record<Granularity, number> = { day: 366, hour: 31 * 24 };
const BUCKET_MS: Record<Granularity, number> = { day: DAY_MS, hour: HOUR_MS };

/**
 * Resolves the requested range. Without bounds it is the last 30 UTC days,
 * today included (days), or the current UTC day (hours). A single bound gets
 * that span on its other side. `from` is moved back to the start of its
 * bucket and `to` forward to the end of its bucket. Returns the field errors
 * of an empty, reversed or too long range instead.
 */
export function resolveUsageRange(
  query: { from?: Date; to?: Date; granularity: Granularity },
  now: Date,
): { range: UsageRange } | { errors: FieldError[] } {
  const size = BUCKET_MS[query.granularity];
  const spanMs = (query.granularity === "day" ? 30 : 1) * DAY_MS;
  let requestedFrom = query.from;
  let requestedTo = query.to;
  if (!requestedFrom && !requestedTo) requestedTo = nextUtcDayStart(now);
  requestedFrom ??= new Date(requestedTo!.getTime() - spanMs);
  requestedTo ??= new Date(requestedFrom.getTime() + spanMs);
  const from = new Date(Math.floor(requestedFrom.getTime() / size) * size);
  const to = new Date(Math.ceil(requestedTo.getTime() / size) * size);
  if (to.getTime() <= from.getTime()) return { errors: [{ field: "query/to", message: "to must be later than from" }] };
  const buckets = (to.getTime() - from.getTime()) / size;
  if (buckets > MAX_BUCKETS[query.granularity]) {
    const limit = query.granularity === "day" ? "366 days" : "31 days of hours";
    return { errors: [{ field: "query/from", message: `The range contains ${buckets} ${query.granularity}s: ask for at most ${limit} at a time` }] };
  }
  return { range: { from, to, granularity: query.granularity } };
}

export interface UsageRow {
  hour: Date;
  counted: number;
  succeeded: number;
  failed: number;
  held: number;
  dailyCap: number;
}

export interface UsageBucket {
  start: Date;
  end: Date;
  counted: number;
  succeeded: number;
  failed: number;
  held: number;
  // The daily cap of the UTC day the bucket is in; null in organisation totals.
  dailyCap: number | null;
}

/**
 * Spreads hourly rows over the range's buckets, with zeros where nothing
 * happened. A day shows the cap its latest row recorded. A day without rows
 * shows the cap known before it, or the current cap when none is known.
 */
export function bucketUsage(rows: readonly UsageRow[], range: UsageRange, currentCap: number | null): UsageBucket[] {
  const size = BUCKET_MS[range.granularity];
  const sorted = [...rows].sort((a, b) => a.hour.getTime() - b.hour.getTime());
  const buckets: UsageBucket[] = [];
  for (let start = range.from.getTime(); start < range.to.getTime(); start += size) {
    const end = start + size;
    const inside = sorted.filter((row) => row.hour.getTime() >= start && row.hour.getTime() < end);
    const dayEnd = utcDayStart(new Date(start)).getTime() + DAY_MS;
    const knownBefore = sorted.filter((row) => row.hour.getTime() < dayEnd).at(-1);
    buckets.push({
      start: new Date(start),
      end: new Date(end),
      counted: inside.reduce((sum, row) => sum + row.counted, 0),
      succeeded: inside.reduce((sum, row) => sum + row.succeeded, 0),
      failed: inside.reduce((sum, row) => sum + row.failed, 0),
      held: inside.reduce((sum, row) => sum + row.held, 0),
      dailyCap: currentCap === null ? null : (knownBefore?.dailyCap ?? currentCap),
    });
  }
  return buckets;
}

export interface CapToday {
  day: string;
  used: number;
  dailyCap: number;
  remaining: number;
  state: CapState;
  warningAt: number;
  resetsAt: Date;
  // Deliveries held by the daily cap right now, whatever day held them.
  heldNow: number;
  // When held deliveries are next released; null when none is held.
  cappedUntil: Date | null;
}

/** Describes a webhook's standing against its cap on the current UTC day. */
export function capToday(status: { used: number; cap: number; cappedUntil: Date | null }, heldNow: number, now: Date): CapToday {
  return {
    day: utcDayStart(now).toISOString().slice(0, 10),
    used: status.used,
    dailyCap: status.cap,
    remaining: Math.max(0, status.cap - status.used),
    state: capState(status.used, status.cap),
    warningAt: warningThreshold(status.cap),
    resetsAt: nextUtcDayStart(now),
    heldNow,
    cappedUntil: heldNow > 0 ? status.cappedUntil : null,
  };
}

async function heldByCap(subscriptionIds: readonly string[]): Promise<Map<string, number>> {
  if (subscriptionIds.length === 0) return new Map();
  const result = await pool().query<{ subscription_id: string; held: number }>(
    `SELECT subscription_id, COUNT(*)::int AS held FROM deliveries
     WHERE subscription_id = ANY($1) AND status = 'held' AND held_reason = $2 GROUP BY subscription_id`,
    [subscriptionIds, DAILY_CAP],
  );
  return new Map(result.rows.map((row) => [row.subscription_id, row.held]));
}

interface StoredUsageRow {
  hour: Date;
  counted: number;
  succeeded: number;
  failed: number;
  held: number;
  daily_cap: number;
}

const toUsageRow = (row: StoredUsageRow): UsageRow => ({
  hour: row.hour,
  counted: row.counted,
  succeeded: row.succeeded,
  failed: row.failed,
  held: row.held,
  dailyCap: row.daily_cap,
});

/** Returns one webhook's usage over a range and its standing today, or throws 404. */
export async function webhookUsageReport(
  organizationId: string,
  subscriptionId: string,
  query: { from?: Date; to?: Date; granularity: Granularity },
  now: Date,
): Promise<{ range: UsageRange; today: CapToday; buckets: UsageBucket[] }> {
  const status = (await dailyCapStatus(pool(), [subscriptionId], now)).get(subscriptionId);
  if (!status || status.organizationId !== organizationId) throw problems.notFound(`Webhook ${subscriptionId}`);
  const resolved = resolveUsageRange(query, now);
  if ("errors" in resolved) throw problems.validation(resolved.errors);
  const { range } = resolved;
  // Rows from before the range give the cap of its first days.
  const rows = await pool().query<StoredUsageRow>(
    `(SELECT hour, counted, succeeded, failed, held, daily_cap FROM webhook_usage
      WHERE subscription_id = $1 AND hour < $2 ORDER BY hour DESC LIMIT 1)
     UNION ALL
     (SELECT hour, counted, succeeded, failed, held, daily_cap FROM webhook_usage
      WHERE subscription_id = $1 AND hour >= $2 AND hour < $3)`,
    [subscriptionId, range.from, range.to],
  );
  const held = await heldByCap([subscriptionId]);
  return {
    range,
    today: capToday(status, held.get(subscriptionId) ?? 0, now),
    buckets: bucketUsage(rows.rows.map(toUsageRow), range, status.cap),
  };
}

export interface WebhookCapSummary {
  id: string;
  url: string;
  description: string;
  enabled: boolean;
  today: CapToday;
}

/**
 * Returns an organisation's usage totals over a range and every webhook's
 * standing today, the fullest first (by share of the cap used).
 */
export async function organizationUsageReport(
  organizationId: string,
  query: { from?: Date; to?: Date; granularity: Granularity },
  now: Date,
): Promise<{ range: UsageRange; buckets: UsageBucket[]; webhooks: WebhookCapSummary[] }> {
  const resolved = resolveUsageRange(query, now);
  if ("errors" in resolved) throw problems.validation(resolved.errors);
  const { range } = resolved;
  const totals = await pool().query<StoredUsageRow>(
    `SELECT hour, SUM(counted)::int AS counted, SUM(succeeded)::int AS succeeded, SUM(failed)::int AS failed, SUM(held)::int AS held, 0 AS daily_cap
     FROM webhook_usage WHERE organization_id = $1 AND hour >= $2 AND hour < $3 GROUP BY hour`,
    [organizationId, range.from, range.to],
  );
  const webhooks = await pool().query<{ id: string; url: string; description: string; enabled: boolean }>(
    `SELECT id, url, description, enabled FROM subscriptions WHERE organization_id = $1`,
    [organizationId],
  );
  const ids = webhooks.rows.map((row) => row.id);
  const statuses = await dailyCapStatus(pool(), ids, now);
  const held = await heldByCap(ids);
  const summaries = webhooks.rows.flatMap((row) => {
    const status = statuses.get(row.id);
    return status ? [{ id: row.id, url: row.url, description: row.description, enabled: row.enabled, today: capToday(status, held.get(row.id) ?? 0, now) }] : [];
  });
  summaries.sort((a, b) => b.today.used / b.today.dailyCap - a.today.used / a.today.dailyCap || b.today.heldNow - a.today.heldNow || (a.id < b.id ? 1 : -1));
  return { range, buckets: bucketUsage(totals.rows.map(toUsageRow), range, null), webhooks: summaries };
}

/** Returns one webhook's standing against its cap today, or throws 404. */
export async function webhookCapToday(organizationId: string, subscriptionId: string, now: Date): Promise<CapToday> {
  const status = (await dailyCapStatus(pool(), [subscriptionId], now)).get(subscriptionId);
  if (!status || status.organizationId !== organizationId) throw problems.notFound(`Webhook ${subscriptionId}`);
  const held = await heldByCap([subscriptionId]);
  return capToday(status, held.get(subscriptionId) ?? 0, now);
}
