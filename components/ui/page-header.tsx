import Link from "next/link";
import type { ReactNode } from "react";

/** The heading block of a page: an optional way back, the title, a short explanation and the page's main actions. */
export function PageHeader({ title, back, description, actions }: { title: ReactNode; back?: { href: string; label: string }; description?: ReactNode; actions?: ReactNode }) {
  return (
    <div className="mb-6">
      {back ? (
        <Link href={back.href} className="text-sm text-blue-700 hover:underline">
          ← {back.label}
        </Link>
      ) : null}
      <div className="mt-1 flex flex-wrap items-start justify-between gap-4">
        <div className="min-w-0">
          <h1 className="text-2xl font-semibold break-words text-slate-900">{title}</h1>
          {description ? <div className="mt-1 max-w-3xl text-sm text-slate-600">{description}</div> : null}
        </div>
        {actions ? <div className="flex flex-wrap items-center gap-2">{actions}</div> : null}
      </div>
    </div>
  );
}
