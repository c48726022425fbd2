"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { webhookKeys } from "@/components/webhooks/queries";
import { useToast } from "@/components/ui/toast";
import { apiClient, problemMessage } from "@/lib/portal/api-client";
import { formatCount } from "@/lib/portal/usage";

/** Changes to a webhook's daily cap and its held deliveries; each refreshes the webhook and every usage view. */
export function useChangeDailyCap(id: string) {
  const queryClient = useQueryClient();
  const toast = useToast();
  return useMutation({
    mutationFn: (dailyCap: number) => apiClient.updateWebhook(id, { daily_cap: dailyCap }),
    onSuccess: (webhook) => toast.success(`Daily cap set to ${formatCount(webhook.daily_cap)} deliveries.`),
    onError: (error) => toast.error(`The daily cap was not changed: ${problemMessage(error)}`),
    onSettled: async () => {
      await queryClient.invalidateQueries({ queryKey: webhookKeys.detail(id) });
      await queryClient.invalidateQueries({ queryKey: ["usage"] });
    },
  });
}

export function useReleaseHeldDeliveries(id: string) {
  const queryClient = useQueryClient();
  const toast = useToast();
  return useMutation({
    mutationFn: () => apiClient.releaseHeldDeliveries(id),
    onSuccess: (result) =>
      toast.success(result.released === 1 ? "1 held delivery released: it goes out now." : `${formatCount(result.released)} held deliveries released: they go out now.`),
    onError: (error) => toast.error(`The held deliveries were not released: ${problemMessage(error)}`),
    onSettled: async () => {
      await queryClient.invalidateQueries({ queryKey: webhookKeys.detail(id) });
      await queryClient.invalidateQueries({ queryKey: ["usage"] });
    },
  });
}
