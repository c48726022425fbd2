"use client";

import { useQuery } from "@tanstack/react-query";
import { webhookKeys } from "@/components/webhooks/queries";
import { apiClient, type UsageGranularity } from "@/lib/portal/api-client";

/**
 * Reads of usage against the daily cap. A webhook's usage nests under its
 * detail key, so every change to the webhook refreshes it too.
 */
export const usageKeys = {
  webhook: (id: string, granularity: UsageGranularity) => [...webhookKeys.detail(id), "usage", granularity] as const,
  organization: (granularity: UsageGranularity) => ["usage", "organization", granularity] as const,
};

// Deliveries are counted as the worker admits them, so open usage views refresh themselves.
const USAGE_REFRESH_MS = 30_000;

export function useWebhookUsage(id: string, granularity: UsageGranularity) {
  return useQuery({
    queryKey: usageKeys.webhook(id, granularity),
    queryFn: () => apiClient.getWebhookUsage(id, granularity),
    refetchInterval: USAGE_REFRESH_MS,
  });
}

export function useOrganizationUsage(granularity: UsageGranularity) {
  return useQuery({
    queryKey: usageKeys.organization(granularity),
    queryFn: () => apiClient.getOrganizationUsage(granularity),
    refetchInterval: USAGE_REFRESH_MS,
  });
}
