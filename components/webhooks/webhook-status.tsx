"use client";

import { Badge, DeliveryStatusBadge } from "@/components/ui/badge";
import { RelativeTime } from "@/components/ui/time";
import type { Webhook, WebhookFields } from "@/lib/portal/api-client";
import { formatPercent } from "@/lib/portal/format";

/** Small read-outs of a webhook's state, shared by the list and the webhook page. */
export function EnabledBadge({ webhook }: { webhook: Pick<WebhookFields, "enabled" | "disabled_reason"> }) {
  if (webhook.enabled) return <Badge tone="green">Enabled</Badge>;
  return <Badge tone={webhook.disabled_reason ? "red" : "slate"}>{webhook.disabled_reason ? "Disabled by WASViking" : "Disabled"}</Badge>;
}

export function LastDelivery({ stats }: { stats: Webhook["delivery_stats"] }) {
  const last = stats.last_delivery;
  if (!last) return <span className="text-slate-500">No deliveries yet</span>;
  const answer = last.status_code !== null ? `HTTP ${last.status_code}` : (last.error_class ?? "no answer");
  return (
    <span className="inline-flex flex-wrap items-center gap-x-2 gap-y-1">
      <DeliveryStatusBadge status={last.status} />
      <span className="text-slate-700">{answer}</span>
      <span className="text-slate-500">
        <RelativeTime value={last.attempted_at} />
      </span>
      {last.event_type === "webhook.test" ? <Badge tone="blue">test</Badge> : null}
    </span>
  );
}

export function SuccessRate({ stats }: { stats: Webhook["delivery_stats"] }) {
  const counts = stats.last_24h;
  const attempted = counts.succeeded + counts.failed + counts.retrying;
  if (counts.success_rate === null) return <span className="text-slate-500">No deliveries</span>;
  let tone = "text-red-700";
  if (counts.success_rate >= 0.99) tone = "text-emerald-700";
  else if (counts.success_rate >= 0.9) tone = "text-amber-700";
  return (
    <span>
      <span className={`font-semibold ${tone}`}>{formatPercent(counts.success_rate)}</span>{" "}
      <span className="text-slate-500">
        ({counts.succeeded} of {attempted})
      </span>
    </span>
  );
}
