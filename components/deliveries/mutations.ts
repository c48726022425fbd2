"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { webhookKeys } from "@/components/webhooks/queries";
import { useToast } from "@/components/ui/toast";
import { apiClient, problemMessage } from "@/lib/portal/api-client";

/**
 * Replays a delivery from the inspector. The outcome is shown where it
 * belongs, as the newest attempt of the delivery's timeline: the delivery and
 * the lists it appears in are read again as soon as the attempt is recorded.
 */
export function useReplay(webhookId: string) {
  const queryClient = useQueryClient();
  const toast = useToast();
  return useMutation({
    mutationFn: (deliveryId: string) => apiClient.replayDelivery(webhookId, deliveryId),
    onSuccess: (result) => {
      if (result.attempt.succeeded) toast.success("Delivery replayed: the endpoint accepted it.");
      else toast.error("Delivery replayed, but the endpoint did not accept it. The new attempt shows why.");
    },
    onError: (error) => toast.error(`The delivery was not replayed: ${problemMessage(error)}`),
    onSettled: () => queryClient.invalidateQueries({ queryKey: webhookKeys.detail(webhookId) }),
  });
}
