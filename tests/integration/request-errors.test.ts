import { beforeAll, describe, expect, it } from "vitest";
import { RATE_LIMITS } from "../../lib/http/rate-limit";
import { pool } from "../../lib/db";
import { exampleData } from "../../lib/events/examples";
import { api } from "../support/api";
import { createTenant, type Tenant } from "../support/fixtures";
import { startReceiver } from "../support/receiver";

const JSON_HEADERS = { "content-type": "application/json" };

describe("request errors", () => {
  let tenant: Tenant;
  let webhookId: string;

  beforeAll(async () => {
    tenant = await createTenant();
    const created = await api("POST", "/v1/webhooks", {
      apiKey: tenant.apiKey,
      body: { url: "https://siem.example.com/hooks/wasviking", events: ["finding.created"] },
    });
    webhookId = created.body.id;
  });

  function send(method: string, path: string, rawBody: string, headers: Record<string, string> = JSON_HEADERS) {
    return api(method, path, { apiKey: tenant.apiKey, rawBody, headers });
  }

  it("rejects a duplicate key with 400", async () => {
    const response = await send("POST", "/v1/webhooks", '{"url": "https://a.example.com/h", "url": "https://b.example.com/h", "events": ["finding.created"]}');
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(response.body.type).toMatch(/invalid-json$/);
    expect(response.body.detail).toContain('"url"');
  });

  it("keeps the stored webhook when a change repeats a key", async () => {
    const response = await send("PATCH", `/v1/webhooks/${webhookId}`, '{"url": "https://a.example.com/h", "url": "https://evil.example.com/h"}');
    expect(response.status).toBe(400);
    const after = await api("GET", `/v1/webhooks/${webhookId}`, { apiKey: tenant.apiKey });
    expect(after.body.url).toBe("https://siem.example.com/hooks/wasviking");
  });

  it("rejects absurd nesting with 400", async () => {
    const deep = `{"type": "finding.created", "data": ${"[".repeat(10_000)}${"]".repeat(10_000)}}`;
    const response = await send("POST", "/v1/events", deep);
    expect(response.status).toBe(400);
    expect(response.body.detail).toContain("32 levels");
  });

  it("rejects a body that is not UTF-8", async () => {
    const response = await api("POST", "/v1/webhooks", {
      apiKey: tenant.apiKey,
      rawBody: new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]),
      headers: JSON_HEADERS,
    });
    expect(response.status).toBe(400);
    expect(response.body.detail).toContain("UTF-8");
  });

  it("rejects a string PostgreSQL cannot store", async () => {
    const response = await send("POST", "/v1/webhooks", '{"url": "https://a.example.com/h", "events": ["finding.created"], "description": "a\\u0000b"}');
    expect(response.status).toBe(400);
    expect(response.body.detail).toContain("/description");
  });

  it("rejects a non-JSON content type with 415", async () => {
    const response = await send("POST", "/v1/webhooks", "url=https://a.example.com", { "content-type": "application/x-www-form-urlencoded" });
    expect(response.status).toBe(415);
    expect(response.body.type).toMatch(/unsupported-media-type$/);
  });

  it("rejects an oversized body with 413", async () => {
    const response = await send("POST", "/v1/webhooks", JSON.stringify({ url: "https://a.example.com/h", events: ["finding.created"], description: "x".repeat(20_000) }));
    expect(response.status).toBe(413);
    expect(response.body.type).toMatch(/payload-too-large$/);
  });

  it("names every unknown field in a 422", async () => {
    const response = await api("POST", "/v1/webhooks", {
      apiKey: tenant.apiKey,
      body: { url: "https://a.example.com/h", events: ["finding.created"], secret: "whsec_x", retries: 3 },
    });
    expect(response.status).toBe(422);
    expect(response.body.errors).toEqual([
      { field: "secret", message: 'Unknown field "secret": remove it or check its spelling' },
      { field: "retries", message: 'Unknown field "retries": remove it or check its spelling' },
    ]);
  });

  it("names the offending query parameter", async () => {
    const unknown = await api("GET", "/v1/webhooks?limt=5", { apiKey: tenant.apiKey });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors[0].field).toBe("query/limt");
    const tooMany = await api("GET", "/v1/webhooks?limit=1000", { apiKey: tenant.apiKey });
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.errors[0].field).toBe("query/limit");
  });

  it("rejects a repeated query parameter with 400", async () => {
    const response = await api("GET", "/v1/webhooks?limit=1&limit=2", { apiKey: tenant.apiKey });
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(response.body.type).toMatch(/bad-request$/);
    expect(response.body.detail).toBe('The query parameter "limit" appears more than once: send each parameter once');
  });

  it("rejects a repeated parameter before checking its values", async () => {
    const sameValue = await api("GET", "/v1/deliveries?status=failed&status=failed", { apiKey: tenant.apiKey });
    expect(sameValue.status).toBe(400);
    expect(sameValue.body.detail).toContain('"status"');
    const unknown = await api("GET", "/v1/webhooks?limt=1&limt=2", { apiKey: tenant.apiKey });
    expect(unknown.status).toBe(400);
    expect(unknown.body.detail).toContain('"limt"');
  });

  // The Fetch API joins repeated headers into one value with ", ", as these requests carry them.
  it.each([
    ["Authorization", () => ({ authorization: `ApiKey ${tenant.apiKey}, ApiKey ${tenant.apiKey}`, "content-type": "application/json" })],
    ["Content-Type", () => ({ authorization: `ApiKey ${tenant.apiKey}`, "content-type": "application/json, text/plain" })],
    ["Idempotency-Key", () => ({ authorization: `ApiKey ${tenant.apiKey}`, "content-type": "application/json", "idempotency-key": "order-1, order-2" })],
  ])("rejects a repeated %s header with 400", async (header, headers) => {
    const event = { type: "finding.created", subject: "fnd_repeated_header", data: { ...exampleData("finding.created"), finding_id: "fnd_repeated_header" } };
    const response = await api("POST", "/v1/events", { rawBody: JSON.stringify(event), headers: headers() });
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(response.body.type).toMatch(/bad-request$/);
    expect(response.body.detail).toBe(`The header "${header}" appears more than once: send it once`);
    const stored = await pool().query(`SELECT id FROM events WHERE organization_id = $1 AND subject = 'fnd_repeated_header'`, [tenant.organizationId]);
    expect(stored.rows).toEqual([]);
  });

  it("echoes a plain X-Request-Id", async () => {
    const response = await api("GET", "/v1/webhooks", { apiKey: tenant.apiKey, headers: { "x-request-id": "trace-4bf92f3577b34da6" } });
    expect(response.headers.get("x-request-id")).toBe("trace-4bf92f3577b34da6");
  });

  it.each([["the API key"], ["AKIAIOSFODNN7EXAMPLE"], ["eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.abcdefgh"]])("does not echo %s as X-Request-Id", async (value) => {
    const id = value === "the API key" ? tenant.apiKey : value;
    const answered = await api("GET", "/v1/webhooks", { apiKey: tenant.apiKey, headers: { "x-request-id": id } });
    expect(answered.status).toBe(200);
    expect(answered.headers.get("x-request-id")).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

    const rejected = await api("GET", "/v1/webhooks?limit=1&limit=2", { apiKey: tenant.apiKey, headers: { "x-request-id": id } });
    expect(rejected.status).toBe(400);
    expect(rejected.headers.get("x-request-id")).not.toBe(id);
    expect(rejected.body.request_id).toBe(rejected.headers.get("x-request-id"));
    expect(rejected.text).not.toContain(id);
  });

  it("reports only the type error of a string sent as events", async () => {
    const response = await send("POST", "/v1/webhooks", JSON.stringify({ url: "https://siem.example.com/hooks/two", events: "finding.created" }));
    expect(response.status).toBe(422);
    expect(response.body.errors).toEqual([{ field: "events", message: "Invalid input: expected array, received string" }]);
  });

  it.each([["POST", "/v1/webhooks"], ["PATCH", "/v1/webhooks/{id}"]])("reports only the deployment maximum of daily_cap in %s", async (method, path) => {
    const body = `{"url": "https://siem.example.com/hooks/three", "events": ["finding.created"], "daily_cap": 99999999999999999999}`;
    const response = await send(method, path.replace("{id}", webhookId), body);
    expect(response.status).toBe(422);
    expect(response.body.errors).toEqual([
      { field: "daily_cap", message: "The daily cap can be at most 1,000,000 deliveries on this deployment (WVK_MAX_DAILY_CAP)" },
    ]);
  });

  it("says how long a commit id is", async () => {
    const data = exampleData("secret.verified_live");
    const location = { ...(data.location as Record<string, unknown>), commit: "abc" };
    const response = await send("POST", "/v1/events", JSON.stringify({ type: "secret.verified_live", data: { ...data, location } }));
    expect(response.status).toBe(422);
    expect(response.body.errors).toEqual([{ field: "data/location/commit", message: "Expected a commit id of 7 to 64 lower-case hex digits" }]);
  });

  it("rejects a cursor that no page returned", async () => {
    const response = await api("GET", "/v1/webhooks?cursor=' OR 1=1 --", { apiKey: tenant.apiKey });
    expect(response.status).toBe(422);
    expect(response.body.errors[0].field).toBe("query/cursor");
  });

  it("pages through a list with next_cursor", async () => {
    const other = await createTenant("Paging Team");
    const ids: string[] = [];
    for (let index = 0; index < 3; index++) {
      const created = await api("POST", "/v1/webhooks", { apiKey: other.apiKey, body: { url: `https://h${index}.example.com/h`, events: ["finding.created"] } });
      ids.push(created.body.id);
    }
    const first = await api("GET", "/v1/webhooks?limit=2", { apiKey: other.apiKey });
    expect(first.body.data.map((item: { id: string }) => item.id)).toEqual([ids[2], ids[1]]);
    const second = await api("GET", `/v1/webhooks?limit=2&cursor=${first.body.next_cursor}`, { apiKey: other.apiKey });
    expect(second.body.data.map((item: { id: string }) => item.id)).toEqual([ids[0]]);
    expect(second.body.next_cursor).toBeNull();
  });

  it("answers a malformed id with 404", async () => {
    const response = await api("GET", "/v1/webhooks/not-an-id", { apiKey: tenant.apiKey });
    expect(response.status).toBe(404);
    expect(response.body.type).toMatch(/not-found$/);
  });

  it("deletes with an empty 204", async () => {
    const created = await api("POST", "/v1/webhooks", { apiKey: tenant.apiKey, body: { url: "https://gone.example.com/h", events: ["finding.created"] } });
    const deleted = await api("DELETE", `/v1/webhooks/${created.body.id}`, { apiKey: tenant.apiKey });
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe("");
    expect(deleted.headers.get("content-type")).toBeNull();
    expect((await api("DELETE", `/v1/webhooks/${created.body.id}`, { apiKey: tenant.apiKey })).status).toBe(404);
  });

  it("never answers hostile bodies with a 500 or a stack trace", async () => {
    const bodies = [
      "",
      "null",
      "[]",
      '"string"',
      "1e999999",
      '{"__proto__": {"admin": true}, "url": "https://a.example.com/h", "events": ["finding.created"]}',
      '{"constructor": {"prototype": {"x": 1}}}',
      '{"url": null, "events": null}',
      '{"url": "https://a.example.com/h", "events": ["finding.created", "finding.created"]}',
      `{"url": "https://a.example.com/${"a".repeat(3000)}", "events": ["finding.created"]}`,
      '{"url": "https://a.example.com/h", "events": [{"$gt": ""}]}',
      '{"url": "\\ud800", "events": ["finding.created"]}',
      '{"url": 1e309}',
      "\ufeff{}",
    ];
    for (const body of bodies) {
      for (const [method, path] of [
        ["POST", "/v1/webhooks"],
        ["PATCH", `/v1/webhooks/${webhookId}`],
        ["POST", "/v1/events"],
      ] as const) {
        const response = await send(method, path, body);
        expect(response.status, `${method} ${path} ${body.slice(0, 40)}`).toBeLessThan(500);
        expect(response.text).not.toMatch(/at .*\.ts:\d+|node_modules|PrismaClient|TypeError/);
      }
    }
  });
});

describe("rate limits", () => {
  it("answers 429 with Retry-After once test deliveries exceed the limit", async () => {
    const tenant = await createTenant("Busy Team");
    const receiver = await startReceiver();
    try {
      const created = await api("POST", "/v1/webhooks", { apiKey: tenant.apiKey, body: { url: receiver.url, events: ["finding.created"] } });
      const statuses: number[] = [];
      for (let index = 0; index < RATE_LIMITS.testDeliveries.capacity; index++) {
        statuses.push((await api("POST", `/v1/webhooks/${created.body.id}/test`, { apiKey: tenant.apiKey })).status);
      }
      expect(statuses).toEqual(Array(RATE_LIMITS.testDeliveries.capacity).fill(200));

      const limited = await api("GET", `/v1/webhooks/${created.body.id}/test`, { apiKey: tenant.apiKey });
      expect(limited.status).toBe(429);
      expect(limited.headers.get("content-type")).toBe("application/problem+json");
      expect(limited.body.type).toMatch(/rate-limited$/);
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(receiver.requests).toHaveLength(RATE_LIMITS.testDeliveries.capacity);

      const other = await createTenant("Quiet Team");
      const otherWebhook = await api("POST", "/v1/webhooks", { apiKey: other.apiKey, body: { url: receiver.url, events: ["finding.created"] } });
      expect((await api("POST", `/v1/webhooks/${otherWebhook.body.id}/test`, { apiKey: other.apiKey })).status).toBe(200);
    } finally {
      await receiver.close();
    }
  });
});
