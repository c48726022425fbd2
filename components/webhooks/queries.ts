"use client";

import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { apiClient } from "@/lib/portal/api-client";

/**
 * Query keys and reads of the webhooks feature. Keys nest, so invalidating a
 * webhook's detail also refreshes its deliveries.
 */
export const webhookKeys = {
  all: ["webhooks"] as const,
  lists: () => [...webhookKeys.all, "list"] as const,
  detail: (id: string) => [...webhookKeys.all, "detail", id] as const,
  deliveries: (id: string) => [...webhookKeys.detail(id), "deliveries"] as const,
  deliveryList: (id: string, filters: object) => [...webhookKeys.deliveries(id), "list", filters] as const,
  delivery: (id: string, deliveryId: string) => [...webhookKeys.deliveries(id), "item", deliveryId] as const,
};

export function useWebhooks() {
  return useInfiniteQuery({
    queryKey: webhookKeys.lists(),
    queryFn: ({ pageParam }) => apiClient.listWebhooks(pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor,
  });
}

export function useWebhook(id: string) {
  return useQuery({ queryKey: webhookKeys.detail(id), queryFn: () => apiClient.getWebhook(id) });
}
