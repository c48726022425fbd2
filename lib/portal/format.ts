/**
 * Text forms of times, durations and rates in the portal. Pure, so the same
 * input always reads the same; absolute times use the browser's locale and
 * time zone.
 */
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function toDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(value);
}

/** Describes how long ago (or how far ahead) `value` is from `now`, for example "5 min ago" or "in 2 h". */
export function formatRelativeTime(value: Date | string, now: Date): string {
  const difference = toDate(value).getTime() - now.getTime();
  const distance = Math.abs(difference);
  if (distance < 45 * SECOND) return "just now";
  let amount: string;
  if (distance < HOUR) amount = `${Math.round(distance / MINUTE)} min`;
  else if (distance < DAY) amount = `${Math.round(distance / HOUR)} h`;
  else {
    const days = Math.round(distance / DAY);
    amount = days === 1 ? "1 day" : `${days} days`;
  }
  return difference < 0 ? `${amount} ago` : `in ${amount}`;
}

/** Formats a time in the browser's locale and time zone, to the second. */
export function formatDateTime(value: Date | string, locale?: string, timeZone?: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "medium", timeZone }).format(toDate(value));
}

/** Formats the time left until a deadline, for example "23 h 59 min 12 s"; "expired" once it has passed. */
export function formatCountdown(milliseconds: number): string {
  if (milliseconds <= 0) return "expired";
  const totalSeconds = Math.ceil(milliseconds / SECOND);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (hours > 0) return `${hours} h ${minutes} min ${seconds} s`;
  if (minutes > 0) return `${minutes} min ${seconds} s`;
  return `${seconds} s`;
}

/** Formats a rate from 0 to 1 as a percentage with at most one decimal; null reads "no data". */
export function formatPercent(rate: number | null): string {
  if (rate === null) return "no data";
  const percent = Math.floor(rate * 1000) / 10;
  return `${Number.isInteger(percent) ? percent.toFixed(0) : percent.toFixed(1)}%`;
}

/** Formats a request duration: milliseconds below one second, else seconds with one decimal. */
export function formatDuration(milliseconds: number): string {
  return milliseconds < SECOND ? `${Math.round(milliseconds)} ms` : `${(milliseconds / SECOND).toFixed(1)} s`;
}
