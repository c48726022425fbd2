"use client";

import Link from "next/link";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { PageHeader } from "@/components/ui/page-header";
import { EmptyState, ErrorState, SkeletonRows } from "@/components/ui/states";
import { webhookTabPath } from "@/components/webhooks/webhook-tabs";
import type { DailyCapToday, OrganizationUsage } from "@/lib/portal/api-client";
import { capPercent, formatCount, usageChartRows } from "@/lib/portal/usage";
import { useOrganizationUsage } from "./queries";
import { UsageChart } from "./usage-chart";

const STATE_BADGES: Record<DailyCapToday["state"], { tone: BadgeTone; label: string }> = {
  ok: { tone: "green", label: "Within cap" },
  warning: { tone: "amber", label: "Over 80 %" },
  reached: { tone: "red", label: "Cap reached" },
};

const BAR_COLOURS: Record<DailyCapToday["state"], string> = { ok: "bg-emerald-600", warning: "bg-amber-600", reached: "bg-red-700" };

/** Integrations → Webhook usage: every webhook by share of its daily cap used today, and the organisation's last 30 days. */
export function UsageOverviewPage() {
  const usage = useOrganizationUsage("day");
  return (
    <>
      <PageHeader
        title="Webhook usage"
        description="Deliveries counted against each webhook's daily cap today (UTC), the fullest first. Past its cap a webhook's deliveries are held until 00:00 UTC."
      />
      {usage.isPending ? (
        <SkeletonRows rows={4} label="Loading usage" />
      ) : usage.isError ? (
        <ErrorState title="The usage could not be loaded" error={usage.error} onRetry={() => void usage.refetch()} />
      ) : usage.data.webhooks.length === 0 ? (
        <EmptyState title="No webhooks yet">Usage appears here once your organisation has a webhook.</EmptyState>
      ) : (
        <div className="space-y-6">
          <WebhookCapTable usage={usage.data} />
          <UsageChart
            title="All webhooks, last 30 days"
            description="Deliveries per UTC day over every webhook, by outcome."
            rows={usageChartRows(usage.data.buckets, "day")}
            showCap={false}
            bucketHeading="Day (UTC)"
            testId="organization-usage"
          />
        </div>
      )}
    </>
  );
}

function WebhookCapTable({ usage }: { usage: OrganizationUsage }) {
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table className="min-w-full divide-y divide-slate-200 text-sm" data-testid="webhook-cap-table">
        <caption className="sr-only">Webhooks by share of their daily cap used today</caption>
        <thead className="bg-slate-50 text-left text-xs font-semibold tracking-wide text-slate-600 uppercase">
          <tr>
            <th scope="col" className="px-4 py-2">Webhook</th>
            <th scope="col" className="px-4 py-2">Used today</th>
            <th scope="col" className="px-4 py-2 text-right">Daily cap</th>
            <th scope="col" className="px-4 py-2 text-right">Held now</th>
            <th scope="col" className="px-4 py-2">State</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {usage.webhooks.map((webhook) => {
            const percent = capPercent(webhook.today.used, webhook.today.daily_cap);
            const badge = STATE_BADGES[webhook.today.state];
            return (
              <tr key={webhook.id} data-webhook-id={webhook.id} className="align-top">
                <th scope="row" className="px-4 py-3 text-left font-normal">
                  <Link href={webhookTabPath(webhook.id, "usage")} className="font-mono text-sm break-all text-blue-800 hover:underline">
                    {webhook.url}
                  </Link>
                  <span className="block text-xs text-slate-600">
                    <bdi>{webhook.description || "No description"}</bdi>
                    {webhook.enabled ? "" : " · disabled"}
                  </span>
                </th>
                <td className="px-4 py-3">
                  <div
                    role="meter"
                    aria-label={`Share of the daily cap used by ${webhook.url}`}
                    aria-valuemin={0}
                    aria-valuemax={webhook.today.daily_cap}
                    aria-valuenow={webhook.today.used}
                    aria-valuetext={`${formatCount(webhook.today.used)} of ${formatCount(webhook.today.daily_cap)} (${percent}%)`}
                    className="h-2 w-40 overflow-hidden rounded-full bg-slate-200"
                  >
                    <div className={`h-full ${BAR_COLOURS[webhook.today.state]}`} style={{ width: `${Math.min(percent, 100)}%` }} />
                  </div>
                  <span className="mt-1 block text-xs text-slate-700 tabular-nums">
                    {formatCount(webhook.today.used)} · {percent}%
                  </span>
                </td>
                <td className="px-4 py-3 text-right tabular-nums">{formatCount(webhook.today.daily_cap)}</td>
                <td className="px-4 py-3 text-right tabular-nums">{formatCount(webhook.today.held)}</td>
                <td className="px-4 py-3">
                  <Badge tone={badge.tone}>{badge.label}</Badge>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
