// Ids that tracing systems send: UUIDs, ULIDs, hex trace ids and the like. Anything else could carry markup or log injection.
const ACCEPTED_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * Returns the caller's X-Request-Id when it is a plain token of at most 64
 * characters, so its logs and ours can be matched, or a new UUID otherwise.
 * The id is echoed in responses and written to logs, so it is never taken verbatim.
 */
export function requestIdOf(header: string | null | undefined): string {
  return header && ACCEPTED_REQUEST_ID.test(header) ? header : crypto.randomUUID();
}
