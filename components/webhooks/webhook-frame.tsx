"use client";

import Link from "next/link";
import { useSelectedLayoutSegment } from "next/navigation";
import type { ReactNode } from "react";
import { useCanManage } from "@/components/shell/portal-context";
import { Button, ButtonLink } from "@/components/ui/button";
import { PageHeader } from "@/components/ui/page-header";
import { EmptyState, ErrorState, SkeletonRows } from "@/components/ui/states";
import { ApiProblem, type Webhook } from "@/lib/portal/api-client";
import { useUpdateWebhook } from "./mutations";
import { useWebhook } from "./queries";
import { SendTestEventButton } from "./send-test-event";
import { WEBHOOK_TABS, webhookTabPath } from "./webhook-tabs";
import { DisablingWarning, EnabledBadge, HealthBadge, LastDelivery, SuccessRate } from "./webhook-status";

const LIST = { href: "/integrations/webhooks", label: "Webhooks" };

/** The part of a webhook's page every tab shares: what it is, how it is doing, its actions and the tab bar. */
export function WebhookFrame({ webhookId, children }: { webhookId: string; children: ReactNode }) {
  const webhook = useWebhook(webhookId);

  if (webhook.isPending) return <SkeletonRows rows={4} label="Loading the webhook" />;
  if (webhook.isError) {
    if (webhook.error instanceof ApiProblem && webhook.error.status === 404) {
      return (
        <>
          <PageHeader title="Webhook not found" back={LIST} />
          <EmptyState title="This webhook does not exist" action={<ButtonLink href={LIST.href}>Back to webhooks</ButtonLink>}>
            It may have been deleted, or it belongs to another organisation.
          </EmptyState>
        </>
      );
    }
    return <ErrorState title="The webhook could not be loaded" error={webhook.error} onRetry={() => void webhook.refetch()} />;
  }
  return (
    <>
      <WebhookHeader webhook={webhook.data} />
      <WebhookTabBar webhookId={webhookId} />
      <div className="mt-6">{children}</div>
    </>
  );
}

function WebhookHeader({ webhook }: { webhook: Webhook }) {
  const canManage = useCanManage();
  const update = useUpdateWebhook(webhook.id);
  return (
    <>
      <PageHeader
        back={LIST}
        title={<span className="font-mono text-xl">{webhook.url}</span>}
        description={
          <span className="flex flex-wrap items-center gap-2">
            <EnabledBadge webhook={webhook} />
            <HealthBadge health={webhook.health} />
            <bdi>{webhook.description || "No description"}</bdi>
          </span>
        }
        actions={
          canManage ? (
            <>
              <SendTestEventButton webhookId={webhook.id} />
              <Button
                onClick={() => update.mutate({ enabled: !webhook.enabled })}
                pending={update.isPending}
                pendingLabel={webhook.enabled ? "Disabling…" : "Enabling…"}
              >
                {webhook.enabled ? "Disable" : "Enable"}
              </Button>
            </>
          ) : null
        }
      />
      {!webhook.enabled && webhook.disabled_reason ? (
        <div role="status" className="mb-4 rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-900">
          WASViking switched this webhook off: {webhook.disabled_reason}. Fix the endpoint, then enable the webhook again.
        </div>
      ) : null}
      <DisablingWarning health={webhook.health} />
      <dl className="grid gap-4 rounded-lg border border-slate-200 bg-white p-4 text-sm sm:grid-cols-3">
        <div>
          <dt className="text-xs font-semibold tracking-wide text-slate-500 uppercase">Last delivery</dt>
          <dd className="mt-1">
            <LastDelivery stats={webhook.delivery_stats} />
          </dd>
        </div>
        <div>
          <dt className="text-xs font-semibold tracking-wide text-slate-500 uppercase">Success, last 24 h</dt>
          <dd className="mt-1">
            <SuccessRate stats={webhook.delivery_stats} />
          </dd>
        </div>
        <div>
          <dt className="text-xs font-semibold tracking-wide text-slate-500 uppercase">Not yet delivered, 24 h</dt>
          <dd className="mt-1">
            {webhook.delivery_stats.last_24h.waiting} waiting, {webhook.delivery_stats.last_24h.retrying} retrying
          </dd>
        </div>
      </dl>
    </>
  );
}

function WebhookTabBar({ webhookId }: { webhookId: string }) {
  const current = useSelectedLayoutSegment() ?? WEBHOOK_TABS[0]!.segment;
  return (
    <nav aria-label="Webhook sections" className="mt-6 border-b border-slate-200">
      <ul className="-mb-px flex gap-1 overflow-x-auto">
        {WEBHOOK_TABS.map((tab) => {
          const active = tab.segment === current;
          return (
            <li key={tab.segment}>
              <Link
                href={webhookTabPath(webhookId, tab.segment)}
                aria-current={active ? "page" : undefined}
                className={`inline-block border-b-2 px-4 py-2 text-sm font-medium whitespace-nowrap ${
                  active ? "border-blue-700 text-blue-800" : "border-transparent text-slate-600 hover:border-slate-300 hover:text-slate-900"
                }`}
              >
                {tab.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
