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

/** An error that becomes a problem response; anything else thrown from a handler is a 500. */
export class ApiError extends Error {
  readonly status: number;
  readonly problemType: string;
  readonly title: string;
  readonly errors?: FieldError[];
  readonly headers?: Record<string, string>;
  readonly extensions?: Record<string, unknown>;

  constructor(options: {
    status: number;
    type: string;
    title: string;
    detail: string;
    errors?: FieldError[];
    headers?: Record<string, string>;
    extensions?: Record<string, unknown>;
  }) {
    super(options.detail);
    this.status = options.status;
    this.problemType = options.type;
    this.title = options.title;
    this.errors = options.errors;
    this.headers = options.headers;
    this.extensions = options.extensions;
  }
}

/** Builds the problem body of an ApiError. */
export function problemOf(error: ApiError, requestId: string): Problem {
  return {
    type: PROBLEM_BASE + error.problemType,
    title: error.title,
    status: error.status,
    detail: error.message,
    request_id: requestId,
    ...(error.errors ? { errors: error.errors } : {}),
    ...error.extensions,
  };
}

export const problems = {
  unauthorized: (detail: string) => new ApiError({ status: 401, type: "unauthorized", title: "Authentication required", detail }),
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
  tooManyRequests: (detail: string, retryAfterSeconds: number) =>
    new ApiError({
      status: 429,
      type: "rate-limited",
      title: "Too many requests",
      detail,
      headers: { "retry-after": String(retryAfterSeconds) },
      extensions: { retry_after_seconds: retryAfterSeconds },
    }),
  conflict: (detail: string) => new ApiError({ status: 409, type: "conflict", title: "Conflict", detail }),
  methodNotAllowed: (allowed: string[]) =>
    new ApiError({
      status: 405,
      type: "method-not-allowed",
      title: "Method not allowed",
      detail: `Use ${allowed.join(" or ")} on this path`,
      headers: { allow: allowed.join(", ") },
    }),
};
