"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRef } from "react";
import type { RevealedValue } from "@/components/secrets/reveal-once-dialog";
import { useToast } from "@/components/ui/toast";
import {
  ApiProblem,
  apiClient,
  CURRENT_SECRET_CHANGED,
  type CreateWebhookInput,
  problemMessage,
  type RevokeSecretResult,
  type RotatedSecret,
  type UpdateWebhookInput,
} from "@/lib/portal/api-client";
import { formatDateTime } from "@/lib/portal/format";
import { webhookKeys } from "./queries";

/**
 * One hook per change to a webhook. Each refreshes the reads it affects and
 * shows a notice. Hooks that receive a secret hand it to `onSecret` and return
 * the rest of the response, so the secret never enters react-query's caches.
 */
export function useCreateWebhook({ onSecret }: { onSecret: (secret: RevealedValue) => void }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const secretHandler = useRef(onSecret);
  secretHandler.current = onSecret;
  return useMutation({
    mutationFn: async (input: CreateWebhookInput) => {
      const { secret, ...created } = await apiClient.createWebhook(input);
      secretHandler.current({ value: secret, label: created.secrets[0]?.fingerprint ?? "" });
      return created;
    },
    onSuccess: () => toast.success("Webhook created. Store its signing secret now."),
    onError: (error) => toast.error(`The webhook was not created: ${problemMessage(error)}`),
    onSettled: () => queryClient.invalidateQueries({ queryKey: webhookKeys.lists() }),
  });
}

export function useUpdateWebhook(id: string) {
  const queryClient = useQueryClient();
  const toast = useToast();
  return useMutation({
    mutationFn: (input: UpdateWebhookInput) => apiClient.updateWebhook(id, input),
    onSuccess: (_webhook, input) => {
      if (input.enabled === true && Object.keys(input).length === 1) toast.success("Webhook enabled: new events are delivered again.");
      else if (input.enabled === false && Object.keys(input).length === 1) toast.success("Webhook disabled: no new deliveries are made.");
      else toast.success("Webhook saved.");
    },
    onError: (error) => toast.error(`The webhook was not changed: ${problemMessage(error)}`),
    onSettled: () => queryClient.invalidateQueries({ queryKey: webhookKeys.all }),
  });
}

export function useDeleteWebhook(id: string) {
  const queryClient = useQueryClient();
  const toast = useToast();
  return useMutation({
    mutationFn: () => apiClient.deleteWebhook(id),
    onSuccess: () => {
      queryClient.removeQueries({ queryKey: webhookKeys.detail(id) });
      toast.success("Webhook deleted. Its pending deliveries were discarded.");
    },
    onError: (error) => toast.error(`The webhook was not deleted: ${problemMessage(error)}`),
    onSettled: () => queryClient.invalidateQueries({ queryKey: webhookKeys.lists() }),
  });
}

/**
 * Rotates a webhook's secret. `expectedCurrentSecretId` is the current secret
 * the confirmation showed: if another rotation replaced it meanwhile, the API
 * rotates nothing (409), so the secrets that dialog promised to keep still sign.
 */
export function useRotateSecret(id: string, { onSecret }: { onSecret: (secret: RevealedValue) => void }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const secretHandler = useRef(onSecret);
  secretHandler.current = onSecret;
  return useMutation({
    mutationFn: async ({ expectedCurrentSecretId }: { expectedCurrentSecretId?: string }) => {
      const { secret, ...rotated } = await apiClient.rotateSecret(id, expectedCurrentSecretId);
      secretHandler.current({ value: secret, label: rotated.fingerprint });
      return rotated;
    },
    onSuccess: (rotated) => toast.success(rotateNotice(rotated)),
    onError: (error) => toast.error(`The secret was not rotated: ${rotateFailure(error)}`),
    onSettled: () => queryClient.invalidateQueries({ queryKey: webhookKeys.detail(id) }),
  });
}

function rotateNotice(rotated: Omit<RotatedSecret, "secret">): string {
  const previous = rotated.secrets.find((secret) => secret.status === "expiring");
  const overlap = previous ? ` The previous secret ${previous.fingerprint} keeps signing for 24 hours.` : "";
  const revoked = rotated.revoked_secrets.map((secret) => ` Secret ${secret.fingerprint} stopped signing at once.`).join("");
  return `Secret rotated.${overlap}${revoked}`;
}

function rotateFailure(error: unknown): string {
  if (error instanceof ApiProblem && error.problemType === CURRENT_SECRET_CHANGED) {
    return "another rotation came first, so the current secret is no longer the one you confirmed. Check the secrets below, then rotate again if you still need to.";
  }
  return problemMessage(error);
}

export function useRevokeSecret(id: string) {
  const queryClient = useQueryClient();
  const toast = useToast();
  return useMutation({
    mutationFn: (secretId: string) => apiClient.revokeSecret(id, secretId),
    onSuccess: (result) => toast.success(revokeNotice(result)),
    onError: (error) => toast.error(`The secret was not revoked: ${problemMessage(error)}`),
    onSettled: () => queryClient.invalidateQueries({ queryKey: webhookKeys.detail(id) }),
  });
}

// Another tab or the end of the overlap may have stopped the secret first, and the notice then gives the time. A
// rotation made meanwhile can leave another old secret signing, so the last sentence depends on what still signs.
function revokeNotice(result: RevokeSecretResult): string {
  const { outcome, revoked_at, expires_at } = result.revoked_secret;
  const signing = result.secrets.length === 1 ? " Deliveries are now signed with the current secret only." : "";
  if (outcome === "already_revoked" && revoked_at) return `The old secret was already revoked on ${formatDateTime(revoked_at)}.${signing}`;
  if (outcome === "already_expired") return `The old secret had already expired on ${formatDateTime(expires_at)}.${signing}`;
  return `Old secret revoked.${signing}`;
}

export function useSendTestEvent(id: string) {
  const queryClient = useQueryClient();
  const toast = useToast();
  return useMutation({
    mutationFn: () => apiClient.sendTestEvent(id),
    onSuccess: (result) => {
      if (result.attempt.succeeded) toast.success("Test event delivered.");
      else toast.error("The test event was sent, but the endpoint did not accept it. See the result for details.");
    },
    onError: (error) => toast.error(`The test event was not sent: ${problemMessage(error)}`),
    onSettled: () => queryClient.invalidateQueries({ queryKey: webhookKeys.detail(id) }),
  });
}
