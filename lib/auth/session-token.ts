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

const PLAIN_COOKIE = "next-auth.session-token";
// Browsers accept a __Secure- cookie only from an https origin, so it cannot be planted over plain http.
const SECURE_COOKIE = "__Secure-next-auth.session-token";

/** Returns NEXTAUTH_SECRET, or throws naming the variable, since no session can be read or written without it. */
export function sessionSecret(): string {
  const secret = process.env.NEXTAUTH_SECRET;
  if (!secret) throw new Error("NEXTAUTH_SECRET is missing: set it to a long random string (openssl rand -base64 32)");
  return secret;
}

/** Tells whether next-auth uses the __Secure- cookie, which it does when NEXTAUTH_URL is https. */
export function usesSecureCookie(): boolean {
  return process.env.NEXTAUTH_URL?.startsWith("https://") ?? false;
}

/** Returns the name of the session cookie next-auth sets in this deployment. */
export function sessionCookieName(): string {
  return usesSecureCookie() ? SECURE_COOKIE : PLAIN_COOKIE;
}

/** Parses a Cookie header into name and value pairs; malformed parts are skipped. */
export function parseCookieHeader(header: string | null): Map<string, string> {
  const cookies = new Map<string, string>();
  if (!header) return cookies;
  for (const part of header.split(";")) {
    const separator = part.indexOf("=");
    if (separator <= 0) continue;
    const name = part.slice(0, separator).trim();
    let value = part.slice(separator + 1).trim();
    try {
      value = decodeURIComponent(value);
    } catch {
      continue;
    }
    if (!cookies.has(name)) cookies.set(name, value);
  }
  return cookies;
}

/**
 * Returns the session token among the request's cookies, or null. next-auth
 * splits a token longer than one cookie allows into `name.0`, `name.1`, …, which
 * are joined back in order.
 */
export function sessionTokenOf(cookies: ReadonlyMap<string, string>): string | null {
  const name = sessionCookieName();
  const whole = cookies.get(name);
  if (whole) return whole;
  const chunks: string[] = [];
  for (let index = 0; cookies.has(`${name}.${index}`); index++) chunks.push(cookies.get(`${name}.${index}`)!);
  return chunks.length > 0 ? chunks.join("") : null;
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
