import { recordAudit } from "../audit";
import { endPortalSession, findPortalUser } from "../auth/portal-sessions";
import { pool } from "../db";

/** Ends a portal session on sign-out and records it; a session that already ended is left as it is. */
export async function signOutPortalSession(session: { sessionId: string; userId: string }, now: Date): Promise<void> {
  const user = await findPortalUser(session.sessionId, session.userId, now);
  if (!user) return;
  await endPortalSession(session.sessionId, now);
  await recordAudit(pool(), {
    organizationId: user.organizationId,
    actor: { type: "user", id: user.userId, label: `${user.name} (${user.email})` },
    action: "user.signed_out",
    targetType: "user",
    targetId: user.userId,
    details: { sessionId: session.sessionId },
    at: now,
  });
}
