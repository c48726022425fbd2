"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useState } from "react";
import type { RevealedValue } from "@/components/secrets/reveal-once-dialog";
import { SigningSecretDialog, VERIFYING_SIGNATURES_DOCS } from "@/components/secrets/signing-secret-dialog";
import { useCanManage } from "@/components/shell/portal-context";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Countdown, RelativeTime } from "@/components/ui/time";
import { useToast } from "@/components/ui/toast";
import { apiClient, problemMessage, type SecretSummary, type Webhook } from "@/lib/portal/api-client";
import { useRevokeSecret, useRotateSecret } from "./mutations";
import { useWebhook, webhookKeys } from "./queries";

/**
 * The Secrets tab: which secrets sign deliveries now, shown by fingerprint
 * (never by value). Rotating starts a 24-hour overlap in which every delivery
 * carries both signatures; the old secret can be revoked before it ends.
 */
export function SecretsTab({ webhookId }: { webhookId: string }) {
  const webhook = useWebhook(webhookId);
  if (!webhook.data) return null;
  return <Secrets webhook={webhook.data} />;
}

/** The secrets as read when the rotation dialog opened: what its text describes, and what the rotation expects. */
interface RotationSnapshot {
  current: SecretSummary | undefined;
  expiring: SecretSummary[];
}

function snapshotOf(secrets: readonly SecretSummary[]): RotationSnapshot {
  return { current: secrets.find((secret) => secret.status === "current"), expiring: secrets.filter((secret) => secret.status === "expiring") };
}

function Secrets({ webhook }: { webhook: Webhook }) {
  const canManage = useCanManage();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [revealed, setRevealed] = useState<RevealedValue | null>(null);
  const [rotation, setRotation] = useState<RotationSnapshot | null>(null);
  const [readingSecrets, setReadingSecrets] = useState(false);
  const [revoking, setRevoking] = useState<SecretSummary | null>(null);
  const rotate = useRotateSecret(webhook.id, { onSecret: setRevealed });
  const revoke = useRevokeSecret(webhook.id);
  const refresh = useCallback(() => void queryClient.invalidateQueries({ queryKey: webhookKeys.detail(webhook.id) }), [queryClient, webhook.id]);

  const { current, expiring } = snapshotOf(webhook.secrets);

  // This page does not follow changes made elsewhere, such as a rotation in another tab, so the secrets are read
  // again before the dialog lists which of them keep signing. The fresh read also updates the page.
  const confirmRotation = async () => {
    setReadingSecrets(true);
    try {
      const fresh = await queryClient.fetchQuery({ queryKey: webhookKeys.detail(webhook.id), queryFn: () => apiClient.getWebhook(webhook.id), staleTime: 0 });
      setRotation(snapshotOf(fresh.secrets));
    } catch (error) {
      toast.error(`The secrets could not be read, so nothing was rotated: ${problemMessage(error)}`);
    } finally {
      setReadingSecrets(false);
    }
  };

  return (
    <div className="max-w-4xl space-y-6">
      <p className="text-sm text-slate-600">
        Each delivery is signed with HMAC-SHA256 using the secrets below; your receiver checks the signature with the secret it holds. Secrets are identified by
        a fingerprint, the first 12 hex digits of their SHA-256.{" "}
        <a className="text-blue-700 underline" href={VERIFYING_SIGNATURES_DOCS}>
          How to verify signatures
        </a>
      </p>

      <section aria-labelledby="current-secret-heading" className="rounded-lg border border-slate-200 bg-white p-5">
        <div className="flex flex-wrap items-start justify-between gap-4">
          <div>
            <h2 id="current-secret-heading" className="text-lg font-semibold">
              Current secret
            </h2>
            {current ? (
              <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
                <dt className="text-slate-500">Fingerprint</dt>
                <dd>
                  <code className="font-mono text-slate-900" data-secret-fingerprint="current">
                    {current.fingerprint}
                  </code>
                </dd>
                <dt className="text-slate-500">Created</dt>
                <dd>
                  <RelativeTime value={current.created_at} />
                </dd>
              </dl>
            ) : (
              <p className="mt-2 text-sm text-red-800">This webhook has no valid secret. Rotate to create one.</p>
            )}
          </div>
          {canManage ? (
            <Button tone="primary" onClick={() => void confirmRotation()} pending={readingSecrets} pendingLabel="Reading the secrets…">
              Rotate secret
            </Button>
          ) : null}
        </div>
      </section>

      {expiring.map((secret) => (
        <section key={secret.id} aria-label={`Previous secret ${secret.fingerprint}`} className="rounded-lg border border-amber-300 bg-amber-50 p-5">
          <div className="flex flex-wrap items-start justify-between gap-4">
            <div>
              <h2 className="flex items-center gap-2 text-lg font-semibold">
                Previous secret <Badge tone="amber">in overlap</Badge>
              </h2>
              <p className="mt-1 text-sm text-slate-700">Still signs every delivery, next to the current secret, until the overlap ends.</p>
              <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
                <dt className="text-slate-600">Fingerprint</dt>
                <dd>
                  <code className="font-mono text-slate-900" data-secret-fingerprint="expiring">
                    {secret.fingerprint}
                  </code>
                </dd>
                <dt className="text-slate-600">Stops signing in</dt>
                <dd data-secret-countdown>{secret.expires_at ? <Countdown deadline={secret.expires_at} onExpired={refresh} /> : null}</dd>
              </dl>
            </div>
            {canManage ? (
              <Button tone="danger" onClick={() => setRevoking(secret)}>
                Revoke now
              </Button>
            ) : null}
          </div>
        </section>
      ))}

      {rotation ? (
        <ConfirmDialog
          title="Rotate the signing secret?"
          tone="primary"
          confirmLabel="Rotate secret"
          pendingLabel="Rotating…"
          pending={rotate.isPending}
          onCancel={() => setRotation(null)}
          onConfirm={() => rotate.mutate({ expectedCurrentSecretId: rotation.current?.id }, { onSettled: () => setRotation(null) })}
        >
          <p>A new secret is created and shown to you once.</p>
          <ul className="mt-2 list-disc space-y-1 pl-5">
            {rotation.current ? (
              <li>
                The current secret (<code className="font-mono">{rotation.current.fingerprint}</code>) keeps signing for 24 hours, so receivers can switch
                without rejecting deliveries.
              </li>
            ) : null}
            {rotation.expiring.map((secret) => (
              <li key={secret.id}>
                The previous secret <code className="font-mono">{secret.fingerprint}</code> stops signing at once: a delivery never carries more than two
                signatures.
              </li>
            ))}
          </ul>
        </ConfirmDialog>
      ) : null}

      {revoking ? (
        <ConfirmDialog
          title="Revoke the previous secret now?"
          confirmLabel="Revoke secret"
          pendingLabel="Revoking…"
          pending={revoke.isPending}
          onCancel={() => setRevoking(null)}
          onConfirm={() => revoke.mutate(revoking.id, { onSettled: () => setRevoking(null) })}
        >
          <p>
            Deliveries stop carrying the signature of <code className="font-mono">{revoking.fingerprint}</code> at once. Receivers that still check only this
            secret will reject every delivery from now on, so switch them to the current secret first.
          </p>
        </ConfirmDialog>
      ) : null}

      {revealed ? <SigningSecretDialog title="New signing secret: store it now" revealed={revealed} onClose={() => setRevealed(null)} /> : null}
    </div>
  );
}
