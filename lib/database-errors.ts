/**
 * Tells errors that mean "the database cannot be reached right now" (a
 * restart, a failover, a network cut) from errors in what was asked of it.
 * The first kind passes by itself once the database is back, so the API responds to
 * it with a 503 and Retry-After instead of a 500.
 *
 * The same outage reaches the code in several shapes: Node's socket errors
 * from pg (ECONNREFUSED), PostgreSQL's own SQLSTATE codes (57P01 when an
 * administrator shuts the server down), pg's bare "Connection terminated"
 * errors, and Prisma errors that wrap the driver adapter's error in `cause`
 * or `meta.driverAdapterError`.
 */

// Node.js socket and DNS errors while connecting to or talking with the server.
const NETWORK_ERROR_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "ENOTFOUND"]);

// SQLSTATE codes outside class 08 (connection exception) that also mean the server is going away or not ready yet.
const UNAVAILABLE_SQL_STATES = new Set([
  "57P01", // admin_shutdown: the server is stopping (fast or immediate shutdown)
  "57P02", // crash_shutdown: another backend crashed and the server is resetting
  "57P03", // cannot_connect_now: the server is starting up, shutting down or recovering
  "53300", // too_many_connections
]);

// Prisma's codes for an unreachable server, a closed connection, timeouts, and an exhausted connection pool.
const PRISMA_UNAVAILABLE_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024", "P2037"]);

// Kinds of @prisma/driver-adapter-utils errors that mean the same.
const ADAPTER_UNAVAILABLE_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);

// pg raises these as plain Errors without a code when a connection drops or a pool cannot get one in time.
const UNAVAILABLE_MESSAGES = [
  /^Connection terminated/,
  /connection error and is not queryable/,
  /^timeout exceeded when trying to connect/,
  /^Client was closed and is not queryable/,
];

function isUnavailableCode(code: unknown): boolean {
  if (typeof code !== "string") return false;
  return NETWORK_ERROR_CODES.has(code) || UNAVAILABLE_SQL_STATES.has(code) || PRISMA_UNAVAILABLE_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code);
}

function describesOutage(value: Record<string, unknown>): boolean {
  if (isUnavailableCode(value.code) || isUnavailableCode(value.originalCode)) return true;
  if (typeof value.kind === "string" && ADAPTER_UNAVAILABLE_KINDS.has(value.kind)) return true;
  const message = value.message;
  return typeof message === "string" && UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(message));
}

/** Tells whether `error`, or an error it wraps, means the database is unreachable for now. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const current = queue.shift();
    if (typeof current !== "object" || current === null || seen.has(current)) continue;
    seen.add(current);
    const value = current as Record<string, unknown>;
    if (describesOutage(value)) return true;
    queue.push(value.cause);
    const meta = value.meta as Record<string, unknown> | undefined;
    if (typeof meta === "object" && meta !== null) queue.push(meta.driverAdapterError);
    // AggregateError, as Node raises when every address of a host refuses the connection.
    if (Array.isArray(value.errors)) queue.push(...value.errors);
  }
  return false;
}
