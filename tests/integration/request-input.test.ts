import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { API_KEY_REJECTED_DETAIL } from "../../lib/auth/api-key-auth";
import { setTimeSource } from "../../lib/clock";
import { pool } from "../../lib/db";
import { exampleData } from "../../lib/events/examples";
import { api } from "../support/api";
import { createTenant, type Tenant } from "../support/fixtures";
import { createPortalUser, portalHeaders, signIn } from "../support/portal";

/**
 * Checks of what arrives with a request before any operation runs: every
 * rejected API key gets the same 401 detail, webhook URLs are parsed strictly,
 * integer query parameters take plain digits, occurred_at must fall in its
 * window.
 */
const WEBHOOK = { url: "https://siem.example.com/hooks/wasviking", events: ["finding.created"] };

describe("API key rejections", () => {
  it("gives every rejected key the same 401 detail", async () => {
    const tenant = await createTenant("Probe target");
    const revoked = await createTenant("Revoked key owner");
    await pool().query(`UPDATE api_keys SET revoked_at = now() WHERE id = $1`, [revoked.apiKeyId]);
    const authorizations: Record<string, string | undefined> = {
      missing: undefined,
      "another scheme": `Bearer ${tenant.apiKey}`,
      "no key": "ApiKey",
      "malformed key": "ApiKey not-a-key",
      "unknown key": "ApiKey wvk_AAAAAAAA_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB",
      "wrong secret part": `ApiKey ${tenant.apiKey.slice(0, 13)}${"x".repeat(32)}`,
      "revoked key": `ApiKey ${revoked.apiKey}`,
    };
    for (const [label, authorization] of Object.entries(authorizations)) {
      const headers: Record<string, string> = { "x-forwarded-for": "192.0.2.44" };
      if (authorization !== undefined) headers.authorization = authorization;
      const response = await api("GET", "/v1/webhooks", { headers });
      expect(response.status, label).toBe(401);
      expect(response.body.type, label).toMatch(/unauthorized$/);
      expect(response.body.detail, label).toBe(API_KEY_REJECTED_DETAIL);
      expect(Object.keys(response.body).sort(), label).toEqual(["detail", "request_id", "status", "title", "type"]);
    }
  });
});

describe("webhook URLs", () => {
  let tenant: Tenant;
  let webhookId: string;

  beforeAll(async () => {
    tenant = await createTenant("Strict URLs");
    webhookId = (await api("POST", "/v1/webhooks", { apiKey: tenant.apiKey, body: WEBHOOK })).body.id;
  });

  it.each([
    ["http:///x", 'The URL has an empty host: nothing comes between "http://" and the next "/"'],
    ["https:/siem.example.com/hooks", 'The URL needs "//" after "https:", for example https://siem.example.com/hooks/wasviking'],
    ["https:siem.example.com/hooks", 'The URL needs "//" after "https:", for example https://siem.example.com/hooks/wasviking'],
    ["https:\\\\siem.example.com\\hooks", 'The URL contains a backslash at character 7, which URL parsers read as "/": use "/" between path segments, or write a literal backslash as %5C'],
    ["https://siem.example.com/ho\toks", "The URL contains a tab at character 28: remove it"],
    ["https://siem.exa\nmple.com/hooks", "The URL contains a line feed at character 17: remove it"],
    ["https://@siem.example.com/hooks", 'The URL has an "@" with no user name before the host: remove the "@"'],
  ])("rejects %j on create and update, naming the problem", async (url, message) => {
    const created = await api("POST", "/v1/webhooks", { apiKey: tenant.apiKey, body: { ...WEBHOOK, url } });
    expect(created.status).toBe(422);
    expect(created.body.errors).toEqual([{ field: "url", message }]);

    const updated = await api("PATCH", `/v1/webhooks/${webhookId}`, { apiKey: tenant.apiKey, body: { url } });
    expect(updated.status).toBe(422);
    expect(updated.body.errors).toEqual([{ field: "url", message }]);
  });

  it("stores nothing for a rejected URL", async () => {
    await api("POST", "/v1/webhooks", { apiKey: tenant.apiKey, body: { ...WEBHOOK, url: "http:///x" } });
    const stored = await pool().query(`SELECT url FROM subscriptions WHERE organization_id = $1`, [tenant.organizationId]);
    expect(stored.rows.map((row) => row.url)).toEqual([WEBHOOK.url]);
  });

  it("keeps a backslash in the query as sent", async () => {
    const response = await api("POST", "/v1/webhooks", { apiKey: tenant.apiKey, body: { ...WEBHOOK, url: "https://siem.example.com/hooks?share=C:\\in" } });
    expect(response.status).toBe(201);
    expect(response.body.url).toBe("https://siem.example.com/hooks?share=C:\\in");
  });
});

describe("integer query parameters", () => {
  let tenant: Tenant;
  let adminCookie: string;

  beforeAll(async () => {
    tenant = await createTenant("Plain digits");
    adminCookie = (await signIn(await createPortalUser(tenant.organizationId, "admin"))).cookie;
  });

  const MESSAGE = "Use a whole number from 1 to 100 in plain decimal digits, without sign, spaces, exponent or leading zeros";
  const PATHS = ["/v1/webhooks", "/v1/deliveries", "/v1/audit-log", "/v1/api-keys"];

  it.each(["0x10", "1e1", "+5", "-5", "%205", "5%20", "05", "010", "1.0", "", "0", "101", "Infinity"])("rejects limit=%s with 422", async (value) => {
    for (const path of PATHS) {
      const response = await api("GET", `${path}?limit=${value}`, { headers: portalHeaders(adminCookie) });
      expect(response.status, path).toBe(422);
      expect(response.body.type).toMatch(/validation$/);
      expect(response.body.errors, path).toEqual([{ field: "query/limit", message: MESSAGE }]);
    }
  });

  it.each(["1", "10", "100"])("accepts limit=%s", async (value) => {
    for (const path of PATHS) {
      const response = await api("GET", `${path}?limit=${value}`, { headers: portalHeaders(adminCookie) });
      expect(response.status, path).toBe(200);
    }
  });

  it("pages by the number the digits name", async () => {
    for (let index = 0; index < 3; index++) await api("POST", "/v1/webhooks", { apiKey: tenant.apiKey, body: WEBHOOK });
    const response = await api("GET", "/v1/webhooks?limit=2", { apiKey: tenant.apiKey });
    expect(response.body.data).toHaveLength(2);
    expect(response.body.next_cursor).not.toBeNull();
  });
});

describe("occurred_at window", () => {
  let tenant: Tenant;
  const now = Date.parse("2026-12-05T12:00:00.000Z");
  const data = exampleData("finding.created");

  beforeAll(async () => {
    tenant = await createTenant("Event window");
  });

  afterEach(() => setTimeSource(null));

  const publish = (occurredAt: string) => {
    setTimeSource({ now: () => now });
    return api("POST", "/v1/events", { apiKey: tenant.apiKey, body: { type: "finding.created", occurred_at: occurredAt, data } });
  };

  it.each([
    ["0000-01-01T00:00:00Z", "more than 7 days before the time of the request"],
    ["0001-01-01T00:00:00Z", "more than 7 days before the time of the request"],
    ["1970-01-01T00:00:00Z", "more than 7 days before the time of the request"],
    ["2026-11-28T11:59:59.999Z", "more than 7 days before the time of the request"],
    ["2026-12-05T12:05:00.001Z", "more than 5 minutes after the time of the request"],
    ["9999-12-31T23:59:59Z", "more than 5 minutes after the time of the request"],
  ])("rejects %s", async (occurredAt, reason) => {
    const response = await publish(occurredAt);
    expect(response.status).toBe(422);
    expect(response.body.errors).toHaveLength(1);
    expect(response.body.errors[0].field).toBe("occurred_at");
    expect(response.body.errors[0].message).toContain(reason);
    expect(response.body.errors[0].message).toContain("(2026-12-05T12:00:00.000Z)");
  });

  it.each(["2026-11-28T12:00:00Z", "2026-12-05T12:00:00Z", "2026-12-05T12:05:00Z"])("accepts %s", async (occurredAt) => {
    const response = await publish(occurredAt);
    expect(response.status, JSON.stringify(response.body)).toBe(202);
    expect(response.body.occurred_at).toBe(new Date(occurredAt).toISOString());
  });

  it("stores nothing for a time outside the window", async () => {
    const before = await pool().query(`SELECT count(*)::int AS n FROM events WHERE organization_id = $1`, [tenant.organizationId]);
    await publish("9999-01-01T00:00:00Z");
    const after = await pool().query(`SELECT count(*)::int AS n FROM events WHERE organization_id = $1`, [tenant.organizationId]);
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });
});
