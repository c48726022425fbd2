import { type NextRequest, NextResponse } from "next/server";
import { sessionTokenOf } from "./lib/auth/session-cookie";
import { unmatchedRouteResponse } from "./lib/http/unmatched-route";

/**
 * Runs before pages and route handlers. Under /v1, unknown paths and methods
 * get problem details (lib/http/unmatched-route.ts). Portal pages send visitors
 * without a session cookie to the sign-in page, remembering where they were
 * going; this only looks for the cookie, and the portal's layout and the API
 * check the session itself on every request.
 */
export function proxy(request: NextRequest) {
  const path = request.nextUrl.pathname;
  if (path === "/v1" || path.startsWith("/v1/")) {
    return unmatchedRouteResponse(request.method, path, request.headers.get("x-request-id")) ?? NextResponse.next();
  }
  const cookies = new Map(request.cookies.getAll().map((cookie) => [cookie.name, cookie.value] as const));
  if (sessionTokenOf(cookies)) return NextResponse.next();
  const signIn = new URL("/login", request.url);
  signIn.searchParams.set("callbackUrl", request.nextUrl.pathname + request.nextUrl.search);
  return NextResponse.redirect(signIn);
}

export const config = {
  matcher: ["/v1", "/v1/:path*", "/integrations/:path*", "/settings/:path*"],
};
