import { randomBytes } from "node:crypto";
import { createUser } from "../../lib/accounts/organizations";
import { signInWithPassword } from "../../lib/accounts/sign-in";
import type { Role } from "../../lib/auth/principal";
import { sessionCookieName } from "../../lib/auth/session-cookie";
import { encodeSessionToken } from "../../lib/auth/session-token";

/**
 * Portal users for integration tests. A sign-in goes through the product's
 * own password check and session start, and the cookie is encrypted exactly
 * as next-auth encrypts it, so the API reads it as it reads a browser's.
 */
export const PORTAL_ORIGIN = "http://localhost:3000";

export interface PortalUserFixture {
  userId: string;
  email: string;
  password: string;
}

/** Creates a portal user of the organisation with a random email and password. */
export async function createPortalUser(organizationId: string, role: Role): Promise<PortalUserFixture> {
  const email = `${role}-${randomBytes(4).toString("hex")}@example.com`;
  const password = randomBytes(12).toString("base64url");
  const user = await createUser(organizationId, { email, name: `Test ${role}`, password, role });
  return { userId: user.id, email, password };
}

/** Signs a user in and returns their session cookie as a Cookie header value. */
export async function signIn(user: PortalUserFixture): Promise<{ cookie: string; sessionId: string }> {
  const result = await signInWithPassword(user.email, user.password, { sourceIp: "127.0.0.1", userAgent: "integration test", now: new Date() });
  if (!result.ok) throw new Error(`Sign-in of ${user.email} failed: ${result.reason}`);
  const token = await encodeSessionToken({ sub: result.user.id, sid: result.user.sessionId });
  return { cookie: `${sessionCookieName()}=${token}`, sessionId: result.user.sessionId };
}

/** Headers of a request the portal's own pages send with fetch(). */
export function portalHeaders(cookie: string): Record<string, string> {
  return { cookie, origin: PORTAL_ORIGIN, host: new URL(PORTAL_ORIGIN).host, "sec-fetch-site": "same-origin" };
}
