import { encode } from "next-auth/jwt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signOutPortalSession } from "../../lib/accounts/sign-out";
import { sessionCookieName } from "../../lib/auth/session-cookie";
import { PEER_ADDRESS_HEADER } from "../../lib/http/client-address";
import { pool } from "../../lib/db";
import { api } from "../support/api";
import { createTenant, type Tenant } from "../support/fixtures";
import { createPortalUser, PORTAL_ORIGIN, portalHeaders, signIn } from "../support/portal";

const WEBHOOK = { url: "https://siem.example.com/hooks/wasviking", events: ["finding.created"] };

describe("portal session authentication", () => {
  let tenant: Tenant;
  let adminCookie: string;
  let viewerCookie: string;
  let webhookId: string;
  let secretId: string;

  beforeAll(async () => {
    tenant = await createTenant("Acme Security");
    adminCookie = (await signIn(await createPortalUser(tenant.organizationId, "admin"))).cookie;
    viewerCookie = (await signIn(await createPortalUser(tenant.organizationId, "viewer"))).cookie;
    const created = await api("POST", "/v1/webhooks", { apiKey: tenant.apiKey, body: WEBHOOK });
    webhookId = created.body.id;
    const rotated = await api("POST", `/v1/webhooks/${webhookId}/rotate`, { apiKey: tenant.apiKey });
    secretId = rotated.body.secrets[1].id;
  });

  it("reads webhooks with the session cookie", async () => {
    const response = await api("GET", "/v1/webhooks", { headers: { cookie: viewerCookie } });
    expect(response.status).toBe(200);
    expect(response.body.data.map((item: { id: string }) => item.id)).toContain(webhookId);
  });

  it("lets an admin create a webhook from the portal", async () => {
    const response = await api("POST", "/v1/webhooks", { headers: portalHeaders(adminCookie), body: WEBHOOK });
    expect(response.status).toBe(201);
    const audit = await pool().query(`SELECT actor_type, actor_label FROM audit_entries WHERE target_id = $1`, [response.body.id]);
    expect(audit.rows[0].actor_type).toBe("user");
    expect(audit.rows[0].actor_label).toContain("Test admin");
  });

  it("answers 401 without a cookie or key", async () => {
    const response = await api("GET", "/v1/webhooks", { headers: { cookie: "theme=dark" } });
    expect(response.status).toBe(401);
  });

  it("rejects a forged or foreign cookie", async () => {
    const forged = await api("GET", "/v1/webhooks", { headers: { cookie: `${sessionCookieName()}=not-a-token` } });
    expect(forged.status).toBe(401);
    const otherSecret = await encode({ token: { sub: "usr_x", sid: "ses_x" }, secret: "another deployment's secret" });
    const foreign = await api("GET", "/v1/webhooks", { headers: { cookie: `${sessionCookieName()}=${otherSecret}` } });
    expect(foreign.status).toBe(401);
  });

  it("rejects an API key on a portal-only operation", async () => {
    const response = await api("GET", "/v1/api-keys", { apiKey: tenant.apiKey });
    expect(response.status).toBe(403);
    expect(response.body.detail).toContain("portal");
  });

  describe("cross-site request protection", () => {
    const change = { description: "changed by a cross-site request" };

    async function description(): Promise<string> {
      return (await api("GET", `/v1/webhooks/${webhookId}`, { apiKey: tenant.apiKey })).body.description;
    }

    it.each([
      ["marked cross-site", { "sec-fetch-site": "cross-site", origin: "https://evil.example.org" }],
      ["marked same-site", { "sec-fetch-site": "same-site", origin: "https://portal.example.com" }],
      ["from a foreign Origin", { origin: "https://evil.example.org" }],
      ["with Origin null", { origin: "null" }],
      ["without an Origin", {}],
    ])("rejects a change %s", async (_case, headers: Record<string, string>) => {
      const before = await description();
      const response = await api("PATCH", `/v1/webhooks/${webhookId}`, {
        headers: { cookie: adminCookie, host: new URL(PORTAL_ORIGIN).host, ...headers },
        body: change,
      });
      expect(response.status).toBe(403);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      expect(await description()).toBe(before);
    });

    describe("forwarded host", () => {
      const portalHost = new URL(PORTAL_ORIGIN).host;
      const trustedProxy = "10.20.30.40";

      beforeAll(() => {
        process.env.WVK_TRUSTED_PROXIES = "10.20.30.0/24";
      });

      afterAll(() => {
        delete process.env.WVK_TRUSTED_PROXIES;
      });

      async function patchFrom(headers: Record<string, string>) {
        return api("PATCH", `/v1/webhooks/${webhookId}`, { headers: { cookie: adminCookie, "sec-fetch-site": "same-origin", ...headers }, body: change });
      }

      it.each([
        ["from an untrusted peer", { [PEER_ADDRESS_HEADER]: "198.51.100.20" }],
        ["without a recorded peer", {}],
      ])("ignores X-Forwarded-Host %s", async (_case, peer: Record<string, string>) => {
        const before = await description();
        const response = await patchFrom({ ...peer, host: portalHost, origin: "https://evil.example.org", "x-forwarded-host": "evil.example.org" });
        expect(response.status).toBe(403);
        expect(response.body.detail).toMatch(/foreign Origin/);
        expect(await description()).toBe(before);
      });

      it("ignores a forwarded host that would match from an untrusted peer", async () => {
        const response = await patchFrom({ [PEER_ADDRESS_HEADER]: "198.51.100.20", host: "10.0.0.7:3000", origin: PORTAL_ORIGIN, "x-forwarded-host": portalHost });
        expect(response.status).toBe(403);
      });

      it("believes X-Forwarded-Host from a trusted proxy", async () => {
        const response = await patchFrom({ [PEER_ADDRESS_HEADER]: trustedProxy, host: "10.0.0.7:3000", origin: PORTAL_ORIGIN, "x-forwarded-host": portalHost });
        expect(response.status).toBe(200);
      });

      it("rejects a foreign Origin behind a trusted proxy", async () => {
        const response = await patchFrom({ [PEER_ADDRESS_HEADER]: trustedProxy, host: "10.0.0.7:3000", origin: "https://evil.example.org", "x-forwarded-host": portalHost });
        expect(response.status).toBe(403);
      });
    });

    it("rejects a cross-site GET that rotates", async () => {
      const response = await api("GET", `/v1/webhooks/${webhookId}/rotate`, {
        headers: { cookie: adminCookie, host: new URL(PORTAL_ORIGIN).host, "sec-fetch-site": "cross-site" },
      });
      expect(response.status).toBe(403);
      expect(response.text).not.toContain("whsec_");
    });

    it("lets reads through from another site", async () => {
      const response = await api("GET", `/v1/webhooks/${webhookId}`, { headers: { cookie: viewerCookie, "sec-fetch-site": "cross-site" } });
      expect(response.status).toBe(200);
    });
  });

  describe("viewer role", () => {
    it.each([
      ["POST", "/v1/webhooks", WEBHOOK],
      ["PATCH", "/v1/webhooks/{id}", { enabled: false }],
      ["DELETE", "/v1/webhooks/{id}", undefined],
      ["POST", "/v1/webhooks/{id}/rotate", undefined],
      ["GET", "/v1/webhooks/{id}/rotate", undefined],
      ["DELETE", "/v1/webhooks/{id}/secrets/{secretId}", undefined],
      ["POST", "/v1/webhooks/{id}/test", undefined],
      ["POST", "/v1/webhooks/{id}/deliveries/dlv_01JEX3M1Q8ZK4T6W2N9C5R7B0D/replay", undefined],
      ["GET", "/v1/api-keys", undefined],
      ["POST", "/v1/api-keys", { name: "viewer key", scopes: ["webhooks:read"] }],
    ])("cannot %s %s", async (method, template, body) => {
      const path = template.replace("{id}", webhookId).replace("{secretId}", secretId);
      const response = await api(method, path, { headers: portalHeaders(viewerCookie), body });
      expect(response.status).toBe(403);
      expect(response.text).not.toContain("whsec_");
    });

    it("leaves the webhook and its secrets unchanged", async () => {
      const response = await api("GET", `/v1/webhooks/${webhookId}`, { headers: { cookie: viewerCookie } });
      expect(response.body.enabled).toBe(true);
      expect(response.body.secrets).toHaveLength(2);
    });
  });

  describe("changes to the user", () => {
    it("applies a role change on the next request", async () => {
      const user = await createPortalUser(tenant.organizationId, "admin");
      const { cookie } = await signIn(user);
      const before = await api("PATCH", `/v1/webhooks/${webhookId}`, { headers: portalHeaders(cookie), body: { description: "by an admin" } });
      expect(before.status).toBe(200);
      await pool().query(`UPDATE users SET role = 'viewer' WHERE id = $1`, [user.userId]);
      const after = await api("PATCH", `/v1/webhooks/${webhookId}`, { headers: portalHeaders(cookie), body: { description: "by a viewer" } });
      expect(after.status).toBe(403);
    });

    it("rejects the cookie of a deleted user", async () => {
      const user = await createPortalUser(tenant.organizationId, "admin");
      const { cookie } = await signIn(user);
      await pool().query(`DELETE FROM users WHERE id = $1`, [user.userId]);
      const response = await api("GET", "/v1/webhooks", { headers: { cookie } });
      expect(response.status).toBe(401);
    });

    it("rejects the cookie after sign-out", async () => {
      const user = await createPortalUser(tenant.organizationId, "viewer");
      const { cookie, sessionId } = await signIn(user);
      expect((await api("GET", "/v1/webhooks", { headers: { cookie } })).status).toBe(200);
      await signOutPortalSession({ sessionId, userId: user.userId }, new Date());
      expect((await api("GET", "/v1/webhooks", { headers: { cookie } })).status).toBe(401);
      const audit = await pool().query(`SELECT count(*)::int AS count FROM audit_entries WHERE action = 'user.signed_out' AND target_id = $1`, [user.userId]);
      expect(audit.rows[0].count).toBe(1);
    });

    it("rejects an expired session", async () => {
      const user = await createPortalUser(tenant.organizationId, "viewer");
      const { cookie, sessionId } = await signIn(user);
      await pool().query(`UPDATE portal_sessions SET expires_at = now() - interval '1 second' WHERE id = $1`, [sessionId]);
      expect((await api("GET", "/v1/webhooks", { headers: { cookie } })).status).toBe(401);
    });
  });

  describe("organisations", () => {
    it("hides another organisation's webhooks from a session", async () => {
      const other = await createTenant("Other Tenant");
      const { cookie } = await signIn(await createPortalUser(other.organizationId, "admin"));
      const list = await api("GET", "/v1/webhooks", { headers: { cookie } });
      expect(list.body.data).toEqual([]);
      const read = await api("GET", `/v1/webhooks/${webhookId}`, { headers: { cookie } });
      expect(read.status).toBe(404);
      const change = await api("PATCH", `/v1/webhooks/${webhookId}`, { headers: portalHeaders(cookie), body: { enabled: false } });
      expect(change.status).toBe(404);
      const rotate = await api("POST", `/v1/webhooks/${webhookId}/rotate`, { headers: portalHeaders(cookie) });
      expect(rotate.status).toBe(404);
    });
  });
});
