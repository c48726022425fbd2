import { beforeAll, describe, expect, it } from "vitest";
import { FAILED_SIGN_IN_WINDOW_MS, MAX_FAILED_SIGN_INS, signInWithPassword } from "../../lib/accounts/sign-in";
import { findPortalUser } from "../../lib/auth/portal-sessions";
import { pool } from "../../lib/db";
import { createTenant, type Tenant } from "../support/fixtures";
import { createPortalUser } from "../support/portal";

const meta = (now = new Date(), sourceIp = "203.0.113.7") => ({ sourceIp, userAgent: "integration test", now });

// The account lockout is about guesses from many addresses, so each failure comes from another one.
const spreadSource = (attempt: number) => `198.51.100.${attempt + 1}`;

describe("portal sign-in", () => {
  let tenant: Tenant;

  beforeAll(async () => {
    tenant = await createTenant("Acme Security");
  });

  it("starts a session for the right password", async () => {
    const user = await createPortalUser(tenant.organizationId, "admin");
    const result = await signInWithPassword(` ${user.email.toUpperCase()} `, user.password, meta());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.user).toMatchObject({ id: user.userId, organizationId: tenant.organizationId, role: "admin" });
    const portalUser = await findPortalUser(result.user.sessionId, user.userId, new Date());
    expect(portalUser?.organizationName).toBe("Acme Security");
    const audit = await pool().query(`SELECT source_ip FROM audit_entries WHERE action = 'user.signed_in' AND target_id = $1`, [user.userId]);
    expect(audit.rows).toEqual([{ source_ip: "203.0.113.7" }]);
  });

  it("rejects a wrong password and audits it", async () => {
    const user = await createPortalUser(tenant.organizationId, "viewer");
    const result = await signInWithPassword(user.email, `${user.password}x`, meta());
    expect(result).toEqual({ ok: false, reason: "invalid_credentials" });
    const audit = await pool().query(
      `SELECT actor_type, source_ip, details::text AS details FROM audit_entries WHERE action = 'user.sign_in_failed' AND target_id = $1`,
      [user.userId],
    );
    expect(audit.rows).toHaveLength(1);
    expect(audit.rows[0].actor_type).toBe("system");
    expect(audit.rows[0].source_ip).toBe("203.0.113.7");
    expect(audit.rows[0].details).not.toContain(user.password);
  });

  it("rejects an unknown email like a wrong password", async () => {
    const result = await signInWithPassword("nobody@example.com", "whatever", meta());
    expect(result).toEqual({ ok: false, reason: "invalid_credentials" });
  });

  it("locks the account after repeated failures", async () => {
    const user = await createPortalUser(tenant.organizationId, "admin");
    const start = new Date();
    for (let attempt = 0; attempt < MAX_FAILED_SIGN_INS; attempt++) {
      expect((await signInWithPassword(user.email, "wrong", meta(start, spreadSource(attempt)))).ok).toBe(false);
    }
    const locked = await signInWithPassword(user.email, user.password, meta(start));
    expect(locked).toEqual({ ok: false, reason: "locked" });

    const later = new Date(start.getTime() + FAILED_SIGN_IN_WINDOW_MS + 1000);
    const unlocked = await signInWithPassword(user.email, user.password, meta(later));
    expect(unlocked.ok).toBe(true);
  });

  it("counts only failures since the last success", async () => {
    const user = await createPortalUser(tenant.organizationId, "admin");
    const start = new Date();
    for (let attempt = 0; attempt < MAX_FAILED_SIGN_INS - 1; attempt++) await signInWithPassword(user.email, "wrong", meta(start, spreadSource(attempt)));
    const success = await signInWithPassword(user.email, user.password, meta(new Date(start.getTime() + 1000)));
    expect(success.ok).toBe(true);
    await signInWithPassword(user.email, "wrong", meta(new Date(start.getTime() + 2000)));
    const next = await signInWithPassword(user.email, user.password, meta(new Date(start.getTime() + 3000)));
    expect(next.ok).toBe(true);
  });
});
