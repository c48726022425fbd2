import { z } from "zod";
import type { Operation } from "../http/handler";
import { RATE_LIMITS } from "../http/rate-limit";
import {
  attemptResult,
  createWebhookBody,
  deliveryParams,
  deliverySummary,
  eventTypeEntry,
  idempotencyKeyHeader,
  listOf,
  openApiDocumentSchema,
  paginationQuery,
  publishedEvent,
  publishEventBody,
  rotatedSecret,
  secretList,
  secretParams,
  updateWebhookBody,
  webhook,
  webhookIdParam,
  webhookWithSecret,
} from "./schemas";

/**
 * Every operation of the REST API: method, path, scope and schemas. Route
 * handlers in app/v1 wrap these with lib/http/handler.ts, and the OpenAPI
 * document is generated from this list, so the two cannot drift apart.
 */
function operation<P, Q, B, R>(definition: Operation<P, Q, B, R>): Operation<P, Q, B, R> {
  return definition;
}

const rotate = {
  path: "/v1/webhooks/{id}/rotate",
  summary: "Rotate the signing secret",
  description:
    "Creates a new signing secret and returns it once. The previous secret keeps signing for 24 hours, so every delivery carries both signatures while consumers switch; revoke it earlier with DELETE /v1/webhooks/{id}/secrets/{secret_id}. A second rotation inside the overlap revokes the oldest secret at once. GET is accepted so the documented curl command works as written.",
  tags: ["Webhooks"],
  scope: "webhooks:write" as const,
  mutating: true,
  rateLimit: RATE_LIMITS.webhookWrites,
  params: webhookIdParam,
  success: { status: 200, description: "The new secret", schema: rotatedSecret },
  errors: [401, 403, 404, 429],
};

const test = {
  path: "/v1/webhooks/{id}/test",
  summary: "Send a test delivery",
  description:
    "Sends a webhook.test event to the endpoint now, signed and recorded like a real delivery, and answers with the outcome. The payload is marked as a test and never names a real finding. GET is accepted so the documented curl command works as written.",
  tags: ["Webhooks"],
  scope: "webhooks:write" as const,
  mutating: true,
  rateLimit: RATE_LIMITS.testDeliveries,
  params: webhookIdParam,
  success: { status: 200, description: "The attempt and the receiver's answer", schema: attemptResult },
  errors: [401, 403, 404, 429],
};

const replay = {
  path: "/v1/webhooks/{id}/deliveries/{deliveryId}/replay",
  summary: "Replay a delivery",
  description:
    "Makes a new attempt of the delivery now, freshly signed with the secrets valid now and with the same Wasviking-Delivery id, and answers with the outcome. Works on failed and succeeded deliveries. GET is accepted so the documented curl command works as written.",
  tags: ["Deliveries"],
  scope: "webhooks:write" as const,
  mutating: true,
  rateLimit: RATE_LIMITS.replays,
  params: deliveryParams,
  success: { status: 200, description: "The attempt and the receiver's answer", schema: attemptResult },
  errors: [401, 403, 404, 429],
};

export const operations = {
  listWebhooks: operation({
    id: "listWebhooks",
    method: "GET",
    path: "/v1/webhooks",
    summary: "List webhooks",
    tags: ["Webhooks"],
    scope: "webhooks:read",
    query: paginationQuery,
    success: { status: 200, description: "A page of webhooks, newest first", schema: listOf(webhook) },
    errors: [401, 403, 422],
  }),
  createWebhook: operation({
    id: "createWebhook",
    method: "POST",
    path: "/v1/webhooks",
    summary: "Register a webhook",
    description: "Registers an HTTPS endpoint for the listed event types. The response includes the signing secret, which is shown only once.",
    tags: ["Webhooks"],
    scope: "webhooks:write",
    rateLimit: RATE_LIMITS.webhookWrites,
    body: createWebhookBody,
    maxBodyBytes: 16 * 1024,
    success: { status: 201, description: "The webhook and its signing secret", schema: webhookWithSecret },
    errors: [400, 401, 403, 413, 415, 422, 429],
  }),
  getWebhook: operation({
    id: "getWebhook",
    method: "GET",
    path: "/v1/webhooks/{id}",
    summary: "Get a webhook",
    tags: ["Webhooks"],
    scope: "webhooks:read",
    params: webhookIdParam,
    success: { status: 200, description: "The webhook, with its secrets' fingerprints (never their values)", schema: webhook },
    errors: [401, 403, 404],
  }),
  updateWebhook: operation({
    id: "updateWebhook",
    method: "PATCH",
    path: "/v1/webhooks/{id}",
    summary: "Change a webhook",
    description: "Changes the URL, event types, description or enabled state. Enabling a webhook the platform switched off clears its disabled reason.",
    tags: ["Webhooks"],
    scope: "webhooks:write",
    rateLimit: RATE_LIMITS.webhookWrites,
    params: webhookIdParam,
    body: updateWebhookBody,
    maxBodyBytes: 16 * 1024,
    success: { status: 200, description: "The changed webhook", schema: webhook },
    errors: [400, 401, 403, 404, 413, 415, 422, 429],
  }),
  deleteWebhook: operation({
    id: "deleteWebhook",
    method: "DELETE",
    path: "/v1/webhooks/{id}",
    summary: "Delete a webhook",
    description: "Deletes the webhook, its secrets and its delivery history. Deliveries not yet made are discarded and never sent.",
    tags: ["Webhooks"],
    scope: "webhooks:write",
    rateLimit: RATE_LIMITS.webhookWrites,
    params: webhookIdParam,
    success: { status: 204, description: "Deleted", schema: z.undefined() },
    errors: [401, 403, 404, 429],
  }),
  revokeSecret: operation({
    id: "revokeSecret",
    method: "DELETE",
    path: "/v1/webhooks/{id}/secrets/{secretId}",
    summary: "Revoke an old signing secret",
    description: "Ends the rotation overlap of a previous secret at once: deliveries stop carrying its signature. The current secret cannot be revoked (409); rotate first.",
    tags: ["Webhooks"],
    scope: "webhooks:write",
    rateLimit: RATE_LIMITS.webhookWrites,
    params: secretParams,
    success: { status: 200, description: "The webhook's remaining valid secrets", schema: secretList },
    errors: [401, 403, 404, 409, 429],
  }),
  rotateSecretGet: operation({ ...rotate, id: "rotateSecretGet", method: "GET" }),
  rotateSecret: operation({ ...rotate, id: "rotateSecret", method: "POST" }),
  sendTestGet: operation({ ...test, id: "sendTestGet", method: "GET" }),
  sendTest: operation({ ...test, id: "sendTest", method: "POST" }),
  listWebhookDeliveries: operation({
    id: "listWebhookDeliveries",
    method: "GET",
    path: "/v1/webhooks/{id}/deliveries",
    summary: "List a webhook's deliveries",
    tags: ["Deliveries"],
    scope: "webhooks:read",
    params: webhookIdParam,
    query: paginationQuery,
    success: { status: 200, description: "A page of deliveries, newest first, each with its latest attempt", schema: listOf(deliverySummary) },
    errors: [401, 403, 404, 422],
  }),
  replayDeliveryGet: operation({ ...replay, id: "replayDeliveryGet", method: "GET" }),
  replayDelivery: operation({ ...replay, id: "replayDelivery", method: "POST" }),
  publishEvent: operation({
    id: "publishEvent",
    method: "POST",
    path: "/v1/events",
    summary: "Publish an event",
    description: "Stores a platform event and fans it out to every enabled webhook of the organisation that listens to its type.",
    tags: ["Events"],
    scope: "events:publish",
    body: publishEventBody,
    headers: [{ name: "Idempotency-Key", description: "Makes a retried request safe: the same key and body within 24 hours returns the first result (with Idempotent-Replayed: true) and publishes nothing new; the same key with another body is a 409", schema: idempotencyKeyHeader }],
    success: { status: 202, description: "The event was stored; deliveries go out in the background", schema: publishedEvent },
    errors: [400, 401, 403, 409, 413, 415, 422],
  }),
  listEventTypes: operation({
    id: "listEventTypes",
    method: "GET",
    path: "/v1/event-types",
    summary: "List event types",
    description:
      "The event catalog: every type with its meaning, when it fires, the JSON Schema of its data and a complete example delivery body. Public, like /docs/events, and returned in one page.",
    tags: ["Events"],
    scope: null,
    success: { status: 200, description: "Every event type", schema: listOf(eventTypeEntry) },
  }),
  getOpenApiDocument: operation({
    id: "getOpenApiDocument",
    method: "GET",
    path: "/v1/openapi.json",
    summary: "Get this OpenAPI document",
    description: "The OpenAPI 3.1 description of the REST API and of the webhook deliveries it sends. Public; generated from the same schemas the API validates with.",
    tags: ["Reference"],
    scope: null,
    success: { status: 200, description: "The OpenAPI document", schema: openApiDocumentSchema },
  }),
} as const;

export type OperationId = keyof typeof operations;

