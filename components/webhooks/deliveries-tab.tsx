"use client";

import { useState } from "react";
import { useCanManage } from "@/components/shell/portal-context";
import { Badge, DeliveryStatusBadge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { EmptyState, ErrorState, SkeletonRows } from "@/components/ui/states";
import { RelativeTime } from "@/components/ui/time";
import type { AttemptResult, Delivery } from "@/lib/portal/api-client";
import { formatDuration } from "@/lib/portal/format";
import { AttemptResultDialog } from "./attempt-result-dialog";
import { useReplayDelivery } from "./mutations";
import { useWebhookDeliveries } from "./queries";
import { SendTestEventButton } from "./send-test-event";

/** The Deliveries tab: the webhook's deliveries, newest first, with their status and the endpoint's latest response. */
export function DeliveriesTab({ webhookId }: { webhookId: string }) {
  const canManage = useCanManage();
  const deliveries = useWebhookDeliveries(webhookId);
  const replay = useReplayDelivery(webhookId);
  const [replayed, setReplayed] = useState<AttemptResult | null>(null);
  const items = deliveries.data?.pages.flatMap((page) => page.data) ?? [];
  const onReplay = canManage
    ? (deliveryId: string) => replay.mutate(deliveryId, { onSuccess: setReplayed })
    : undefined;

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
              {onReplay ? (
                <th scope="col" className="px-4 py-2">
                  <span className="sr-only">Actions</span>
                </th>
              ) : null}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {items.map((delivery) => (
              <DeliveryRow
                key={delivery.id}
                delivery={delivery}
                onReplay={onReplay}
                replaying={replay.isPending && replay.variables === delivery.id}
              />
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
      {replayed ? (
        <AttemptResultDialog
          result={replayed}
          title={replayed.attempt.succeeded ? "Delivery replayed" : "Replay not accepted"}
          description={
            replayed.attempt.succeeded
              ? "The endpoint accepted a new attempt of this delivery, signed with the current secrets and carrying the same delivery id."
              : "WASViking made a new attempt of this delivery, but the endpoint did not accept it."
          }
          onClose={() => setReplayed(null)}
        />
      ) : null}
    </section>
  );
}

interface DeliveryRowProps {
  delivery: Delivery;
  // Admins only: makes a new attempt of the delivery now.
  onReplay?: (deliveryId: string) => void;
  replaying: boolean;
}

// Deliveries still on their way are retried by the schedule, so replay is offered for finished ones only.
const REPLAYABLE = new Set(["succeeded", "failed"]);

function DeliveryRow({ delivery, onReplay, replaying }: DeliveryRowProps) {
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
      {onReplay ? (
        <td className="px-4 py-3 text-right">
          {REPLAYABLE.has(delivery.status) ? (
            <Button onClick={() => onReplay(delivery.id)} pending={replaying} pendingLabel="Replaying…" aria-label={`Replay delivery ${delivery.id}`}>
              Replay
            </Button>
          ) : null}
        </td>
      ) : null}
    </tr>
  );
}
