import { pause } from "../clock";
import { apiKeyMatches, apiKeyPrefix } from "../crypto/api-keys";
import { pool } from "../db";
import { ApiError, problems } from "../http/problem";
import { logger } from "../log";
import { API_KEY_FAILURES, FailureThrottle } from "./failure-throttle";
import { type Principal, type Scope, SCOPES } from "./principal";

// last_used_at is written at most once a minute per key, so reads do not turn into writes.
const LAST_USED_RESOLUTION_SECONDS = 60;

const failures = new FailureThrottle(API_KEY_FAILURES);

/**
 * The detail of every 401 of an operation that takes an API key. A missing or
 * malformed Authorization header and an unknown, invalid or revoked key all get
 * this text, so a response never reveals whether a key exists or was revoked.
 * The log records the reason.
 */
export const API_KEY_REJECTED_DETAIL = 'Send a valid API key that has not been revoked, as "Authorization: ApiKey <key>"';

/**
 * Authenticates `Authorization: ApiKey <key>`. Every failure is the same 401
 * (API_KEY_REJECTED_DETAIL), whatever the reason, so keys cannot be probed.
 * Failures are counted per client address (lib/auth/failure-throttle.ts): past
 * a few, each 401 comes later, and then the address is refused with 429.
 */
export async function authenticateApiKey(
  authorization: string,
  meta: { sourceIp: string | null; userAgent: string | null; requestId: string; now: Date },
): Promise<Principal> {
  const throttled = failures.check(meta.sourceIp, meta.now.getTime());
  if (throttled.refused) {
    logger.warn({ requestId: meta.requestId, sourceIp: meta.sourceIp }, "API key rejected: too many failures from this address");
    throw problems.tooManyFailedAttempts(throttled.retryAfterSeconds);
  }
  try {
    return await verifyApiKey(authorization, meta);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      const delayMs = failures.recordFailure(meta.sourceIp, meta.now.getTime());
      if (delayMs > 0) await pause(delayMs);
    }
    throw error;
  }
}

async function verifyApiKey(
  authorization: string,
  meta: { sourceIp: string | null; userAgent: string | null; requestId: string; now: Date },
): Promise<Principal> {
  const match = /^ApiKey\s+(\S+)\s*$/i.exec(authorization);
  const invalid = problems.unauthorized(API_KEY_REJECTED_DETAIL, "ApiKey");
  if (!match) {
    logger.info({ requestId: meta.requestId }, "API key rejected: the Authorization header does not have the form ApiKey <key>");
    throw invalid;
  }
  const key = match[1]!;
  const prefix = apiKeyPrefix(key);
  if (!prefix) {
    logger.info({ requestId: meta.requestId }, "API key rejected: malformed");
    throw invalid;
  }
  const result = await pool().query<{ id: string; organization_id: string; name: string; hash: string; scopes: string[]; revoked_at: Date | null }>(
    `SELECT id, organization_id, name, hash, scopes, revoked_at FROM api_keys WHERE prefix = $1`,
    [prefix],
  );
  const row = result.rows[0];
  if (!row || !apiKeyMatches(key, row.hash)) {
    logger.info({ requestId: meta.requestId, keyPrefix: prefix }, "API key rejected: unknown");
    throw invalid;
  }
  if (row.revoked_at) {
    logger.info({ requestId: meta.requestId, apiKeyId: row.id }, "API key rejected: revoked");
    throw invalid;
  }
  await pool().query(
    `UPDATE api_keys SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2::timestamptz - make_interval(secs => $3::int))`,
    [row.id, meta.now, LAST_USED_RESOLUTION_SECONDS],
  );
  return {
    organizationId: row.organization_id,
    via: "api_key",
    scopes: new Set(row.scopes.filter((scope): scope is Scope => (SCOPES as readonly string[]).includes(scope))),
    actor: { type: "api_key", id: row.id, label: `API key ${row.name} (${prefix})`, sourceIp: meta.sourceIp, userAgent: meta.userAgent },
  };
}
