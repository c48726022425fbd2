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
