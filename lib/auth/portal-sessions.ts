import { pool } from "../db";
import { newId } from "../ids";
import type { Role } from "./principal";

/**
 * Server-side records of portal sign-ins. The session cookie only names a
 * session and its user. The user's organisation and role are read from the
 * database on every request, so a role change, a deleted user or a sign-out
 * takes effect on the next request.
 */
export const SESSION_MAX_AGE_SECONDS = 12 * 60 * 60;

export interface PortalUser {
  userId: string;
  sessionId: string;
  organizationId: string;
  organizationName: string;
  email: string;
  name: string;
  role: Role;
}

/** Starts a session of SESSION_MAX_AGE_SECONDS for a user who just proved their password. */
export async function startPortalSession(
  userId: string,
  meta: { sourceIp: string | null; userAgent: string | null; now: Date },
): Promise<{ id: string; expiresAt: Date }> {
  const id = newId("portalSession", meta.now);
  const expiresAt = new Date(meta.now.getTime() + SESSION_MAX_AGE_SECONDS * 1000);
  await pool().query(
    `INSERT INTO portal_sessions (id, user_id, created_at, expires_at, source_ip, user_agent) VALUES ($1, $2, $3, $4, $5, $6)`,
    [id, userId, meta.now, expiresAt, meta.sourceIp, meta.userAgent?.slice(0, 512) ?? null],
  );
  return { id, expiresAt };
}

/** Ends a session at once; its cookie is rejected from then on. Ending an ended session changes nothing. */
export async function endPortalSession(sessionId: string, now: Date): Promise<void> {
  await pool().query(`UPDATE portal_sessions SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL`, [sessionId, now]);
}

/** Returns the signed-in user of a live session, or null when the session ended, expired or belongs to someone else. */
export async function findPortalUser(sessionId: string, userId: string, now: Date): Promise<PortalUser | null> {
  const result = await pool().query<{
    user_id: string;
    organization_id: string;
    organization_name: string;
    email: string;
    name: string;
    role: Role;
  }>(
    `SELECT u.id AS user_id, u.organization_id, o.name AS organization_name, u.email, u.name, u.role
     FROM portal_sessions s
     JOIN users u ON u.id = s.user_id
     JOIN organizations o ON o.id = u.organization_id
     WHERE s.id = $1 AND s.user_id = $2 AND s.revoked_at IS NULL AND s.expires_at > $3`,
    [sessionId, userId, now],
  );
  const row = result.rows[0];
  if (!row) return null;
  return {
    userId: row.user_id,
    sessionId,
    organizationId: row.organization_id,
    organizationName: row.organization_name,
    email: row.email,
    name: row.name,
    role: row.role,
  };
}
