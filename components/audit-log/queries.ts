"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { apiClient } from "@/lib/portal/api-client";

/** Query keys and reads of the audit log. */
export const auditLogKeys = {
  all: ["audit-log"] as const,
  list: (query: Record<string, string>) => [...auditLogKeys.all, "list", query] as const,
};

export function useAuditLog(query: Record<string, string> | null, { enabled }: { enabled: boolean }) {
  return useInfiniteQuery({
    queryKey: auditLogKeys.list(query ?? {}),
    queryFn: ({ pageParam }) => apiClient.listAuditLog(query ?? {}, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor,
    enabled: enabled && query !== null,
  });
}
