/**
 * Returns the client's address as the reverse proxy in front of the app reports
 * it (the first X-Forwarded-For entry, else X-Real-IP), or null. It is recorded
 * in the audit trail for people to read, never used to grant access.
 */
export function clientAddress(headers: Headers): string | null {
  return headers.get("x-forwarded-for")?.split(",")[0]?.trim() || headers.get("x-real-ip") || null;
}
