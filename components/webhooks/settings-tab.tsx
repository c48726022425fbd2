"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { useCanManage } from "@/components/shell/portal-context";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { RelativeTime } from "@/components/ui/time";
import type { UpdateWebhookInput, Webhook } from "@/lib/portal/api-client";
import { useDeleteWebhook, useUpdateWebhook } from "./mutations";
import { useWebhook } from "./queries";
import { WebhookForm, type WebhookFormValues } from "./webhook-form";

/** The Settings tab: the webhook's URL, description, events and state, editable by admins, and its deletion. */
export function SettingsTab({ webhookId }: { webhookId: string }) {
  const webhook = useWebhook(webhookId);
  const canManage = useCanManage();
  if (!webhook.data) return null;
  return canManage ? <EditableSettings webhook={webhook.data} /> : <ReadOnlySettings webhook={webhook.data} />;
}

function changedFields(webhook: Webhook, values: WebhookFormValues): UpdateWebhookInput {
  const changes: UpdateWebhookInput = {};
  if (values.url !== webhook.url) changes.url = values.url;
  if (values.description !== webhook.description) changes.description = values.description;
  if (values.events.join() !== webhook.events.join()) changes.events = values.events;
  if (values.enabled !== webhook.enabled) changes.enabled = values.enabled;
  return changes;
}

function EditableSettings({ webhook }: { webhook: Webhook }) {
  const update = useUpdateWebhook(webhook.id);
  const initial = { url: webhook.url, description: webhook.description, events: webhook.events, enabled: webhook.enabled };
  return (
    <div className="space-y-8">
      <section aria-labelledby="settings-heading" className="max-w-4xl rounded-lg border border-slate-200 bg-white p-5 sm:p-6">
        <h2 id="settings-heading" className="mb-1 text-lg font-semibold">
          Settings
        </h2>
        <p className="mb-5 text-sm text-slate-600">A new URL applies to the next attempt, including retries of deliveries already made.</p>
        <WebhookForm
          key={webhook.updated_at}
          initial={initial}
          submitLabel="Save changes"
          pendingLabel="Saving…"
          pending={update.isPending}
          serverError={update.error}
          requireChange
          onSubmit={(values) => update.mutate(changedFields(webhook, values))}
        />
      </section>
      <DeleteWebhookSection webhook={webhook} />
    </div>
  );
}

function DeleteWebhookSection({ webhook }: { webhook: Webhook }) {
  const router = useRouter();
  const remove = useDeleteWebhook(webhook.id);
  const [confirming, setConfirming] = useState(false);
  const unfinished = webhook.delivery_stats.last_24h.waiting + webhook.delivery_stats.last_24h.retrying;
  return (
    <section aria-labelledby="delete-heading" className="max-w-4xl rounded-lg border border-red-200 bg-white p-5 sm:p-6">
      <h2 id="delete-heading" className="text-lg font-semibold text-red-800">
        Delete this webhook
      </h2>
      <p className="mt-1 text-sm text-slate-600">
        Deleting stops all deliveries to this endpoint for good. To pause them instead, disable the webhook.
      </p>
      <Button tone="danger" className="mt-4" onClick={() => setConfirming(true)}>
        Delete webhook
      </Button>
      {confirming ? (
        <ConfirmDialog
          title="Delete this webhook?"
          confirmLabel="Delete webhook"
          pendingLabel="Deleting…"
          pending={remove.isPending}
          onCancel={() => setConfirming(false)}
          onConfirm={() =>
            remove.mutate(undefined, {
              onSuccess: () => router.push("/integrations/webhooks"),
              onError: () => setConfirming(false),
            })
          }
        >
          <p className="break-all">
            <code className="font-mono">{webhook.url}</code> will stop receiving events.
          </p>
          <ul className="mt-2 list-disc space-y-1 pl-5">
            <li>
              Deliveries not yet made (pending, retrying or held) are discarded and never sent
              {unfinished > 0 ? `: at least ${unfinished} from the last 24 hours` : ""}.
            </li>
            <li>Its signing secrets and its delivery history are deleted.</li>
            <li>This cannot be undone. A new webhook for the same URL gets a new secret.</li>
          </ul>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}

function ReadOnlySettings({ webhook }: { webhook: Webhook }) {
  return (
    <section aria-labelledby="settings-heading" className="max-w-4xl rounded-lg border border-slate-200 bg-white p-5 sm:p-6">
      <h2 id="settings-heading" className="text-lg font-semibold">
        Settings
      </h2>
      <p className="mt-1 text-sm text-slate-600">Your role can read this webhook. Ask an admin to change it.</p>
      <dl className="mt-4 grid gap-x-6 gap-y-3 text-sm sm:grid-cols-[12rem_1fr]">
        <dt className="text-slate-500">Endpoint URL</dt>
        <dd className="font-mono break-all">{webhook.url}</dd>
        <dt className="text-slate-500">Description</dt>
        <dd>
          <bdi>{webhook.description || "No description"}</bdi>
        </dd>
        <dt className="text-slate-500">Event types</dt>
        <dd className="flex flex-wrap gap-1">
          {webhook.events.map((type) => (
            <code key={type} className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs">
              {type}
            </code>
          ))}
        </dd>
        <dt className="text-slate-500">State</dt>
        <dd>{webhook.enabled ? "Enabled" : `Disabled${webhook.disabled_reason ? `: ${webhook.disabled_reason}` : ""}`}</dd>
        <dt className="text-slate-500">Created</dt>
        <dd>
          <RelativeTime value={webhook.created_at} />
        </dd>
        <dt className="text-slate-500">Last changed</dt>
        <dd>
          <RelativeTime value={webhook.updated_at} />
        </dd>
      </dl>
    </section>
  );
}
