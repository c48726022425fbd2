import { decode, encode } from "next-auth/jwt";
import { SESSION_MAX_AGE_SECONDS } from "./portal-sessions";

/**
 * The portal's session cookie: an encrypted next-auth JWT (A256GCM under a key
 * derived from NEXTAUTH_SECRET) that carries the user id (`sub`) and the
 * session id (`sid`), nothing else. next-auth writes it; the API and the
 * portal's pages read it here.
 */
export interface SessionClaims {
  sub: string;
  sid: string;
}

/** Returns NEXTAUTH_SECRET, or throws naming the variable, since no session can be read or written without it. */
export function sessionSecret(): string {
  const secret = process.env.NEXTAUTH_SECRET;
  if (!secret) throw new Error("NEXTAUTH_SECRET is missing: set it to a long random string (openssl rand -base64 32)");
  return secret;
}

/** Decrypts a session token and returns its claims, or null when it is forged, expired or lacks them. */
export async function decodeSessionToken(token: string): Promise<SessionClaims | null> {
  const secret = sessionSecret();
  let payload: Record<string, unknown> | null;
  try {
    payload = (await decode({ token, secret })) as Record<string, unknown> | null;
  } catch {
    return null;
  }
  if (!payload || typeof payload.sub !== "string" || typeof payload.sid !== "string") return null;
  return { sub: payload.sub, sid: payload.sid };
}

/** Encrypts session claims into a token exactly as next-auth does after a sign-in (tests and tools only). */
export async function encodeSessionToken(claims: SessionClaims): Promise<string> {
  return encode({ token: { ...claims }, secret: sessionSecret(), maxAge: SESSION_MAX_AGE_SECONDS });
}
