"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { apiClient } from "@/lib/portal/api-client";

/** Query keys and reads of the API keys feature. */
export const apiKeyKeys = {
  all: ["api-keys"] as const,
  lists: () => [...apiKeyKeys.all, "list"] as const,
};

export function useApiKeys({ enabled }: { enabled: boolean }) {
  return useInfiniteQuery({
    queryKey: apiKeyKeys.lists(),
    queryFn: ({ pageParam }) => apiClient.listApiKeys(pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor,
    enabled,
  });
}
