import { redactText } from "../deliveries/secret-redaction";

// Ids that tracing systems send: UUIDs, ULIDs, hex trace ids and the like. Anything else could carry markup or log injection.
const ACCEPTED_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * Returns the caller's X-Request-Id when it is a plain token of at most 64
 * characters, so its logs and ours can be matched, or a new UUID otherwise.
 * The id is echoed in responses and written to logs, so it is never taken verbatim.
 * An id that looks like a credential (an access key, a token or a JWT, by the
 * patterns of lib/deliveries/secret-redaction.ts) is replaced too, so a key
 * pasted into the wrong header is not repeated into logs and responses.
 */
export function requestIdOf(header: string | null | undefined): string {
  if (!header || !ACCEPTED_REQUEST_ID.test(header)) return crypto.randomUUID();
  return redactText(header).count > 0 ? crypto.randomUUID() : header;
}
