import { Validator } from "@seriousme/openapi-schema-validator";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { beforeAll, describe, expect, it } from "vitest";
import { EVENT_TYPES } from "../../lib/events/catalog";
import { exampleData } from "../../lib/events/examples";
import { api, discoverRoutes } from "../support/api";
import { createTenant, type Tenant } from "../support/fixtures";

const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

async function servedOperations(): Promise<string[]> {
  const served: string[] = [];
  for (const route of discoverRoutes()) {
    const module = (await import(route.file)) as Record<string, unknown>;
    for (const method of HTTP_METHODS) if (typeof module[method] === "function") served.push(`${method} ${route.template}`);
  }
  return served.sort();
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, "~0").replace(/\//g, "~1");
}

describe("OpenAPI document", () => {
  let document: any;
  let ajv: Ajv2020;
  let tenant: Tenant;

  beforeAll(async () => {
    const response = await api("GET", "/v1/openapi.json");
    expect(response.status).toBe(200);
    document = response.body;
    ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema(document, "openapi.json");
    tenant = await createTenant();
  });

  /** Asserts that a real response matches what the document promises for its operation and status. */
  function expectDocumented(path: string, method: string, response: { status: number; body: unknown; headers: Headers }) {
    const operation = document.paths[path][method.toLowerCase()];
    const declared = operation.responses[String(response.status)] ?? operation.responses.default;
    expect(declared, `${method} ${path} does not document status ${response.status}`).toBeDefined();
    if (declared.$ref) {
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      const validate = ajv.getSchema("openapi.json#/components/schemas/Problem")!;
      expect(validate(response.body), JSON.stringify(validate.errors)).toBe(true);
      return;
    }
    if (!declared.content) return;
    const pointer = ["paths", path, method.toLowerCase(), "responses", String(response.status), "content", "application/json", "schema"].map(escapePointer).join("/");
    const validate = ajv.compile({ $ref: `openapi.json#/${pointer}` });
    expect(validate(response.body), JSON.stringify(validate.errors)).toBe(true);
  }

  it("is a valid OpenAPI 3.1 document", async () => {
    const result = await new Validator().validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(document.openapi).toBe("3.1.0");
  });

  it("is served without an API key", async () => {
    const response = await api("GET", "/v1/openapi.json");
    expect(response.headers.get("content-type")).toBe("application/json");
  });

  it("lists every served route and method, and nothing else", async () => {
    const documented = Object.entries(document.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    expect(documented).toEqual(await servedOperations());
  });

  it("documents a 400 for every operation with query parameters", () => {
    const withQuery = Object.entries(document.paths as Record<string, Record<string, any>>).flatMap(([path, methods]) =>
      Object.entries(methods)
        .filter(([, operation]) => (operation.parameters ?? []).some((parameter: { in: string }) => parameter.in === "query"))
        .map(([method, operation]) => ({ label: `${method.toUpperCase()} ${path}`, responses: operation.responses })),
    );
    expect(withQuery.length).toBeGreaterThanOrEqual(5);
    for (const { label, responses } of withQuery) expect(responses["400"], label).toBeDefined();
  });

  it("describes every event type as a webhook", () => {
    expect(Object.keys(document.webhooks).sort()).toEqual(EVENT_TYPES.map((info) => info.type).sort());
  });

  it("tells a response that breaks its schema", () => {
    const pointer = ["paths", "/v1/webhooks", "get", "responses", "200", "content", "application/json", "schema"].map(escapePointer).join("/");
    const validate = ajv.compile({ $ref: `openapi.json#/${pointer}` });
    expect(validate({ data: [{ id: 1 }], next_cursor: null })).toBe(false);
  });

  it("matches real webhook responses", async () => {
    const created = await api("POST", "/v1/webhooks", {
      apiKey: tenant.apiKey,
      body: { url: "https://siem.example.com/hooks/wasviking", events: ["finding.created"], description: "SIEM" },
    });
    expectDocumented("/v1/webhooks", "POST", created);
    expectDocumented("/v1/webhooks", "GET", await api("GET", "/v1/webhooks?limit=1", { apiKey: tenant.apiKey }));
    expectDocumented("/v1/webhooks/{id}", "GET", await api("GET", `/v1/webhooks/${created.body.id}`, { apiKey: tenant.apiKey }));
    const updated = await api("PATCH", `/v1/webhooks/${created.body.id}`, { apiKey: tenant.apiKey, body: { description: "SIEM (EU)" } });
    expectDocumented("/v1/webhooks/{id}", "PATCH", updated);
    const deliveries = await api("GET", `/v1/webhooks/${created.body.id}/deliveries`, { apiKey: tenant.apiKey });
    expectDocumented("/v1/webhooks/{id}/deliveries", "GET", deliveries);
    const rotated = await api("POST", `/v1/webhooks/${created.body.id}/rotate`, { apiKey: tenant.apiKey });
    expectDocumented("/v1/webhooks/{id}/rotate", "POST", rotated);
  });

  it("matches real delivery responses", async () => {
    const created = await api("POST", "/v1/webhooks", { apiKey: tenant.apiKey, body: { url: "http://127.0.0.1:9/unreachable", events: ["finding.created"] } });
    const tested = await api("POST", `/v1/webhooks/${created.body.id}/test`, { apiKey: tenant.apiKey });
    expectDocumented("/v1/webhooks/{id}/test", "POST", tested);
    const path = `/v1/webhooks/${created.body.id}/deliveries/${tested.body.delivery_id}`;
    expectDocumented("/v1/webhooks/{id}/deliveries/{deliveryId}", "GET", await api("GET", path, { apiKey: tenant.apiKey }));
    expectDocumented("/v1/deliveries", "GET", await api("GET", "/v1/deliveries?status=failed,succeeded&limit=5", { apiKey: tenant.apiKey }));
    expectDocumented("/v1/deliveries", "GET", await api("GET", "/v1/deliveries?status=lost", { apiKey: tenant.apiKey }));
    expectDocumented("/v1/webhooks/{id}/deliveries", "GET", await api("GET", `/v1/webhooks/${created.body.id}/deliveries?event_type=webhook.test`, { apiKey: tenant.apiKey }));
  });

  it("matches real event responses", async () => {
    const published = await api("POST", "/v1/events", { apiKey: tenant.apiKey, body: { type: "finding.created", data: exampleData("finding.created") } });
    expectDocumented("/v1/events", "POST", published);
    expectDocumented("/v1/event-types", "GET", await api("GET", "/v1/event-types"));
  });

  it("matches real audit log responses", async () => {
    await api("POST", "/v1/webhooks", { apiKey: tenant.apiKey, body: { url: "http://127.0.0.1:9/unreachable", events: ["finding.created"] } });
    expectDocumented("/v1/audit-log", "GET", await api("GET", "/v1/audit-log?limit=5", { apiKey: tenant.apiKey }));
    expectDocumented("/v1/audit-log", "GET", await api("GET", "/v1/audit-log?action=webhook.exploded", { apiKey: tenant.apiKey }));
  });

  it("matches real problem responses", async () => {
    expectDocumented("/v1/webhooks", "GET", await api("GET", "/v1/webhooks"));
    expectDocumented("/v1/webhooks", "POST", await api("POST", "/v1/webhooks", { apiKey: tenant.apiKey, body: { url: "ftp://x" } }));
    expectDocumented("/v1/events", "POST", await api("POST", "/v1/events", { apiKey: tenant.apiKey, rawBody: "{", headers: { "content-type": "application/json" } }));
    expectDocumented("/v1/audit-log", "GET", await api("GET", "/v1/audit-log?limit=1&limit=2", { apiKey: tenant.apiKey }));
  });
});
