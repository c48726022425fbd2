import { beforeAll, describe, expect, it } from "vitest";
import { pool } from "../../lib/db";
import { api } from "../support/api";
import { createTenant, type Tenant } from "../support/fixtures";

describe("webhook management", () => {
  let tenant: Tenant;

  beforeAll(async () => {
    tenant = await createTenant();
  });

  async function create(events = ["finding.created"]) {
    const response = await api("POST", "/v1/webhooks", {
      apiKey: tenant.apiKey,
      body: { url: "https://siem.example.com/hooks/wasviking", events, description: "SIEM" },
    });
    expect(response.status).toBe(201);
    return response.body;
  }

  it("changes the URL, events, description and enabled state", async () => {
    const created = await create();
    const response = await api("PATCH", `/v1/webhooks/${created.id}`, {
      apiKey: tenant.apiKey,
      body: { url: "https://cmdb.example.com/in", events: ["asset.first_seen", "asset.disappeared"], description: "CMDB", enabled: false },
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ url: "https://cmdb.example.com/in", events: ["asset.first_seen", "asset.disappeared"], description: "CMDB", enabled: false });
    const updated = await pool().query(`SELECT details FROM audit_entries WHERE target_id = $1 AND action = 'webhook.updated'`, [created.id]);
    expect(Object.keys(updated.rows[0].details.changes).sort()).toEqual(["description", "events", "url"]);
    const disabled = await pool().query(`SELECT details FROM audit_entries WHERE target_id = $1 AND action = 'webhook.disabled'`, [created.id]);
    expect(disabled.rows[0].details.changes.enabled).toEqual({ from: true, to: false });
  });

  it("rejects an empty change and an unknown field", async () => {
    const created = await create();
    const empty = await api("PATCH", `/v1/webhooks/${created.id}`, { apiKey: tenant.apiKey, body: {} });
    expect(empty.status).toBe(422);
    const unknown = await api("PATCH", `/v1/webhooks/${created.id}`, { apiKey: tenant.apiKey, body: { secret: "whsec_x" } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors[0].message).toMatch(/secret/);
  });

  it("keeps the stored webhook when a change is invalid", async () => {
    const created = await create();
    const response = await api("PATCH", `/v1/webhooks/${created.id}`, { apiKey: tenant.apiKey, body: { url: "https://user:pass@example.com/hook" } });
    expect(response.status).toBe(422);
    const after = await api("GET", `/v1/webhooks/${created.id}`, { apiKey: tenant.apiKey });
    expect(after.body.url).toBe("https://siem.example.com/hooks/wasviking");
  });

  it("rejects bidirectional controls in a description", async () => {
    const created = await api("POST", "/v1/webhooks", {
      apiKey: tenant.apiKey,
      body: { url: "https://siem.example.com/hooks/wasviking", events: ["finding.created"], description: "SIEM \u202eUE" },
    });
    expect(created.status).toBe(422);
    expect(created.body.errors).toEqual([
      { field: "description", message: "Invalid character U+202E (right-to-left override) at position 6: remove it, because it reorders the text displayed after it" },
    ]);

    const existing = await create();
    for (const character of ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]) {
      const changed = await api("PATCH", `/v1/webhooks/${existing.id}`, { apiKey: tenant.apiKey, body: { description: `SIEM ${character}` } });
      expect(changed.status, JSON.stringify(character)).toBe(422);
      expect(changed.body.errors[0].field).toBe("description");
    }
    const after = await api("GET", `/v1/webhooks/${existing.id}`, { apiKey: tenant.apiKey });
    expect(after.body.description).toBe("SIEM");
  });

  it("accepts right-to-left text in a description", async () => {
    const existing = await create();
    const description = "\u05e7\u05dc\u05d9\u05d8\u05ea SIEM \u200f(EU)";
    const changed = await api("PATCH", `/v1/webhooks/${existing.id}`, { apiKey: tenant.apiKey, body: { description } });
    expect(changed.status).toBe(200);
    expect(changed.body.description).toBe(description);
  });

  it("deletes a webhook and answers 404 afterwards", async () => {
    const created = await create();
    const deleted = await api("DELETE", `/v1/webhooks/${created.id}`, { apiKey: tenant.apiKey });
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe("");
    expect((await api("GET", `/v1/webhooks/${created.id}`, { apiKey: tenant.apiKey })).status).toBe(404);
  });

  it("rotates with a 24 h overlap and revokes the old secret on request", async () => {
    const created = await create();
    const rotated = await api("POST", `/v1/webhooks/${created.id}/rotate`, { apiKey: tenant.apiKey });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(created.secret);
    expect(rotated.body.secrets.map((secret: { status: string }) => secret.status)).toEqual(["current", "expiring"]);
    const old = rotated.body.secrets[1];
    const overlapHours = (new Date(old.expires_at).getTime() - new Date(rotated.body.secrets[0].created_at).getTime()) / 3_600_000;
    expect(overlapHours).toBe(24);

    const current = await api("DELETE", `/v1/webhooks/${created.id}/secrets/${rotated.body.secret_id}`, { apiKey: tenant.apiKey });
    expect(current.status).toBe(409);

    const revoked = await api("DELETE", `/v1/webhooks/${created.id}/secrets/${old.id}`, { apiKey: tenant.apiKey });
    expect(revoked.status).toBe(200);
    expect(revoked.body.secrets).toHaveLength(1);
    expect(revoked.body.secrets[0].id).toBe(rotated.body.secret_id);
  });

  it("returns the first revocation on a repeat", async () => {
    const created = await create();
    const rotated = await api("POST", `/v1/webhooks/${created.id}/rotate`, { apiKey: tenant.apiKey });
    const oldId = rotated.body.secrets[1].id;

    const first = await api("DELETE", `/v1/webhooks/${created.id}/secrets/${oldId}`, { apiKey: tenant.apiKey });
    expect(first.status).toBe(200);
    expect(first.body.revoked_secret).toMatchObject({ id: oldId, fingerprint: created.secrets[0].fingerprint, outcome: "revoked" });
    expect(first.body.revoked_secret.revoked_at).not.toBeNull();

    const again = await api("DELETE", `/v1/webhooks/${created.id}/secrets/${oldId}`, { apiKey: tenant.apiKey });
    expect(again.status).toBe(200);
    expect(again.body.revoked_secret).toEqual({ ...first.body.revoked_secret, outcome: "already_revoked" });
    expect(again.body.secrets.map((secret: { id: string }) => secret.id)).toEqual([rotated.body.secret_id]);

    const audit = await pool().query(`SELECT count(*)::int AS count FROM audit_entries WHERE target_id = $1 AND action = 'webhook.secret_revoked'`, [created.id]);
    expect(audit.rows[0].count).toBe(1);
  });

  it("returns the expiry after the overlap", async () => {
    const created = await create();
    const rotated = await api("POST", `/v1/webhooks/${created.id}/rotate`, { apiKey: tenant.apiKey });
    const oldId = rotated.body.secrets[1].id;
    const expired = await pool().query<{ expires_at: Date }>(
      `UPDATE signing_secrets SET expires_at = now() - interval '1 hour' WHERE id = $1 RETURNING expires_at`,
      [oldId],
    );

    const revoked = await api("DELETE", `/v1/webhooks/${created.id}/secrets/${oldId}`, { apiKey: tenant.apiKey });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revoked_secret).toEqual({
      id: oldId,
      fingerprint: created.secrets[0].fingerprint,
      outcome: "already_expired",
      revoked_at: null,
      expires_at: expired.rows[0]!.expires_at.toISOString(),
    });
    const stored = await pool().query(`SELECT revoked_at FROM signing_secrets WHERE id = $1`, [oldId]);
    expect(stored.rows[0].revoked_at).toBeNull();
    const audit = await pool().query(`SELECT count(*)::int AS count FROM audit_entries WHERE target_id = $1 AND action = 'webhook.secret_revoked'`, [created.id]);
    expect(audit.rows[0].count).toBe(0);
  });

  it("rejects another webhook's secret with 404", async () => {
    const first = await create();
    const second = await create();
    const rotated = await api("POST", `/v1/webhooks/${first.id}/rotate`, { apiKey: tenant.apiKey });
    const response = await api("DELETE", `/v1/webhooks/${second.id}/secrets/${rotated.body.secrets[1].id}`, { apiKey: tenant.apiKey });
    expect(response.status).toBe(404);
  });

  it("keeps at most two valid secrets when rotating twice inside the overlap", async () => {
    const created = await create();
    await api("GET", `/v1/webhooks/${created.id}/rotate`, { apiKey: tenant.apiKey });
    const second = await api("GET", `/v1/webhooks/${created.id}/rotate`, { apiKey: tenant.apiKey });
    expect(second.status).toBe(200);
    expect(second.body.secrets).toHaveLength(2);
    const fingerprints = second.body.secrets.map((secret: { fingerprint: string }) => secret.fingerprint);
    expect(fingerprints).not.toContain(created.secrets[0].fingerprint);
  });

  it("never returns a secret value outside the create and rotate responses", async () => {
    const created = await create();
    for (const path of [`/v1/webhooks/${created.id}`, "/v1/webhooks", `/v1/webhooks/${created.id}/deliveries`]) {
      const response = await api("GET", path, { apiKey: tenant.apiKey });
      expect(response.text).not.toContain(created.secret);
      expect(response.text).not.toContain("whsec_");
    }
  });
});
