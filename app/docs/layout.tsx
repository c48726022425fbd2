import Link from "next/link";
import type { ReactNode } from "react";

/** Layout of the public reference pages: no sign-in, no scripts or fonts from elsewhere. */
export default function DocsLayout({ children }: { children: ReactNode }) {
  return (
    <div className="min-h-screen bg-white">
      <header className="border-b border-slate-200 bg-slate-50">
        <nav aria-label="Reference" className="mx-auto flex max-w-5xl items-center gap-6 px-6 py-3 text-sm">
          <span className="font-semibold text-slate-900">WASViking Webhooks reference</span>
          <Link className="text-blue-700 hover:underline" href="/docs/api">
            API reference
          </Link>
          <Link className="text-blue-700 hover:underline" href="/docs/events">
            Webhook events
          </Link>
          <a className="text-blue-700 hover:underline" href="/v1/openapi.json">
            openapi.json
          </a>
        </nav>
      </header>
      <main className="mx-auto max-w-5xl px-6 py-8">{children}</main>
    </div>
  );
}
