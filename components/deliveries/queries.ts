"use client";

import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { webhookKeys } from "@/components/webhooks/queries";
import { apiClient, type DeliveryDetail } from "@/lib/portal/api-client";
import { apiQueryOfFilters, type InspectorFilters } from "@/lib/portal/inspector-filters";

/**
 * Reads of the deliveries inspector. Both refresh themselves while the page is
 * open and visible (react-query pauses intervals in hidden tabs), so new
 * deliveries, retries and replays show up without a reload (docs/inspector.md).
 */
export const LIST_REFRESH_MS = 5_000;
// Refreshing a list re-reads every loaded page, one request each, so deep scrolls stop refreshing by themselves.
export const LIVE_PAGE_LIMIT = 4;
const OPEN_DELIVERY_REFRESH_MS = 3_000;
const FINISHED_DELIVERY_REFRESH_MS = 15_000;

/** Pages of a webhook's deliveries under the given filters, newest first; disabled while the filters are invalid. */
export function useDeliveryList(webhookId: string, filters: InspectorFilters, enabled: boolean) {
  return useInfiniteQuery({
    queryKey: webhookKeys.deliveryList(webhookId, filters),
    queryFn: ({ pageParam }) => {
      // A preset window ("last hour") ends at the time of each request, so a refresh moves it along.
      const built = apiQueryOfFilters(filters, new Date());
      if ("error" in built) throw new Error(built.error);
      return apiClient.listDeliveries(webhookId, built.query, pageParam);
    },
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor,
    enabled,
    refetchInterval: (query) => ((query.state.data?.pages.length ?? 0) <= LIVE_PAGE_LIMIT ? LIST_REFRESH_MS : false),
  });
}

function isOpen(delivery: DeliveryDetail | undefined): boolean {
  return delivery !== undefined && (delivery.status === "pending" || delivery.status === "retrying");
}

/** Reads one delivery with its attempts, again every few seconds while it is still on its way. */
export function useDeliveryDetail(webhookId: string, deliveryId: string) {
  return useQuery({
    queryKey: webhookKeys.delivery(webhookId, deliveryId),
    queryFn: () => apiClient.getDelivery(webhookId, deliveryId),
    refetchInterval: (query) => (isOpen(query.state.data) ? OPEN_DELIVERY_REFRESH_MS : FINISHED_DELIVERY_REFRESH_MS),
  });
}
