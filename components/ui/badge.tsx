import type { ReactNode } from "react";

/** Small coloured labels for states such as a delivery's status. */
export type BadgeTone = "green" | "red" | "amber" | "blue" | "slate";

const TONES: Record<BadgeTone, string> = {
  green: "bg-emerald-100 text-emerald-800 ring-emerald-600/20",
  red: "bg-red-100 text-red-800 ring-red-600/20",
  amber: "bg-amber-100 text-amber-900 ring-amber-600/20",
  blue: "bg-blue-100 text-blue-800 ring-blue-600/20",
  slate: "bg-slate-100 text-slate-700 ring-slate-500/20",
};

export function Badge({ tone = "slate", children }: { tone?: BadgeTone; children: ReactNode }) {
  return <span className={`inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium whitespace-nowrap ring-1 ring-inset ${TONES[tone]}`}>{children}</span>;
}

const DELIVERY_STATUS: Record<string, { tone: BadgeTone; label: string }> = {
  succeeded: { tone: "green", label: "Succeeded" },
  failed: { tone: "red", label: "Failed" },
  retrying: { tone: "amber", label: "Retrying" },
  pending: { tone: "blue", label: "Pending" },
  held: { tone: "slate", label: "Held" },
};

export function DeliveryStatusBadge({ status }: { status: string }) {
  const known = DELIVERY_STATUS[status] ?? { tone: "slate" as const, label: status };
  return <Badge tone={known.tone}>{known.label}</Badge>;
}
