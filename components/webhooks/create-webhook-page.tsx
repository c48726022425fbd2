"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { SigningSecretDialog } from "@/components/secrets/signing-secret-dialog";
import type { RevealedValue } from "@/components/secrets/reveal-once-dialog";
import { useCanManage } from "@/components/shell/portal-context";
import { ButtonLink } from "@/components/ui/button";
import { PageHeader } from "@/components/ui/page-header";
import { EmptyState } from "@/components/ui/states";
import { useCreateWebhook } from "./mutations";
import { WebhookForm } from "./webhook-form";

const LIST = { href: "/integrations/webhooks", label: "Webhooks" };

/** Creating a webhook; its signing secret is shown once in a dialog, and closing it opens the new webhook. */
export function CreateWebhookPage() {
  const router = useRouter();
  const canManage = useCanManage();
  const [revealed, setRevealed] = useState<RevealedValue | null>(null);
  const [createdId, setCreatedId] = useState<string | null>(null);
  const create = useCreateWebhook({ onSecret: setRevealed });

  if (!canManage) {
    return (
      <>
        <PageHeader title="Create a webhook" back={LIST} />
        <EmptyState title="Only admins can create webhooks" action={<ButtonLink href={LIST.href}>Back to webhooks</ButtonLink>}>
          Your role can read webhooks and their deliveries. Ask an admin of your organisation to create one.
        </EmptyState>
      </>
    );
  }

  return (
    <>
      <PageHeader
        title="Create a webhook"
        back={LIST}
        description="WASViking sends each selected event to your endpoint as a signed JSON POST, retries failures for up to 24 hours and keeps events about the same finding in order."
      />
      <div className="max-w-4xl rounded-lg border border-slate-200 bg-white p-5 sm:p-6">
        <WebhookForm
          initial={{ url: "", description: "", events: [], enabled: true }}
          submitLabel="Create webhook"
          pendingLabel="Creating…"
          pending={create.isPending || createdId !== null}
          serverError={create.error}
          onSubmit={(values) => create.mutate(values, { onSuccess: (created) => setCreatedId(created.id) })}
          secondaryAction={
            <ButtonLink href={LIST.href} tone="ghost">
              Cancel
            </ButtonLink>
          }
        />
      </div>
      {revealed && createdId ? (
        <SigningSecretDialog
          title="Webhook created: store its signing secret"
          revealed={revealed}
          onClose={() => {
            setRevealed(null);
            router.push(`/integrations/webhooks/${createdId}`);
          }}
        />
      ) : null}
    </>
  );
}
