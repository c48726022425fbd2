import { type NextRequest, NextResponse } from "next/server";
import { sessionTokenOf } from "./lib/auth/session-cookie";
import { contentSecurityPolicy, newNonce } from "./lib/http/content-security-policy";
import { unmatchedRouteResponse } from "./lib/http/unmatched-route";

// Pages that need a session; the rest (sign-in, reference docs) are public.
const SIGNED_IN_PREFIXES = ["/integrations", "/settings"];

/**
 * Runs before pages and route handlers. Under /v1, unknown paths and methods
 * get problem details (lib/http/unmatched-route.ts). Every page gets a fresh
 * script nonce and the Content Security Policy that names it; Next.js reads
 * the policy from the request headers and puts the nonce on its own scripts.
 * Portal pages send visitors without a session cookie to the sign-in page,
 * remembering where they were going. This only looks for the cookie, because
 * the portal's layout and the API check the session itself on every request.
 *
 * The proxy runs only for requests without a body. Before Next.js runs a
 * proxy it reads the whole request body and keeps up to 10 MB of it, so that
 * route handlers can read it again, and that would happen before the API had
 * checked any credentials. The web server (web/server.ts) applies the rules
 * above to requests that carry a body, without reading it
 * (lib/http/unmatched-route.ts, requestWithBodyResponse).
 */
export function proxy(request: NextRequest) {
  const path = request.nextUrl.pathname;
  if (path === "/v1" || path.startsWith("/v1/")) {
    return unmatchedRouteResponse(request.method, path, request.headers.get("x-request-id")) ?? NextResponse.next();
  }
  const needsSession = SIGNED_IN_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
  if (needsSession) {
    const cookies = new Map(request.cookies.getAll().map((cookie) => [cookie.name, cookie.value] as const));
    if (!sessionTokenOf(cookies)) {
      const signIn = new URL("/login", request.url);
      signIn.searchParams.set("callbackUrl", request.nextUrl.pathname + request.nextUrl.search);
      return NextResponse.redirect(signIn);
    }
  }
  const policy = contentSecurityPolicy({ nonce: newNonce(), development: process.env.NODE_ENV === "development" });
  const headers = new Headers(request.headers);
  headers.set("content-security-policy", policy);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("content-security-policy", policy);
  return response;
}

export const config = {
  // Static files carry no inline script and need no nonce; /api/auth is next-auth's JSON.
  // A request has a body when it has a Transfer-Encoding or a Content-Length other than 0 (RFC 9112, section 6.3).
  // lib/http/request-body.ts (requestDeclaresBody) states the same rule for the web server. Next.js reads this
  // object without running the module, so the path pattern is written out in each entry.
  matcher: [
    {
      source: "/((?!_next/static|_next/image|api/auth|favicon.ico|robots.txt).*)",
      missing: [
        { type: "header", key: "content-length" },
        { type: "header", key: "transfer-encoding" },
      ],
    },
    {
      source: "/((?!_next/static|_next/image|api/auth|favicon.ico|robots.txt).*)",
      has: [{ type: "header", key: "content-length", value: "0" }],
      missing: [{ type: "header", key: "transfer-encoding" }],
    },
  ],
};
