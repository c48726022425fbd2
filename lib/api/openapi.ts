import { z } from "zod";
import { SCOPE_DESCRIPTIONS, SCOPES } from "../auth/principal";
import { ATTEMPT_DEADLINE_MS } from "../dispatch/http-client";
import { RETRY_WINDOW_SECONDS } from "../retry-schedule";
import { EVENT_TYPES } from "../events/catalog";
import { exampleEnvelope } from "../events/examples";
import { envelopeSchema, EVENT_DEFINITIONS } from "../events/schemas";
import type { Operation } from "../http/handler";
import { PROBLEM_TYPES } from "../http/problem";
import { acceptsIdempotencyKey } from "./idempotency";
import { jsonSchemaOf, type JsonSchema } from "./json-schema";
import { operations } from "./operations";

/**
 * Builds the OpenAPI 3.1 document served at /v1/openapi.json from the
 * operations and schemas the handlers use, and describes the deliveries we
 * send in its `webhooks` section. Nothing here is written by hand twice.
 */
export type OpenApiDocument = Record<string, unknown> & { paths: Record<string, Record<string, unknown>> };

const STATUS_DESCRIPTIONS: Record<number, string> = {
  400: "Bad request: the body is not valid JSON (syntax, duplicate keys, nesting deeper than 32 levels), a header is malformed, or a query parameter is repeated",
  401: "No API key, or a malformed, unknown or revoked one; the detail is the same in every case",
  403: "The API key lacks the scope this operation needs",
  404: "No such object in your organisation",
  405: "The path exists but not with this method; the Allow header lists the methods it has",
  409: "The request conflicts with the current state",
  413: "The request body is too large",
  415: "The body is not sent as application/json in UTF-8 (no charset, or charset=utf-8), or it is compressed (Content-Encoding)",
  422: "The body or query failed validation; errors lists each offending field",
  429: "Too many requests; retry after the number of seconds in Retry-After",
};

const problemSchema: JsonSchema = {
  type: "object",
  description: "RFC 9457 problem details",
  required: ["type", "title", "status", "detail"],
  properties: {
    type: { type: "string", format: "uri", description: "Stable identifier of the kind of problem; branch on this", enum: PROBLEM_TYPES.map((entry) => entry.uri) },
    title: { type: "string", description: "Short summary of the kind of problem" },
    status: { type: "integer", description: "The HTTP status code" },
    detail: { type: "string", description: "What went wrong in this request and how to fix it" },
    request_id: { type: "string", description: "Quote it when reporting a problem; also in the X-Request-Id header" },
    errors: {
      type: "array",
      description: "One entry per invalid field (validation problems only)",
      items: {
        type: "object",
        required: ["field", "message"],
        properties: {
          field: { type: "string", description: 'Path of the field, segments joined by "/", for example "data/severity" or "query/limit"' },
          message: { type: "string" },
        },
      },
    },
    retry_after: { type: "integer", description: "429 only: the seconds to wait, as in the Retry-After header" },
    cap: { type: "string", enum: ["daily"], description: "daily-cap-reached only: which cap the webhook hit" },
    daily_cap: { type: "integer", description: "daily-cap-reached only: the webhook's cap, in deliveries per UTC day" },
    used: { type: "integer", description: "daily-cap-reached only: deliveries counted against the cap today (UTC)" },
    resets_at: { type: "string", format: "date-time", description: "daily-cap-reached only: when the cap resets, the next 00:00 UTC" },
    current_secret: {
      type: ["object", "null"],
      description: "current-secret-changed only: the webhook's current secret; null when it has none",
      properties: { id: { type: "string" }, fingerprint: { type: "string" } },
    },
  },
};

/** Moves each schema's $defs into components.schemas and points its references there. */
class SchemaCollector {
  readonly schemas: Record<string, JsonSchema> = { Problem: problemSchema };

  add(schema: JsonSchema): JsonSchema {
    const { $defs, ...rest } = schema as JsonSchema & { $defs?: Record<string, JsonSchema> };
    for (const [name, definition] of Object.entries($defs ?? {})) {
      const rewritten = this.rewrite(definition) as JsonSchema;
      const existing = this.schemas[name];
      if (existing && JSON.stringify(existing) !== JSON.stringify(rewritten)) {
        throw new Error(`Two different schemas are named ${name}: give one of them another meta id`);
      }
      this.schemas[name] = rewritten;
    }
    return this.rewrite(rest) as JsonSchema;
  }

  private rewrite(node: unknown): unknown {
    if (Array.isArray(node)) return node.map((item) => this.rewrite(item));
    if (node === null || typeof node !== "object") return node;
    return Object.fromEntries(
      Object.entries(node as JsonSchema).map(([key, value]) => [
        key,
        key === "$ref" && typeof value === "string" ? value.replace(/^#\/\$defs\//, "#/components/schemas/") : this.rewrite(value),
      ]),
    );
  }
}

function parametersOf(schema: z.ZodType | undefined, location: "path" | "query", collector: SchemaCollector) {
  if (!schema) return [];
  const json = collector.add(jsonSchemaOf(schema, { io: "input", open: false }));
  const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: location,
      required: location === "path" || required.has(name),
      ...(description ? { description } : {}),
      schema: rest,
    };
  });
}

function describeAccess(operation: Operation): string {
  const access =
    operation.scope === null
      ? "Public: no API key needed."
      : operation.sessionOnly
        ? `Portal only: needs a signed-in ${operation.adminOnly ? "admin" : "user"}'s session cookie and refuses API keys (403).`
        : `Requires an API key with the \`${operation.scope}\` scope.`;
  if (!operation.rateLimit) return access;
  const { capacity, windowSeconds } = operation.rateLimit;
  return `${access} Limited to ${capacity} requests per ${windowSeconds} seconds for each API key or user; beyond that the answer is 429 with Retry-After.`;
}

function operationObject(operation: Operation, collector: SchemaCollector) {
  const parameters = [
    ...parametersOf(operation.params, "path", collector),
    ...parametersOf(operation.query, "query", collector),
    ...(operation.headers ?? []).map((header) => ({
      name: header.name,
      in: "header",
      required: false,
      description: header.description,
      schema: collector.add(jsonSchemaOf(header.schema, { io: "input", open: false })),
    })),
  ];
  const success = operation.success;
  const responses: Record<string, unknown> = {
    [String(success.status)]: {
      description: success.description,
      ...(success.status === 204
        ? {}
        : { content: { "application/json": { schema: collector.add(jsonSchemaOf(success.schema, { io: "output", open: true })) } } }),
      ...(acceptsIdempotencyKey(operation)
        ? { headers: { "Idempotent-Replayed": { description: "true when this is the stored result of an earlier request with the same key", schema: { type: "string", enum: ["true"] } } } }
        : {}),
    },
  };
  for (const status of operation.errors ?? []) responses[String(status)] = { $ref: `#/components/responses/Problem${status}` };
  responses.default = { $ref: "#/components/responses/ProblemDefault" };

  return {
    operationId: operation.id,
    summary: operation.summary,
    description: [operation.description, describeAccess(operation)].filter(Boolean).join("\n\n"),
    ...(operation.rateLimit ? { "x-rate-limit": { requests: operation.rateLimit.capacity, window_seconds: operation.rateLimit.windowSeconds } } : {}),
    tags: operation.tags,
    security: operation.scope === null ? [] : operation.sessionOnly ? [{ PortalSession: [] }] : [{ ApiKey: [operation.scope] }],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(operation.body
      ? {
          requestBody: {
            required: true,
            content: { "application/json": { schema: collector.add(jsonSchemaOf(operation.body, { io: "input", open: false })) } },
          },
        }
      : {}),
    responses,
  };
}

const DELIVERY_HEADERS = [
  { name: "Wasviking-Delivery", description: "Delivery id (dlv_…), the same on every retry and replay: drop requests whose id you already processed", example: "dlv_01KBQ4B1F6H3Y8D2K9W4S7T0VA" },
  { name: "Wasviking-Event", description: "The event type", example: "finding.escalated" },
  {
    name: "Wasviking-Signature",
    description: "t=<unix seconds>,v1=<hex HMAC-SHA256> with one v1 per valid secret (two during a rotation). See /docs/events#verifying-signatures",
    example: "t=1767225600,v1=5f1c0a3e9b7d2c4f6a8e0b1d3c5f7a9e2b4d6f8a0c1e3b5d7f9a2c4e6b8d0f1a",
  },
  { name: "webhook-id", description: "Standard Webhooks: the same as Wasviking-Delivery", example: "dlv_01KBQ4B1F6H3Y8D2K9W4S7T0VA" },
  { name: "webhook-timestamp", description: "Standard Webhooks: the signing time in Unix seconds", example: "1767225600" },
  { name: "webhook-signature", description: "Standard Webhooks: v1,<base64 digest>, space-separated, one per valid secret", example: "v1,XxwB2/p+0Ppx1xZ8YQ6a7rJbQ3U0YCw5x1sY5hS9kQo=" },
];

function webhookObjects(collector: SchemaCollector) {
  return Object.fromEntries(
    EVENT_DEFINITIONS.map((definition) => {
      const info = EVENT_TYPES.find((candidate) => candidate.type === definition.type)!;
      return [
        definition.type,
        {
          post: {
            operationId: `deliver_${definition.type.replace(/\./g, "_")}`,
            summary: definition.type,
            description: `${info.summary}\n\n**When it fires:** ${definition.firesWhen}`,
            tags: ["Webhook events"],
            parameters: DELIVERY_HEADERS.map((header) => ({ name: header.name, in: "header", required: true, description: header.description, schema: { type: "string" }, example: header.example })),
            requestBody: {
              required: true,
              content: {
                "application/json": {
                  schema: collector.add(jsonSchemaOf(envelopeSchema(definition.type), { io: "output", open: true })),
                  example: JSON.parse(exampleEnvelope(definition.type)),
                },
              },
            },
            responses: {
              "2XX": { description: `Received. Any 2xx response within ${ATTEMPT_DEADLINE_MS / 1000} seconds ends the delivery` },
              "410": {
                description: `Gone: retried like any failure. When every attempt of a delivery gets 410 for the ${RETRY_WINDOW_SECONDS / 3600} hours of its retries, the platform switches the webhook off`,
              },
              default: { description: `Any other response, or none, is retried with backoff for up to ${RETRY_WINDOW_SECONDS / 3600} hours` },
            },
          },
        },
      ];
    }),
  );
}

function componentResponses() {
  const responses: Record<string, unknown> = {};
  for (const [status, description] of Object.entries(STATUS_DESCRIPTIONS)) {
    const headers: Record<string, unknown> = {};
    if (status === "405") headers.Allow = { description: "The methods this path has", schema: { type: "string" } };
    if (status === "429") headers["Retry-After"] = { description: "Seconds to wait before retrying", schema: { type: "integer" } };
    responses[`Problem${status}`] = {
      description,
      ...(Object.keys(headers).length > 0 ? { headers } : {}),
      content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
    };
  }
  responses.ProblemDefault = {
    description:
      "Any other error, as problem details: 500 responses carry only a request id, never internals; " +
      "503 (database-unavailable) means the database is briefly unreachable, so send the request again after Retry-After",
    content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
  };
  return responses;
}

const API_DESCRIPTION = `Manage webhooks, read their deliveries and publish platform events.

- **Authentication:** send \`Authorization: ApiKey <key>\`. Each key carries scopes: ${SCOPES.map((scope) => `\`${scope}\` (${SCOPE_DESCRIPTIONS[scope].toLowerCase()})`).join(", ")}.
- **Errors** are \`application/problem+json\` (RFC 9457) with a stable \`type\`; validation errors list each offending field.
- **Lists** return \`{"data": [...], "next_cursor": "..."}\`; pass \`next_cursor\` as \`?cursor=\` until it is null.
- **Ids** carry their kind (\`wh_\`, \`dlv_\`, \`evt_\`, \`sec_\`, \`att_\`) and sort by creation time; **times** are ISO 8601 in UTC.
- Responses may gain fields over time: ignore the ones you do not know.

The \`webhooks\` section describes the signed POST requests WASViking sends to your endpoints, one per event type.`;

function build(): OpenApiDocument {
  const collector = new SchemaCollector();
  const paths: Record<string, Record<string, unknown>> = {};
  for (const operation of Object.values(operations) as Operation[]) {
    paths[operation.path] ??= {};
    paths[operation.path]![operation.method.toLowerCase()] = operationObject(operation, collector);
  }
  const webhooks = webhookObjects(collector);
  return {
    openapi: "3.1.0",
    info: { title: "WASViking Webhooks API", version: "1.0.0", description: API_DESCRIPTION },
    servers: [{ url: "/", description: "The server that serves this document" }],
    tags: [
      { name: "Webhooks", description: "Endpoints that receive events, their signing secrets and test deliveries" },
      { name: "Deliveries", description: "What was sent to a webhook, and replays" },
      { name: "Events", description: "Publishing platform events and the event catalog" },
      { name: "Usage", description: "Each webhook's daily delivery cap: usage per day or hour, and the release of held deliveries" },
      { name: "Audit log", description: "Who did what, when and from where: changes, secrets revealed, sign-ins" },
      { name: "Reference", description: "This document" },
      { name: "Webhook events", description: "The requests WASViking sends to your endpoint" },
    ],
    security: [{ ApiKey: [] }],
    paths,
    webhooks,
    components: {
      securitySchemes: {
        ApiKey: {
          type: "apiKey",
          in: "header",
          name: "Authorization",
          description: 'The value is "ApiKey " followed by the key, for example "Authorization: ApiKey wvk_…". Keys are created in the portal under API keys.',
        },
        PortalSession: {
          type: "apiKey",
          in: "cookie",
          name: "next-auth.session-token",
          description: "The portal's sign-in session (named __Secure-next-auth.session-token over https). Changes made with it must come from the portal's own pages.",
        },
      },
      schemas: collector.schemas,
      responses: componentResponses(),
    },
  };
}

let cached: OpenApiDocument | undefined;

/** Returns the OpenAPI document, built once per process. */
export function openApiDocument(): OpenApiDocument {
  cached ??= build();
  return cached;
}
