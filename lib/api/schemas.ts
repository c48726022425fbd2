import { z } from "zod";
import { SUBSCRIBABLE_EVENT_TYPES, EVENT_TYPES } from "../events/catalog";
import { isId } from "../ids";
import { SCOPES } from "../auth/principal";

/**
 * Request and response shapes of the REST API: the handlers parse with them,
 * the tests and the OpenAPI document (/v1/openapi.json) are built from them.
 * JSON fields are snake_case, times are ISO 8601 in UTC, ids carry their kind.
 */
const timestamp = z.iso.datetime().describe("ISO 8601 time in UTC");
const isoOut = z.date().transform((date) => date.toISOString()).pipe(timestamp);
const nullableIsoOut = z.date().nullable().transform((date) => date?.toISOString() ?? null).pipe(timestamp.nullable());

export const webhookIdParam = z.object({ id: z.string().refine((value) => isId("subscription", value)) });
export const deliveryParams = z.object({
  id: z.string().refine((value) => isId("subscription", value)),
  deliveryId: z.string().refine((value) => isId("delivery", value)),
});

export const eventTypeName = z.enum(SUBSCRIBABLE_EVENT_TYPES as [string, ...string[]]);

export const createWebhookBody = z.strictObject({
  url: z.string().max(2048).describe("HTTPS endpoint that receives the deliveries"),
  events: z.array(eventTypeName).min(1, "List at least one event type").max(SUBSCRIBABLE_EVENT_TYPES.length),
  description: z.string().trim().max(500).optional().default(""),
  enabled: z.boolean().optional().default(true),
});

export const updateWebhookBody = z
  .strictObject({
    url: z.string().max(2048).optional(),
    events: z.array(eventTypeName).min(1, "List at least one event type").max(SUBSCRIBABLE_EVENT_TYPES.length).optional(),
    description: z.string().trim().max(500).optional(),
    enabled: z.boolean().optional(),
  })
  .refine((body) => Object.keys(body).length > 0, "Send at least one field to change");

export const secretParams = z.object({
  id: z.string().refine((value) => isId("subscription", value)),
  secretId: z.string().refine((value) => isId("secret", value)),
});

export const secretSummary = z.object({
  id: z.string(),
  fingerprint: z.string().describe("First 12 hex digits of SHA-256 over the secret string"),
  status: z.enum(["current", "expiring"]),
  created_at: isoOut,
  expires_at: nullableIsoOut,
});

export const webhook = z.object({
  id: z.string(),
  url: z.string(),
  description: z.string(),
  events: z.array(z.string()),
  enabled: z.boolean(),
  disabled_reason: z.string().nullable(),
  paused_until: nullableIsoOut.describe("Until when automatic attempts wait because the receiver answered 429 (or 503 with Retry-After); null when not paused"),
  daily_cap: z.number().int(),
  secrets: z.array(secretSummary),
  created_at: isoOut,
  updated_at: isoOut,
});

export const webhookWithSecret = webhook.extend({
  secret: z.string().describe("The signing secret, returned only in this response: store it now"),
});

export const listOf = <T extends z.ZodType>(item: T) =>
  z.object({ data: z.array(item), next_cursor: z.string().nullable().describe("Pass as ?cursor= to get the next page; null on the last page") });

export const paginationQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).optional().default(50),
  cursor: z.string().max(200).optional(),
});

export const publishEventBody = z.strictObject({
  type: z.enum(EVENT_TYPES.map((info) => info.type) as [string, ...string[]]),
  subject: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[A-Za-z0-9._:-]+$/, "Use letters, digits, '.', '_', ':' or '-'")
    .nullable()
    .optional()
    .default(null)
    .describe("Id of the finding or asset the event is about; events with the same subject are delivered in order"),
  data: z.record(z.string(), z.unknown()).describe("The event's payload; see the event catalog for each type's fields"),
  occurred_at: timestamp.optional(),
});

export const publishedEvent = z.object({
  id: z.string(),
  type: z.string(),
  subject: z.string().nullable(),
  occurred_at: isoOut,
  created_at: isoOut,
  deliveries: z.number().int().describe("Number of webhooks the event was fanned out to"),
});

export const attemptSummary = z.object({
  id: z.string(),
  number: z.number().int(),
  trigger: z.enum(["automatic", "replay", "test"]),
  started_at: isoOut,
  duration_ms: z.number().int(),
  succeeded: z.boolean(),
  response_status: z.number().int().nullable(),
  error_class: z.string().nullable(),
  error_detail: z.string().nullable(),
});

export const deliverySummary = z.object({
  id: z.string(),
  webhook_id: z.string(),
  event_id: z.string(),
  event_type: z.string(),
  subject: z.string().nullable(),
  status: z.enum(["pending", "retrying", "succeeded", "failed", "held"]),
  held_reason: z.string().nullable().describe("Why a held delivery waits, for example webhook_disabled; null unless status is held"),
  attempts: z.number().int(),
  ordering: z.object({ key: z.string(), sequence: z.number().int() }).nullable(),
  next_attempt_at: nullableIsoOut,
  created_at: isoOut,
  completed_at: nullableIsoOut,
  last_attempt: z
    .object({ at: isoOut, status_code: z.number().int().nullable(), error_class: z.string().nullable(), duration_ms: z.number().int().nullable() })
    .nullable(),
});

export const secretList = z.object({ secrets: z.array(secretSummary) });

export const rotatedSecret = z.object({
  secret: z.string().describe("The new signing secret, returned only in this response"),
  secret_id: z.string(),
  fingerprint: z.string(),
  secrets: z.array(secretSummary),
});

export const attemptResult = z.object({
  delivery_id: z.string(),
  event_id: z.string(),
  attempt: attemptSummary.extend({
    response_body: z.string().nullable().describe("First bytes of the receiver's answer, as text; never rendered"),
    response_body_truncated: z.boolean(),
  }),
});

export const apiKeyScopes = z.array(z.enum(SCOPES)).min(1).max(SCOPES.length);
