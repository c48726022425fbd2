import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { SignInForm } from "@/components/auth/sign-in-form";
import { currentPortalUser } from "@/lib/auth/current-user";
import { safeCallbackPath } from "@/lib/portal/callback-path";

export const metadata: Metadata = { title: "Sign in · WASViking Webhooks" };

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const query = await searchParams;
  const callbackPath = safeCallbackPath(typeof query.callbackUrl === "string" ? query.callbackUrl : null);
  if (await currentPortalUser()) redirect(callbackPath);
  return (
    <main className="flex min-h-screen items-center justify-center px-4 py-10">
      <div className="w-full max-w-sm">
        <p className="text-center text-sm font-semibold tracking-wide text-blue-800 uppercase">WASViking</p>
        <h1 className="mt-2 text-center text-2xl font-semibold text-slate-900">Sign in to the portal</h1>
        <div className="mt-8 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
          <SignInForm callbackPath={callbackPath} initialError={typeof query.error === "string" ? query.error : null} />
        </div>
        <p className="mt-6 text-center text-sm text-slate-600">
          Scripts use API keys instead: see the <a className="text-blue-700 underline" href="/docs/api">API reference</a>.
        </p>
      </div>
    </main>
  );
}
