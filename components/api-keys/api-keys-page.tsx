"use client";

import { useState } from "react";
import { RevealOnceDialog, type RevealedValue } from "@/components/secrets/reveal-once-dialog";
import { useCanManage } from "@/components/shell/portal-context";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { PageHeader } from "@/components/ui/page-header";
import { EmptyState, ErrorState, SkeletonRows } from "@/components/ui/states";
import { RelativeTime } from "@/components/ui/time";
import type { ApiKey } from "@/lib/portal/api-client";
import { CreateApiKeyDialog } from "./create-api-key-dialog";
import { useCreateApiKey, useRevokeApiKey } from "./mutations";
import { useApiKeys } from "./queries";

/** Settings → API keys: the keys scripts and other systems use to call the REST API. Admins only. */
export function ApiKeysPage() {
  const canManage = useCanManage();
  const keys = useApiKeys({ enabled: canManage });
  const [creating, setCreating] = useState(false);
  const [revealed, setRevealed] = useState<RevealedValue | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const create = useCreateApiKey({ onKey: setRevealed });
  const revoke = useRevokeApiKey();
  const items = keys.data?.pages.flatMap((page) => page.data) ?? [];

  const header = (
    <PageHeader
      title="API keys"
      description={
        <>
          Scripts and other systems call the REST API with an API key in the <code className="font-mono">Authorization: ApiKey …</code> header. Each key has
          only the scopes chosen when it was created.{" "}
          <a className="text-blue-700 underline" href="/docs/api">
            API reference
          </a>
        </>
      }
      actions={
        canManage ? (
          <Button
            tone="primary"
            onClick={() => {
              create.reset();
              setCreating(true);
            }}
          >
            Create API key
          </Button>
        ) : null
      }
    />
  );

  if (!canManage) {
    return (
      <>
        {header}
        <EmptyState title="Only admins can manage API keys">Ask an admin of your organisation for a key with the scopes you need.</EmptyState>
      </>
    );
  }

  return (
    <>
      {header}
      {keys.isPending ? (
        <SkeletonRows label="Loading API keys" />
      ) : keys.isError ? (
        <ErrorState title="The API keys could not be loaded" error={keys.error} onRetry={() => void keys.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState title="No API keys yet" action={<Button tone="primary" onClick={() => setCreating(true)}>Create API key</Button>}>
          Create a key for each script or system that calls the API, so each can be revoked on its own.
        </EmptyState>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
          <table className="min-w-full divide-y divide-slate-200 text-sm">
            <thead className="bg-slate-50 text-left text-xs font-semibold tracking-wide text-slate-600 uppercase">
              <tr>
                <th scope="col" className="px-4 py-2">Name</th>
                <th scope="col" className="px-4 py-2">Key</th>
                <th scope="col" className="px-4 py-2">Scopes</th>
                <th scope="col" className="px-4 py-2">Created</th>
                <th scope="col" className="px-4 py-2">Last used</th>
                <th scope="col" className="px-4 py-2">Status</th>
                <th scope="col" className="px-4 py-2">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {items.map((key) => (
                <tr key={key.id} data-api-key-id={key.id} className={`align-top ${key.revoked_at ? "text-slate-500" : ""}`}>
                  <td className="px-4 py-3 font-medium break-words">
                    <bdi>{key.name}</bdi>
                  </td>
                  <td className="px-4 py-3 font-mono whitespace-nowrap">{key.prefix}…</td>
                  <td className="px-4 py-3">
                    <span className="flex flex-wrap gap-1">
                      {key.scopes.map((scope) => (
                        <code key={scope} className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs">
                          {scope}
                        </code>
                      ))}
                    </span>
                  </td>
                  <td className="px-4 py-3 whitespace-nowrap">
                    <RelativeTime value={key.created_at} />
                    {key.created_by ? (
                      <span className="block text-xs text-slate-500">
                        by <bdi>{key.created_by.name}</bdi>
                      </span>
                    ) : null}
                  </td>
                  <td className="px-4 py-3 whitespace-nowrap">{key.last_used_at ? <RelativeTime value={key.last_used_at} /> : "Never"}</td>
                  <td className="px-4 py-3">
                    {key.revoked_at ? (
                      <Badge tone="slate">
                        {/* One inline span keeps the space, which the badge's flex layout would drop between two items. */}
                        <span>
                          Revoked <RelativeTime value={key.revoked_at} />
                        </span>
                      </Badge>
                    ) : (
                      <Badge tone="green">Active</Badge>
                    )}
                  </td>
                  <td className="px-4 py-3 text-right">
                    {key.revoked_at ? null : (
                      <Button tone="danger" onClick={() => setRevoking(key)} aria-label={`Revoke API key ${key.name}`}>
                        Revoke
                      </Button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {keys.hasNextPage ? (
        <div className="mt-4 flex justify-center">
          <Button onClick={() => void keys.fetchNextPage()} pending={keys.isFetchingNextPage} pendingLabel="Loading…">
            Show more keys
          </Button>
        </div>
      ) : null}

      {creating ? (
        <CreateApiKeyDialog
          pending={create.isPending}
          serverError={create.error}
          onCancel={() => setCreating(false)}
          onSubmit={(input) => create.mutate(input, { onSuccess: () => setCreating(false) })}
        />
      ) : null}
      {revealed ? (
        <RevealOnceDialog title="API key created: store it now" noun="API key" labelName="Prefix" revealed={revealed} onClose={() => setRevealed(null)}>
          <p className="text-sm text-slate-700">
            Send it as <code className="font-mono">Authorization: ApiKey &lt;key&gt;</code>. The prefix identifies the key in this list and in the audit trail.
          </p>
        </RevealOnceDialog>
      ) : null}
      {revoking ? (
        <ConfirmDialog
          title={
            <>
              Revoke the API key &quot;<bdi>{revoking.name}</bdi>&quot;?
            </>
          }
          confirmLabel="Revoke API key"
          pendingLabel="Revoking…"
          pending={revoke.isPending}
          onCancel={() => setRevoking(null)}
          onConfirm={() => revoke.mutate(revoking.id, { onSettled: () => setRevoking(null) })}
        >
          <p>
            Every request with <code className="font-mono">{revoking.prefix}…</code> is rejected from now on. Scripts that still use it stop working. This cannot
            be undone.
          </p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}
