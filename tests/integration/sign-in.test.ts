import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signInWithPassword } from "../../lib/accounts/sign-in";
import { ACCOUNT_LOCK, ADDRESS_LOCK, KNOWN_ADDRESS_MS, unlockSignIn } from "../../lib/accounts/sign-in-lockout";
import { recordAudit } from "../../lib/audit";
import { findPortalUser } from "../../lib/auth/portal-sessions";
import { setTimeSource } from "../../lib/clock";
import { pool } from "../../lib/db";
import { createTenant, type Tenant } from "../support/fixtures";
import { createPortalUser, type PortalUserFixture } from "../support/portal";

const meta = (now = new Date(), sourceIp = "203.0.113.7") => ({ sourceIp, userAgent: "integration test", now });
const seconds = (start: Date, count: number) => new Date(start.getTime() + count * 1000);

// The throttle per address across accounts delays every response after a few failures, so its pauses are skipped here.
beforeAll(() => setTimeSource({ now: () => Date.now(), pause: async () => undefined }));
afterAll(() => setTimeSource(null));

async function auditCount(action: string, userId: string): Promise<number> {
  const result = await pool().query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_entries WHERE action = $1 AND target_id = $2`, [action, userId]);
  return result.rows[0]!.n;
}

async function failFrom(user: PortalUserFixture, sourceIp: string, count: number, now: Date): Promise<void> {
  for (let attempt = 0; attempt < count; attempt++) {
    expect(await signInWithPassword(user.email, "wrong", meta(now, sourceIp))).toEqual({ ok: false, reason: "invalid_credentials" });
  }
}

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
});

describe("sign-in lock per address", () => {
  let tenant: Tenant;

  beforeAll(async () => {
    tenant = await createTenant("Lock per address");
  });

  it("locks the guessing address only", async () => {
    const user = await createPortalUser(tenant.organizationId, "admin");
    const start = new Date();
    await failFrom(user, "198.51.100.10", ADDRESS_LOCK.maxFailures, start);

    const locked = await signInWithPassword(user.email, user.password, meta(seconds(start, 1), "198.51.100.10"));
    expect(locked).toEqual({ ok: false, reason: "address_locked" });
    const lockEntry = await pool().query(`SELECT source_ip, details FROM audit_entries WHERE action = 'user.sign_in_locked' AND target_id = $1`, [user.userId]);
    expect(lockEntry.rows).toEqual([
      { source_ip: "198.51.100.10", details: { lock: "address", maxFailedSignIns: ADDRESS_LOCK.maxFailures, windowMinutes: ADDRESS_LOCK.windowMs / 60_000 } },
    ]);

    const owner = await signInWithPassword(user.email, user.password, meta(seconds(start, 2), "198.51.100.11"));
    expect(owner.ok).toBe(true);
    // Rejections while locked are not failures, so they do not prolong the lock.
    expect(await auditCount("user.sign_in_failed", user.userId)).toBe(ADDRESS_LOCK.maxFailures);

    const later = new Date(start.getTime() + ADDRESS_LOCK.windowMs + 1000);
    expect((await signInWithPassword(user.email, user.password, meta(later, "198.51.100.10"))).ok).toBe(true);
  });

  it("counts an IPv6 /64 as one address", async () => {
    const user = await createPortalUser(tenant.organizationId, "admin");
    const start = new Date();
    for (let attempt = 1; attempt <= ADDRESS_LOCK.maxFailures; attempt++) {
      await failFrom(user, `2001:db8:7:8::${attempt.toString(16)}`, 1, start);
    }
    const sameNetwork = await signInWithPassword(user.email, user.password, meta(seconds(start, 1), "2001:db8:7:8:ffff::1"));
    expect(sameNetwork).toEqual({ ok: false, reason: "address_locked" });
    const otherNetwork = await signInWithPassword(user.email, user.password, meta(seconds(start, 2), "2001:db8:7:9::1"));
    expect(otherNetwork.ok).toBe(true);
  });

  it("restarts an address's count at its success", async () => {
    const user = await createPortalUser(tenant.organizationId, "admin");
    const start = new Date();
    await failFrom(user, "198.51.100.20", ADDRESS_LOCK.maxFailures - 1, start);
    expect((await signInWithPassword(user.email, user.password, meta(seconds(start, 1), "198.51.100.20"))).ok).toBe(true);
    await failFrom(user, "198.51.100.20", 1, seconds(start, 2));
    expect((await signInWithPassword(user.email, user.password, meta(seconds(start, 3), "198.51.100.20"))).ok).toBe(true);
  });

  it("keeps an address's count at another's success", async () => {
    const user = await createPortalUser(tenant.organizationId, "admin");
    const start = new Date();
    await failFrom(user, "198.51.100.30", ADDRESS_LOCK.maxFailures - 1, start);
    expect((await signInWithPassword(user.email, user.password, meta(seconds(start, 1), "198.51.100.31"))).ok).toBe(true);
    await failFrom(user, "198.51.100.30", 1, seconds(start, 2));
    const locked = await signInWithPassword(user.email, user.password, meta(seconds(start, 3), "198.51.100.30"));
    expect(locked).toEqual({ ok: false, reason: "address_locked" });
  });

  it("checks parallel guesses one at a time", async () => {
    const user = await createPortalUser(tenant.organizationId, "admin");
    const now = new Date();
    const results = await Promise.all(
      Array.from({ length: ADDRESS_LOCK.maxFailures * 3 }, () => signInWithPassword(user.email, "wrong", meta(now, "198.51.100.40"))),
    );
    const reasons = results.map((result) => (result.ok ? "ok" : result.reason));
    expect(reasons.filter((reason) => reason === "invalid_credentials")).toHaveLength(ADDRESS_LOCK.maxFailures);
    expect(reasons.filter((reason) => reason === "address_locked")).toHaveLength(ADDRESS_LOCK.maxFailures * 2);
    expect(await auditCount("user.sign_in_failed", user.userId)).toBe(ADDRESS_LOCK.maxFailures);
  });
});

describe("sign-in lock per account", () => {
  let tenant: Tenant;
  let user: PortalUserFixture;
  let start: Date;
  // An address the owner signed in from within KNOWN_ADDRESS_MS.
  const knownAddress = "192.0.2.50";
  // Enough addresses that none reaches its own lock.
  const guessers = Array.from({ length: 25 }, (_, index) => `198.18.0.${index + 1}`);

  beforeAll(async () => {
    tenant = await createTenant("Lock per account");
    user = await createPortalUser(tenant.organizationId, "admin");
    start = new Date();
    const known = await signInWithPassword(user.email, user.password, meta(new Date(start.getTime() - KNOWN_ADDRESS_MS / 2), knownAddress));
    expect(known.ok).toBe(true);

    const perAddress = Math.ceil(ACCOUNT_LOCK.maxFailures / guessers.length);
    expect(perAddress).toBeLessThan(ADDRESS_LOCK.maxFailures);
    // Addresses guess at the same time, as a botnet would; each address's own attempts are checked in turn anyway.
    await Promise.all(guessers.map((address) => failFrom(user, address, perAddress, start)));
    expect(await auditCount("user.sign_in_failed", user.userId)).toBeGreaterThanOrEqual(ACCOUNT_LOCK.maxFailures);
  }, 120_000);

  it("rejects new addresses past the ceiling", async () => {
    const fresh = await signInWithPassword(user.email, user.password, meta(seconds(start, 1), "203.0.113.99"));
    expect(fresh).toEqual({ ok: false, reason: "account_locked" });
    const guesser = await signInWithPassword(user.email, user.password, meta(seconds(start, 1), guessers[0]));
    expect(guesser).toEqual({ ok: false, reason: "account_locked" });
    const entry = await pool().query(
      `SELECT details FROM audit_entries WHERE action = 'user.sign_in_locked' AND target_id = $1 AND source_ip = '203.0.113.99'`,
      [user.userId],
    );
    expect(entry.rows).toEqual([{ details: { lock: "account", maxFailedSignIns: ACCOUNT_LOCK.maxFailures, windowMinutes: ACCOUNT_LOCK.windowMs / 60_000 } }]);
  });

  it("lets a known address sign in past the ceiling", async () => {
    expect((await signInWithPassword(user.email, user.password, meta(seconds(start, 2), knownAddress))).ok).toBe(true);
  });

  it("lifts the ceiling after its window", async () => {
    const later = new Date(start.getTime() + ACCOUNT_LOCK.windowMs + 1000);
    expect((await signInWithPassword(user.email, user.password, meta(later, "203.0.113.98"))).ok).toBe(true);
  });
});

describe("sign-in unlock", () => {
  let tenant: Tenant;

  beforeAll(async () => {
    tenant = await createTenant("Unlock");
  });

  it("clears an address's lock and audits it", async () => {
    const user = await createPortalUser(tenant.organizationId, "admin");
    const start = new Date();
    await failFrom(user, "198.51.100.60", ADDRESS_LOCK.maxFailures, start);
    expect(await signInWithPassword(user.email, user.password, meta(seconds(start, 1), "198.51.100.60"))).toEqual({ ok: false, reason: "address_locked" });

    const operator = { type: "system" as const, id: null, label: "npm run account:unlock (test)" };
    const report = await unlockSignIn(` ${user.email.toUpperCase()} `, operator, seconds(start, 2));
    expect(report).toEqual({
      userId: user.userId,
      email: user.email,
      failedSignInsCleared: ADDRESS_LOCK.maxFailures,
      accountLocked: false,
      lockedAddresses: ["198.51.100.60"],
    });
    expect((await signInWithPassword(user.email, user.password, meta(seconds(start, 3), "198.51.100.60"))).ok).toBe(true);

    const entry = await pool().query(`SELECT actor_type, actor_label, details FROM audit_entries WHERE action = 'user.sign_in_unlocked' AND target_id = $1`, [
      user.userId,
    ]);
    expect(entry.rows).toEqual([
      {
        actor_type: "system",
        actor_label: "npm run account:unlock (test)",
        details: { failedSignInsCleared: ADDRESS_LOCK.maxFailures, accountLocked: false, lockedAddresses: ["198.51.100.60"] },
      },
    ]);
    // The failures stay in the audit trail.
    expect(await auditCount("user.sign_in_failed", user.userId)).toBe(ADDRESS_LOCK.maxFailures);
  });

  it("counts only failures after an unlock", async () => {
    const user = await createPortalUser(tenant.organizationId, "admin");
    const start = new Date();
    const before = Math.ceil(ADDRESS_LOCK.maxFailures / 2);
    await failFrom(user, "198.51.100.61", before, start);
    await unlockSignIn(user.email, { type: "system", id: null, label: "test" }, seconds(start, 1));
    // Together with the failures before the unlock, these would reach the lock.
    await failFrom(user, "198.51.100.61", ADDRESS_LOCK.maxFailures - 1, seconds(start, 2));
    expect((await signInWithPassword(user.email, user.password, meta(seconds(start, 3), "198.51.100.61"))).ok).toBe(true);
  });

  it("returns null for an unknown email", async () => {
    expect(await unlockSignIn("nobody-here@example.com", { type: "system", id: null, label: "test" }, new Date())).toBeNull();
  });
});

describe("npm run account:unlock", () => {
  const projectDirectory = path.resolve(import.meta.dirname, "..", "..");

  function runUnlock(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/unlock-account.ts", ...args], {
      cwd: projectDirectory,
      env: { ...process.env, DATABASE_URL: process.env.DATABASE_URL },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    return new Promise((resolve) => child.once("close", (code) => resolve({ code, stdout, stderr })));
  }

  it("unlocks an account past the ceiling", async () => {
    const tenant = await createTenant("Unlock command");
    const user = await createPortalUser(tenant.organizationId, "admin");
    const start = new Date();
    // Past the ceiling without the cost of a hundred password checks, through the writer the sign-in uses.
    for (let index = 0; index < ACCOUNT_LOCK.maxFailures; index++) {
      await recordAudit(pool(), {
        organizationId: tenant.organizationId,
        actor: { type: "system", id: null, label: "Portal sign-in form", sourceIp: `198.18.1.${index % 50}` },
        action: "user.sign_in_failed",
        targetType: "user",
        targetId: user.userId,
        at: start,
      });
    }
    expect(await signInWithPassword(user.email, user.password, meta(seconds(start, 1), "203.0.113.70"))).toEqual({ ok: false, reason: "account_locked" });

    const result = await runUnlock(user.email);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Cleared the sign-in locks of ${user.email} (${user.userId})`);
    expect(result.stdout).toContain(`Before: ${ACCOUNT_LOCK.maxFailures} wrong password(s)`);
    expect(result.stdout).toContain("locked for every address it had not signed in from");

    expect((await signInWithPassword(user.email, user.password, meta(new Date(), "203.0.113.70"))).ok).toBe(true);
    const entry = await pool().query(`SELECT actor_type, actor_label FROM audit_entries WHERE action = 'user.sign_in_unlocked' AND target_id = $1`, [user.userId]);
    expect(entry.rows).toHaveLength(1);
    expect(entry.rows[0].actor_type).toBe("system");
    expect(entry.rows[0].actor_label).toMatch(/^npm run account:unlock \(.+@.+\)$/);
  });

  it("exits with 1 for an unknown email", async () => {
    const result = await runUnlock("nobody-at-all@example.com");
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('No portal user has the email "nobody-at-all@example.com"; nothing was changed\n');
  });

  it("exits with 2 without an email", async () => {
    const result = await runUnlock();
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^Expected one email address, got 0 argument\(s\)\n\nUsage: npm run account:unlock -- EMAIL/);
  });
});
