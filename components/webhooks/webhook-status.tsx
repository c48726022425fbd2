"use client";

import { Badge, type BadgeTone, DeliveryStatusBadge } from "@/components/ui/badge";
import { RelativeTime } from "@/components/ui/time";
import type { Webhook, WebhookFields } from "@/lib/portal/api-client";
import { formatDateTime, formatPercent } from "@/lib/portal/format";
import { successRateFigure } from "@/lib/portal/success-rate";

/** Small read-outs of a webhook's state, shared by the list and the webhook page. */
export function EnabledBadge({ webhook }: { webhook: Pick<WebhookFields, "enabled" | "disabled_reason"> }) {
  if (webhook.enabled) return <Badge tone="green">Enabled</Badge>;
  return <Badge tone={webhook.disabled_reason ? "red" : "slate"}>{webhook.disabled_reason ? "Disabled by WASViking" : "Disabled"}</Badge>;
}

const HEALTH_BADGES: Partial<Record<WebhookFields["health"]["state"], { tone: BadgeTone; label: string }>> = {
  degraded: { tone: "amber", label: "Degraded" },
  failing: { tone: "red", label: "Failing" },
  warned: { tone: "red", label: "Failing" },
};

/** Renders the health of an enabled webhook as a badge, and nothing when it is healthy (lib/subscriptions/health.ts). */
export function HealthBadge({ health }: { health: WebhookFields["health"] }) {
  const shown = HEALTH_BADGES[health.state];
  return shown ? <Badge tone={shown.tone}>{shown.label}</Badge> : null;
}

/**
 * Renders the notice that WASViking is about to switch the webhook off, from a
 * day before, and nothing in any other state.
 */
export function DisablingWarning({ health, compact = false }: { health: WebhookFields["health"]; compact?: boolean }) {
  if (health.state !== "warned" || !health.disable_at || !health.failing_since) return null;
  const failures = `${health.consecutive_failures.toLocaleString("en-US")} failed attempts in a row since ${formatDateTime(health.failing_since)}`;
  return (
    <div
      role="status"
      data-testid="disabling-warning"
      className={`rounded-md border border-red-200 bg-red-50 text-sm text-red-900 ${compact ? "mt-3 px-3 py-2" : "mb-4 px-4 py-3"}`}
    >
      <strong>Will be disabled on {formatDateTime(health.disable_at)} unless a delivery succeeds.</strong> {failures}.
      {compact ? null : " Fix the endpoint, then send a test event: one success keeps the webhook enabled."}
    </div>
  );
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
    </span>
  );
}

const RATE_TONES = { good: "text-emerald-700", fair: "text-amber-700", poor: "text-red-700" } as const;

export function SuccessRate({ stats }: { stats: Webhook["delivery_stats"] }) {
  const figure = successRateFigure(stats.last_24h);
  if (figure.kind === "no-deliveries") return <span className="text-slate-500">No deliveries</span>;
  if (figure.kind === "none-attempted") {
    return (
      <span className="text-slate-500">
        None attempted ({figure.waiting.toLocaleString("en-US")} waiting)
      </span>
    );
  }
  return (
    <span>
      <span className={`font-semibold ${RATE_TONES[figure.tone]}`}>{formatPercent(figure.rate)}</span>{" "}
      <span className="text-slate-500">
        ({figure.succeeded} of {figure.attempted})
      </span>
    </span>
  );
}
