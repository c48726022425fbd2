import { type NextRequest, NextResponse } from "next/server";
import { sessionTokenOf } from "./lib/auth/session-cookie";

/**
 * Sends visitors without a session cookie to the sign-in page, remembering
 * where they were going. This only looks for the cookie; the portal's layout
 * and the API check the session itself on every request.
 */
export function proxy(request: NextRequest) {
  const cookies = new Map(request.cookies.getAll().map((cookie) => [cookie.name, cookie.value] as const));
  if (sessionTokenOf(cookies)) return NextResponse.next();
  const signIn = new URL("/login", request.url);
  signIn.searchParams.set("callbackUrl", request.nextUrl.pathname + request.nextUrl.search);
  return NextResponse.redirect(signIn);
}

export const config = {
  matcher: ["/integrations/:path*", "/settings/:path*"],
};
