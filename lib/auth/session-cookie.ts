/**
 * Finding the portal's session cookie among a request's cookies. Kept apart
 * from decoding (lib/auth/session-token.ts) so the request proxy can check for
 * the cookie without loading the JWT library.
 */
const PLAIN_COOKIE = "next-auth.session-token";
// Browsers accept a __Secure- cookie only from an https origin, so it cannot be planted over plain http.
const SECURE_COOKIE = "__Secure-next-auth.session-token";

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
