import { findPortalUser, type PortalUser } from "./portal-sessions";
import { type Principal, scopesOfRole } from "./principal";
import { parseCookieHeader, sessionTokenOf } from "./session-cookie";
import { decodeSessionToken } from "./session-token";

/**
 * Authentication by the portal's session cookie, used by the API for calls the
 * portal makes and by the portal's pages. The cookie is set by next-auth at
 * sign-in (lib/auth/next-auth.ts); the user, their organisation and role are
 * read from the database on every call.
 */

/** Returns the signed-in user named by a request's cookies, or null when there is none or it is no longer valid. */
export async function portalUserFromCookies(cookies: ReadonlyMap<string, string>, now: Date): Promise<PortalUser | null> {
  const token = sessionTokenOf(cookies);
  if (!token) return null;
  const claims = await decodeSessionToken(token);
  if (!claims) return null;
  return findPortalUser(claims.sid, claims.sub, now);
}

/** Returns the principal of a signed-in portal user, or null. */
export async function sessionPrincipal(
  request: Request,
  meta: { sourceIp: string | null; userAgent: string | null; requestId: string; now: Date },
): Promise<Principal | null> {
  const user = await portalUserFromCookies(parseCookieHeader(request.headers.get("cookie")), meta.now);
  if (!user) return null;
  return {
    organizationId: user.organizationId,
    via: "session",
    scopes: scopesOfRole(user.role),
    role: user.role,
    userId: user.userId,
    actor: { type: "user", id: user.userId, label: `${user.name} (${user.email})`, sourceIp: meta.sourceIp, userAgent: meta.userAgent },
  };
}
