"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRef } from "react";
import type { RevealedValue } from "@/components/secrets/reveal-once-dialog";
import { useToast } from "@/components/ui/toast";
import { apiClient, type CreateApiKeyInput, problemMessage } from "@/lib/portal/api-client";
import { apiKeyKeys } from "./queries";

/**
 * One hook per change to API keys. The new key goes to `onKey` and not into
 * the mutation's result, so it never enters react-query's caches.
 */
export function useCreateApiKey({ onKey }: { onKey: (key: RevealedValue) => void }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const keyHandler = useRef(onKey);
  keyHandler.current = onKey;
  return useMutation({
    mutationFn: async (input: CreateApiKeyInput) => {
      const { key, ...created } = await apiClient.createApiKey(input);
      keyHandler.current({ value: key, label: created.prefix });
      return created;
    },
    onSuccess: (created) => toast.success(`API key "${created.name}" created. Store it now.`),
    onError: (error) => toast.error(`The API key was not created: ${problemMessage(error)}`),
    onSettled: () => queryClient.invalidateQueries({ queryKey: apiKeyKeys.lists() }),
  });
}

export function useRevokeApiKey() {
  const queryClient = useQueryClient();
  const toast = useToast();
  return useMutation({
    mutationFn: (id: string) => apiClient.revokeApiKey(id),
    onSuccess: (revoked) => toast.success(`API key "${revoked.name}" revoked. Requests with it are now rejected.`),
    onError: (error) => toast.error(`The API key was not revoked: ${problemMessage(error)}`),
    onSettled: () => queryClient.invalidateQueries({ queryKey: apiKeyKeys.lists() }),
  });
}
