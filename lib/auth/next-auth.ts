import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { signInWithPassword } from "../accounts/sign-in";
import { signOutPortalSession } from "../accounts/sign-out";
import { currentTime } from "../clock";
import { clientAddress } from "../http/client-address";
import { logger } from "../log";
import { SESSION_MAX_AGE_SECONDS } from "./portal-sessions";
import { ACCOUNT_LOCKED_ERROR, SOURCE_THROTTLED_ERROR } from "./sign-in-errors";
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
            if (result.reason === "locked") throw new Error(ACCOUNT_LOCKED_ERROR);
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
