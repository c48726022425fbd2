import type { Actor } from "../audit";
import { recordAudit } from "../audit";
import { pause } from "../clock";
import { FailureThrottle, PASSWORD_FAILURES, sourceKey } from "../auth/failure-throttle";
import type { Role } from "../auth/principal";
import { startPortalSession } from "../auth/portal-sessions";
import { hashPassword, verifyPassword } from "../crypto/passwords";
import { pool } from "../db";
import { logger } from "../log";
import { ACCOUNT_LOCK, ADDRESS_LOCK, signInLock, type SignInLock } from "./sign-in-lockout";

/**
 * Password sign-in to the portal. Wrong passwords are limited three ways. The
 * locks of lib/accounts/sign-in-lockout.ts count them per account and client
 * address, and per account across all addresses. lib/auth/failure-throttle.ts
 * counts them per address across all accounts, delays its responses, then
 * rejects the address for a while. Failures, rejections and successes go to
 * the audit trail.
 */
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

/**
 * Why a sign-in failed: a wrong password or unknown email, a lock of the
 * account for this client's address or for all addresses but known ones, or
 * too many wrong passwords from this address for any account.
 */
export type SignInFailure = "invalid_credentials" | "address_locked" | "account_locked" | "throttled";

export type SignInResult = { ok: true; user: SignedInUser } | { ok: false; reason: SignInFailure };

const LOCK_FAILURES: Record<SignInLock, SignInFailure> = { address: "address_locked", account: "account_locked" };
const LOCK_POLICIES = { address: ADDRESS_LOCK, account: ACCOUNT_LOCK };

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

// Attempts in progress in this process, by email and address (sourceKey), each chained behind the one before it.
const attemptsInProgress = new Map<string, Promise<unknown>>();

/**
 * Runs the attempts of one email from one address one after another. Each
 * then reads the failures recorded by the ones before it, so a client cannot
 * get more than a lock's allowance of guesses checked by sending them all at
 * once. Attempts from other addresses do not wait.
 */
function oneAtATime<T>(key: string, attempt: () => Promise<T>): Promise<T> {
  const previous = attemptsInProgress.get(key) ?? Promise.resolve();
  const result = previous.then(attempt);
  const settled = result.then(
    () => undefined,
    () => undefined,
  );
  attemptsInProgress.set(key, settled);
  void settled.then(() => {
    if (attemptsInProgress.get(key) === settled) attemptsInProgress.delete(key);
  });
  return result;
}

/** Checks an email and password and, when they match, starts a portal session for the user. */
export function signInWithPassword(email: string, password: string, meta: SignInMeta): Promise<SignInResult> {
  const normalizedEmail = email.trim().toLowerCase();
  return oneAtATime(`${normalizedEmail} ${sourceKey(meta.sourceIp)}`, () => checkPassword(normalizedEmail, password, meta));
}

async function checkPassword(normalizedEmail: string, password: string, meta: SignInMeta): Promise<SignInResult> {
  if (failuresBySource.check(meta.sourceIp, meta.now.getTime()).refused) {
    logger.warn({ sourceIp: meta.sourceIp }, "portal sign-in rejected: too many failures from this address");
    return { ok: false, reason: "throttled" };
  }
  const found = await pool().query<{
    id: string;
    organization_id: string;
    email: string;
    name: string;
    role: Role;
    password_hash: string;
  }>(`SELECT id, organization_id, email, name, role, password_hash FROM users WHERE email = $1`, [normalizedEmail]);
  const row = found.rows[0];
  if (!row) {
    decoyHash ??= hashPassword("decoy password that no account has");
    await verifyPassword(password, await decoyHash);
    logger.info({ sourceIp: meta.sourceIp }, "portal sign-in rejected: unknown email");
    await countSourceFailure(meta);
    return { ok: false, reason: "invalid_credentials" };
  }

  const user = { id: row.id, organizationId: row.organization_id, email: row.email, name: row.name };
  const lock = await signInLock(user, meta.sourceIp, meta.now);
  if (lock) {
    const policy = LOCK_POLICIES[lock];
    // Not user.sign_in_failed, which the locks count: rejections while locked must not prolong them.
    await recordAudit(pool(), {
      organizationId: user.organizationId,
      actor: signInFormActor(meta),
      action: "user.sign_in_locked",
      targetType: "user",
      targetId: user.id,
      details: { lock, maxFailedSignIns: policy.maxFailures, windowMinutes: policy.windowMs / 60_000 },
      at: meta.now,
    });
    logger.warn({ userId: user.id, sourceIp: meta.sourceIp, lock }, "portal sign-in rejected: too many failed attempts");
    return { ok: false, reason: LOCK_FAILURES[lock] };
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
