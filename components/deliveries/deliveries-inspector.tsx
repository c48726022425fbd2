"use client";

import { useParams, useRouter, useSearchParams } from "next/navigation";
import { useMemo } from "react";
import { useCanManage } from "@/components/shell/portal-context";
import { Button } from "@/components/ui/button";
import { EmptyState, ErrorState, SkeletonRows } from "@/components/ui/states";
import { SendTestEventButton } from "@/components/webhooks/send-test-event";
import { useWebhook } from "@/components/webhooks/queries";
import { apiQueryOfFilters, filtersFromSearchParams, hasFilters, type InspectorFilters, NO_FILTERS, searchParamsOfFilters } from "@/lib/portal/inspector-filters";
import { DeliveriesTable } from "./deliveries-table";
import { DeliveryFiltersForm } from "./delivery-filters-form";
import { deliveriesPath } from "./paths";
import { LIST_REFRESH_MS, LIVE_PAGE_LIMIT, useDeliveryList } from "./queries";

/**
 * Webhooks → (webhook) → Deliveries: every delivery of the webhook, newest
 * first, with filters kept in the page's URL. The list refreshes itself while
 * the page is open; a delivery opens in a panel with a URL of its own.
 */
export function DeliveriesInspector({ webhookId }: { webhookId: string }) {
  const router = useRouter();
  const searchParams = useSearchParams();
  const { deliveryId: openDeliveryId } = useParams<{ deliveryId?: string }>();
  const canManage = useCanManage();
  const webhook = useWebhook(webhookId);
  const filters = useMemo(() => filtersFromSearchParams(new URLSearchParams(searchParams.toString())), [searchParams]);
  const built = apiQueryOfFilters(filters, new Date());
  const invalid = "error" in built ? built.error : null;
  const list = useDeliveryList(webhookId, filters, invalid === null);
  const items = list.data?.pages.flatMap((page) => page.data) ?? [];
  const filtered = hasFilters(filters);
  const live = (list.data?.pages.length ?? 0) <= LIVE_PAGE_LIMIT;

  const applyFilters = (next: InspectorFilters) => {
    router.replace(deliveriesPath(webhookId, searchParamsOfFilters(next).toString()), { scroll: false });
  };
  const subscribedTypes = webhook.data ? [...webhook.data.events, "webhook.test"] : ["webhook.test"];

  let body;
  if (invalid !== null) body = null;
  else if (list.isPending) body = <SkeletonRows rows={5} label="Loading deliveries" />;
  else if (list.isError) body = <ErrorState title="The deliveries could not be loaded" error={list.error} onRetry={() => void list.refetch()} />;
  else if (items.length === 0 && filtered) {
    body = (
      <EmptyState title="No deliveries match these filters" action={<Button onClick={() => applyFilters(NO_FILTERS)}>Clear filters</Button>}>
        Widen the time range or clear a filter. A delivery id, event id or finding id finds a delivery of any age.
      </EmptyState>
    );
  } else if (items.length === 0) {
    body = (
      <EmptyState title="No deliveries yet" action={canManage ? <SendTestEventButton webhookId={webhookId} /> : null}>
        A delivery appears here each time an event this webhook listens to happens.
        {canManage ? " Send a test event to check that your endpoint receives and verifies them." : ""}
      </EmptyState>
    );
  } else {
    body = (
      <>
        <DeliveriesTable webhookId={webhookId} deliveries={items} openDeliveryId={openDeliveryId ?? null} search={searchParams.toString()} />
        {list.hasNextPage ? (
          <div className="mt-4 flex justify-center">
            <Button onClick={() => void list.fetchNextPage()} pending={list.isFetchingNextPage} pendingLabel="Loading…">
              Show older deliveries
            </Button>
          </div>
        ) : (
          <p className="mt-4 text-center text-sm text-slate-500">{filtered ? "No older deliveries match." : "No older deliveries."}</p>
        )}
      </>
    );
  }

  return (
    <section aria-labelledby="deliveries-heading">
      <div className="mb-3 flex flex-wrap items-center justify-between gap-3">
        <div>
          <h2 id="deliveries-heading" className="text-lg font-semibold">
            Deliveries
          </h2>
          <p className="text-sm text-slate-600" aria-live="polite">
            {live
              ? `Newest first. New deliveries and status changes appear by themselves every ${LIST_REFRESH_MS / 1000} seconds.`
              : "Newest first. Automatic refresh is paused while older deliveries are shown."}
          </p>
        </div>
        <div className="flex flex-wrap items-center gap-2">
          <Button onClick={() => void list.refetch()} pending={list.isRefetching && !list.isFetchingNextPage} pendingLabel="Refreshing…" disabled={invalid !== null}>
            Refresh
          </Button>
        </div>
      </div>
      <DeliveryFiltersForm filters={filters} eventTypes={subscribedTypes} error={invalid} onChange={applyFilters} />
      <div className="mt-4">{body}</div>
    </section>
  );
}
