import type { Actor } from "../audit";
import { recordAudit } from "../audit";
import { pause } from "../clock";
import { FailureThrottle, PASSWORD_FAILURES } from "../auth/failure-throttle";
import type { Role } from "../auth/principal";
import { startPortalSession } from "../auth/portal-sessions";
import { hashPassword, verifyPassword } from "../crypto/passwords";
import { pool } from "../db";
import { idLowerBound } from "../ids";
import { logger } from "../log";

/**
 * Password sign-in to the portal. After MAX_FAILED_SIGN_INS wrong passwords in
 * a row within FAILED_SIGN_IN_WINDOW_MS, the account rejects every password,
 * the right one included, until the window has passed, so guessing stays slow
 * even from many addresses. Separately, wrong passwords are counted per client
 * address across all accounts (lib/auth/failure-throttle.ts), so one address
 * cannot try many accounts either. Its responses slow down, then it is rejected
 * for a while. Failures and successes go to the audit trail.
 */
export const MAX_FAILED_SIGN_INS = 10;
export const FAILED_SIGN_IN_WINDOW_MS = 15 * 60 * 1000;

export interface SignInMeta {
  sourceIp: string | null;
  userAgent: string | null;
  now: Date;
}

export interface SignedInUser {
  id: string;
  organizationId: string;
  email: string;
  name: string;
  role: Role;
  sessionId: string;
}

export type SignInResult = { ok: true; user: SignedInUser } | { ok: false; reason: "invalid_credentials" | "locked" | "throttled" };

const failuresBySource = new FailureThrottle(PASSWORD_FAILURES);

async function countSourceFailure(meta: SignInMeta): Promise<void> {
  const delayMs = failuresBySource.recordFailure(meta.sourceIp, meta.now.getTime());
  if (delayMs > 0) await pause(delayMs);
}

// Unknown emails are checked against this hash, so they take as long as known
// ones and response times do not reveal which accounts exist.
let decoyHash: Promise<string> | undefined;

function userActor(user: { id: string; name: string; email: string }, meta: SignInMeta): Actor {
  return { type: "user", id: user.id, label: `${user.name} (${user.email})`, sourceIp: meta.sourceIp, userAgent: meta.userAgent };
}

// A failed sign-in is recorded against the account but not as its owner's act: whoever typed the password is unknown.
function signInFormActor(meta: SignInMeta): Actor {
  return { type: "system", id: null, label: "Portal sign-in form", sourceIp: meta.sourceIp, userAgent: meta.userAgent };
}

async function recentFailures(user: { id: string; organizationId: string; lastSignInAt: Date | null }, now: Date): Promise<number> {
  const windowStart = new Date(now.getTime() - FAILED_SIGN_IN_WINDOW_MS);
  const since = user.lastSignInAt && user.lastSignInAt > windowStart ? user.lastSignInAt : windowStart;
  const result = await pool().query<{ failures: number }>(
    `SELECT count(*)::int AS failures FROM audit_entries
     WHERE organization_id = $1 AND id >= $2 AND created_at > $3 AND action = 'user.sign_in_failed' AND target_id = $4`,
    [user.organizationId, idLowerBound("audit", since), since, user.id],
  );
  return result.rows[0]?.failures ?? 0;
}

/** Checks an email and password and, when they match, starts a portal session for the user. */
export async function signInWithPassword(email: string, password: string, meta: SignInMeta): Promise<SignInResult> {
  if (failuresBySource.check(meta.sourceIp, meta.now.getTime()).refused) {
    logger.warn({ sourceIp: meta.sourceIp }, "portal sign-in rejected: too many failures from this address");
    return { ok: false, reason: "throttled" };
  }
  const normalizedEmail = email.trim().toLowerCase();
  const found = await pool().query<{
    id: string;
    organization_id: string;
    email: string;
    name: string;
    role: Role;
    password_hash: string;
    last_sign_in_at: Date | null;
  }>(`SELECT id, organization_id, email, name, role, password_hash, last_sign_in_at FROM users WHERE email = $1`, [normalizedEmail]);
  const row = found.rows[0];
  if (!row) {
    decoyHash ??= hashPassword("decoy password that no account has");
    await verifyPassword(password, await decoyHash);
    logger.info({ sourceIp: meta.sourceIp }, "portal sign-in rejected: unknown email");
    await countSourceFailure(meta);
    return { ok: false, reason: "invalid_credentials" };
  }

  const user = { id: row.id, organizationId: row.organization_id, email: row.email, name: row.name, lastSignInAt: row.last_sign_in_at };
  if ((await recentFailures(user, meta.now)) >= MAX_FAILED_SIGN_INS) {
    // Not user.sign_in_failed, which the lockout counts: rejections while locked must not prolong it.
    await recordAudit(pool(), {
      organizationId: user.organizationId,
      actor: signInFormActor(meta),
      action: "user.sign_in_locked",
      targetType: "user",
      targetId: user.id,
      details: { maxFailedSignIns: MAX_FAILED_SIGN_INS, windowMinutes: FAILED_SIGN_IN_WINDOW_MS / 60_000 },
      at: meta.now,
    });
    logger.warn({ userId: user.id, sourceIp: meta.sourceIp }, "portal sign-in rejected: too many failed attempts");
    return { ok: false, reason: "locked" };
  }

  if (!(await verifyPassword(password, row.password_hash))) {
    await recordAudit(pool(), {
      organizationId: user.organizationId,
      actor: signInFormActor(meta),
      action: "user.sign_in_failed",
      targetType: "user",
      targetId: user.id,
      at: meta.now,
    });
    logger.info({ userId: user.id, sourceIp: meta.sourceIp }, "portal sign-in rejected: wrong password");
    await countSourceFailure(meta);
    return { ok: false, reason: "invalid_credentials" };
  }

  const session = await startPortalSession(user.id, meta);
  await pool().query(`UPDATE users SET last_sign_in_at = $2 WHERE id = $1`, [user.id, meta.now]);
  await recordAudit(pool(), {
    organizationId: user.organizationId,
    actor: userActor(user, meta),
    action: "user.signed_in",
    targetType: "user",
    targetId: user.id,
    details: { sessionId: session.id },
    at: meta.now,
  });
  return { ok: true, user: { id: user.id, organizationId: user.organizationId, email: user.email, name: user.name, role: row.role, sessionId: session.id } };
}
