import { describe, expect, it } from "vitest";
import { acceptsIdempotencyKey } from "../../lib/api/idempotency";
import { pool } from "../../lib/db";
import { api } from "../support/api";
import { ALL_OPERATIONS, callOperation, operationUrl, pathIds, seedTenantsForSuite, snapshotOrganization } from "../support/operation-cases";

/**
 * An Idempotency-Key sent to an operation that does not support it is a 400
 * that names the operations that do, and the request changes nothing. An
 * ignored key would let a client retry a webhook creation in the belief that
 * the retry is safe. Driven by lib/api/operations.ts.
 */

// The key the test calls with records its last use; nothing else may change.
const CALLER_COLUMNS = ["last_used_at"];
const WEBHOOK_BODY = { url: "http://127.0.0.1:9/idempotent-create", events: ["asset.disappeared"], enabled: false };

describe("Idempotency-Key support", () => {
  const seeded = seedTenantsForSuite({ tenant: "Keyless Retries" });

  it("is declared by POST /v1/events only", () => {
    expect(ALL_OPERATIONS.filter(acceptsIdempotencyKey).map((operation) => `${operation.method} ${operation.path}`)).toEqual(["POST /v1/events"]);
  });

  it("rejects a retried webhook creation", async () => {
    const count = async () =>
      Number((await pool().query(`SELECT count(*) AS n FROM subscriptions WHERE organization_id = $1`, [seeded.tenant.organizationId])).rows[0].n);
    const before = await count();

    for (const attempt of ["first", "retry"]) {
      const response = await api("POST", "/v1/webhooks", { apiKey: seeded.tenant.apiKey, body: WEBHOOK_BODY, headers: { "idempotency-key": "create-1" } });
      expect(response.status, attempt).toBe(400);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      expect(response.body.type).toMatch(/bad-request$/);
      expect(response.body.detail).toBe(
        "POST /v1/webhooks does not support the Idempotency-Key header, so a retry would repeat the request. " +
          "Send it without the header. Operations that support it: POST /v1/events",
      );
    }

    expect(await count()).toBe(before);
    const created = await api("POST", "/v1/webhooks", { apiKey: seeded.tenant.apiKey, body: WEBHOOK_BODY });
    expect(created.status).toBe(201);
  });

  describe.each(ALL_OPERATIONS.filter((operation) => !acceptsIdempotencyKey(operation)).map((operation) => [operation.id, operation] as const))(
    "%s",
    (_id, operation) => {
      it("rejects the key and changes nothing", async () => {
        const caller = operation.sessionOnly ? seeded.tenant.admin : seeded.tenant.key;
        const withKey = { ...caller, headers: { ...caller.headers, "idempotency-key": `key-${operation.id}` } };
        const before = await snapshotOrganization(seeded.tenant.organizationId, CALLER_COLUMNS);

        const response = await callOperation(operation, withKey, operationUrl(operation, pathIds(operation, seeded.tenant.objects)));

        expect(response.status, response.text).toBe(400);
        expect(response.body.type).toMatch(/bad-request$/);
        expect(response.body.detail).toContain(`${operation.method} ${operation.path} does not support the Idempotency-Key header`);
        expect(response.body.detail).toContain("Operations that support it: POST /v1/events");
        expect(await snapshotOrganization(seeded.tenant.organizationId, CALLER_COLUMNS)).toEqual(before);
      });
    },
  );
});
