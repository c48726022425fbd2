import type { Principal } from "./principal";

/**
 * Returns the principal of a signed-in portal user, or null. Portal sign-in is
 * wired in lib/auth/next-auth.ts; until a session cookie is present every
 * caller must use an API key.
 */
export async function sessionPrincipal(
  _request: Request,
  _meta: { sourceIp: string | null; userAgent: string | null; requestId: string; now: Date },
): Promise<Principal | null> {
  return null;
}
