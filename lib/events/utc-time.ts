import { z } from "zod";

/**
 * Times that producers send (`occurred_at` and the times in event data) must
 * be ISO 8601 in UTC with a trailing Z. Receivers get the producer's times
 * unchanged, and the catalog promises them that one form. A time with an
 * offset is therefore rejected rather than rewritten, and the message gives the
 * same instant in UTC, ready to send.
 */
const EXAMPLE = "2026-12-01T09:13:58Z";
const WITH_OFFSET = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?([+-])(\d{2}):(\d{2})$/;

/** Converts an ISO 8601 time with a numeric offset to UTC ending in Z, keeping its fraction digits. Returns null for any other text. */
export function utcEquivalent(text: string): string | null {
  const match = WITH_OFFSET.exec(text);
  if (!match) return null;
  const [, local, fraction = "", sign, hours, minutes] = match as unknown as [string, string, string | undefined, string, string, string];
  if (Number(hours) > 23 || Number(minutes) > 59) return null;

  // Date.parse rolls an impossible date such as February 30 over into March, so only a round trip proves the date exists.
  const localMs = Date.parse(`${local}Z`);
  if (Number.isNaN(localMs) || new Date(localMs).toISOString().slice(0, 19) !== local) return null;

  const offsetMs = (Number(hours) * 60 + Number(minutes)) * 60_000;
  const utc = new Date(sign === "+" ? localMs - offsetMs : localMs + offsetMs);
  const year = utc.getUTCFullYear();
  if (year < 0 || year > 9999) return null;
  return `${utc.toISOString().slice(0, 19)}${fraction}Z`;
}

/** Returns the validation message for a time that is not ISO 8601 in UTC ending in Z. */
export function invalidTimeMessage(input: unknown): string {
  const utc = typeof input === "string" ? utcEquivalent(input) : null;
  if (utc) return `Invalid time "${input as string}": use ISO 8601 in UTC ending in Z, for this time ${utc}`;
  return `Invalid time: use ISO 8601 in UTC ending in Z, for example ${EXAMPLE}`;
}

/** Builds the schema of a time in a request body: ISO 8601 in UTC ending in Z, with any number of fraction digits. */
export function utcTime() {
  return z.iso.datetime({ offset: false, error: (issue) => invalidTimeMessage(issue.input) });
}

// Times inside event data describe real moments of a security platform: a detection, a due date, a sighting. Years
// outside this range are unset values (0001-01-01 from Go and .NET, 1970-01-01 from a zero Unix time) or sentinels
// such as 9999-12-31, which a receiver would file as a real date.
export const EARLIEST_DATA_TIME = "2000-01-01T00:00:00Z";
export const LATEST_DATA_TIME = "2199-12-31T23:59:59.999Z";

/** Returns the validation message for a time in event data outside EARLIEST_DATA_TIME to LATEST_DATA_TIME. */
export function implausibleTimeMessage(input: string): string {
  return (
    `Invalid time "${input}": times in event data must fall between ${EARLIEST_DATA_TIME.slice(0, 10)} and ` +
    `${LATEST_DATA_TIME.slice(0, 10)}. A year such as 0001, 1970 or 9999 is usually an unset value: leave an optional time out instead`
  );
}

/** Builds the schema of a time inside event data: a UTC time (utcTime) between EARLIEST_DATA_TIME and LATEST_DATA_TIME. */
export function dataTime() {
  const earliest = Date.parse(EARLIEST_DATA_TIME);
  const latest = Date.parse(LATEST_DATA_TIME);
  return utcTime().refine(
    (text) => {
      const instant = Date.parse(text);
      return instant >= earliest && instant <= latest;
    },
    { error: (issue) => implausibleTimeMessage(String(issue.input)) },
  );
}
