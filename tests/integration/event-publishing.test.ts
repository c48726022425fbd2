import { beforeAll, describe, expect, it } from "vitest";
import { setTimeSource } from "../../lib/clock";
import { pool } from "../../lib/db";
import { SUBSCRIBABLE_EVENT_TYPES, type EventType } from "../../lib/events/catalog";
import { exampleData, exampleSubject } from "../../lib/events/examples";
import { implausibleTimeMessage } from "../../lib/events/utc-time";
import { api } from "../support/api";
import { createTenant, type Tenant } from "../support/fixtures";

async function eventCount(organizationId: string): Promise<number> {
  const result = await pool().query<{ count: string }>(`SELECT count(*) FROM events WHERE organization_id = $1`, [organizationId]);
  return Number(result.rows[0]!.count);
}

describe("event publishing", () => {
  let tenant: Tenant;

  beforeAll(async () => {
    tenant = await createTenant();
  });

  const publish = (body: unknown, headers: Record<string, string> = {}) => api("POST", "/v1/events", { apiKey: tenant.apiKey, body, headers });

  it.each(SUBSCRIBABLE_EVENT_TYPES as EventType[])("accepts the catalog example of %s", async (type) => {
    const response = await publish({ type, subject: exampleSubject(type), data: exampleData(type) });
    expect(response.status).toBe(202);
    expect(response.body.id).toMatch(/^evt_/);
    expect(response.body.subject).toBe(exampleSubject(type));
  });

  it("lists each invalid data field", async () => {
    const response = await publish({ type: "finding.created", data: { finding_id: "456", severity: "urgent" } });
    expect(response.status).toBe(422);
    expect(response.body.type).toMatch(/validation$/);
    const fields = response.body.errors.map((error: { field: string }) => error.field);
    expect(fields).toEqual(expect.arrayContaining(["data/finding_id", "data/title", "data/severity"]));
  });

  it("asks for UTC when a time carries an offset", async () => {
    const data = { ...exampleData("finding.created"), detected_at: "2026-12-01T10:13:58+01:00" };
    const response = await publish({ type: "finding.created", occurred_at: "2026-12-01T10:13:58+01:00", data });
    expect(response.status).toBe(422);
    const messages = Object.fromEntries(response.body.errors.map((error: { field: string; message: string }) => [error.field, error.message]));
    expect(messages["occurred_at"]).toBe('Invalid time "2026-12-01T10:13:58+01:00": use ISO 8601 in UTC ending in Z, for this time 2026-12-01T09:13:58Z');
    expect(messages["data/detected_at"]).toContain("for this time 2026-12-01T09:13:58Z");
  });

  it("rejects an unset time in data", async () => {
    const data = { ...exampleData("finding.sla_breached"), due_at: "0001-01-01T00:00:00Z" };
    const response = await publish({ type: "finding.sla_breached", subject: exampleSubject("finding.sla_breached"), data });
    expect(response.status).toBe(422);
    expect(response.body.detail).toBe(`data/due_at: ${implausibleTimeMessage("0001-01-01T00:00:00Z")}`);
  });

  it("says what to send in the detail of one invalid time", async () => {
    const response = await publish({ type: "finding.created", occurred_at: "2026-12-01 10:13", data: exampleData("finding.created") });
    expect(response.status).toBe(422);
    expect(response.body.detail).toBe("occurred_at: Invalid time: use ISO 8601 in UTC ending in Z, for example 2026-12-01T09:13:58Z");
  });

  it("stores a UTC time with its fraction digits", async () => {
    // occurred_at must be within 7 days of the request, so the request is made at a fixed time.
    setTimeSource({ now: () => Date.parse("2026-12-02T00:00:00Z") });
    try {
      const response = await publish({ type: "finding.created", occurred_at: "2026-12-01T09:13:58.123Z", data: exampleData("finding.created") });
      expect(response.status).toBe(202);
      expect(response.body.occurred_at).toBe("2026-12-01T09:13:58.123Z");
    } finally {
      setTimeSource(null);
    }
  });

  it("rejects an unknown type and names the known ones", async () => {
    const response = await publish({ type: "finding.deleted", data: {} });
    expect(response.status).toBe(422);
    expect(response.body.errors[0].field).toBe("type");
    expect(response.body.errors[0].message).toContain("finding.created");
  });

  it("rejects webhook.test, which only the test endpoint sends", async () => {
    const response = await publish({ type: "webhook.test", data: exampleData("webhook.test") });
    expect(response.status).toBe(422);
    expect(response.body.errors[0].message).toContain("/v1/webhooks/{id}/test");
  });

  it("takes the subject from the data when it is left out", async () => {
    const response = await publish({ type: "asset.first_seen", data: exampleData("asset.first_seen") });
    expect(response.status).toBe(202);
    expect(response.body.subject).toBe("ast_3M8VTR");
  });

  it("rejects a subject that differs from the data", async () => {
    const response = await publish({ type: "finding.escalated", subject: "fnd_other", data: { finding_id: "fnd_456", severity: "critical" } });
    expect(response.status).toBe(422);
    expect(response.body.errors[0].field).toBe("subject");
  });

  it.each(SUBSCRIBABLE_EVENT_TYPES.filter((type) => type.startsWith("finding.")) as EventType[])(
    "rejects a test finding id in %s",
    async (type) => {
      const before = await eventCount(tenant.organizationId);
      const response = await publish({ type, data: { ...exampleData(type), finding_id: "fnd_test_19fd39fb20d0" } });
      expect(response.status).toBe(422);
      expect(response.body.errors).toEqual([
        { field: "data/finding_id", message: 'Finding ids starting with "fnd_test_" are reserved for test deliveries: use the finding\'s real id' },
      ]);
      expect(await eventCount(tenant.organizationId)).toBe(before);
    },
  );

  it("rejects a test finding id as the subject", async () => {
    const response = await publish({ type: "asset.first_seen", subject: "fnd_test_19fd39fb20d0", data: exampleData("asset.first_seen") });
    expect(response.status).toBe(422);
    expect(response.body.errors.map((error: { field: string }) => error.field)).toContain("subject");
    expect(JSON.stringify(response.body.errors)).toContain("reserved for test deliveries");
  });

  it("accepts a finding id that only contains test", async () => {
    const response = await publish({ type: "finding.created", data: { ...exampleData("finding.created"), finding_id: "fnd_latest_test_1" } });
    expect(response.status).toBe(202);
  });

  it("stores nothing when the data is invalid", async () => {
    const before = await eventCount(tenant.organizationId);
    await publish({ type: "secret.verified_live", data: { ...exampleData("secret.verified_live"), secret_value: "AKIAIOSFODNN7EXAMPLE" } });
    expect(await eventCount(tenant.organizationId)).toBe(before);
  });
});

describe("Idempotency-Key", () => {
  let tenant: Tenant;
  const body = { type: "finding.escalated", data: { finding_id: "fnd_456", severity: "critical" } };

  beforeAll(async () => {
    tenant = await createTenant("Idempotent Team");
  });

  const publish = (payload: unknown, key: string) =>
    api("POST", "/v1/events", { apiKey: tenant.apiKey, body: payload, headers: { "idempotency-key": key } });

  it("returns the first result for a repeat and publishes once", async () => {
    const before = await eventCount(tenant.organizationId);
    const first = await publish(body, "key-repeat");
    const second = await publish(body, "key-repeat");
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.body).toEqual(first.body);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(await eventCount(tenant.organizationId)).toBe(before + 1);
  });

  it("treats the same body with other key order and spacing as a repeat", async () => {
    const first = await publish(body, "key-order");
    const reordered = await api("POST", "/v1/events", {
      apiKey: tenant.apiKey,
      rawBody: '{ "data": {"severity": "critical", "finding_id": "fnd_456"}, "type": "finding.escalated" }',
      headers: { "content-type": "application/json", "idempotency-key": "key-order" },
    });
    expect(reordered.body.id).toBe(first.body.id);
  });

  it("rejects the same key with another body as 409", async () => {
    await publish(body, "key-conflict");
    const before = await eventCount(tenant.organizationId);
    const response = await publish({ ...body, data: { ...body.data, finding_id: "fnd_789" } }, "key-conflict");
    expect(response.status).toBe(409);
    expect(response.body.type).toMatch(/idempotency-key-reused$/);
    expect(await eventCount(tenant.organizationId)).toBe(before);
  });

  it("creates one event for concurrent requests with one key", async () => {
    const before = await eventCount(tenant.organizationId);
    const responses = await Promise.all(Array.from({ length: 6 }, () => publish(body, "key-concurrent")));
    expect(responses.map((response) => response.status)).toEqual(Array(6).fill(202));
    expect(new Set(responses.map((response) => response.body.id)).size).toBe(1);
    expect(await eventCount(tenant.organizationId)).toBe(before + 1);
  });

  it("scopes keys to the organisation", async () => {
    const other = await createTenant("Other Idempotent Team");
    const mine = await publish(body, "key-shared-name");
    const theirs = await api("POST", "/v1/events", { apiKey: other.apiKey, body, headers: { "idempotency-key": "key-shared-name" } });
    expect(theirs.status).toBe(202);
    expect(theirs.body.id).not.toBe(mine.body.id);
  });

  it("publishes again once the key is older than 24 hours", async () => {
    const first = await publish(body, "key-expired");
    await pool().query(`UPDATE idempotency_records SET created_at = created_at - interval '24 hours 1 second' WHERE key = 'key-expired'`);
    const again = await publish(body, "key-expired");
    expect(again.status).toBe(202);
    expect(again.body.id).not.toBe(first.body.id);
    expect(again.headers.get("idempotent-replayed")).toBeNull();
  });

  it("rejects a malformed key with 400", async () => {
    for (const key of ["with space", "x".repeat(256), "ключ"]) {
      const response = await api("POST", "/v1/events", { apiKey: tenant.apiKey, body, headers: { "idempotency-key": key } }).catch(() => null);
      // A header value outside Latin-1 cannot even be sent; the others reach the API.
      if (response === null) continue;
      expect(response.status, key).toBe(400);
      expect(response.body.type).toMatch(/bad-request$/);
    }
  });

  it("does not record a rejected request", async () => {
    const invalid = await publish({ type: "finding.escalated", data: {} }, "key-after-fix");
    expect(invalid.status).toBe(422);
    const fixed = await publish(body, "key-after-fix");
    expect(fixed.status).toBe(202);
    expect(fixed.headers.get("idempotent-replayed")).toBeNull();
  });
});

describe("event types", () => {
  it("lists the catalog without an API key", async () => {
    const response = await api("GET", "/v1/event-types");
    expect(response.status).toBe(200);
    expect(response.body.next_cursor).toBeNull();
    const types = response.body.data.map((entry: { type: string }) => entry.type);
    expect(types).toContain("secret.verified_live");
    expect(types).toContain("webhook.test");
    const escalated = response.body.data.find((entry: { type: string }) => entry.type === "finding.escalated");
    expect(escalated.data_schema.required).toEqual(["finding_id", "severity"]);
    expect(escalated.example.type).toBe("finding.escalated");
    expect(escalated.ordered).toBe(true);
  });
});
