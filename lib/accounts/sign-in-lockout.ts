import { type Actor, recordAudit } from "../audit";
import { sourceKey } from "../auth/failure-throttle";
import { pool } from "../db";
import { idLowerBound } from "../ids";

/**
 * The locks of password sign-in, derived from the audit trail so that every
 * web process sees the same counts and a restart forgets nothing:
 *
 * - Per account and client address: after ADDRESS_LOCK.maxFailures wrong
 *   passwords for one account from one address within ADDRESS_LOCK.windowMs,
 *   with no successful sign-in from that address since, the account rejects
 *   every password from that address, the right one included. Other addresses
 *   are not affected, so whoever guesses cannot lock the owner out.
 * - Per account: after ACCOUNT_LOCK.maxFailures wrong passwords from all
 *   addresses within ACCOUNT_LOCK.windowMs, the account rejects every password
 *   from addresses that have not signed in to it within KNOWN_ADDRESS_MS. This
 *   bounds guessing spread over many addresses, while the owner keeps signing
 *   in from an address they used before.
 *
 * An address is the one lib/http/client-address.ts determines, and an IPv6
 * address counts as its /64 network, as in lib/auth/failure-throttle.ts.
 * Both counts start again after `npm run account:unlock` (unlockSignIn).
 */
export interface LockPolicy {
  maxFailures: number;
  windowMs: number;
}

export const ADDRESS_LOCK: LockPolicy = { maxFailures: 10, windowMs: 15 * 60 * 1000 };
export const ACCOUNT_LOCK: LockPolicy = { maxFailures: 100, windowMs: 60 * 60 * 1000 };
export const KNOWN_ADDRESS_MS = 30 * 24 * 60 * 60 * 1000;

/** The lock that rejects a sign-in: the one of the account and the client's address, or the account's ceiling. */
export type SignInLock = "address" | "account";

export interface LockedAccount {
  id: string;
  organizationId: string;
}

/** The sign-in activity of one account from one address, within ACCOUNT_LOCK.windowMs and since the last unlock. */
interface AddressActivity {
  sourceIp: string | null;
  failures: number;
  // Times of the failures within ADDRESS_LOCK.windowMs, oldest first.
  recentFailures: Date[];
  lastSuccess: Date | null;
}

// ACCOUNT_LOCK's window is the longer one, so a single read covers both locks.
const ACTIVITY_WINDOW_MS = Math.max(ACCOUNT_LOCK.windowMs, ADDRESS_LOCK.windowMs);

async function readActivity(account: LockedAccount, now: Date): Promise<AddressActivity[]> {
  const since = new Date(now.getTime() - ACTIVITY_WINDOW_MS);
  const addressWindowStart = new Date(now.getTime() - ADDRESS_LOCK.windowMs);
  // Grouped by address, so the rows read stay few however many attempts there were.
  const result = await pool().query<{ source_ip: string | null; failures: number; recent_failures: Date[] | null; last_success: Date | null }>(
    `WITH recent AS (
       SELECT action, source_ip, created_at FROM audit_entries
       WHERE organization_id = $1 AND target_id = $2 AND id >= $3 AND created_at > $4
         AND action IN ('user.sign_in_failed', 'user.signed_in', 'user.sign_in_unlocked')
     ), unlocked AS (
       SELECT max(created_at) AS at FROM recent WHERE action = 'user.sign_in_unlocked'
     )
     SELECT r.source_ip,
            count(*) FILTER (WHERE r.action = 'user.sign_in_failed')::int AS failures,
            array_agg(r.created_at ORDER BY r.created_at) FILTER (WHERE r.action = 'user.sign_in_failed' AND r.created_at > $5) AS recent_failures,
            max(r.created_at) FILTER (WHERE r.action = 'user.signed_in') AS last_success
     FROM recent r CROSS JOIN unlocked u
     WHERE r.action <> 'user.sign_in_unlocked' AND (u.at IS NULL OR r.created_at > u.at)
     GROUP BY r.source_ip`,
    [account.organizationId, account.id, idLowerBound("audit", since), since, addressWindowStart],
  );
  return result.rows.map((row) => ({
    sourceIp: row.source_ip,
    failures: row.failures,
    recentFailures: row.recent_failures ?? [],
    lastSuccess: row.last_success,
  }));
}

function accountFailures(activity: readonly AddressActivity[]): number {
  return activity.reduce((sum, address) => sum + address.failures, 0);
}

/** Counts the failures from the address `key` within ADDRESS_LOCK.windowMs that came after its last success. */
function addressFailures(activity: readonly AddressActivity[], key: string): number {
  const same = activity.filter((address) => sourceKey(address.sourceIp) === key);
  const lastSuccess = Math.max(0, ...same.map((address) => address.lastSuccess?.getTime() ?? 0));
  return same.reduce((sum, address) => sum + address.recentFailures.filter((at) => at.getTime() > lastSuccess).length, 0);
}

async function isKnownAddress(account: LockedAccount, key: string, now: Date): Promise<boolean> {
  const since = new Date(now.getTime() - KNOWN_ADDRESS_MS);
  const result = await pool().query<{ source_ip: string | null }>(
    `SELECT DISTINCT source_ip FROM audit_entries
     WHERE organization_id = $1 AND target_id = $2 AND id >= $3 AND created_at > $4 AND action = 'user.signed_in'`,
    [account.organizationId, account.id, idLowerBound("audit", since), since],
  );
  return result.rows.some((row) => row.source_ip !== null && sourceKey(row.source_ip) === key);
}

/** Returns the lock that rejects every password for `account` from `sourceIp` at `now`, or null when none does. */
export async function signInLock(account: LockedAccount, sourceIp: string | null, now: Date): Promise<SignInLock | null> {
  const activity = await readActivity(account, now);
  const key = sourceKey(sourceIp);
  if (addressFailures(activity, key) >= ADDRESS_LOCK.maxFailures) return "address";
  if (accountFailures(activity) >= ACCOUNT_LOCK.maxFailures && !(await isKnownAddress(account, key, now))) return "account";
  return null;
}

/** Result of an unlock, for the operator who ran it and for its audit entry. */
export interface UnlockReport {
  userId: string;
  email: string;
  // Wrong passwords within ACCOUNT_LOCK.windowMs that no longer count.
  failedSignInsCleared: number;
  // True when the account's ceiling was reached.
  accountLocked: boolean;
  // Addresses (IPv6 as /64 networks) that were locked out of the account.
  lockedAddresses: string[];
}

/**
 * Clears both sign-in locks of the user with `email`, so that only wrong
 * passwords after this moment count, and records `user.sign_in_unlocked` in
 * the audit trail. The failures stay in the trail. Returns null when no user
 * has that email.
 */
export async function unlockSignIn(email: string, actor: Actor, now: Date): Promise<UnlockReport | null> {
  const found = await pool().query<{ id: string; organization_id: string; email: string }>(
    `SELECT id, organization_id, email FROM users WHERE email = $1`,
    [email.trim().toLowerCase()],
  );
  const row = found.rows[0];
  if (!row) return null;

  const account = { id: row.id, organizationId: row.organization_id };
  const activity = await readActivity(account, now);
  const keys = [...new Set(activity.map((address) => sourceKey(address.sourceIp)))];
  const report: UnlockReport = {
    userId: row.id,
    email: row.email,
    failedSignInsCleared: accountFailures(activity),
    accountLocked: accountFailures(activity) >= ACCOUNT_LOCK.maxFailures,
    lockedAddresses: keys.filter((key) => addressFailures(activity, key) >= ADDRESS_LOCK.maxFailures).sort(),
  };
  await recordAudit(pool(), {
    organizationId: row.organization_id,
    actor,
    action: "user.sign_in_unlocked",
    targetType: "user",
    targetId: row.id,
    details: { failedSignInsCleared: report.failedSignInsCleared, accountLocked: report.accountLocked, lockedAddresses: report.lockedAddresses },
    at: now,
  });
  return report;
}
