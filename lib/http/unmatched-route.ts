import { operations } from "../api/operations";
import { ApiError, problemOf, problems } from "./problem";
import { type SingleValueHeader, repeatedHeaderDetail } from "./repeated-headers";
import { requestIdOf } from "./request-id";

/**
 * Builds the responses to API requests that no route handler takes: an
 * unknown path under /v1 is a 404 and a known path with another method a 405
 * with Allow, both as problem details. Next.js would otherwise respond with an
 * HTML page or an empty 405. The table comes from lib/api/operations.ts, as the routes do.
 */
interface RouteEntry {
  template: string;
  pattern: RegExp;
  methods: string[];
}

function buildTable(): RouteEntry[] {
  const byTemplate = new Map<string, Set<string>>();
  for (const operation of Object.values(operations)) {
    const methods = byTemplate.get(operation.path) ?? new Set<string>();
    methods.add(operation.method);
    // Next.js serves HEAD by running the GET handler. HEAD must be safe, so a GET that changes state (rotate, test, replay) gets no HEAD.
    if (operation.method === "GET" && !operation.mutating) methods.add("HEAD");
    byTemplate.set(operation.path, methods);
  }
  return [...byTemplate].map(([template, methods]) => {
    // unmatchedRouteResponse responds to OPTIONS itself.
    methods.add("OPTIONS");
    const source = template
      .split("/")
      .map((segment) => (segment.startsWith("{") ? "[^/]+" : segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
      .join("/");
    return { template, pattern: new RegExp(`^${source}$`), methods: [...methods].sort() };
  });
}

let table: RouteEntry[] | undefined;

/** Returns the methods served at an API path, or null when no operation has that path. */
export function allowedMethods(pathname: string): string[] | null {
  table ??= buildTable();
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, "") : pathname;
  return table.find((entry) => entry.pattern.test(path))?.methods ?? null;
}

function problemResponse(error: ApiError, requestId: string, extraHeaders: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(problemOf(error, requestId)), {
    status: error.status,
    headers: { "content-type": "application/problem+json", "cache-control": "no-store", "x-request-id": requestId, ...error.headers, ...extraHeaders },
  });
}

function isDecodable(pathname: string): boolean {
  try {
    decodeURIComponent(pathname);
    return true;
  } catch {
    return false;
  }
}

/** Returns the response for a request no route handler serves, or null to let the route handle it. */
export function unmatchedRouteResponse(method: string, pathname: string, requestIdHeader: string | null): Response | null {
  const requestId = requestIdOf(requestIdHeader);
  // Next.js fails with a plain-text 500 when it cannot decode a path parameter, so such paths stop here.
  if (!isDecodable(pathname)) {
    return problemResponse(problems.badRequest("The path contains an invalid percent-encoded sequence: encode path segments as UTF-8"), requestId);
  }
  const methods = allowedMethods(pathname);
  if (methods === null) {
    return problemResponse(
      new ApiError({
        status: 404,
        type: "not-found",
        title: "Not found",
        detail: `No API operation has the path ${pathname.slice(0, 200)}: see /v1/openapi.json for the list`,
      }),
      requestId,
    );
  }
  const allow = methods.join(", ");
  if (method === "OPTIONS") return new Response(null, { status: 204, headers: { allow, "x-request-id": requestId } });
  if (!methods.includes(method)) {
    return problemResponse(problems.methodNotAllowed(methods), requestId);
  }
  return null;
}

/**
 * Returns the response for a request that carries a body, or null to let a
 * route handler take it. proxy.ts does not run for such requests, because
 * Next.js would read the whole body before it ran the proxy. The web server
 * therefore applies the proxy's rules here without reading the body. Unknown
 * API paths and methods get problem details, and portal pages, which take no
 * body, get a 405. next-auth's endpoints under /api read their small bodies
 * themselves (lib/auth/next-auth.ts).
 */
export function requestWithBodyResponse(method: string, pathname: string, requestIdHeader: string | null): Response | null {
  if (pathname === "/v1" || pathname.startsWith("/v1/")) return unmatchedRouteResponse(method, pathname, requestIdHeader);
  if (pathname.startsWith("/api/")) return null;
  return new Response("Portal pages take no request body: load them with GET or HEAD, without a body\n", {
    status: 405,
    headers: { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
  });
}

/**
 * Methods the Fetch standard forbids in a Request. Next.js builds a Request for
 * every call before any route or proxy runs, so these would end in its
 * plain-text 500. The web server sends this response for them itself.
 */
export const FETCH_FORBIDDEN_METHODS: ReadonlySet<string> = new Set(["CONNECT", "TRACE", "TRACK"]);

/** Builds the 405 for a method in FETCH_FORBIDDEN_METHODS: problem details under /v1, plain text for portal pages. */
export function forbiddenMethodResponse(pathname: string, requestIdHeader: string | null): Response {
  if (pathname === "/v1" || pathname.startsWith("/v1/")) {
    // No operation serves these methods, so the response is the unknown path's 404 or the known path's 405 with Allow.
    return unmatchedRouteResponse("TRACE", pathname, requestIdHeader)!;
  }
  return new Response("Method not allowed\n", {
    status: 405,
    headers: { allow: "GET, HEAD, POST", "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
  });
}

/**
 * Builds the 400 for a request that repeats a header of SINGLE_VALUE_HEADERS
 * (lib/http/repeated-headers.ts): problem details under /v1, plain text
 * elsewhere. The web server sends it from the raw headers, because Node.js
 * keeps only the first Authorization and Content-Type before any route runs.
 */
export function repeatedHeaderResponse(pathname: string, header: SingleValueHeader, requestIdHeader: string | null): Response {
  if (pathname === "/v1" || pathname.startsWith("/v1/")) {
    return problemResponse(problems.badRequest(repeatedHeaderDetail(header)), requestIdOf(requestIdHeader));
  }
  return new Response(`${repeatedHeaderDetail(header)}\n`, {
    status: 400,
    headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
  });
}
