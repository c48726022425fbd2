import type { NextAuthOptions } from "next-auth";
import { NextRequest } from "next/server";
import CredentialsProvider from "next-auth/providers/credentials";
import { signInWithPassword } from "../accounts/sign-in";
import { signOutPortalSession } from "../accounts/sign-out";
import { currentTime } from "../clock";
import { clientAddress } from "../http/client-address";
import { ClientDisconnectedError, readRequestBody, RequestBodyTooLargeError } from "../http/request-body";
import { logger } from "../log";
import { SESSION_MAX_AGE_SECONDS } from "./portal-sessions";
import { ACCOUNT_LOCKED_ERROR, ADDRESS_LOCKED_ERROR, SOURCE_THROTTLED_ERROR } from "./sign-in-errors";
import { sessionSecret } from "./session-token";

/**
 * next-auth settings of the portal: email and password sign-in, a JWT session
 * cookie that names a server-side session (lib/auth/portal-sessions.ts), and a
 * sign-out that ends that session. next-auth protects its own sign-in and
 * sign-out forms with a CSRF token; the API protects cookie-authenticated
 * changes with a same-origin check (lib/http/handler.ts).
 */

function headersOf(raw: unknown): Headers {
  const headers = new Headers();
  if (raw && typeof raw === "object") {
    for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
      if (typeof value === "string") headers.set(name, value);
    }
  }
  return headers;
}

/** Builds the next-auth settings; NEXTAUTH_SECRET must be set. */
export function authOptions(): NextAuthOptions {
  return {
    secret: sessionSecret(),
    session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
    jwt: { maxAge: SESSION_MAX_AGE_SECONDS },
    pages: { signIn: "/login", error: "/login" },
    providers: [
      CredentialsProvider({
        name: "Email and password",
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        async authorize(credentials, request) {
          if (!credentials?.email || !credentials.password) return null;
          const headers = headersOf(request.headers);
          const result = await signInWithPassword(credentials.email, credentials.password, {
            sourceIp: clientAddress(headers),
            userAgent: headers.get("user-agent"),
            now: currentTime(),
          });
          if (!result.ok) {
            if (result.reason === "address_locked") throw new Error(ADDRESS_LOCKED_ERROR);
            if (result.reason === "account_locked") throw new Error(ACCOUNT_LOCKED_ERROR);
            if (result.reason === "throttled") throw new Error(SOURCE_THROTTLED_ERROR);
            return null;
          }
          return { id: result.user.id, name: result.user.name, email: result.user.email, sessionId: result.user.sessionId };
        },
      }),
    ],
    callbacks: {
      // The cookie carries only the user and session ids; name, email and role are read from the database per request.
      async jwt({ token, user }) {
        if (user) return { sub: user.id, sid: (user as { sessionId?: string }).sessionId };
        return token;
      },
      async session({ session }) {
        return { expires: session.expires };
      },
    },
    // next-auth logs through console by default; its codes go to the product's logger instead, without metadata that could hold credentials.
    logger: {
      error: (code, metadata) => {
        let error: Error | undefined;
        if (metadata instanceof Error) error = metadata;
        else if (metadata?.error instanceof Error) error = metadata.error;
        logger.error({ code, err: error }, "portal sign-in machinery failed");
      },
      warn: (code) => logger.warn({ code }, "portal sign-in machinery warned"),
      debug: () => undefined,
    },
    events: {
      async signOut({ token }) {
        if (typeof token?.sid === "string" && typeof token.sub === "string") {
          await signOutPortalSession({ sessionId: token.sid, userId: token.sub }, currentTime());
        }
      },
    },
  };
}

// next-auth's forms carry an email, a password, a CSRF token and a callback path, far below this.
export const MAX_NEXT_AUTH_BODY_BYTES = 16 * 1024;

/**
 * Reads the body of a request to next-auth's endpoints with a size limit, and
 * returns a copy that next-auth can read, or the response that ends the
 * request. next-auth itself reads the whole body, however large, before it
 * checks anything. Requests without a body are returned as they are.
 */
export async function limitNextAuthBody(request: NextRequest): Promise<NextRequest | Response> {
  if (request.method === "GET" || request.method === "HEAD") return request;
  let body: Uint8Array<ArrayBuffer>;
  try {
    body = await readRequestBody(request, MAX_NEXT_AUTH_BODY_BYTES);
  } catch (error) {
    if (error instanceof RequestBodyTooLargeError) {
      return new Response(`The request body is larger than ${MAX_NEXT_AUTH_BODY_BYTES} bytes\n`, {
        status: 413,
        headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
      });
    }
    if (error instanceof ClientDisconnectedError) {
      logger.info({ path: request.nextUrl.pathname, receivedBytes: error.receivedBytes }, "sign-in or sign-out request abandoned: the client closed the connection while sending the body");
      // Never sent: the connection is gone.
      return new Response(null, { status: 400 });
    }
    throw error;
  }
  return new NextRequest(request.url, { method: request.method, headers: request.headers, body: body.byteLength > 0 ? body : null });
}
