import { createHash } from "node:crypto";
import type pg from "pg";
import { pool } from "../db";
import type { Operation } from "../http/handler";
import { ApiError, problems } from "../http/problem";
import { logger } from "../log";
import { operations } from "./operations";

/**
 * Idempotency-Key for POST /v1/events, the only operation that accepts it.
 * Every other operation rejects the header. A producer that retries after a timeout
 * sends the same key. Within 24 hours the same key with the same body returns
 * the first result and publishes nothing new, and the same key with another
 * body is a 409. The record is written in the publishing transaction, so an
 * event and its record exist together or not at all. Of two concurrent
 * requests with one key, the second waits on the first's row lock and then
 * returns its result.
 */
export const IDEMPOTENCY_HEADER = "Idempotency-Key";
export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;
// Expired records are deleted at most this often per process; a lookup ignores them anyway.
const PURGE_INTERVAL_MS = 10 * 60 * 1000;

export interface StoredResult {
  status: number;
  body: unknown;
}

/** Tells whether the operation reads the Idempotency-Key header, as its `headers` declare. */
export function acceptsIdempotencyKey(operation: Operation): boolean {
  return operation.headers?.some((header) => header.name === IDEMPOTENCY_HEADER) ?? false;
}

/**
 * Rejects a request that carries an Idempotency-Key to an operation that does
 * not read it. Ignoring the key would let a client believe that a retry is
 * safe, and a retried POST /v1/webhooks would then create a second webhook
 * that receives every event twice.
 */
export function assertIdempotencyKeyAccepted(request: Request, operation: Operation): void {
  if (!request.headers.has(IDEMPOTENCY_HEADER) || acceptsIdempotencyKey(operation)) return;
  const accepting = (Object.values(operations) as Operation[]).filter(acceptsIdempotencyKey).map((other) => `${other.method} ${other.path}`);
  throw problems.badRequest(
    `${operation.method} ${operation.path} does not support the ${IDEMPOTENCY_HEADER} header, so a retry would repeat the request. ` +
      `Send it without the header. Operations that support it: ${accepting.join(", ")}`,
  );
}

/** Reads the Idempotency-Key header: null when absent, a 400 when malformed. */
export function idempotencyKeyOf(request: Request): string | null {
  const value = request.headers.get(IDEMPOTENCY_HEADER);
  if (value === null) return null;
  if (value.length === 0 || value.length > MAX_IDEMPOTENCY_KEY_LENGTH || !/^[\x21-\x7e]+$/.test(value)) {
    throw problems.badRequest(
      `The ${IDEMPOTENCY_HEADER} header must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters without spaces, for example a UUID`,
    );
  }
  return value;
}

function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => compareCodePoints(a, b));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** Returns the SHA-256 of a request body in canonical form, so key order and spacing do not count as a different body. */
export function requestFingerprint(body: unknown): string {
  return createHash("sha256").update(canonicalJson(body)).digest("hex");
}

function conflict(key: string): ApiError {
  return new ApiError({
    status: 409,
    type: "idempotency-key-reused",
    title: "Idempotency key reused",
    detail: `The ${IDEMPOTENCY_HEADER} "${key}" was already used in the last 24 hours with a different request body: use a new key for a new event`,
  });
}

/** Returns the first result stored for this key within the window, or null; a 409 when it belongs to another body. */
export async function findStoredResult(organizationId: string, key: string, fingerprint: string, now: Date): Promise<StoredResult | null> {
  const result = await pool().query<{ request_hash: string; response_status: number; response_body: unknown }>(
    `SELECT request_hash, response_status, response_body FROM idempotency_records
     WHERE organization_id = $1 AND key = $2 AND created_at > $3`,
    [organizationId, key, new Date(now.getTime() - IDEMPOTENCY_WINDOW_MS)],
  );
  const row = result.rows[0];
  if (!row) return null;
  if (row.request_hash !== fingerprint) throw conflict(key);
  return { status: row.response_status, body: row.response_body };
}

/** Thrown inside the publishing transaction when another request committed the same key first. */
export class IdempotencyRace extends Error {
  constructor() {
    super("Another request with the same Idempotency-Key committed first");
  }
}

/**
 * Stores the result of the first request with a key, in the caller's
 * transaction. A record older than the window is replaced; a live one means
 * a concurrent request won, and this transaction must roll back.
 */
export async function storeResult(
  client: pg.PoolClient,
  record: { organizationId: string; key: string; fingerprint: string; result: StoredResult; now: Date },
): Promise<void> {
  const stored = await client.query(
    `INSERT INTO idempotency_records (organization_id, key, request_hash, response_status, response_body, created_at)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (organization_id, key) DO UPDATE
       SET request_hash = EXCLUDED.request_hash, response_status = EXCLUDED.response_status,
           response_body = EXCLUDED.response_body, created_at = EXCLUDED.created_at
       WHERE idempotency_records.created_at <= $7
     RETURNING 1`,
    [
      record.organizationId,
      record.key,
      record.fingerprint,
      record.result.status,
      JSON.stringify(record.result.body),
      record.now,
      new Date(record.now.getTime() - IDEMPOTENCY_WINDOW_MS),
    ],
  );
  if (stored.rowCount === 0) throw new IdempotencyRace();
}

/** Builds the response that repeats a stored first result. */
export function storedResultResponse(result: StoredResult): Response {
  return new Response(JSON.stringify(result.body), {
    status: result.status,
    headers: { "content-type": "application/json", "cache-control": "no-store", "idempotent-replayed": "true" },
  });
}

let lastPurge = 0;

/** Deletes expired records, at most once per interval per process, without delaying the caller. */
export function purgeExpiredRecordsSoon(now: Date): void {
  if (now.getTime() - lastPurge < PURGE_INTERVAL_MS) return;
  lastPurge = now.getTime();
  pool()
    .query(`DELETE FROM idempotency_records WHERE created_at <= $1`, [new Date(now.getTime() - IDEMPOTENCY_WINDOW_MS)])
    .catch((error: unknown) => logger.warn({ err: error }, "deleting expired idempotency records failed"));
}
