/**
 * Pure helpers of the portal's usage views: numbers, bucket labels, chart rows
 * and the banner about the daily cap. Usage buckets are UTC days and hours, so
 * their labels are in UTC whatever the browser's time zone. The reset time is
 * also shown in the browser's own zone, next to the banner.
 */
import type { DailyCapToday, UsageBucket, UsageGranularity } from "./api-client";

/** Formats a count with digit grouping, for example 50,000. */
export function formatCount(value: number, locale = "en-US"): string {
  return new Intl.NumberFormat(locale).format(value);
}

/** Returns the share of the cap used, in percent, rounded down to a whole number; may exceed 100. */
export function capPercent(used: number, cap: number): number {
  return cap <= 0 ? 0 : Math.floor((used / cap) * 100);
}

/** Labels a bucket: "Dec 1" for a UTC day, "13:00" for a UTC hour. */
export function bucketLabel(start: string, granularity: UsageGranularity): string {
  const date = new Date(start);
  if (granularity === "hour") return `${String(date.getUTCHours()).padStart(2, "0")}:00`;
  return new Intl.DateTimeFormat("en-US", { month: "short", day: "numeric", timeZone: "UTC" }).format(date);
}

/** Names a bucket in full, for tooltips and table rows: "Tue, Dec 1, 2026 (UTC)" or "Dec 1, 13:00–14:00 UTC". */
export function bucketTitle(start: string, granularity: UsageGranularity): string {
  const date = new Date(start);
  if (granularity === "day") {
    return `${new Intl.DateTimeFormat("en-US", { weekday: "short", month: "short", day: "numeric", year: "numeric", timeZone: "UTC" }).format(date)} (UTC)`;
  }
  const day = new Intl.DateTimeFormat("en-US", { month: "short", day: "numeric", timeZone: "UTC" }).format(date);
  const next = (date.getUTCHours() + 1) % 24;
  return `${day}, ${bucketLabel(start, "hour")}–${String(next).padStart(2, "0")}:00 UTC`;
}

export interface UsageChartRow {
  label: string;
  title: string;
  succeeded: number;
  failed: number;
  held: number;
  counted: number;
  cap: number | null;
}

/** Turns API buckets into chart and table rows, oldest first. */
export function usageChartRows(buckets: readonly UsageBucket[], granularity: UsageGranularity): UsageChartRow[] {
  return buckets.map((bucket) => ({
    label: bucketLabel(bucket.start, granularity),
    title: bucketTitle(bucket.start, granularity),
    succeeded: bucket.succeeded,
    failed: bucket.failed,
    held: bucket.held,
    counted: bucket.counted,
    cap: bucket.daily_cap,
  }));
}

export interface CapBanner {
  tone: "warning" | "danger";
  title: string;
  body: string;
}

/**
 * Returns the banner for a webhook's standing today: a warning from 80 % of
 * the cap, an alert once the cap is used or deliveries are held, and nothing
 * otherwise. `resetsIn` is the time left until the reset, already formatted.
 */
export function capBanner(today: DailyCapToday, resetsIn: string): CapBanner | null {
  const used = `${formatCount(today.used)} of ${formatCount(today.daily_cap)}`;
  if (today.state === "reached" || today.held > 0) {
    const held = today.held === 1 ? "1 delivery is held" : `${formatCount(today.held)} deliveries are held`;
    return {
      tone: "danger",
      title: today.state === "reached" ? "Daily cap reached" : "Deliveries held by the daily cap",
      body:
        `This webhook has used ${used} deliveries today (UTC). ${held}; they go out, oldest first and in order per finding, when the cap resets at 00:00 UTC (in ${resetsIn}). ` +
        (today.state === "reached"
          ? "Until then, changes to its URL, event types and description answer 429, and so do replays of held deliveries. " +
            "Test events, replays of sent deliveries and secret rotation still work. "
          : "") +
        "Raise the cap or release the held deliveries to send them sooner.",
    };
  }
  if (today.state === "warning") {
    return {
      tone: "warning",
      title: `${capPercent(today.used, today.daily_cap)}% of the daily cap used`,
      body: `This webhook has used ${used} deliveries today (UTC). At ${formatCount(today.daily_cap)}, further deliveries are held until the cap resets at 00:00 UTC (in ${resetsIn}).`,
    };
  }
  return null;
}

export type DailyCapInput = { ok: true; value: number } | { ok: false; message: string };

// Separators people type inside a large number (50,000 or 50 000 or 50_000), which the field ignores.
const THOUSANDS_SEPARATORS = /[,\s_]/g;

/**
 * Reads the daily cap typed in the Usage tab. Only decimal digits count,
 * besides the thousands separators above, so `0x10`, `1e3`, `1.5` and `+5`
 * are rejected rather than read as other numbers, as Number() would.
 */
export function parseDailyCapInput(text: string): DailyCapInput {
  const digits = text.replace(THOUSANDS_SEPARATORS, "");
  if (!/^[0-9]+$/.test(digits) || /^0+$/.test(digits)) return { ok: false, message: "Enter a whole number of deliveries per day, 1 or more" };

  // Beyond about 309 digits Number() returns Infinity, which JSON cannot carry. Smaller values go to the API, which names the maximum.
  const value = Number(digits);
  if (!Number.isFinite(value)) return { ok: false, message: "This number is too large for a daily cap" };
  return { ok: true, value };
}
