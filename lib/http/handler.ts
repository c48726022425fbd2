import { z } from "zod";
import { assertIdempotencyKeyAccepted } from "../api/idempotency";
import { API_KEY_REJECTED_DETAIL, authenticateApiKey } from "../auth/api-key-auth";
import type { Principal, Scope } from "../auth/principal";
import { sessionPrincipal } from "../auth/session-auth";
import { currentTime } from "../clock";
import { isDatabaseUnavailable } from "../database-errors";
import { logger } from "../log";
import { fieldErrors } from "./field-errors";
import { parseJsonStrict } from "./json-body";
import { type RateLimit, RateLimiter } from "./rate-limit";
import { clientAddress, requestedHost } from "./client-address";
import { checkJsonContentType, unsupportedContentCoding } from "./content-type";
import { ApiError, problemOf, problems } from "./problem";
import { readQueryParameters } from "./query-parameters";
import { repeatedHeaderDetail, repeatedHeaderIn } from "./repeated-headers";
import { requestIdOf } from "./request-id";
import { ClientDisconnectedError, readRequestBody, RequestBodyTooLargeError } from "./request-body";

/**
 * The one wrapper every API route handler goes through. It assigns a request
 * id, authenticates (API key, or the portal's session cookie with a same-origin
 * check on changes), checks the scope, reads and validates the path, query and
 * JSON body against the operation's schemas, passes the handler's result
 * through the response schema (which drops any field it does not name, such as
 * a secret), and turns every error into problem details. Everything up to the
 * rate limit, the guessing throttle's delay included, happens before a byte of
 * the body is read, so a caller without credentials cannot make the server
 * hold a body.
 */
export interface Operation<TParams = unknown, TQuery = unknown, TBody = unknown, TResult = unknown> {
  id: string;
  method: "GET" | "POST" | "PATCH" | "DELETE";
  path: string;
  summary: string;
  description?: string;
  tags: string[];
  // null for public operations such as the OpenAPI document.
  scope: Scope | null;
  // Portal-only operations reject API keys.
  sessionOnly?: boolean;
  // Only portal users with the admin role may call it; use with sessionOnly.
  adminOnly?: boolean;
  // Changes state even on GET (the documented curl commands for rotate, test and replay send GET).
  mutating?: boolean;
  params?: z.ZodType<TParams>;
  query?: z.ZodType<TQuery>;
  body?: z.ZodType<TBody>;
  maxBodyBytes?: number;
  // Per-caller limit (lib/http/rate-limit.ts); none when absent.
  rateLimit?: RateLimit;
  // Request headers the operation reads, for the OpenAPI document; the handler validates them itself.
  // An Idempotency-Key sent to an operation that does not list it here is a 400 (lib/api/idempotency.ts).
  headers?: Array<{ name: string; description: string; schema: z.ZodType }>;
  // The handler returns the schema's input (Dates and all); the schema formats and filters it.
  success: { status: number; description: string; schema: z.ZodType<unknown, TResult> };
  errors?: number[];
}

export interface HandlerContext<TParams, TQuery, TBody> {
  request: Request;
  requestId: string;
  principal: Principal;
  params: TParams;
  query: TQuery;
  body: TBody;
  now: Date;
}

export const DEFAULT_MAX_BODY_BYTES = 256 * 1024;

type RouteContext = { params: Promise<Record<string, string | string[]>> };

/** Reads the body and raises a 413 past the limit. A client that disconnects meanwhile raises ClientDisconnectedError. */
async function readBodyBytes(request: Request, limit: number): Promise<Uint8Array> {
  try {
    return await readRequestBody(request, limit);
  } catch (error) {
    if (error instanceof RequestBodyTooLargeError) throw problems.tooLarge(limit);
    throw error;
  }
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw problems.invalidJson("The request body is not valid UTF-8: send JSON encoded as UTF-8");
  }
}

/** Rejects a compressed body (Content-Encoding other than identity) with a 415 that names the coding. */
function assertIdentityEncoding(request: Request): void {
  const coding = unsupportedContentCoding(request.headers.get("content-encoding"));
  if (coding !== null) throw problems.unsupportedContentEncoding(coding);
}

/** Rejects a body that is not declared as UTF-8 JSON with a 415 (lib/http/content-type.ts). */
function assertJsonContentType(contentType: string | null): void {
  const check = checkJsonContentType(contentType);
  if (check.ok) return;
  throw check.problem === "charset" ? problems.unsupportedCharset(check.charset) : problems.unsupportedMediaType(contentType);
}

/**
 * Reads the JSON body of an operation that takes one. The headers are checked
 * before the body is read. A request with neither a body nor a Content-Type is
 * read as an empty object, so optional fields can be left out entirely.
 */
async function readJsonBody(request: Request, limit: number): Promise<unknown> {
  assertIdentityEncoding(request);
  const contentType = request.headers.get("content-type");
  if (contentType !== null) assertJsonContentType(contentType);
  const text = decodeUtf8(await readBodyBytes(request, limit));
  if (contentType === null) {
    if (text.trim() === "") return {};
    throw problems.unsupportedMediaType(null);
  }
  return parseJson(text);
}

/**
 * Accepts no body, or an empty JSON object, which many scripts send with every
 * POST, for an operation that takes no body. Anything else would be ignored, so
 * it is rejected.
 */
async function assertEmptyBody(request: Request): Promise<void> {
  const bytes = await readBodyBytes(request, DEFAULT_MAX_BODY_BYTES);
  if (bytes.byteLength === 0) return;
  assertIdentityEncoding(request);
  const text = decodeUtf8(bytes);
  if (text.trim() === "") return;
  assertJsonContentType(request.headers.get("content-type"));
  const value = parseJson(text);
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw problems.validation([{ field: "body", message: "This operation takes no request body: send none, or {}" }]);
  }
  const fields = Object.keys(value);
  if (fields.length > 0) {
    throw problems.validation(fields.map((key) => ({ field: key, message: `Unknown field "${key}": this operation takes no fields` })));
  }
}

/** Parses a JSON body strictly (lib/http/json-body.ts): duplicate keys, deep nesting and unstorable strings are 400s. */
function parseJson(text: string): unknown {
  if (text.trim() === "") throw problems.invalidJson("The request body is empty: send a JSON object");
  const parsed = parseJsonStrict(text);
  if (parsed.ok) return parsed.value;
  const problem = parsed.problem;
  switch (problem.kind) {
    case "syntax":
      throw problems.invalidJson(`The request body is not valid JSON: ${problem.message}`);
    case "duplicate_key":
      throw problems.invalidJson(`The key "${problem.key}" appears more than once (at ${problem.pointer}): send each key once`);
    case "too_deep":
      throw problems.invalidJson(`The request body nests objects and arrays deeper than ${problem.maxDepth} levels`);
    case "unstorable_string":
      throw problems.invalidJson(`The string at ${problem.pointer} contains U+0000 or an unpaired UTF-16 surrogate, which cannot be stored`);
  }
}

/** Reads the query string of a request, one value per parameter. A repeated parameter is a 400 (lib/http/query-parameters.ts). */
function queryParameters(request: Request): Record<string, string> {
  const read = readQueryParameters(new URL(request.url).searchParams);
  if (!read.ok) throw problems.badRequest(`The query parameter "${read.repeated}" appears more than once: send each parameter once`);
  return read.values;
}

/** Rejects a cookie-authenticated change that did not come from the portal's own pages. */
function assertSameOrigin(request: Request): void {
  const fetchSite = request.headers.get("sec-fetch-site");
  if (fetchSite && fetchSite !== "same-origin") throw problems.forbidden("Cross-site requests cannot change anything");
  const origin = request.headers.get("origin");
  const host = requestedHost(request.headers);
  if (!origin || !host || originHost(origin) !== host) {
    throw problems.forbidden("Portal changes must come from the portal itself (missing or foreign Origin header)");
  }
}

/** Returns the host of an Origin header, or null for "null" (sandboxed or privacy-sensitive contexts) and other non-URLs. */
function originHost(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
}

async function authenticate(request: Request, operation: Operation, requestId: string, now: Date): Promise<Principal> {
  const meta = { sourceIp: clientAddress(request.headers), userAgent: request.headers.get("user-agent"), requestId, now };
  const authorization = request.headers.get("authorization");
  if (authorization) {
    if (operation.sessionOnly) throw problems.forbidden("This operation is only available in the portal");
    return authenticateApiKey(authorization, meta);
  }
  const principal = await sessionPrincipal(request, meta);
  if (!principal) {
    throw operation.sessionOnly ? problems.unauthorized("Sign in to the portal first") : problems.unauthorized(API_KEY_REJECTED_DETAIL, "ApiKey");
  }
  if (operation.method !== "GET" || operation.mutating) assertSameOrigin(request);
  return principal;
}

const rateLimiter = new RateLimiter();

// Seconds a caller should wait when the database is unreachable, because a fast restart takes a few seconds.
export const DATABASE_UNAVAILABLE_RETRY_AFTER_SECONDS = 5;
// During an outage every request fails the same way: log the first, then one line per interval with the count.
const OUTAGE_LOG_INTERVAL_MS = 10_000;
let lastOutageLog = 0;
let unloggedOutageRequests = 0;

function logDatabaseUnavailable(log: typeof logger, error: unknown): void {
  const now = Date.now();
  if (now - lastOutageLog < OUTAGE_LOG_INTERVAL_MS) {
    unloggedOutageRequests++;
    return;
  }
  log.warn({ err: error, unloggedRequests: unloggedOutageRequests }, "request failed because the database is unreachable; responded with 503");
  lastOutageLog = now;
  unloggedOutageRequests = 0;
}

/** Takes one request from the caller's bucket, or throws a 429 with the seconds to wait in Retry-After. */
function enforceRateLimit(limit: RateLimit, principal: Principal, now: Date): void {
  const caller = `${principal.actor.type}:${principal.actor.id ?? principal.organizationId}`;
  const decision = rateLimiter.take(caller, limit, now.getTime());
  if (!decision.allowed) throw problems.rateLimited(decision.retryAfterSeconds, limit);
}

function problemResponse(error: ApiError, requestId: string): Response {
  return new Response(JSON.stringify(problemOf(error, requestId)), {
    status: error.status,
    headers: { "content-type": "application/problem+json", "x-request-id": requestId, "cache-control": "no-store", ...error.headers },
  });
}

/** Wraps an operation's handler into a Next.js route handler. */
export function handle<TParams, TQuery, TBody, TResult>(
  operation: Operation<TParams, TQuery, TBody, TResult>,
  handler: (context: HandlerContext<TParams, TQuery, TBody>) => Promise<TResult | Response>,
) {
  return async (request: Request, routeContext: RouteContext): Promise<Response> => {
    const requestId = requestIdOf(request.headers.get("x-request-id"));
    const now = currentTime();
    const log = logger.child({ requestId, operation: operation.id });
    try {
      // The web server (web/server.ts) rejects these before Next.js drops the copies; this catches joined copies elsewhere.
      const repeated = repeatedHeaderIn(request.headers);
      if (repeated) throw problems.badRequest(repeatedHeaderDetail(repeated));

      const principal = operation.scope === null ? (undefined as unknown as Principal) : await authenticate(request, operation, requestId, now);
      if (operation.adminOnly && principal?.role !== "admin") throw problems.forbidden("Only admins can do this: ask an admin of your organisation");
      if (operation.scope !== null && !principal.scopes.has(operation.scope)) {
        throw problems.forbidden(
          principal.via === "session" ? "Your role cannot do this: ask an admin" : `This API key lacks the "${operation.scope}" scope`,
        );
      }

      if (operation.rateLimit) enforceRateLimit(operation.rateLimit, principal, now);

      assertIdempotencyKeyAccepted(request, operation);

      const rawParams = await routeContext.params;
      let params = rawParams as TParams;
      if (operation.params) {
        const parsed = operation.params.safeParse(rawParams);
        // A malformed id cannot name anything that exists.
        if (!parsed.success) throw problems.notFound("The requested resource");
        params = parsed.data;
      }

      let query = {} as TQuery;
      const rawQuery = queryParameters(request);
      if (operation.query) {
        const parsed = operation.query.safeParse(rawQuery);
        if (!parsed.success) throw problems.validation(fieldErrors(parsed.error, "query"));
        query = parsed.data;
      } else if (Object.keys(rawQuery).length > 0) {
        // An ignored parameter would let a caller believe it changed what the operation does (a "dry run" that rotates).
        throw problems.validation(
          Object.keys(rawQuery).map((name) => ({ field: `query/${name}`, message: `Unknown query parameter "${name}": this operation takes none` })),
        );
      }

      let body = undefined as TBody;
      if (operation.body && request.method !== "GET") {
        const value = await readJsonBody(request, operation.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
        const parsed = operation.body.safeParse(value);
        if (!parsed.success) throw problems.validation(fieldErrors(parsed.error));
        body = parsed.data;
      } else if (!operation.body && request.method !== "GET" && request.method !== "HEAD") {
        await assertEmptyBody(request);
      }

      const result = await handler({ request, requestId, principal, params, query, body, now });
      if (result instanceof Response) {
        result.headers.set("x-request-id", requestId);
        return result;
      }
      const output = operation.success.schema.parse(result);
      if (operation.success.status === 204) {
        return new Response(null, { status: 204, headers: { "x-request-id": requestId, "cache-control": "no-store" } });
      }
      return new Response(JSON.stringify(output), {
        status: operation.success.status,
        headers: { "content-type": "application/json", "x-request-id": requestId, "cache-control": "no-store" },
      });
    } catch (error) {
      // Checked first: the error wraps Node's ECONNRESET, which would otherwise read as a database outage.
      if (error instanceof ClientDisconnectedError) {
        log.info({ receivedBytes: error.receivedBytes }, "request abandoned: the client closed the connection while sending the body");
        // The connection is gone, so this response is never sent. A route handler must return one all the same.
        return new Response(null, { status: 400, headers: { "x-request-id": requestId } });
      }
      if (error instanceof ApiError) {
        if (error.status >= 500) log.error({ err: error }, "request failed");
        return problemResponse(error, requestId);
      }
      if (isDatabaseUnavailable(error)) {
        logDatabaseUnavailable(log, error);
        return problemResponse(problems.databaseUnavailable(DATABASE_UNAVAILABLE_RETRY_AFTER_SECONDS), requestId);
      }
      log.error({ err: error }, "request failed with an unexpected error");
      return problemResponse(
        new ApiError({ status: 500, type: "internal", title: "Internal error", detail: `Something went wrong on our side. Quote request id ${requestId} when reporting it` }),
        requestId,
      );
    }
  };
}
