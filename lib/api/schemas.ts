import { z } from "zod";
import { AUDIT_ACTION_NAMES } from "../audit-log/actions";
import { currentTime } from "../clock";
import { EVENT_TYPES, SUBSCRIBABLE_EVENT_TYPES, TEST_EVENT_TYPE } from "../events/catalog";
import { EVENT_DEFINITIONS, type EventDefinition, eventDefinition, isTestFindingId, TEST_FINDING_ID_MESSAGE } from "../events/schemas";
import { occurredAtProblem } from "../events/occurred-at";
import { utcTime } from "../events/utc-time";
import { dailyCapLimitProblem } from "../subscriptions/daily-cap-limit";
import { isId } from "../ids";
import { SCOPES } from "../auth/principal";
import { bidiControlMessage, findBidiControl } from "../bidi-controls";
import { isPlainDecimalInteger } from "../http/query-parameters";

/**
 * Request and response shapes of the REST API: the handlers parse with them,
 * the tests and the OpenAPI document (/v1/openapi.json) are built from them.
 * JSON fields are snake_case, times are ISO 8601 in UTC, ids carry their kind.
 */
const timestamp = utcTime().describe("ISO 8601 time in UTC");
const isoOut = z.date().transform((date) => date.toISOString()).pipe(timestamp);
const nullableIsoOut = z.date().nullable().transform((date) => date?.toISOString() ?? null).pipe(timestamp.nullable());

const webhookId = z
  .string()
  .refine((value) => isId("subscription", value))
  .describe("Webhook id, for example wh_01KBQ2A9M5X1C8T3V6Q4N7R0JK");

export const webhookIdParam = z.object({ id: webhookId });
export const deliveryParams = z.object({
  id: webhookId,
  deliveryId: z
    .string()
    .refine((value) => isId("delivery", value))
    .describe("Delivery id, for example dlv_01KBQ4B1F6H3Y8D2K9W4S7T0VA"),
});

export const eventTypeName = z.enum(SUBSCRIBABLE_EVENT_TYPES as [string, ...string[]]);

/** Adds the rule of lib/bidi-controls.ts to a user-supplied text that the portal displays, such as a name or a description. */
function displayText(text: z.ZodString) {
  return text.superRefine((value, context) => {
    const control = findBidiControl(value);
    if (control) context.addIssue({ code: "custom", message: bidiControlMessage(control) });
  });
}

const webhookDescription = displayText(z.string().trim().max(500)).describe(
  "What receives the events, as shown in the portal. At most 500 characters, without bidirectional formatting characters (U+202A to U+202E, U+2066 to U+2069)",
);

/**
 * Builds the schema of a webhook's daily cap. Above the deployment's maximum
 * the check stops at that message (`continue: false`), so a cap beyond any
 * limit, even beyond the safe integers, gets one error that names the limit
 * that applies.
 */
function dailyCapField(description: string) {
  return z
    .number()
    .superRefine((value, context) => {
      const problem = dailyCapLimitProblem(value);
      if (problem) context.addIssue({ code: "custom", message: problem, continue: false });
    })
    .int()
    .min(1)
    .max(1_000_000_000)
    .optional()
    .describe(description);
}

export const createWebhookBody = z.strictObject({
  url: z.string().max(2048).describe("HTTPS endpoint that receives the deliveries"),
  events: z.array(eventTypeName).min(1, "List at least one event type").max(SUBSCRIBABLE_EVENT_TYPES.length),
  description: webhookDescription.optional().default(""),
  enabled: z.boolean().optional().default(true),
  daily_cap: dailyCapField(
    "Deliveries per UTC day before further ones are held (default 50,000; at most the deployment's maximum, 1,000,000 unless configured)",
  ),
}).meta({ id: "CreateWebhook" });

export const updateWebhookBody = z
  .strictObject({
    url: z.string().max(2048).optional(),
    events: z.array(eventTypeName).min(1, "List at least one event type").max(SUBSCRIBABLE_EVENT_TYPES.length).optional(),
    description: webhookDescription.optional(),
    enabled: z.boolean().optional(),
    daily_cap: dailyCapField(
      "Deliveries per UTC day before further ones are held; applies to the current day at once. Accepted even while the webhook has used its cap",
    ),
  })
  .refine((body) => Object.keys(body).length > 0, "Send at least one field to change")
  .meta({ id: "UpdateWebhook" });

export const secretParams = z.object({
  id: webhookId,
  secretId: z
    .string()
    .refine((value) => isId("secret", value))
    .describe("Secret id (sec_…), from the webhook's secrets list"),
});

export const secretSummary = z.object({
  id: z.string(),
  fingerprint: z.string().describe("First 12 hex digits of SHA-256 over the secret string"),
  status: z.enum(["current", "expiring"]),
  created_at: isoOut,
  expires_at: nullableIsoOut,
}).meta({ id: "Secret" });

export const webhookHealth = z
  .object({
    state: z
      .enum(["healthy", "degraded", "failing", "warned", "disabled"])
      .describe(
        "healthy: no failed attempt in the last hour. degraded: failed attempts in the last hour, or a run of failures below the failing thresholds. " +
          "failing: no success for 1 hour and at least 5 failed attempts in a row. warned: failing, and disable_at is less than 24 hours away. " +
          "disabled: switched off, by WASViking (see disabled_cause) or by an admin",
      ),
    failing_since: nullableIsoOut.describe("Start of the first failed attempt with no success after it; null when the last attempt succeeded"),
    consecutive_failures: z.number().int().describe("Failed attempts since the last success"),
    disable_at: nullableIsoOut.describe("When WASViking switches the webhook off unless an attempt succeeds first; null unless failing or warned"),
    disabled_cause: z
      .enum(["gone", "failing"])
      .nullable()
      .describe("Why WASViking switched the webhook off: gone (the receiver answered 410 to every attempt of a delivery for 24 hours), failing (no success for 5 days); null otherwise"),
  })
  .meta({ id: "WebhookHealth" });

export const webhook = z.object({
  id: z.string(),
  url: z.string(),
  description: z.string(),
  events: z.array(z.string()),
  enabled: z.boolean(),
  disabled_reason: z.string().nullable(),
  paused_until: nullableIsoOut.describe("Until when automatic attempts wait because the receiver answered 429 (or 503 with Retry-After); null when not paused"),
  daily_cap: z.number().int(),
  health: webhookHealth,
  secrets: z.array(secretSummary),
  created_at: isoOut,
  updated_at: isoOut,
}).meta({ id: "Webhook" });

export const webhookWithSecret = webhook
  .extend({ secret: z.string().describe("The signing secret, returned only in this response: store it now") })
  .meta({ id: "WebhookWithSecret" });

export const listOf = <T extends z.ZodType>(item: T) =>
  z.object({ data: z.array(item), next_cursor: z.string().nullable().describe("Pass as ?cursor= to get the next page; null on the last page") });

/**
 * Builds the schema of an optional integer query parameter. Only plain decimal
 * digits are read (lib/http/query-parameters.ts), so "0x10", "1e1", "+5",
 * " 5" and "007" are 422s rather than other spellings of a number. The
 * OpenAPI document shows the parameter as the integer it is on the wire.
 */
function queryInteger(range: { min: number; max: number; defaultValue: number }) {
  const message = `Use a whole number from ${range.min} to ${range.max} in plain decimal digits, without sign, spaces, exponent or leading zeros`;
  return z
    .string()
    .transform((text, context) => {
      if (isPlainDecimalInteger(text)) return Number(text);
      context.addIssue({ code: "custom", message });
      return z.NEVER;
    })
    .pipe(z.number().int().min(range.min, message).max(range.max, message))
    .optional()
    .default(range.defaultValue)
    .meta({ type: "integer", minimum: range.min, maximum: range.max, default: range.defaultValue });
}

export const paginationQuery = z.strictObject({
  limit: queryInteger({ min: 1, max: 100, defaultValue: 50 }).describe("Items per page, 1 to 100, in plain decimal digits"),
  cursor: z
    .string()
    .max(64)
    .regex(/^[a-z]+_[0-9A-HJKMNP-TV-Z]{26}$/, "Invalid cursor: pass the next_cursor value of the previous page unchanged")
    .optional()
    .describe("The next_cursor of the previous page; omit it for the first page"),
});

const eventSubject = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9._:-]+$/, "Use letters, digits, '.', '_', ':' or '-'")
  .refine((subject) => !isTestFindingId(subject), TEST_FINDING_ID_MESSAGE)
  .nullable()
  .optional()
  .describe("Id of the finding or asset the event is about; defaults to data.finding_id or data.asset_id. Events with the same subject reach each webhook in order");

// The window is relative to the time of the request (lib/events/occurred-at.ts), so it is checked when the body is
// parsed. It is checked only on a well-formed time, through a pipe, so a malformed one gets a single message.
const occurredAt = timestamp
  .pipe(
    z.string().superRefine((value, context) => {
      const problem = occurredAtProblem(new Date(value), currentTime());
      if (problem) context.addIssue({ code: "custom", message: problem });
    }),
  )
  .describe(
    "When the event happened (ISO 8601, UTC); defaults to the time of the request. " +
      "It may be at most 5 minutes after and at most 7 days before the time of the request",
  );

const PUBLISHABLE_DEFINITIONS = EVENT_DEFINITIONS.filter((definition) => definition.type !== TEST_EVENT_TYPE);

function publishVariant(definition: EventDefinition) {
  return z
    .strictObject({
      type: z.literal(definition.type),
      subject: eventSubject,
      data: definition.data,
      occurred_at: occurredAt.optional(),
    })
    .superRefine((body, context) => {
      const field = definition.subjectField;
      const named = field ? (body.data as Record<string, unknown>)[field] : undefined;
      if (body.subject != null && typeof named === "string" && body.subject !== named) {
        context.addIssue({
          code: "custom",
          path: ["subject"],
          message: `The subject must be the event's ${field} ("${named}"), which orders its deliveries; leave it out to use that`,
        });
      }
    })
    .meta({ id: `Publish_${definition.type.replace(/\./g, "_")}`, title: `Publish ${definition.type}` });
}

const publishableTypes = PUBLISHABLE_DEFINITIONS.map((definition) => definition.type).join(", ");

export const publishEventBody = z
  .discriminatedUnion(
    "type",
    PUBLISHABLE_DEFINITIONS.map(publishVariant) as unknown as [ReturnType<typeof publishVariant>, ...ReturnType<typeof publishVariant>[]],
    {
      error: (issue) =>
        issue.code === "invalid_union"
          ? `Unknown or missing event type: use one of ${publishableTypes} (webhook.test is only sent by POST /v1/webhooks/{id}/test)`
          : undefined,
    },
  )
  .transform((body) => {
    const definition = eventDefinition(body.type)!;
    const named = definition.subjectField ? (body.data as Record<string, unknown>)[definition.subjectField] : undefined;
    return { ...body, subject: body.subject ?? (typeof named === "string" ? named : null) };
  });

export type PublishEventBody = z.output<typeof publishEventBody>;

export const publishedEvent = z.object({
  id: z.string(),
  type: z.string(),
  subject: z.string().nullable(),
  occurred_at: isoOut,
  created_at: isoOut,
  deliveries: z.number().int().describe("Number of webhooks the event was fanned out to"),
}).meta({ id: "PublishedEvent" });

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
}).meta({ id: "Attempt" });

export const deliverySummary = z.object({
  id: z.string(),
  webhook_id: z.string(),
  event_id: z.string(),
  event_type: z.string(),
  subject: z.string().nullable(),
  status: z.enum(["pending", "retrying", "succeeded", "failed", "held"]),
  held_reason: z
    .string()
    .nullable()
    .describe(
      "Why a held delivery waits: webhook_disabled or daily_cap. A delivery held by the daily cap for 24 hours is given up as failed and keeps daily_cap here; null otherwise",
    ),
  attempts: z.number().int(),
  ordering: z.object({ key: z.string(), sequence: z.number().int() }).nullable(),
  next_attempt_at: nullableIsoOut,
  created_at: isoOut,
  completed_at: nullableIsoOut,
  last_attempt: z
    .object({ at: isoOut, status_code: z.number().int().nullable(), error_class: z.string().nullable(), duration_ms: z.number().int().nullable() })
    .nullable(),
}).meta({ id: "Delivery" });

export const revokedSecret = z
  .object({
    id: z.string(),
    fingerprint: z.string(),
    outcome: z
      .enum(["revoked", "already_revoked", "already_expired"])
      .describe(
        "revoked: this request revoked the secret. already_revoked: an earlier revoke or rotation had revoked it, at revoked_at. " +
          "already_expired: its rotation overlap had ended, at expires_at. The last two change nothing.",
      ),
    revoked_at: nullableIsoOut.describe("When the secret was revoked; null when its overlap ended before anyone revoked it"),
    expires_at: isoOut.describe("End of the secret's rotation overlap"),
  })
  .meta({ id: "RevokedSecret" });

export const revokeSecretResult = z.object({
  revoked_secret: revokedSecret,
  secrets: z.array(secretSummary).describe("The webhook's secrets that still sign deliveries"),
});

export const rotateQuery = z.strictObject({
  expected_current_secret: z
    .string()
    .refine((value) => isId("secret", value), "Use the id of a secret (sec_…) from the webhook's secrets list")
    .optional()
    .describe(
      "Id (sec_…) of the secret you expect to be current. When another secret is current, for example because another rotation came first, nothing is rotated and the answer is 409 current-secret-changed",
    ),
});

export const rotatedSecret = z.object({
  secret: z.string().describe("The new signing secret, returned only in this response"),
  secret_id: z.string(),
  fingerprint: z.string(),
  secrets: z.array(secretSummary).describe("The webhook's secrets that sign deliveries now: the new one, and the previous one in its 24-hour overlap"),
  revoked_secrets: z
    .array(
      z.object({
        id: z.string(),
        fingerprint: z.string(),
        revoked_at: isoOut,
        expires_at: nullableIsoOut.describe("When its overlap would have ended"),
      }),
    )
    .describe(
      "Secrets this rotation revoked before their overlap ended, so they stopped signing at once: a rotation inside the overlap keeps only the secret that was current. Empty when no overlap was running",
    ),
});

export const attemptResult = z.object({
  delivery_id: z.string(),
  event_id: z.string(),
  attempt: attemptSummary.extend({
    response_body: z.string().nullable().describe("First bytes of the receiver's answer, as text; never rendered"),
    response_body_truncated: z.boolean(),
  }),
}).meta({ id: "AttemptResult" });

export const apiKeyScopes = z.array(z.enum(SCOPES)).min(1).max(SCOPES.length);

export const idempotencyKeyHeader = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\x21-\x7e]+$/)
  .describe("Any unique string, for example a UUID; a retry with the same key and body within 24 hours returns the first result");

export const eventTypeEntry = z.object({
  type: z.string().describe('Event type, for example "finding.escalated"'),
  area: z.string(),
  summary: z.string().describe("What the event means"),
  fires_when: z.string().describe("When the platform sends it"),
  subject: z.enum(["finding", "asset", "test"]).describe("What the envelope's subject names"),
  ordered: z.boolean().describe("Whether deliveries of this type keep their order per subject"),
  subscribable: z.boolean().describe("Whether a webhook can list it in its events (webhook.test is only sent on request)"),
  data_schema: z.record(z.string(), z.unknown()).describe("JSON Schema (2020-12) of the envelope's data; ignore fields it does not list"),
  example: z.record(z.string(), z.unknown()).describe("A complete delivery body of this type"),
}).meta({ id: "EventType" });

export const openApiDocumentSchema = z.record(z.string(), z.unknown()).describe("OpenAPI 3.1 document of this API");

export const webhookDeliveryStats = z.object({
  last_delivery: z
    .object({
      id: z.string(),
      event_type: z.string(),
      status: z.enum(["pending", "retrying", "succeeded", "failed", "held"]),
      attempted_at: isoOut,
      status_code: z.number().int().nullable().describe("HTTP status of the latest attempt; null when no answer came"),
      error_class: z.string().nullable(),
    })
    .nullable()
    .describe("The newest delivery of a real event that has been attempted, with its latest attempt; test deliveries are left out"),
  last_24h: z
    .object({
      succeeded: z.number().int(),
      failed: z.number().int(),
      retrying: z.number().int(),
      waiting: z.number().int().describe("Pending or held: not attempted yet"),
      success_rate: z
        .number()
        .min(0)
        .max(1)
        .nullable()
        .describe("succeeded / (succeeded + failed + retrying); null when none was attempted"),
    })
    .describe("Deliveries of real events created in the last 24 hours, by status; test deliveries are left out"),
});

export const webhookWithStats = webhook.extend({ delivery_stats: webhookDeliveryStats });

export const apiKeyIdParam = z.object({ id: z.string().refine((value) => isId("apiKey", value)) });

export const createApiKeyBody = z.strictObject({
  name: displayText(
    z
      .string()
      .trim()
      .min(1, "Name the key after the script or system that will use it")
      .max(100)
      .regex(/^[^\p{Cc}]*$/u, "Use printable characters only"),
  ),
  scopes: apiKeyScopes.refine((scopes) => new Set(scopes).size === scopes.length, "List each scope once"),
});

export const apiKeySummary = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string().describe("The first 12 characters of the key, to tell keys apart"),
  scopes: z.array(z.string()),
  created_at: isoOut,
  created_by: z.object({ id: z.string(), name: z.string() }).nullable(),
  last_used_at: nullableIsoOut.describe("Time of the latest request with the key, to the minute"),
  revoked_at: nullableIsoOut,
});

export const createdApiKey = apiKeySummary.extend({
  key: z.string().describe("The API key, returned only in this response: store it now"),
});

// The daily delivery cap and usage (docs/caps.md).

const usageTime = (meaning: string) =>
  z.iso
    .datetime({ offset: true, error: "Invalid time: use ISO 8601 with a time zone, for example 2026-12-01T00:00:00Z" })
    .transform((text) => new Date(text))
    .describe(meaning);

export const usageQuery = z.strictObject({
  granularity: z.enum(["day", "hour"]).optional().default("day").describe("Size of each bucket: a UTC day (default) or a UTC hour"),
  from: usageTime(
    "Start of the range, moved back to the start of its bucket. Default: 30 days before the end (days) or 24 hours before it (hours)",
  ).optional(),
  to: usageTime("End of the range, moved forward to the end of its bucket. Default: the end of the current UTC day").optional(),
});

export const usageBucket = z
  .object({
    start: isoOut,
    end: isoOut,
    counted: z.number().int().describe("Deliveries counted against the daily cap in the bucket, each once, when it was first admitted"),
    succeeded: z.number().int().describe("Deliveries that succeeded in the bucket (test deliveries left out)"),
    failed: z.number().int().describe("Deliveries given up in the bucket: after their last retry, or held by the cap for 24 hours"),
    held: z.number().int().describe("Deliveries the daily cap held in the bucket"),
    daily_cap: z.number().int().nullable().describe("The daily cap of the UTC day the bucket is in; null in organisation totals"),
  })
  .meta({ id: "UsageBucket" });

export const dailyCapToday = z
  .object({
    day: z.string().describe("The current UTC day, YYYY-MM-DD"),
    used: z.number().int().describe("Deliveries counted against the cap so far today; above the cap after an admin released held deliveries"),
    daily_cap: z.number().int(),
    remaining: z.number().int().describe("Deliveries the cap still admits today"),
    state: z.enum(["ok", "warning", "reached"]).describe("warning from 80 % of the cap; reached once the cap is used, when new deliveries are held and changes to the webhook answer 429"),
    warning_at: z.number().int().describe("The count at which the warning starts (80 % of the cap, rounded up)"),
    resets_at: isoOut.describe("When the cap resets: the next 00:00 UTC"),
    held: z.number().int().describe("Deliveries held by the cap right now, whatever day held them"),
    held_until: nullableIsoOut.describe("When the held deliveries are next released, oldest first; null when none is held"),
  })
  .meta({ id: "DailyCapToday" });

export const webhookUsage = z
  .object({
    webhook_id: z.string(),
    granularity: z.enum(["day", "hour"]),
    from: isoOut,
    to: isoOut,
    today: dailyCapToday,
    buckets: z.array(usageBucket).describe("Every bucket of the range in order, zeros included"),
  })
  .meta({ id: "WebhookUsage" });

export const organizationUsage = z
  .object({
    granularity: z.enum(["day", "hour"]),
    from: isoOut,
    to: isoOut,
    buckets: z.array(usageBucket).describe("The organisation's totals over every webhook, bucket by bucket"),
    webhooks: z
      .array(z.object({ id: z.string(), url: z.string(), description: z.string(), enabled: z.boolean(), today: dailyCapToday }))
      .describe("Every webhook with its standing today, the largest share of its cap used first"),
  })
  .meta({ id: "OrganizationUsage" });

export const releasedHeldDeliveries = z
  .object({
    released: z.number().int().describe("Deliveries released now; they count against today's cap, beyond it if need be"),
    today: dailyCapToday,
  })
  .meta({ id: "ReleasedHeldDeliveries" });

// The deliveries inspector: filters of the delivery lists and the detail of one delivery (docs/inspector.md).

const DELIVERY_STATUS_NAMES = ["pending", "retrying", "succeeded", "failed", "held"] as const;
const ALL_EVENT_TYPES = EVENT_TYPES.map((info) => info.type);

/** Parses a comma-separated list of known values and drops repeats. */
function commaSeparated<T extends string>(known: readonly T[], noun: string) {
  return z
    .string()
    .max(1000)
    .transform((text, context) => {
      const items = [...new Set(text.split(",").map((item) => item.trim()).filter((item) => item !== ""))];
      if (items.length === 0) context.addIssue({ code: "custom", message: `List at least one ${noun}, or leave the parameter out` });
      for (const item of items) {
        if (!(known as readonly string[]).includes(item)) {
          context.addIssue({ code: "custom", message: `Unknown ${noun} "${item}": use one of ${known.join(", ")}` });
        }
      }
      return items as T[];
    });
}

const filterTime = (meaning: string) =>
  z.iso
    .datetime({ offset: true, error: "Invalid time: use ISO 8601 with a time zone, for example 2026-12-01T09:00:00Z" })
    .transform((text) => new Date(text))
    .describe(`${meaning} (ISO 8601 with a time zone, to the millisecond)`);

const deliveryFilterShape = {
  limit: paginationQuery.shape.limit,
  cursor: z
    .string()
    .max(64)
    .refine((value) => isId("delivery", value), "Invalid cursor: pass the next_cursor value of the previous page unchanged")
    .optional()
    .describe("The next_cursor of the previous page; omit it for the first page. Keep the same filters while paging"),
  status: commaSeparated(DELIVERY_STATUS_NAMES, "status")
    .optional()
    .describe(`Only deliveries in one of these statuses, comma-separated: ${DELIVERY_STATUS_NAMES.join(", ")}`),
  event_type: commaSeparated(ALL_EVENT_TYPES, "event type").optional().describe("Only deliveries of one of these event types, comma-separated"),
  subject: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[A-Za-z0-9._:-]+$/, "Invalid subject: a finding or asset id has only letters, digits, '.', '_', ':' or '-'")
    .optional()
    .describe("Only deliveries of events about this finding or asset id"),
  delivery_id: z
    .string()
    .refine((value) => isId("delivery", value), "Invalid delivery id: expected dlv_ followed by 26 characters")
    .optional()
    .describe("Only this delivery (as seen in the Wasviking-Delivery header)"),
  event_id: z
    .string()
    .refine((value) => isId("event", value), "Invalid event id: expected evt_ followed by 26 characters")
    .optional()
    .describe("Only deliveries of this event (as returned by POST /v1/events)"),
  created_after: filterTime("Only deliveries created strictly after this time").optional(),
  created_before: filterTime("Only deliveries created strictly before this time").optional(),
};

function checkTimeRange(query: { created_after?: Date; created_before?: Date }, context: z.RefinementCtx): void {
  if (query.created_after && query.created_before && query.created_after >= query.created_before) {
    context.addIssue({ code: "custom", path: ["created_before"], message: "created_before must be later than created_after" });
  }
}

export const deliveryListQuery = z.strictObject(deliveryFilterShape).superRefine(checkTimeRange);

export const organizationDeliveryListQuery = z
  .strictObject({
    ...deliveryFilterShape,
    webhook_id: z
      .string()
      .refine((value) => isId("subscription", value), "Invalid webhook id: expected wh_ followed by 26 characters")
      .optional()
      .describe("Only deliveries of this webhook"),
  })
  .superRefine(checkTimeRange);

export type DeliveryListQuery = z.output<typeof deliveryListQuery>;

const headerMap = z.record(z.string(), z.string());

export const attemptExplanation = z
  .object({
    label: z.string().describe('A few words, for example "HTTP 500", "Timed out" or "Blocked"'),
    summary: z.string().describe("What happened, in words"),
    action: z.string().nullable().describe("What the receiver's owner can do; null when nothing is needed"),
  })
  .meta({ id: "AttemptExplanation" });

export const attemptDetail = attemptSummary
  .extend({
    url: z.string().describe("The URL the request was sent to"),
    request_headers: headerMap.describe("Every header of the request, its signature included"),
    response_headers: headerMap.nullable().describe("The receiver's response headers; null without an answer, past retention or when not permitted"),
    response_body: z
      .string()
      .nullable()
      .describe("The first 64 KiB of the receiver's answer as text; never render it as HTML. Null without an answer, past retention or when not permitted"),
    response_body_truncated: z.boolean().describe("True when the receiver sent more than was kept"),
    response_omitted: z
      .enum(["expired", "not_permitted"])
      .nullable()
      .describe("Why response_headers and response_body are null although the receiver answered: kept for 30 days only, or the caller cannot manage the webhook (webhooks:write)"),
    redacted_values: z.number().int().describe("How many credential-like values in the response headers and body were replaced by [REDACTED]"),
    explanation: attemptExplanation,
  })
  .meta({ id: "AttemptDetail" });

export const deliveryDetail = deliverySummary
  .extend({
    first_attempt_at: nullableIsoOut,
    waiting_for: z.string().nullable().describe("While the delivery waits for an earlier delivery of the same subject: that delivery's id"),
    body: z.string().describe("The exact request body of every attempt; signatures cover these bytes"),
    attempt_history: z.array(attemptDetail).describe("The attempts, oldest first; at most the latest 100"),
    earlier_attempts: z.number().int().describe("Attempts older than those in attempt_history"),
  })
  .meta({ id: "DeliveryDetail" });

// The audit log (docs/api.md).

export const auditLogQuery = z
  .strictObject({
    limit: paginationQuery.shape.limit,
    cursor: z
      .string()
      .max(64)
      .refine((value) => isId("audit", value), "Invalid cursor: pass the next_cursor value of the previous page unchanged")
      .optional()
      .describe("The next_cursor of the previous page; omit it for the first page. Keep the same filters while paging"),
    action: commaSeparated(AUDIT_ACTION_NAMES, "action").optional().describe("Only entries of one of these actions, comma-separated"),
    actor: z
      .string()
      .refine(
        (value) => value === "system" || isId("user", value) || isId("apiKey", value),
        "Invalid actor: use a user id (usr_…), an API key id (key_…) or system",
      )
      .optional()
      .describe("Only entries of this actor: a user id (usr_…), an API key id (key_…), or system for the platform's own actions and the sign-in form"),
    target_id: z
      .string()
      .max(64)
      .regex(/^[a-z]+_[0-9A-HJKMNP-TV-Z]{26}$/, "Invalid target id: use an id such as wh_…, dlv_…, key_… or usr_…")
      .optional()
      .describe("Only entries about this object: a webhook, delivery, API key or user id"),
    from: filterTime("Only entries recorded at or after this time").optional(),
    to: filterTime("Only entries recorded strictly before this time").optional(),
  })
  .superRefine((query, context) => {
    if (query.from && query.to && query.from >= query.to) {
      context.addIssue({ code: "custom", path: ["to"], message: "to must be later than from" });
    }
  });

export type AuditLogQuery = z.output<typeof auditLogQuery>;

export const auditEntry = z
  .object({
    id: z.string(),
    created_at: isoOut,
    action: z.string().describe("What was done, for example webhook.secret_rotated"),
    action_label: z.string().describe("The action in words, as the portal shows it"),
    actor: z
      .object({
        type: z.enum(["user", "api_key", "system"]),
        id: z.string().nullable().describe("The user or API key id; null for the platform itself and the sign-in form"),
        label: z.string().describe("The user's name and email, or the API key's name and prefix, as they were at the time"),
      })
      .describe("Who did it"),
    target: z.object({ type: z.string(), id: z.string() }).nullable().describe("The object acted on; null when there is none"),
    webhook_id: z.string().nullable().describe("The webhook the entry is about, when that webhook still exists"),
    source_ip: z.string().nullable().describe("The client's address as the reverse proxy reported it; null for the platform's own actions"),
    user_agent: z.string().nullable(),
    details: z
      .record(z.string(), z.unknown())
      .describe("What changed, depending on the action: old and new values of changed fields, fingerprints and prefixes. Never a secret or a key"),
  })
  .meta({ id: "AuditEntry" });
