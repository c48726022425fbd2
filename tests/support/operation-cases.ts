import { afterAll, beforeAll } from "vitest";
import { pool } from "../../lib/db";
import { exampleData } from "../../lib/events/examples";
import { newId, type IdKind } from "../../lib/ids";
import type { Operation } from "../../lib/http/handler";
import { type OperationId, operations } from "../../lib/api/operations";
import { api, type ApiResult } from "./api";
import { createWebhook, publish } from "./deliveries";
import { createTenant, type Tenant } from "./fixtures";
import { createPortalUser, portalHeaders, signIn } from "./portal";
import { startReceiver, type TestReceiver } from "./receiver";

/**
 * What the table-driven security suites need to call each operation of
 * lib/api/operations.ts: which kind of object each path parameter names, and
 * a body the operation accepts. Typed as a Record over every operation id, so
 * adding an operation without an entry here fails the type check, and the
 * suites also check the keys at run time.
 */
export type ObjectKind = "webhook" | "delivery" | "secret" | "event" | "apiKey";

export interface OperationCase {
  // Kind of object each path parameter names, in path order.
  params?: Record<string, ObjectKind>;
  // A body the operation accepts, so a rejection comes from the caller, not the input.
  body?: unknown;
}

const WEBHOOK_BODY = { url: "https://siem.example.com/hooks/wasviking", events: ["finding.created"] };
const EVENT_BODY = { type: "finding.created", subject: "fnd_CASE1", data: { ...exampleData("finding.created"), finding_id: "fnd_CASE1" } };

export const OPERATION_CASES: Record<OperationId, OperationCase> = {
  listWebhooks: {},
  createWebhook: { body: WEBHOOK_BODY },
  getWebhook: { params: { id: "webhook" } },
  updateWebhook: { params: { id: "webhook" }, body: { description: "changed by a test" } },
  deleteWebhook: { params: { id: "webhook" } },
  revokeSecret: { params: { id: "webhook", secretId: "secret" } },
  rotateSecretGet: { params: { id: "webhook" } },
  rotateSecret: { params: { id: "webhook" } },
  sendTestGet: { params: { id: "webhook" } },
  sendTest: { params: { id: "webhook" } },
  listWebhookDeliveries: { params: { id: "webhook" } },
  getWebhookDelivery: { params: { id: "webhook", deliveryId: "delivery" } },
  listDeliveries: {},
  replayDeliveryGet: { params: { id: "webhook", deliveryId: "delivery" } },
  replayDelivery: { params: { id: "webhook", deliveryId: "delivery" } },
  publishEvent: { body: EVENT_BODY },
  listEventTypes: {},
  getOpenApiDocument: {},
  listApiKeys: {},
  createApiKey: { body: { name: "case key", scopes: ["webhooks:read"] } },
  revokeApiKey: { params: { id: "apiKey" } },
  getWebhookUsage: { params: { id: "webhook" } },
  getOrganizationUsage: {},
  releaseHeldDeliveries: { params: { id: "webhook" } },
  listAuditEntries: {},
};

// Query parameters that filter by an object id, by the kind of object they name.
// The audit log's target_id names any kind of object; a webhook stands for all of them.
export const ID_QUERY_KINDS: Record<string, ObjectKind> = { webhook_id: "webhook", delivery_id: "delivery", event_id: "event", target_id: "webhook" };

const ID_KIND_OF: Record<ObjectKind, IdKind> = { webhook: "subscription", delivery: "delivery", secret: "secret", event: "event", apiKey: "apiKey" };

export type ObjectIds = Record<ObjectKind, string>;

export const ALL_OPERATIONS = Object.values(operations) as Operation[];

/** Returns the table entry of an operation. */
export function caseOf(operation: Operation): OperationCase {
  return OPERATION_CASES[operation.id as OperationId];
}

/** Returns an id of the given kind that names nothing in the database. */
export function unknownId(kind: ObjectKind): string {
  return newId(ID_KIND_OF[kind]);
}

/** Tells whether the operation changes state, as its table entry declares it. */
export function isMutating(operation: Operation): boolean {
  return operation.method !== "GET" || operation.mutating === true;
}

/** Builds the operation's URL with each path parameter taken from `ids`. */
export function operationUrl(operation: Operation, ids: Record<string, string>): string {
  return operation.path.replace(/\{(\w+)\}/g, (_match, name: string) => {
    const value = ids[name];
    if (value === undefined) throw new Error(`No value for {${name}} of ${operation.id}`);
    return encodeURIComponent(value);
  });
}

/** Maps each path parameter of the operation to the id of its kind in `objects`. */
export function pathIds(operation: Operation, objects: ObjectIds): Record<string, string> {
  const params = caseOf(operation).params ?? {};
  return Object.fromEntries(Object.entries(params).map(([name, kind]) => [name, objects[kind]]));
}

/** A caller of the API: the headers to send, and whether it is a portal session. */
export interface Caller {
  label: string;
  via: "api_key" | "session";
  apiKey?: string;
  headers?: Record<string, string>;
}

/** Calls an operation as `caller`, with its table entry's body. */
export function callOperation(operation: Operation, caller: Caller, url: string): Promise<ApiResult> {
  const body = caseOf(operation).body;
  return api(operation.method, url, { apiKey: caller.apiKey, headers: caller.headers, body: operation.method === "GET" ? undefined : body });
}

/** One organisation with one object of every kind, and callers of each role. */
export interface SeededTenant extends Tenant {
  objects: ObjectIds;
  admin: Caller;
  viewer: Caller;
  key: Caller;
  // Every id of the organisation's objects, for scanning responses.
  allIds: string[];
}

/**
 * Creates an organisation with a webhook whose secret was rotated (so a
 * previous, revocable secret exists), a published event with its delivery,
 * and an admin and a viewer signed in to the portal.
 */
export async function seedTenant(name: string, receiverUrl: string): Promise<SeededTenant> {
  const tenant = await createTenant(name);
  const webhook = await createWebhook(tenant, receiverUrl, ["finding.created"]);
  const rotated = await api("POST", `/v1/webhooks/${webhook.id}/rotate`, { apiKey: tenant.apiKey });
  if (rotated.status !== 200) throw new Error(`Rotating failed with ${rotated.status}: ${rotated.text}`);
  const previousSecret = (rotated.body.secrets as Array<{ id: string }>).find((secret) => secret.id !== rotated.body.secret_id)!.id;
  const eventId = await publish(tenant, "finding.created", `fnd_${name.replace(/\W/g, "")}`);
  const delivery = await pool().query<{ id: string }>(`SELECT id FROM deliveries WHERE event_id = $1`, [eventId]);
  const adminCookie = (await signIn(await createPortalUser(tenant.organizationId, "admin"))).cookie;
  const viewerCookie = (await signIn(await createPortalUser(tenant.organizationId, "viewer"))).cookie;
  const objects: ObjectIds = { webhook: webhook.id, delivery: delivery.rows[0]!.id, secret: previousSecret, event: eventId, apiKey: tenant.apiKeyId };
  return {
    ...tenant,
    objects,
    admin: { label: `${name} admin session`, via: "session", headers: portalHeaders(adminCookie) },
    viewer: { label: `${name} viewer session`, via: "session", headers: portalHeaders(viewerCookie) },
    key: { label: `${name} API key`, via: "api_key", apiKey: tenant.apiKey },
    allIds: [tenant.organizationId, ...Object.values(objects), rotated.body.secret_id],
  };
}

/**
 * Reads every row that belongs to the organisation, table by table, in a
 * stable order. Comparing two snapshots shows whether anything of it changed.
 * `ignoreColumns` leaves out columns a caller's own requests update, such as
 * the last use of the key the test calls with.
 */
export async function snapshotOrganization(organizationId: string, ignoreColumns: string[] = []): Promise<Record<string, unknown[]>> {
  const snapshot: Record<string, unknown[]> = {};
  for (const [table, where] of Object.entries(ORGANIZATION_ROWS)) {
    const result = await pool().query(`SELECT t.* FROM ${table} t WHERE ${where} ORDER BY t::text`, [organizationId]);
    snapshot[table] = result.rows.map((row) => Object.fromEntries(Object.entries(row).filter(([column]) => !ignoreColumns.includes(column))));
  }
  return snapshot;
}

const owned = `SELECT id FROM subscriptions WHERE organization_id = $1`;

// Every product table, with the condition that selects the rows of organisation $1.
export const ORGANIZATION_ROWS: Record<string, string> = {
  organizations: `id = $1`,
  users: `organization_id = $1`,
  api_keys: `organization_id = $1`,
  subscriptions: `organization_id = $1`,
  signing_secrets: `subscription_id IN (${owned})`,
  events: `organization_id = $1`,
  deliveries: `organization_id = $1`,
  attempts: `delivery_id IN (SELECT id FROM deliveries WHERE organization_id = $1)`,
  delivery_counts: `delivery_id IN (SELECT id FROM deliveries WHERE organization_id = $1)`,
  ordering_chains: `subscription_id IN (${owned})`,
  idempotency_records: `organization_id = $1`,
  audit_entries: `organization_id = $1`,
  portal_sessions: `user_id IN (SELECT id FROM users WHERE organization_id = $1)`,
  webhook_budgets: `subscription_id IN (${owned})`,
  webhook_usage: `organization_id = $1`,
};

/**
 * Reduces a response to what must not depend on which id was sent: each sent
 * id becomes a placeholder named after its parameter (a 404 may echo the id
 * the caller sent), and the request id is dropped.
 */
export function comparableResponse(result: ApiResult, sentIds: Record<string, string>): { status: number; body: unknown } {
  let text = result.text;
  for (const [name, id] of Object.entries(sentIds)) text = text.replaceAll(id, `<${name}>`);
  const body = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
  if (body && typeof body === "object") delete body.request_id;
  return { status: result.status, body };
}

/**
 * Seeds one organisation per entry of `names` before the suite's tests, with
 * webhooks pointing at a shared loopback receiver, and closes the receiver
 * after them. The returned object is filled in once the suite starts.
 */
export function seedTenantsForSuite<K extends string>(names: Record<K, string>): Record<K, SeededTenant> & { receiver: TestReceiver } {
  const seeded = {} as Record<K, SeededTenant> & { receiver: TestReceiver };
  beforeAll(async () => {
    seeded.receiver = await startReceiver();
    for (const [key, name] of Object.entries(names) as Array<[K, string]>) {
      (seeded as Record<K, SeededTenant>)[key] = await seedTenant(name, seeded.receiver.url);
    }
  });
  afterAll(async () => {
    await seeded.receiver?.close();
  });
  return seeded;
}
