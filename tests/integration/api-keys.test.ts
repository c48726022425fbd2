import { beforeAll, describe, expect, it } from "vitest";
import { pool } from "../../lib/db";
import { api } from "../support/api";
import { createTenant, type Tenant } from "../support/fixtures";
import { createPortalUser, portalHeaders, signIn } from "../support/portal";

describe("API key management", () => {
  let tenant: Tenant;
  let admin: Record<string, string>;

  beforeAll(async () => {
    tenant = await createTenant("Acme Security");
    admin = portalHeaders((await signIn(await createPortalUser(tenant.organizationId, "admin"))).cookie);
  });

  async function createKey(body: unknown = { name: "SIEM exporter", scopes: ["webhooks:read"] }) {
    const response = await api("POST", "/v1/api-keys", { headers: admin, body });
    expect(response.status).toBe(201);
    return response.body;
  }

  it("creates a key that works with its scopes only", async () => {
    const created = await createKey({ name: "Read-only exporter", scopes: ["webhooks:read"] });
    expect(created.key).toMatch(/^wvk_[0-9A-Za-z]{8}_[0-9A-Za-z]{32}$/);
    expect(created.prefix).toBe(created.key.slice(0, 12));
    expect(created.scopes).toEqual(["webhooks:read"]);
    expect(created.created_by.name).toBe("Test admin");
    expect(created.revoked_at).toBeNull();

    const read = await api("GET", "/v1/webhooks", { apiKey: created.key });
    expect(read.status).toBe(200);
    const write = await api("POST", "/v1/webhooks", { apiKey: created.key, body: { url: "https://siem.example.com/in", events: ["finding.created"] } });
    expect(write.status).toBe(403);
  });

  it("lists keys with prefix, scopes and last use, never the key", async () => {
    const created = await createKey();
    await api("GET", "/v1/webhooks", { apiKey: created.key });
    const list = await api("GET", "/v1/api-keys", { headers: admin });
    expect(list.status).toBe(200);
    const listed = list.body.data.find((item: { id: string }) => item.id === created.id);
    expect(listed).toMatchObject({ name: "SIEM exporter", prefix: created.prefix, scopes: ["webhooks:read"], revoked_at: null });
    expect(listed.last_used_at).not.toBeNull();
    expect(listed).not.toHaveProperty("key");
    expect(list.text).not.toContain(created.key);
    expect(list.text).not.toContain(created.key.slice(13));
  });

  it("pages through keys newest first", async () => {
    const first = await createKey({ name: "page one", scopes: ["events:publish"] });
    const second = await createKey({ name: "page two", scopes: ["events:publish"] });
    const page = await api("GET", "/v1/api-keys?limit=1", { headers: admin });
    expect(page.body.data[0].id).toBe(second.id);
    const next = await api("GET", `/v1/api-keys?limit=1&cursor=${page.body.next_cursor}`, { headers: admin });
    expect(next.body.data[0].id).toBe(first.id);
  });

  it("revokes a key so it stops working at once", async () => {
    const created = await createKey();
    expect((await api("GET", "/v1/webhooks", { apiKey: created.key })).status).toBe(200);
    const revoked = await api("DELETE", `/v1/api-keys/${created.id}`, { headers: admin });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revoked_at).not.toBeNull();
    const after = await api("GET", "/v1/webhooks", { apiKey: created.key });
    expect(after.status).toBe(401);
  });

  it("revokes a revoked key without a second audit entry", async () => {
    const created = await createKey();
    const first = await api("DELETE", `/v1/api-keys/${created.id}`, { headers: admin });
    const second = await api("DELETE", `/v1/api-keys/${created.id}`, { headers: admin });
    expect(second.status).toBe(200);
    expect(second.body.revoked_at).toBe(first.body.revoked_at);
    const audit = await pool().query(`SELECT count(*)::int AS count FROM audit_entries WHERE action = 'api_key.revoked' AND target_id = $1`, [created.id]);
    expect(audit.rows[0].count).toBe(1);
  });

  it("audits creation and revocation without the key", async () => {
    const created = await createKey({ name: "audited", scopes: ["webhooks:read", "webhooks:write"] });
    await api("DELETE", `/v1/api-keys/${created.id}`, { headers: admin });
    const audit = await pool().query(`SELECT action, actor_type, details::text AS details FROM audit_entries WHERE target_id = $1 ORDER BY id`, [created.id]);
    expect(audit.rows.map((row) => row.action)).toEqual(["api_key.created", "api_key.revoked"]);
    for (const row of audit.rows) {
      expect(row.actor_type).toBe("user");
      expect(row.details).toContain(created.prefix);
      expect(row.details).not.toContain(created.key.slice(13));
    }
  });

  it.each([
    [{ name: "", scopes: ["webhooks:read"] }, "name"],
    [{ name: "   ", scopes: ["webhooks:read"] }, "name"],
    [{ name: "tab\there", scopes: ["webhooks:read"] }, "name"],
    [{ name: "x".repeat(101), scopes: ["webhooks:read"] }, "name"],
    [{ name: "exporter\u202egnp.exe", scopes: ["webhooks:read"] }, "name"],
    [{ name: "\u2067exporter", scopes: ["webhooks:read"] }, "name"],
    [{ name: "no scopes", scopes: [] }, "scopes"],
    [{ name: "unknown scope", scopes: ["admin"] }, "scopes/0"],
    [{ name: "twice", scopes: ["webhooks:read", "webhooks:read"] }, "scopes"],
    [{ name: "extra", scopes: ["webhooks:read"], expires_at: "2030-01-01T00:00:00Z" }, "expires_at"],
  ])("rejects %j with an error on %s", async (body, field) => {
    const before = await pool().query(`SELECT count(*)::int AS count FROM api_keys WHERE organization_id = $1`, [tenant.organizationId]);
    const response = await api("POST", "/v1/api-keys", { headers: admin, body });
    expect(response.status).toBe(422);
    expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
    const after = await pool().query(`SELECT count(*)::int AS count FROM api_keys WHERE organization_id = $1`, [tenant.organizationId]);
    expect(after.rows[0].count).toBe(before.rows[0].count);
  });

  it("names the bidirectional control in a key name", async () => {
    const response = await api("POST", "/v1/api-keys", { headers: admin, body: { name: "exporter\u202egnp.exe", scopes: ["webhooks:read"] } });
    expect(response.status).toBe(422);
    expect(response.body.errors).toEqual([
      { field: "name", message: "Invalid character U+202E (right-to-left override) at position 9: remove it, because it reorders the text displayed after it" },
    ]);
  });

  it("accepts right-to-left names", async () => {
    const created = await createKey({ name: "\u05de\u05d9\u05d9\u05e6\u05d0 SIEM", scopes: ["webhooks:read"] });
    expect(created.name).toBe("\u05de\u05d9\u05d9\u05e6\u05d0 SIEM");
  });

  it("forbids viewers every key operation", async () => {
    const created = await createKey();
    const viewer = portalHeaders((await signIn(await createPortalUser(tenant.organizationId, "viewer"))).cookie);
    expect((await api("GET", "/v1/api-keys", { headers: viewer })).status).toBe(403);
    expect((await api("POST", "/v1/api-keys", { headers: viewer, body: { name: "mine", scopes: ["webhooks:read"] } })).status).toBe(403);
    const revoke = await api("DELETE", `/v1/api-keys/${created.id}`, { headers: viewer });
    expect(revoke.status).toBe(403);
    expect(revoke.body.detail).toContain("admin");
    expect((await api("GET", "/v1/webhooks", { apiKey: created.key })).status).toBe(200);
  });

  it("rejects API keys on every key operation", async () => {
    const created = await createKey();
    expect((await api("GET", "/v1/api-keys", { apiKey: tenant.apiKey })).status).toBe(403);
    expect((await api("POST", "/v1/api-keys", { apiKey: tenant.apiKey, body: { name: "by key", scopes: ["webhooks:read"] } })).status).toBe(403);
    expect((await api("DELETE", `/v1/api-keys/${created.id}`, { apiKey: tenant.apiKey })).status).toBe(403);
  });

  it("keeps organisations apart", async () => {
    const created = await createKey();
    const other = await createTenant("Other Tenant");
    const otherAdmin = portalHeaders((await signIn(await createPortalUser(other.organizationId, "admin"))).cookie);
    const list = await api("GET", "/v1/api-keys", { headers: otherAdmin });
    expect(list.body.data.map((item: { id: string }) => item.id)).not.toContain(created.id);
    const revoke = await api("DELETE", `/v1/api-keys/${created.id}`, { headers: otherAdmin });
    expect(revoke.status).toBe(404);
    expect((await api("GET", "/v1/webhooks", { apiKey: created.key })).status).toBe(200);
  });

  it("asks for a portal sign-in without a session", async () => {
    const response = await api("GET", "/v1/api-keys");
    expect(response.status).toBe(401);
    expect(response.body.detail).toBe("Sign in to the portal first");
    expect(response.headers.get("www-authenticate")).toBeNull();
  });

  it("answers 404 to a malformed key id", async () => {
    const response = await api("DELETE", "/v1/api-keys/not-an-id", { headers: admin });
    expect(response.status).toBe(404);
  });
});
