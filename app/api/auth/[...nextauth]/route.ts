import NextAuth from "next-auth";
import type { NextRequest } from "next/server";
import { authOptions, limitNextAuthBody } from "@/lib/auth/next-auth";

// next-auth's sign-in, sign-out, CSRF-token and session endpoints under /api/auth, with a limit on the body size.
async function handler(request: NextRequest, context: { params: Promise<{ nextauth: string[] }> }) {
  const limited = await limitNextAuthBody(request);
  if (limited instanceof Response) return limited;
  return NextAuth(authOptions())(limited, context);
}

export { handler as GET, handler as POST };
