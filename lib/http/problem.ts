import type { Principal } from "../auth/principal";
import { redactText } from "../deliveries/secret-redaction";

/**
 * RFC 9457 problem details, the body of every error the API returns. `type`
 * is a stable URI per kind of problem, documented in docs/api.md, so scripts
 * can branch on it; `detail` is written for people.
 */
export interface FieldError {
  // JSON pointer-like path of the offending field, for example "events/0".
  field: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  request_id?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export const PROBLEM_BASE = "https://docs.wasviking.com/problems/";

/** The request a webhook over its daily cap rejects: a change to the subscription, or a replay of a delivery never counted. */
export type DailyCapRejection = { kind: "change" } | { kind: "replay"; deliveryId: string };

/**
 * Every kind of problem the API returns. An ApiError can only name one of
 * these, so the OpenAPI document and the reference pages list them all.
 */
const PROBLEM_KINDS = [
  { slug: "invalid-json", status: 400, meaning: "The body is not valid UTF-8 JSON, repeats a key, or nests deeper than 32 levels." },
  {
    slug: "bad-request",
    status: 400,
    meaning:
      "A header, the path or the query string is malformed, for example the Idempotency-Key, a repeated Authorization, Content-Type or Idempotency-Key header, an invalid percent-encoding or a repeated query parameter. An Idempotency-Key sent to an operation other than POST /v1/events is rejected too, because it would be ignored.",
  },
  { slug: "unauthorized", status: 401, meaning: "No API key, or an invalid or revoked one. The detail never says which." },
  { slug: "forbidden", status: 403, meaning: "The key lacks the scope of the operation, or the operation is portal-only." },
  { slug: "not-found", status: 404, meaning: "No such object in your organisation (another organisation's objects are not found either), or no such API path." },
  { slug: "method-not-allowed", status: 405, meaning: "The path exists but not with this method; the Allow header lists its methods." },
  { slug: "conflict", status: 409, meaning: "The change conflicts with the current state, for example revoking the current secret." },
  {
    slug: "current-secret-changed",
    status: 409,
    meaning:
      "A rotation named the secret it expected to be current (expected_current_secret), and another secret is current now: read the secrets again before rotating.",
  },
  { slug: "idempotency-key-reused", status: 409, meaning: "The Idempotency-Key was used in the last 24 hours with a different body." },
  { slug: "payload-too-large", status: 413, meaning: "The body is larger than the operation accepts." },
  {
    slug: "unsupported-media-type",
    status: 415,
    meaning: "The body is not sent as application/json, names a charset other than UTF-8, or is compressed (a Content-Encoding other than identity).",
  },
  { slug: "validation", status: 422, meaning: "The body or query is well-formed JSON but invalid; errors lists each field with a message." },
  { slug: "rate-limited", status: 429, meaning: "Too many requests; wait for the seconds in Retry-After." },
  {
    slug: "too-many-failed-attempts",
    status: 429,
    meaning: "Too many invalid API keys came from your address: every key from it is refused for the seconds in Retry-After.",
  },
  {
    slug: "daily-cap-reached",
    status: 429,
    meaning:
      "The webhook has used its daily delivery cap: changes to its URL, event types and description, and replays of deliveries the cap has not counted, are rejected until the cap resets at 00:00 UTC (Retry-After, resets_at). Raise daily_cap to lift it now.",
  },
  {
    slug: "database-unavailable",
    status: 503,
    meaning:
      "The database cannot be reached for a moment (a restart or failover). Send the request again after the seconds in Retry-After; an event published with an Idempotency-Key is then not stored twice.",
  },
  { slug: "internal", status: 500, meaning: "An unexpected error on our side. The answer carries only a request id to quote." },
] as const;

export type ProblemSlug = (typeof PROBLEM_KINDS)[number]["slug"];

export const PROBLEM_TYPES = PROBLEM_KINDS.map((kind) => ({ ...kind, uri: PROBLEM_BASE + kind.slug }));

/** An error that becomes a problem response; anything else thrown from a handler is a 500. */
export class ApiError extends Error {
  readonly status: number;
  readonly problemType: ProblemSlug;
  readonly title: string;
  readonly errors?: FieldError[];
  readonly headers?: Record<string, string>;
  readonly extensions?: Record<string, unknown>;

  constructor(options: {
    status: number;
    type: ProblemSlug;
    title: string;
    detail: string;
    errors?: FieldError[];
    headers?: Record<string, string>;
    extensions?: Record<string, unknown>;
    // Sent both as the Retry-After header and as `retry_after` in the body, so scripts can read either.
    retryAfterSeconds?: number;
  }) {
    super(options.detail);
    this.status = options.status;
    this.problemType = options.type;
    this.title = options.title;
    this.errors = options.errors;
    const retryAfter = options.retryAfterSeconds;
    this.headers = retryAfter === undefined ? options.headers : { ...options.headers, "retry-after": String(retryAfter) };
    this.extensions = retryAfter === undefined ? options.extensions : { retry_after: retryAfter, ...options.extensions };
  }
}

/**
 * Builds the problem body of an ApiError. Details quote what the caller sent
 * (an unknown field's name, a repeated key, a content type), so credential-like
 * values in them are hidden: a key pasted into the wrong place must not be
 * repeated into the client's error logs.
 */
export function problemOf(error: ApiError, requestId: string): Problem {
  const hide = (text: string) => redactText(text).value;
  return {
    type: PROBLEM_BASE + error.problemType,
    title: error.title,
    status: error.status,
    detail: hide(error.message),
    request_id: requestId,
    ...(error.errors ? { errors: error.errors.map((entry) => ({ field: hide(entry.field), message: hide(entry.message) })) } : {}),
    ...error.extensions,
  };
}

/** Joins words as a sentence lists alternatives: "GET", "GET or POST", "GET, HEAD or POST". */
function listWithOr(words: string[]): string {
  if (words.length <= 2) return words.join(" or ");
  return `${words.slice(0, -1).join(", ")} or ${words.at(-1)}`;
}

export const problems = {
  // RFC 9110 requires a 401 to name the scheme that would work, in WWW-Authenticate. Portal-only operations take a
  // session, which has no such scheme, so they leave it out.
  unauthorized: (detail: string, scheme?: "ApiKey") =>
    new ApiError({
      status: 401,
      type: "unauthorized",
      title: "Authentication required",
      detail,
      ...(scheme ? { headers: { "www-authenticate": `${scheme} realm="wasviking-webhooks"` } } : {}),
    }),
  forbidden: (detail: string) => new ApiError({ status: 403, type: "forbidden", title: "Not allowed", detail }),
  notFound: (what: string) =>
    new ApiError({ status: 404, type: "not-found", title: "Not found", detail: `${what} was not found in your organisation` }),
  invalidJson: (detail: string) => new ApiError({ status: 400, type: "invalid-json", title: "Invalid JSON", detail }),
  badRequest: (detail: string) => new ApiError({ status: 400, type: "bad-request", title: "Bad request", detail }),
  validation: (errors: FieldError[]) =>
    new ApiError({
      status: 422,
      type: "validation",
      title: "Invalid request",
      detail: errors.length === 1 ? `${errors[0]!.field || "body"}: ${errors[0]!.message}` : `${errors.length} fields are invalid`,
      errors,
    }),
  tooLarge: (limit: number) =>
    new ApiError({ status: 413, type: "payload-too-large", title: "Request body too large", detail: `The request body is larger than ${limit} bytes` }),
  unsupportedMediaType: (received: string | null) =>
    new ApiError({
      status: 415,
      type: "unsupported-media-type",
      title: "Unsupported media type",
      detail: `Send the body as JSON with Content-Type: application/json${received ? ` (received ${received})` : ""}`,
    }),
  unsupportedCharset: (charset: string) =>
    new ApiError({
      status: 415,
      type: "unsupported-media-type",
      title: "Unsupported media type",
      detail: `The charset "${charset.slice(0, 100)}" is not supported: encode the JSON body as UTF-8 and send Content-Type: application/json`,
    }),
  // RFC 7694: a 415 for a content coding names the codings the server accepts in Accept-Encoding.
  unsupportedContentEncoding: (coding: string) =>
    new ApiError({
      status: 415,
      type: "unsupported-media-type",
      title: "Unsupported media type",
      detail: `The content encoding "${coding.slice(0, 100)}" is not supported: send the request body uncompressed, without a Content-Encoding header`,
      headers: { "accept-encoding": "identity" },
    }),
  conflict: (detail: string) => new ApiError({ status: 409, type: "conflict", title: "Conflict", detail }),
  // A rotation's precondition failed (lib/subscriptions/service.ts): the extension names the secret current now.
  currentSecretChanged: (change: { webhookId: string; expectedSecretId: string; current: { id: string; fingerprint: string } | null }) =>
    new ApiError({
      status: 409,
      type: "current-secret-changed",
      title: "Current secret changed",
      detail:
        `Secret ${change.expectedSecretId} is not the current secret of webhook ${change.webhookId}` +
        (change.current ? ` (${change.current.id}, fingerprint ${change.current.fingerprint}, is)` : "") +
        ", so nothing was rotated. Another rotation may have come first: read the webhook's secrets again, then rotate if you still need to",
      extensions: { current_secret: change.current ? { id: change.current.id, fingerprint: change.current.fingerprint } : null },
    }),
  rateLimited: (retryAfterSeconds: number, limit: { capacity: number; windowSeconds: number }) =>
    new ApiError({
      status: 429,
      type: "rate-limited",
      title: "Too many requests",
      detail: `This operation allows ${limit.capacity} requests per ${limit.windowSeconds} seconds for each API key or user: retry in ${retryAfterSeconds} s`,
      retryAfterSeconds,
    }),
  tooManyFailedAttempts: (retryAfterSeconds: number) =>
    new ApiError({
      status: 429,
      type: "too-many-failed-attempts",
      title: "Too many failed attempts",
      detail: `Too many invalid API keys were sent from your address: retry in ${retryAfterSeconds} s`,
      retryAfterSeconds,
    }),
  // A limit per webhook rather than per caller, such as the test delivery limit; `detail` names it.
  webhookRateLimited: (detail: string, retryAfterSeconds: number) =>
    new ApiError({
      status: 429,
      type: "rate-limited",
      title: "Too many requests",
      detail,
      retryAfterSeconds,
    }),
  // The webhook used its daily delivery cap (lib/caps/write-guard.ts); the extensions name the cap and its reset.
  // The last sentence names where the caller raises the cap: an API client with PATCH, a portal user on the
  // webhook's Usage tab, which is where the portal sets it.
  dailyCapReached: (cap: {
    webhookId: string;
    used: number;
    cap: number;
    resetsAt: Date;
    retryAfterSeconds: number;
    caller: Principal["via"];
    rejected: DailyCapRejection;
  }) =>
    new ApiError({
      status: 429,
      type: "daily-cap-reached",
      title: "Daily delivery cap reached",
      detail:
        `Webhook ${cap.webhookId} has used its daily delivery cap (${cap.used} of ${cap.cap} deliveries today, UTC): new deliveries are held, and ` +
        (cap.rejected.kind === "change"
          ? "changes to its URL, event types and description are rejected"
          : `delivery ${cap.rejected.deliveryId}, which the cap has not counted, cannot be replayed`) +
        ` until the cap resets at ${cap.resetsAt.toISOString()} (in ${cap.retryAfterSeconds} s). ` +
        (cap.caller === "session"
          ? "Raise the daily cap on the webhook's Usage tab to lift it now"
          : `Raise daily_cap with PATCH /v1/webhooks/${cap.webhookId} to lift it now`),
      retryAfterSeconds: cap.retryAfterSeconds,
      extensions: {
        cap: "daily",
        daily_cap: cap.cap,
        used: cap.used,
        resets_at: cap.resetsAt.toISOString(),
      },
    }),
  // The database is restarting or unreachable (lib/database-errors.ts). A connection lost during COMMIT leaves
  // unknown whether the change was stored, so the detail does not promise that nothing happened.
  databaseUnavailable: (retryAfterSeconds: number) =>
    new ApiError({
      status: 503,
      type: "database-unavailable",
      title: "Service temporarily unavailable",
      detail:
        `The database cannot be reached right now: send the request again in ${retryAfterSeconds} s. ` +
        "Publish events with an Idempotency-Key so that a retry cannot store an event twice",
      retryAfterSeconds,
    }),
  // The detail lists the same methods as the Allow header.
  methodNotAllowed: (allowed: string[]) =>
    new ApiError({
      status: 405,
      type: "method-not-allowed",
      title: "Method not allowed",
      detail: `Use ${listWithOr(allowed)} on this path`,
      headers: { allow: allowed.join(", ") },
    }),
};
