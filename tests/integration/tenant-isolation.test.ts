import { describe, expect, it } from "vitest";
import { operations } from "../../lib/api/operations";
import { pool } from "../../lib/db";
import type { Operation } from "../../lib/http/handler";
import { api } from "../support/api";
import {
  ALL_OPERATIONS,
  type Caller,
  callOperation,
  caseOf,
  ID_QUERY_KINDS,
  isMutating,
  OPERATION_CASES,
  ORGANIZATION_ROWS,
  operationUrl,
  pathIds,
  type SeededTenant,
  seedTenantsForSuite,
  snapshotOrganization,
  unknownId,
  comparableResponse,
} from "../support/operation-cases";

/**
 * Organisation A calls every operation with the ids of organisation B's
 * objects. Each response must be the 404 an unknown id gets, byte for byte
 * apart from the request id, and B's rows must stay exactly as they were.
 * The operations come from lib/api/operations.ts, so a new one is covered
 * as soon as it has an entry in tests/support/operation-cases.ts.
 */
const OPERATIONS_WITH_IDS = ALL_OPERATIONS.filter((operation) => /\{\w+\}/.test(operation.path));

// The callers of A that may call the operation: its API key unless the operation is portal-only, and its admin.
function callersOf(tenant: SeededTenant, operation: Operation): Caller[] {
  return operation.sessionOnly ? [tenant.admin] : [tenant.key, tenant.admin];
}

/**
 * Lists the path parameter assignments to try: every id from B, and for
 * nested paths A's parent with B's child, which catches a handler that checks
 * the parent's organisation but loads the child by id alone.
 */
function foreignAssignments(operation: Operation, own: SeededTenant, foreign: SeededTenant): Array<{ label: string; ids: Record<string, string>; unknown: Record<string, string> }> {
  const params = caseOf(operation).params ?? {};
  const names = Object.keys(params);
  const ownIds = pathIds(operation, own.objects);
  const foreignIds = pathIds(operation, foreign.objects);
  const unknownIds = Object.fromEntries(names.map((name) => [name, unknownId(params[name]!)]));
  const assignments = [{ label: "every id from B", ids: foreignIds, unknown: unknownIds }];
  for (const child of names.slice(1)) {
    assignments.push({
      label: `A's ${names[0]} with B's ${child}`,
      ids: { ...ownIds, [child]: foreignIds[child]! },
      unknown: { ...ownIds, [child]: unknownIds[child]! },
    });
  }
  return assignments;
}

describe("tenant isolation", () => {
  const seeded = seedTenantsForSuite({ own: "Acme Security", other: "Other Tenant" });

  it("has a case for every operation", () => {
    expect(Object.keys(OPERATION_CASES).sort()).toEqual(Object.keys(operations).sort());
    for (const operation of ALL_OPERATIONS) {
      const pathNames = [...operation.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
      expect(Object.keys(caseOf(operation).params ?? {}), operation.id).toEqual(pathNames);
    }
  });

  it("snapshots every table of the product", async () => {
    const tables = await pool().query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name NOT LIKE '\\_%'`,
    );
    expect(tables.rows.map((row) => row.table_name).sort()).toEqual(Object.keys(ORGANIZATION_ROWS).sort());
  });

  describe.each(OPERATIONS_WITH_IDS.map((operation) => [operation.id, operation] as const))("%s with B's ids", (_id, operation) => {
    it("matches an unknown id and leaves B unchanged", async () => {
      const before = await snapshotOrganization(seeded.other.organizationId);
      const requestsBefore = seeded.receiver.requests.length;

      for (const caller of callersOf(seeded.own, operation)) {
        for (const assignment of foreignAssignments(operation, seeded.own, seeded.other)) {
          const context = `${caller.label}, ${assignment.label}`;
          const foreign = await callOperation(operation, caller, operationUrl(operation, assignment.ids));
          const unknown = await callOperation(operation, caller, operationUrl(operation, assignment.unknown));

          expect(foreign.status, context).toBe(404);
          expect(foreign.headers.get("content-type"), context).toBe("application/problem+json");
          expect(unknown.status, context).toBe(404);
          const comparable = comparableResponse(foreign, assignment.ids);
          expect(comparable, context).toEqual(comparableResponse(unknown, assignment.unknown));
          for (const id of seeded.other.allIds) expect(JSON.stringify(comparable.body), context).not.toContain(id);
        }
      }

      expect(await snapshotOrganization(seeded.other.organizationId)).toEqual(before);
      expect(seeded.receiver.requests.length).toBe(requestsBefore);
    });
  });

  const READ_OPERATIONS = ALL_OPERATIONS.filter((operation) => !isMutating(operation));

  it.each(READ_OPERATIONS.map((operation) => [operation.id, operation] as const))("%s with A's ids shows none of B's", async (_id, operation) => {
    for (const caller of callersOf(seeded.own, operation)) {
      const response = await callOperation(operation, caller, operationUrl(operation, pathIds(operation, seeded.own.objects)));
      expect(response.status, caller.label).toBe(200);
      for (const id of seeded.other.allIds) expect(response.text, `${caller.label}: ${id}`).not.toContain(id);
    }
  });

  it("lists A's own objects, so the scan above reads real rows", async () => {
    const webhooks = await api("GET", "/v1/webhooks", { apiKey: seeded.own.apiKey });
    expect(webhooks.body.data.map((item: { id: string }) => item.id)).toEqual([seeded.own.objects.webhook]);
    const deliveries = await api("GET", "/v1/deliveries", { apiKey: seeded.own.apiKey });
    expect(deliveries.body.data.map((item: { id: string }) => item.id)).toEqual([seeded.own.objects.delivery]);
    const keys = await api("GET", "/v1/api-keys", { headers: seeded.own.admin.headers });
    expect(keys.body.data.map((item: { id: string }) => item.id)).toEqual([seeded.own.objects.apiKey]);
  });

  const ID_FILTERS = ALL_OPERATIONS.flatMap((operation) => {
    const shape = (operation.query as unknown as { shape?: Record<string, unknown> } | undefined)?.shape ?? {};
    return Object.keys(shape)
      .filter((name) => name.endsWith("_id"))
      .map((name) => [`${operation.id}?${name}`, operation, name] as const);
  });

  it("finds every id filter of the query schemas", () => {
    expect(ID_FILTERS.map(([label]) => label)).toContain("listDeliveries?webhook_id");
    for (const [label, , name] of ID_FILTERS) expect(ID_QUERY_KINDS[name], label).toBeDefined();
  });

  it.each(ID_FILTERS)("%s with B's id matches an unknown id", async (_label, operation, name) => {
    const kind = ID_QUERY_KINDS[name]!;
    const path = operationUrl(operation, pathIds(operation, seeded.own.objects));
    for (const caller of callersOf(seeded.own, operation)) {
      const foreignId = seeded.other.objects[kind];
      const missingId = unknownId(kind);
      const foreign = await api("GET", `${path}?${name}=${foreignId}`, { apiKey: caller.apiKey, headers: caller.headers });
      const unknown = await api("GET", `${path}?${name}=${missingId}`, { apiKey: caller.apiKey, headers: caller.headers });
      const comparable = comparableResponse(foreign, { [name]: foreignId });
      expect(comparable, caller.label).toEqual(comparableResponse(unknown, { [name]: missingId }));
      for (const id of seeded.other.allIds) expect(JSON.stringify(comparable.body), caller.label).not.toContain(id);
    }
  });
});
