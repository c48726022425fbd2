import type { z } from "zod";
import type {
  apiKeySummary,
  auditEntry,
  attemptResult,
  createApiKeyBody,
  createdApiKey,
  attemptDetail,
  createWebhookBody,
  dailyCapToday,
  deliveryDetail,
  deliverySummary,
  organizationUsage,
  releasedHeldDeliveries,
  revokeSecretResult,
  rotatedSecret,
  secretSummary,
  updateWebhookBody,
  webhook,
  webhookWithSecret,
  webhookWithStats,
  usageBucket,
  webhookUsage,
} from "../api/schemas";
import { type FieldError, PROBLEM_BASE, type Problem } from "../http/problem";

/**
 * The portal's client of the REST API: one fetcher per operation it uses. The
 * browser sends the session cookie, and the API checks the request's Origin
 * on changes. Types come from the API's own response schemas (as types only,
 * so no server code reaches the browser bundle). Errors are thrown as
 * ApiProblem, carrying the problem details the API returned.
 */
export type Webhook = z.output<typeof webhookWithStats>;
export type WebhookFields = z.output<typeof webhook>;
export type CreatedWebhook = z.output<typeof webhookWithSecret>;
export type SecretSummary = z.output<typeof secretSummary>;
export type RotatedSecret = z.output<typeof rotatedSecret>;
export type RevokeSecretResult = z.output<typeof revokeSecretResult>;
export type Delivery = z.output<typeof deliverySummary>;
export type DeliveryDetail = z.output<typeof deliveryDetail>;
export type AttemptDetail = z.output<typeof attemptDetail>;
export type AttemptResult = z.output<typeof attemptResult>;
export type ApiKey = z.output<typeof apiKeySummary>;
export type CreatedApiKey = z.output<typeof createdApiKey>;
export type CreateWebhookInput = z.input<typeof createWebhookBody>;
export type UpdateWebhookInput = z.input<typeof updateWebhookBody>;
export type CreateApiKeyInput = z.input<typeof createApiKeyBody>;
export type WebhookUsage = z.output<typeof webhookUsage>;
export type OrganizationUsage = z.output<typeof organizationUsage>;
export type DailyCapToday = z.output<typeof dailyCapToday>;
export type UsageBucket = z.output<typeof usageBucket>;
export type ReleasedHeldDeliveries = z.output<typeof releasedHeldDeliveries>;
export type UsageGranularity = "day" | "hour";
export type AuditEntry = z.output<typeof auditEntry>;

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

// Problem type of a rotation whose expected current secret had been replaced first.
export const CURRENT_SECRET_CHANGED = `${PROBLEM_BASE}current-secret-changed`;

/** An error response of the API (RFC 9457 problem details), or a request that got no response (status 0). */
export class ApiProblem extends Error {
  readonly status: number;
  readonly problemType: string;
  readonly fieldErrors: readonly FieldError[];
  readonly requestId: string | undefined;

  constructor(problem: Pick<Problem, "status" | "type" | "detail"> & { errors?: FieldError[]; request_id?: string }) {
    super(problem.detail);
    this.name = "ApiProblem";
    this.status = problem.status;
    this.problemType = problem.type;
    this.fieldErrors = problem.errors ?? [];
    this.requestId = problem.request_id;
  }

  /** Returns the messages the API gave for `field` and its elements (for example "events/0"), joined. */
  fieldMessage(field: string): string | undefined {
    const messages = this.fieldErrors.filter((error) => error.field === field || error.field.startsWith(`${field}/`)).map((error) => error.message);
    return messages.length > 0 ? [...new Set(messages)].join(". ") : undefined;
  }
}

/** Returns a sentence for people from any error a fetcher threw. */
export function problemMessage(error: unknown): string {
  if (error instanceof ApiProblem) return error.message;
  return "Something went wrong in the portal. Reload the page and try again.";
}

async function call<T>(method: "GET" | "POST" | "PATCH" | "DELETE", path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: body === undefined ? { accept: "application/json" } : { accept: "application/json", "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch {
    throw new ApiProblem({ status: 0, type: "network", detail: "The server could not be reached. Check your connection and try again." });
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!response.ok) {
    const problem = (parsed ?? {}) as Partial<Problem> & { errors?: FieldError[] };
    throw new ApiProblem({
      status: response.status,
      type: typeof problem.type === "string" ? problem.type : "unknown",
      detail: typeof problem.detail === "string" ? problem.detail : `The server responded ${response.status} ${response.statusText}`.trim(),
      errors: Array.isArray(problem.errors) ? problem.errors : undefined,
      request_id: typeof problem.request_id === "string" ? problem.request_id : undefined,
    });
  }
  return parsed as T;
}

function withCursor(path: string, cursor: string | null | undefined, limit?: number): string {
  const query = new URLSearchParams();
  if (cursor) query.set("cursor", cursor);
  if (limit) query.set("limit", String(limit));
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

function withQuery(path: string, query: Record<string, string>): string {
  const text = new URLSearchParams(query).toString();
  return text ? `${path}?${text}` : path;
}

// Entries shown per page of the audit log.
export const AUDIT_PAGE_SIZE = 50;

// Deliveries shown per page of the inspector's table.
export const DELIVERY_PAGE_SIZE = 25;

// Maximum number of matches that "Find a delivery" on the webhook list shows.
export const FIND_DELIVERY_LIMIT = 20;

const segment = encodeURIComponent;

export const apiClient = {
  listWebhooks: (cursor?: string | null) => call<Page<Webhook>>("GET", withCursor("/v1/webhooks", cursor)),
  getWebhook: (id: string) => call<Webhook>("GET", `/v1/webhooks/${segment(id)}`),
  createWebhook: (input: CreateWebhookInput) => call<CreatedWebhook>("POST", "/v1/webhooks", input),
  updateWebhook: (id: string, input: UpdateWebhookInput) => call<WebhookFields>("PATCH", `/v1/webhooks/${segment(id)}`, input),
  deleteWebhook: (id: string) => call<void>("DELETE", `/v1/webhooks/${segment(id)}`),
  // With the id of the secret the caller saw as current, the API rotates only while that secret is still current.
  rotateSecret: (id: string, expectedCurrentSecretId?: string) =>
    call<RotatedSecret>(
      "POST",
      withQuery(`/v1/webhooks/${segment(id)}/rotate`, expectedCurrentSecretId ? { expected_current_secret: expectedCurrentSecretId } : {}),
    ),
  revokeSecret: (id: string, secretId: string) => call<RevokeSecretResult>("DELETE", `/v1/webhooks/${segment(id)}/secrets/${segment(secretId)}`),
  sendTestEvent: (id: string) => call<AttemptResult>("POST", `/v1/webhooks/${segment(id)}/test`),
  replayDelivery: (id: string, deliveryId: string) => call<AttemptResult>("POST", `/v1/webhooks/${segment(id)}/deliveries/${segment(deliveryId)}/replay`),
  listDeliveries: (id: string, filters: Record<string, string>, cursor?: string | null) =>
    call<Page<Delivery>>("GET", withQuery(`/v1/webhooks/${segment(id)}/deliveries`, { ...filters, limit: String(DELIVERY_PAGE_SIZE), ...(cursor ? { cursor } : {}) })),
  getDelivery: (id: string, deliveryId: string) => call<DeliveryDetail>("GET", `/v1/webhooks/${segment(id)}/deliveries/${segment(deliveryId)}`),
  findDeliveries: (parameter: "delivery_id" | "event_id" | "subject", value: string) =>
    call<Page<Delivery>>("GET", withQuery("/v1/deliveries", { [parameter]: value, limit: String(FIND_DELIVERY_LIMIT) })),
  listApiKeys: (cursor?: string | null) => call<Page<ApiKey>>("GET", withCursor("/v1/api-keys", cursor)),
  createApiKey: (input: CreateApiKeyInput) => call<CreatedApiKey>("POST", "/v1/api-keys", input),
  revokeApiKey: (id: string) => call<ApiKey>("DELETE", `/v1/api-keys/${segment(id)}`),
  getWebhookUsage: (id: string, granularity: UsageGranularity) =>
    call<WebhookUsage>("GET", `/v1/webhooks/${segment(id)}/usage?granularity=${granularity}`),
  getOrganizationUsage: (granularity: UsageGranularity) => call<OrganizationUsage>("GET", `/v1/usage?granularity=${granularity}`),
  listAuditLog: (query: Record<string, string>, cursor?: string | null) =>
    call<Page<AuditEntry>>("GET", withQuery("/v1/audit-log", { ...query, limit: String(AUDIT_PAGE_SIZE), ...(cursor ? { cursor } : {}) })),
  releaseHeldDeliveries: (id: string) => call<ReleasedHeldDeliveries>("POST", `/v1/webhooks/${segment(id)}/release-held`),
};
