import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signInWithPassword } from "../../lib/accounts/sign-in";
import { ADDRESS_LOCK, unlockSignIn } from "../../lib/accounts/sign-in-lockout";
import { pool } from "../../lib/db";
import { api } from "../support/api";
import { deliveryOf, publish } from "../support/deliveries";
import { createTenant, type Tenant } from "../support/fixtures";
import { createPortalUser, portalHeaders, type PortalUserFixture, signIn } from "../support/portal";
import { startReceiver, type TestReceiver } from "../support/receiver";

/**
 * Every sensitive action leaves one audit entry naming who did it, what, to
 * which object, when and from where, and no entry holds a secret, an API key
 * or a password.
 */
const SOURCE_IP = "198.51.100.23";
const USER_AGENT = "audit-trail-test/1.0";

interface AuditRow {
  id: string;
  organization_id: string;
  actor_type: string;
  actor_id: string | null;
  actor_label: string;
  action: string;
  target_type: string | null;
  target_id: string | null;
  details: Record<string, any>;
  source_ip: string | null;
  user_agent: string | null;
  created_at: Date;
}

describe("audit trail of sensitive actions", () => {
  let tenant: Tenant;
  let receiver: TestReceiver;
  let admin: PortalUserFixture;
  let adminHeaders: Record<string, string>;
  // Every secret value the tests see; none may appear in any audit entry.
  const secrets: string[] = [];

  beforeAll(async () => {
    receiver = await startReceiver();
    tenant = await createTenant("Audited Security");
    secrets.push(tenant.apiKey);
    admin = await createPortalUser(tenant.organizationId, "admin");
    secrets.push(admin.password);
    adminHeaders = { ...portalHeaders((await signIn(admin)).cookie), "x-forwarded-for": SOURCE_IP, "user-agent": USER_AGENT };
  });

  afterAll(async () => {
    await receiver.close();
  });

  async function entries(action: string, targetId: string): Promise<AuditRow[]> {
    const result = await pool().query<AuditRow>(`SELECT * FROM audit_entries WHERE action = $1 AND target_id = $2 ORDER BY id`, [action, targetId]);
    return result.rows;
  }

  async function onlyEntry(action: string, targetId: string): Promise<AuditRow> {
    const found = await entries(action, targetId);
    expect(found).toHaveLength(1);
    return found[0]!;
  }

  function expectNoSecrets(row: AuditRow): void {
    const text = JSON.stringify(row);
    for (const secret of secrets) {
      expect(text).not.toContain(secret);
      // The part after a key's or secret's public prefix is what grants access.
      expect(text).not.toContain(secret.slice(-20));
    }
  }

  function expectAdminActor(row: AuditRow): void {
    expect(row.actor_type).toBe("user");
    expect(row.actor_id).toBe(admin.userId);
    expect(row.actor_label).toBe(`Test admin (${admin.email})`);
    expect(row.source_ip).toBe(SOURCE_IP);
    expect(row.user_agent).toBe(USER_AGENT);
    expect(row.organization_id).toBe(tenant.organizationId);
  }

  async function createWebhookAsAdmin(body: Record<string, unknown> = {}) {
    const created = await api("POST", "/v1/webhooks", {
      headers: adminHeaders,
      body: { url: receiver.url, events: ["finding.created"], description: "SIEM", ...body },
    });
    expect(created.status).toBe(201);
    secrets.push(created.body.secret);
    return created.body;
  }

  it("records webhook creation with the revealed secret's fingerprint only", async () => {
    const before = new Date();
    const created = await createWebhookAsAdmin({ daily_cap: 500 });
    const row = await onlyEntry("webhook.created", created.id);
    expectAdminActor(row);
    expect(row.target_type).toBe("webhook");
    expect(row.created_at.getTime()).toBeGreaterThanOrEqual(before.getTime() - 1000);
    expect(row.details).toMatchObject({ url: receiver.url, events: ["finding.created"], dailyCap: 500, secretFingerprint: created.secrets[0].fingerprint });
    expectNoSecrets(row);
  });

  it("records a rotation with the new fingerprint", async () => {
    const created = await createWebhookAsAdmin();
    const rotated = await api("POST", `/v1/webhooks/${created.id}/rotate`, { headers: adminHeaders });
    expect(rotated.status).toBe(200);
    secrets.push(rotated.body.secret);
    const row = await onlyEntry("webhook.secret_rotated", created.id);
    expectAdminActor(row);
    expect(row.target_type).toBe("webhook");
    expect(row.details.newFingerprint).toBe(rotated.body.fingerprint);
    expect(row.details.expiringSecretIds).toEqual([created.secrets[0].id]);
    expectNoSecrets(row);
  });

  it("records revoking the old secret", async () => {
    const created = await createWebhookAsAdmin();
    const rotated = await api("POST", `/v1/webhooks/${created.id}/rotate`, { headers: adminHeaders });
    secrets.push(rotated.body.secret);
    const old = created.secrets[0];
    const revoked = await api("DELETE", `/v1/webhooks/${created.id}/secrets/${old.id}`, { headers: adminHeaders });
    expect(revoked.status).toBe(200);
    const row = await onlyEntry("webhook.secret_revoked", created.id);
    expectAdminActor(row);
    expect(row.details).toEqual({ secretId: old.id, fingerprint: old.fingerprint });
    expectNoSecrets(row);
  });

  it("records a test delivery", async () => {
    const created = await createWebhookAsAdmin();
    const tested = await api("POST", `/v1/webhooks/${created.id}/test`, { headers: adminHeaders });
    expect(tested.status).toBe(200);
    const row = await onlyEntry("webhook.test_sent", created.id);
    expectAdminActor(row);
    expect(row.target_type).toBe("webhook");
    expect(row.details.deliveryId).toBe(tested.body.delivery_id);
    expectNoSecrets(row);
  });

  it("records a replay against the delivery and its webhook", async () => {
    const created = await createWebhookAsAdmin();
    const eventId = await publish(tenant, "finding.created", "fnd_audit_replay");
    const delivery = await deliveryOf(eventId, created.id);
    const replayed = await api("POST", `/v1/webhooks/${created.id}/deliveries/${delivery.id}/replay`, { headers: adminHeaders });
    expect(replayed.status).toBe(200);
    const row = await onlyEntry("delivery.replayed", delivery.id);
    expectAdminActor(row);
    expect(row.target_type).toBe("delivery");
    expect(row.details.webhookId).toBe(created.id);
    expectNoSecrets(row);
  });

  it("records changed fields with their old and new values", async () => {
    const created = await createWebhookAsAdmin();
    const changed = await api("PATCH", `/v1/webhooks/${created.id}`, {
      headers: adminHeaders,
      body: { url: `${receiver.url}?v=2`, events: ["finding.created", "asset.first_seen"], description: "SIEM v2" },
    });
    expect(changed.status).toBe(200);
    const row = await onlyEntry("webhook.updated", created.id);
    expectAdminActor(row);
    expect(row.details.changes).toEqual({
      url: { from: receiver.url, to: `${receiver.url}?v=2` },
      events: { from: ["finding.created"], to: ["finding.created", "asset.first_seen"] },
      description: { from: "SIEM", to: "SIEM v2" },
    });
    expectNoSecrets(row);
  });

  it("records no change for a request that changes nothing", async () => {
    const created = await createWebhookAsAdmin();
    const same = await api("PATCH", `/v1/webhooks/${created.id}`, { headers: adminHeaders, body: { events: ["finding.created"], description: "SIEM" } });
    expect(same.status).toBe(200);
    expect(await entries("webhook.updated", created.id)).toEqual([]);
  });

  it("records the daily cap change as its own action", async () => {
    const created = await createWebhookAsAdmin({ daily_cap: 100 });
    const changed = await api("PATCH", `/v1/webhooks/${created.id}`, { headers: adminHeaders, body: { daily_cap: 250, description: "capped" } });
    expect(changed.status).toBe(200);
    const row = await onlyEntry("webhook.daily_cap_changed", created.id);
    expectAdminActor(row);
    expect(row.details.changes).toEqual({ daily_cap: { from: 100, to: 250 } });
    expect((await onlyEntry("webhook.updated", created.id)).details.changes).toEqual({ description: { from: "SIEM", to: "capped" } });
    expectNoSecrets(row);
  });

  it("records disabling and enabling", async () => {
    const created = await createWebhookAsAdmin();
    expect((await api("PATCH", `/v1/webhooks/${created.id}`, { headers: adminHeaders, body: { enabled: false } })).status).toBe(200);
    expect((await api("PATCH", `/v1/webhooks/${created.id}`, { headers: adminHeaders, body: { enabled: true } })).status).toBe(200);
    const disabled = await onlyEntry("webhook.disabled", created.id);
    expectAdminActor(disabled);
    expect(disabled.details).toMatchObject({ changes: { enabled: { from: true, to: false } }, heldDeliveries: 0 });
    const enabled = await onlyEntry("webhook.enabled", created.id);
    expectAdminActor(enabled);
    expect(enabled.details).toMatchObject({ changes: { enabled: { from: false, to: true } }, releasedDeliveries: 0 });
    expect(await entries("webhook.updated", created.id)).toEqual([]);
    expectNoSecrets(disabled);
    expectNoSecrets(enabled);
  });

  it("records deletion", async () => {
    const created = await createWebhookAsAdmin();
    expect((await api("DELETE", `/v1/webhooks/${created.id}`, { headers: adminHeaders })).status).toBe(204);
    const row = await onlyEntry("webhook.deleted", created.id);
    expectAdminActor(row);
    expect(row.target_type).toBe("webhook");
    expect(row.details).toEqual({ url: receiver.url, discardedPendingDeliveries: 0 });
    expectNoSecrets(row);
  });

  it("names the API key that made a change", async () => {
    const created = await api("POST", "/v1/webhooks", {
      apiKey: tenant.apiKey,
      headers: { "x-forwarded-for": SOURCE_IP, "user-agent": USER_AGENT },
      body: { url: receiver.url, events: ["finding.created"] },
    });
    expect(created.status).toBe(201);
    secrets.push(created.body.secret);
    const row = await onlyEntry("webhook.created", created.body.id);
    expect(row.actor_type).toBe("api_key");
    expect(row.actor_id).toBe(tenant.apiKeyId);
    expect(row.actor_label).toBe(`API key test key (${tenant.apiKey.slice(0, 12)})`);
    expect(row.source_ip).toBe(SOURCE_IP);
    expect(row.user_agent).toBe(USER_AGENT);
    expectNoSecrets(row);
  });

  it("records API key creation and revocation without the key", async () => {
    const created = await api("POST", "/v1/api-keys", { headers: adminHeaders, body: { name: "Audited exporter", scopes: ["webhooks:read"] } });
    expect(created.status).toBe(201);
    secrets.push(created.body.key);
    expect((await api("DELETE", `/v1/api-keys/${created.body.id}`, { headers: adminHeaders })).status).toBe(200);
    for (const action of ["api_key.created", "api_key.revoked"]) {
      const row = await onlyEntry(action, created.body.id);
      expectAdminActor(row);
      expect(row.target_type).toBe("api_key");
      expect(row.details).toMatchObject({ name: "Audited exporter", prefix: created.body.prefix });
      expectNoSecrets(row);
    }
  });

  it("records a successful sign-in as the user", async () => {
    const user = await createPortalUser(tenant.organizationId, "viewer");
    secrets.push(user.password);
    const result = await signInWithPassword(user.email, user.password, { sourceIp: SOURCE_IP, userAgent: USER_AGENT, now: new Date() });
    expect(result.ok).toBe(true);
    const row = await onlyEntry("user.signed_in", user.userId);
    expect(row).toMatchObject({ actor_type: "user", actor_id: user.userId, actor_label: `Test viewer (${user.email})`, target_type: "user" });
    expect(row.source_ip).toBe(SOURCE_IP);
    expect(row.user_agent).toBe(USER_AGENT);
    expectNoSecrets(row);
  });

  it("records a failed sign-in without the password tried", async () => {
    const user = await createPortalUser(tenant.organizationId, "viewer");
    const tried = `${user.password}-wrong-guess`;
    secrets.push(user.password, tried);
    await signInWithPassword(user.email, tried, { sourceIp: SOURCE_IP, userAgent: USER_AGENT, now: new Date() });
    const row = await onlyEntry("user.sign_in_failed", user.userId);
    expect(row).toMatchObject({ actor_type: "system", actor_id: null, actor_label: "Portal sign-in form", target_type: "user" });
    expect(row.source_ip).toBe(SOURCE_IP);
    expect(row.user_agent).toBe(USER_AGENT);
    expectNoSecrets(row);
  });

  it("records sign-ins rejected by the lockout apart from failures", async () => {
    const user = await createPortalUser(tenant.organizationId, "viewer");
    secrets.push(user.password);
    const meta = { sourceIp: SOURCE_IP, userAgent: USER_AGENT, now: new Date() };
    for (let attempt = 0; attempt < ADDRESS_LOCK.maxFailures; attempt++) await signInWithPassword(user.email, "wrong password", meta);
    const locked = await signInWithPassword(user.email, user.password, meta);
    expect(locked).toEqual({ ok: false, reason: "address_locked" });
    expect(await entries("user.sign_in_failed", user.userId)).toHaveLength(ADDRESS_LOCK.maxFailures);
    const row = await onlyEntry("user.sign_in_locked", user.userId);
    expect(row).toMatchObject({ actor_type: "system", target_type: "user", source_ip: SOURCE_IP, user_agent: USER_AGENT });
    expect(row.details).toMatchObject({ lock: "address" });
    expectNoSecrets(row);
  });

  it("records an unlock with its operator", async () => {
    const user = await createPortalUser(tenant.organizationId, "viewer");
    secrets.push(user.password);
    // Another address than the tests above, whose failures would slow this one down.
    await signInWithPassword(user.email, "wrong password", { sourceIp: "198.51.100.24", userAgent: USER_AGENT, now: new Date() });
    await unlockSignIn(user.email, { type: "system", id: null, label: "npm run account:unlock (operator@host)" }, new Date());
    const row = await onlyEntry("user.sign_in_unlocked", user.userId);
    expect(row).toMatchObject({ actor_type: "system", actor_id: null, actor_label: "npm run account:unlock (operator@host)", target_type: "user" });
    expect(row.details).toEqual({ failedSignInsCleared: 1, accountLocked: false, lockedAddresses: [] });
    expectNoSecrets(row);
  });
});
