import { type NextRequest, NextResponse } from "next/server";
import { unmatchedRouteResponse } from "./lib/http/unmatched-route";

/** Runs before the API's route handlers: unknown paths and methods get problem details (lib/http/unmatched-route.ts). */
export function proxy(request: NextRequest) {
  return unmatchedRouteResponse(request.method, request.nextUrl.pathname, request.headers.get("x-request-id")) ?? NextResponse.next();
}

export const config = { matcher: ["/v1", "/v1/:path*"] };
