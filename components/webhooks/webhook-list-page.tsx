"use client";

import Link from "next/link";
import { FindDelivery } from "@/components/deliveries/find-delivery";
import { useCanManage } from "@/components/shell/portal-context";
import { Button, ButtonLink } from "@/components/ui/button";
import { PageHeader } from "@/components/ui/page-header";
import { EmptyState, ErrorState, SkeletonRows } from "@/components/ui/states";
import type { Webhook } from "@/lib/portal/api-client";
import { useWebhooks } from "./queries";
import { DisablingWarning, EnabledBadge, HealthBadge, LastDelivery, SuccessRate } from "./webhook-status";

const SHOWN_EVENT_TYPES = 3;

/** Integrations → Webhooks: every webhook of the organisation with its health at a glance. */
export function WebhookListPage() {
  const canManage = useCanManage();
  const webhooks = useWebhooks();
  const items = webhooks.data?.pages.flatMap((page) => page.data) ?? [];
  const createButton = canManage ? (
    <ButtonLink href="/integrations/webhooks/new" tone="primary">
      Create webhook
    </ButtonLink>
  ) : null;

  return (
    <>
      <PageHeader
        title="Webhooks"
        description="Signed JSON events sent to your own systems: a SIEM, a CMDB, or a notification engine that routes alerts to the right people."
        actions={items.length > 0 ? createButton : null}
      />
      {webhooks.isPending ? (
        <SkeletonRows label="Loading webhooks" />
      ) : webhooks.isError ? (
        <ErrorState title="The webhooks could not be loaded" error={webhooks.error} onRetry={() => void webhooks.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState title="No webhooks yet" action={createButton}>
          <p>
            A webhook sends WASViking events to an HTTPS endpoint you run, as they happen: new and escalated findings into your SIEM, assets appearing and
            disappearing into your CMDB, or everything into a fan-out engine that pages, posts and emails.
          </p>
          <p className="mt-2">
            Every delivery is signed with HMAC-SHA256 and retried for up to 24 hours.
            {canManage ? "" : " Ask an admin of your organisation to create one."}
          </p>
        </EmptyState>
      ) : (
        <>
          <FindDelivery webhooks={items} />
          <ul className="space-y-3" aria-label="Webhooks">
            {items.map((webhook) => (
              <WebhookRow key={webhook.id} webhook={webhook} />
            ))}
          </ul>
          {webhooks.hasNextPage ? (
            <div className="mt-4 flex justify-center">
              <Button onClick={() => void webhooks.fetchNextPage()} pending={webhooks.isFetchingNextPage} pendingLabel="Loading…">
                Show more webhooks
              </Button>
            </div>
          ) : null}
        </>
      )}
    </>
  );
}

function WebhookRow({ webhook }: { webhook: Webhook }) {
  const hidden = webhook.events.length - SHOWN_EVENT_TYPES;
  return (
    <li className="relative rounded-lg border border-slate-200 bg-white p-4 hover:border-blue-300 focus-within:border-blue-400">
      <div className="grid gap-4 lg:grid-cols-[minmax(0,2.2fr)_minmax(0,1.3fr)_minmax(0,1.6fr)_minmax(0,1fr)]">
        <div className="min-w-0">
          <div className="flex flex-wrap items-center gap-2">
            <Link href={`/integrations/webhooks/${webhook.id}`} className="font-mono text-sm font-medium break-all text-blue-800 hover:underline">
              {webhook.url}
            </Link>
            <EnabledBadge webhook={webhook} />
            <HealthBadge health={webhook.health} />
          </div>
          <p className="mt-1 text-sm text-slate-600">{webhook.description ? <bdi>{webhook.description}</bdi> : <span className="italic">No description</span>}</p>
        </div>
        <dl className="contents text-sm">
          <div className="min-w-0">
            <dt className="text-xs font-semibold tracking-wide text-slate-500 uppercase">Events</dt>
            <dd className="mt-1 flex flex-wrap gap-1">
              {webhook.events.slice(0, SHOWN_EVENT_TYPES).map((type) => (
                <code key={type} className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs text-slate-800">
                  {type}
                </code>
              ))}
              {hidden > 0 ? <span className="text-xs text-slate-600">and {hidden} more</span> : null}
            </dd>
          </div>
          <div className="min-w-0">
            <dt className="text-xs font-semibold tracking-wide text-slate-500 uppercase">Last delivery</dt>
            <dd className="mt-1">
              <LastDelivery stats={webhook.delivery_stats} />
            </dd>
          </div>
          <div className="min-w-0">
            <dt className="text-xs font-semibold tracking-wide text-slate-500 uppercase">Success, 24 h</dt>
            <dd className="mt-1">
              <SuccessRate stats={webhook.delivery_stats} />
            </dd>
          </div>
        </dl>
      </div>
      <DisablingWarning health={webhook.health} compact />
    </li>
  );
}
