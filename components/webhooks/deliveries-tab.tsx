"use client";

import { useCanManage } from "@/components/shell/portal-context";
import { Badge, DeliveryStatusBadge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { EmptyState, ErrorState, SkeletonRows } from "@/components/ui/states";
import { RelativeTime } from "@/components/ui/time";
import type { Delivery } from "@/lib/portal/api-client";
import { formatDuration } from "@/lib/portal/format";
import { useWebhookDeliveries } from "./queries";
import { SendTestEventButton } from "./send-test-event";

/** The Deliveries tab: the webhook's deliveries, newest first, with their status and the endpoint's latest response. */
export function DeliveriesTab({ webhookId }: { webhookId: string }) {
  const canManage = useCanManage();
  const deliveries = useWebhookDeliveries(webhookId);
  const items = deliveries.data?.pages.flatMap((page) => page.data) ?? [];

  if (deliveries.isPending) return <SkeletonRows rows={5} label="Loading deliveries" />;
  if (deliveries.isError) return <ErrorState title="The deliveries could not be loaded" error={deliveries.error} onRetry={() => void deliveries.refetch()} />;
  if (items.length === 0) {
    return (
      <EmptyState title="No deliveries yet" action={canManage ? <SendTestEventButton webhookId={webhookId} /> : null}>
        A delivery appears here each time an event this webhook listens to happens.
        {canManage ? " Send a test event to check that your endpoint receives and verifies them." : ""}
      </EmptyState>
    );
  }

  return (
    <section aria-labelledby="deliveries-heading">
      <div className="mb-3 flex flex-wrap items-center justify-between gap-3">
        <div>
          <h2 id="deliveries-heading" className="text-lg font-semibold">
            Deliveries
          </h2>
          <p className="text-sm text-slate-600">Newest first. The list refreshes itself every 15 seconds.</p>
        </div>
        <Button onClick={() => void deliveries.refetch()} pending={deliveries.isRefetching && !deliveries.isFetchingNextPage} pendingLabel="Refreshing…">
          Refresh
        </Button>
      </div>
      <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
        <table className="min-w-full divide-y divide-slate-200 text-sm">
          <thead className="bg-slate-50 text-left text-xs font-semibold tracking-wide text-slate-600 uppercase">
            <tr>
              <th scope="col" className="px-4 py-2">Status</th>
              <th scope="col" className="px-4 py-2">Created</th>
              <th scope="col" className="px-4 py-2">Event</th>
              <th scope="col" className="px-4 py-2">Subject</th>
              <th scope="col" className="px-4 py-2 text-right">Attempts</th>
              <th scope="col" className="px-4 py-2">Last response</th>
              <th scope="col" className="px-4 py-2">Next attempt</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {items.map((delivery) => (
              <DeliveryRow key={delivery.id} delivery={delivery} />
            ))}
          </tbody>
        </table>
      </div>
      {deliveries.hasNextPage ? (
        <div className="mt-4 flex justify-center">
          <Button onClick={() => void deliveries.fetchNextPage()} pending={deliveries.isFetchingNextPage} pendingLabel="Loading…">
            Show older deliveries
          </Button>
        </div>
      ) : null}
    </section>
  );
}

function DeliveryRow({ delivery }: { delivery: Delivery }) {
  const last = delivery.last_attempt;
  return (
    <tr data-delivery-id={delivery.id} className="align-top">
      <td className="px-4 py-3">
        <DeliveryStatusBadge status={delivery.status} />
      </td>
      <td className="px-4 py-3 whitespace-nowrap text-slate-700">
        <RelativeTime value={delivery.created_at} />
      </td>
      <td className="px-4 py-3">
        <code className="font-mono text-slate-900">{delivery.event_type}</code>
        {delivery.event_type === "webhook.test" ? (
          <span className="ml-2">
            <Badge tone="blue">test</Badge>
          </span>
        ) : null}
        <span className="block font-mono text-xs text-slate-500">{delivery.id}</span>
      </td>
      <td className="px-4 py-3 font-mono text-xs break-all text-slate-700">{delivery.subject ?? "—"}</td>
      <td className="px-4 py-3 text-right tabular-nums">{delivery.attempts}</td>
      <td className="px-4 py-3 whitespace-nowrap">
        {last ? (
          <>
            <span className={last.status_code !== null && last.status_code < 300 ? "text-emerald-800" : "text-red-800"}>
              {last.status_code !== null ? `HTTP ${last.status_code}` : (last.error_class ?? "no answer")}
            </span>
            {last.duration_ms !== null ? <span className="text-slate-500"> · {formatDuration(last.duration_ms)}</span> : null}
            <span className="block text-xs text-slate-500">
              <RelativeTime value={last.at} />
            </span>
          </>
        ) : (
          <span className="text-slate-500">Not attempted yet</span>
        )}
      </td>
      <td className="px-4 py-3 whitespace-nowrap text-slate-700">{delivery.next_attempt_at ? <RelativeTime value={delivery.next_attempt_at} /> : "—"}</td>
    </tr>
  );
}
