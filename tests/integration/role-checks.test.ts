import { describe, expect, it } from "vitest";
import { createApiKey } from "../../lib/accounts/api-keys";
import { SYSTEM_ACTOR } from "../../lib/audit";
import { SCOPES } from "../../lib/auth/principal";
import type { Operation } from "../../lib/http/handler";
import {
  ALL_OPERATIONS,
  type Caller,
  callOperation,
  isMutating,
  operationUrl,
  pathIds,
  seedTenantsForSuite,
  snapshotOrganization,
} from "../support/operation-cases";

/**
 * Callers without the right call every operation they may not, with a valid
 * request on the organisation's own objects. Each response is a 403 problem,
 * and nothing of the organisation changes. Driven by lib/api/operations.ts.
 */

// The key the test calls with records its last use; nothing else may change.
const CALLER_COLUMNS = ["last_used_at"];

function operationsWhere(predicate: (operation: Operation) => boolean) {
  return ALL_OPERATIONS.filter(predicate).map((operation) => [operation.id, operation] as const);
}

describe("role and scope checks", () => {
  const seeded = seedTenantsForSuite({ tenant: "Acme Security" });

  async function expectForbidden(operation: Operation, caller: Caller): Promise<string> {
    const before = await snapshotOrganization(seeded.tenant.organizationId, CALLER_COLUMNS);
    const response = await callOperation(operation, caller, operationUrl(operation, pathIds(operation, seeded.tenant.objects)));
    expect(response.status, caller.label).toBe(403);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(response.body.type).toMatch(/\/forbidden$/);
    expect(await snapshotOrganization(seeded.tenant.organizationId, CALLER_COLUMNS)).toEqual(before);
    return response.body.detail;
  }

  it("finds operations of each kind to check", () => {
    expect(operationsWhere(isMutating).length).toBeGreaterThan(10);
    expect(operationsWhere((operation) => operation.adminOnly === true).length).toBeGreaterThan(0);
  });

  it.each(operationsWhere((operation) => isMutating(operation) || operation.adminOnly === true))(
    "%s is forbidden to a viewer",
    async (_id, operation) => {
      const detail = await expectForbidden(operation, seeded.tenant.viewer);
      expect(detail).toMatch(/admin/);
      expect(seeded.receiver.requests).toHaveLength(0);
    },
  );

  it.each(operationsWhere((operation) => operation.scope !== null && !operation.sessionOnly))(
    "%s is forbidden to a key without its scope",
    async (_id, operation) => {
      const otherScopes = SCOPES.filter((scope) => scope !== operation.scope);
      const key = await createApiKey(seeded.tenant.organizationId, { name: `without ${operation.scope}`, scopes: otherScopes }, SYSTEM_ACTOR);
      const detail = await expectForbidden(operation, { label: `key with ${otherScopes.join(", ")}`, via: "api_key", apiKey: key.key });
      expect(detail).toContain(`"${operation.scope}"`);
      expect(seeded.receiver.requests).toHaveLength(0);
    },
  );

  it.each(operationsWhere((operation) => operation.sessionOnly === true))("%s is forbidden to any API key", async (_id, operation) => {
    const detail = await expectForbidden(operation, seeded.tenant.key);
    expect(detail).toContain("portal");
  });

  // Runs last because it changes the organisation. The previous secret is revoked before a rotation
  // replaces it, the webhook is deleted after every request about it, and the key the others use goes last.
  const ORDER = ["revokeSecret", "*", "deleteWebhook", "revokeApiKey"];
  const rank = (operation: Operation) => (ORDER.includes(operation.id) ? ORDER.indexOf(operation.id) : ORDER.indexOf("*"));

  it("lets a caller with the role and scope make the same requests", async () => {
    const checked = ALL_OPERATIONS.filter((operation) => isMutating(operation) || operation.adminOnly === true);
    const ordered = [...checked].sort((left, right) => rank(left) - rank(right));
    for (const operation of ordered) {
      const caller = operation.sessionOnly ? seeded.tenant.admin : seeded.tenant.key;
      const response = await callOperation(operation, caller, operationUrl(operation, pathIds(operation, seeded.tenant.objects)));
      expect(response.status, `${operation.id}: ${response.text}`).toBeGreaterThanOrEqual(200);
      expect(response.status, `${operation.id}: ${response.text}`).toBeLessThan(300);
    }
  });
});
