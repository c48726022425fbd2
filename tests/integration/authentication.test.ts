import { beforeAll, describe, expect, it } from "vitest";
import { API_KEY_REJECTED_DETAIL } from "../../lib/auth/api-key-auth";
import { pool } from "../../lib/db";
import { api } from "../support/api";
import { createTenant, type Tenant } from "../support/fixtures";

describe("API key authentication", () => {
  let tenant: Tenant;
  let other: Tenant;
  let webhookId: string;

  beforeAll(async () => {
    tenant = await createTenant("Team A");
    other = await createTenant("Team B");
    const created = await api("POST", "/v1/webhooks", {
      apiKey: tenant.apiKey,
      body: { url: "https://siem.example.com/hooks/wasviking", events: ["finding.created"] },
    });
    webhookId = created.body.id;
  });

  it("rejects a request without a key as 401 problem details", async () => {
    const response = await api("GET", "/v1/webhooks");
    expect(response.status).toBe(401);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(response.body.type).toMatch(/unauthorized$/);
    expect(response.body.detail).toBe(API_KEY_REJECTED_DETAIL);
    expect(response.body.detail).toContain("ApiKey");
    expect(response.headers.get("www-authenticate")).toBe('ApiKey realm="wasviking-webhooks"');
  });

  it("rejects a wrong key", async () => {
    const response = await api("GET", "/v1/webhooks", { apiKey: "wvk_AAAAAAAA_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB" });
    expect(response.status).toBe(401);
    expect(response.body.detail).toBe(API_KEY_REJECTED_DETAIL);
  });

  it("rejects a key with a valid prefix but the wrong secret part", async () => {
    const forged = tenant.apiKey.slice(0, 13) + "x".repeat(32);
    const response = await api("GET", "/v1/webhooks", { apiKey: forged });
    expect(response.status).toBe(401);
  });

  it("rejects a revoked key", async () => {
    const revoked = await createTenant("Team C");
    await pool().query(`UPDATE api_keys SET revoked_at = now() WHERE id = $1`, [revoked.apiKeyId]);
    const response = await api("GET", "/v1/webhooks", { apiKey: revoked.apiKey });
    expect(response.status).toBe(401);
    expect(response.body.detail).toBe(API_KEY_REJECTED_DETAIL);
    expect(response.headers.get("www-authenticate")).toBe('ApiKey realm="wasviking-webhooks"');
  });

  it("answers 404 to another organisation's key", async () => {
    const response = await api("GET", `/v1/webhooks/${webhookId}`, { apiKey: other.apiKey });
    expect(response.status).toBe(404);
    const list = await api("GET", "/v1/webhooks", { apiKey: other.apiKey });
    expect(list.body.data).toEqual([]);
  });

  it("lets the owner read the webhook without its secret", async () => {
    const response = await api("GET", `/v1/webhooks/${webhookId}`, { apiKey: tenant.apiKey });
    expect(response.status).toBe(200);
    expect(response.body.id).toBe(webhookId);
    expect(response.text).not.toContain("whsec_");
    expect(response.body.secrets[0].fingerprint).toMatch(/^[0-9a-f]{12}$/);
  });

  it("refuses a key without the needed scope with 403", async () => {
    const reader = await createTenant("Team D", ["webhooks:read"]);
    const response = await api("POST", "/v1/events", {
      apiKey: reader.apiKey,
      body: { type: "finding.created", subject: "fnd_1", data: {} },
    });
    expect(response.status).toBe(403);
    expect(response.body.detail).toContain("events:publish");
  });

  it("records when a key was last used", async () => {
    const row = await pool().query(`SELECT last_used_at FROM api_keys WHERE id = $1`, [tenant.apiKeyId]);
    expect(row.rows[0].last_used_at).not.toBeNull();
  });
});
