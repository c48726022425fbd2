"use client";

import Link from "next/link";
import { useId, useState } from "react";
import { deliveryPath } from "@/components/deliveries/paths";
import { InertText } from "@/components/deliveries/inert-text";
import { Button } from "@/components/ui/button";
import { RelativeTime } from "@/components/ui/time";
import type { AuditEntry } from "@/lib/portal/api-client";
import { formatDateTime } from "@/lib/portal/format";

const ACTOR_KINDS = { user: "User", api_key: "API key", system: "WASViking" } as const;

/**
 * Renders one audit entry as a table row, with its details in a second row
 * that opens on request. Every value is rendered as text by React: labels and
 * details come from user input (names, URLs, descriptions) and must never be
 * interpreted as markup.
 */
export function AuditEntryRow({ entry, onFilterActor, onFilterTarget }: { entry: AuditEntry; onFilterActor: (actor: string) => void; onFilterTarget: (targetId: string) => void }) {
  const [open, setOpen] = useState(false);
  const detailsId = useId();

  return (
    <>
      <tr data-audit-entry-id={entry.id} data-action={entry.action} className="align-top">
        <td className="px-4 py-3 whitespace-nowrap">
          <RelativeTime value={entry.created_at} />
        </td>
        <td className="px-4 py-3">
          <button
            type="button"
            className="text-left break-words text-slate-900 hover:underline"
            title="Show only this actor's entries"
            onClick={() => onFilterActor(entry.actor.id ?? "system")}
          >
            <bdi>{entry.actor.label}</bdi>
          </button>
          <span className="block text-xs text-slate-500">{ACTOR_KINDS[entry.actor.type]}</span>
        </td>
        <td className="px-4 py-3">
          <span className="font-medium">{entry.action_label}</span>
          <code className="block font-mono text-xs text-slate-500">{entry.action}</code>
        </td>
        <td className="px-4 py-3">
          <TargetCell entry={entry} onFilterTarget={onFilterTarget} />
        </td>
        <td className="px-4 py-3 font-mono text-xs whitespace-nowrap">{entry.source_ip ?? "—"}</td>
        <td className="px-4 py-3 text-right">
          <Button tone="ghost" aria-expanded={open} aria-controls={detailsId} onClick={() => setOpen(!open)}>
            {open ? "Hide details" : "Details"}
          </Button>
        </td>
      </tr>
      {open ? (
        <tr id={detailsId} className="bg-slate-50">
          <td colSpan={6} className="px-4 py-3">
            <dl className="mb-3 grid grid-cols-[minmax(7rem,auto)_1fr] gap-x-4 gap-y-1 text-sm">
              <dt className="text-slate-500">Time</dt>
              <dd>{formatDateTime(entry.created_at)}</dd>
              <dt className="text-slate-500">Actor id</dt>
              <dd className="font-mono break-all">{entry.actor.id ?? "none"}</dd>
              <dt className="text-slate-500">User agent</dt>
              <dd className="break-all">{entry.user_agent ?? "—"}</dd>
              <dt className="text-slate-500">Entry id</dt>
              <dd className="font-mono break-all">{entry.id}</dd>
            </dl>
            <InertText text={JSON.stringify(entry.details)} label="Details" copyLabel="Copy the details" />
          </td>
        </tr>
      ) : null}
    </>
  );
}

function TargetCell({ entry, onFilterTarget }: { entry: AuditEntry; onFilterTarget: (targetId: string) => void }) {
  if (!entry.target) return <span className="text-slate-500">—</span>;
  const { type, id } = entry.target;
  let link: string | null = null;
  if (entry.webhook_id && type === "webhook") link = `/integrations/webhooks/${encodeURIComponent(entry.webhook_id)}`;
  else if (entry.webhook_id && type === "delivery") link = deliveryPath(entry.webhook_id, id);
  const deleted = !entry.webhook_id && type === "webhook";
  return (
    <span className="block">
      <span className="text-xs text-slate-500">{type}</span>{" "}
      {link ? (
        <Link href={link} className="font-mono text-xs break-all text-blue-700 underline">
          {id}
        </Link>
      ) : (
        <span className="font-mono text-xs break-all">{id}</span>
      )}
      {deleted ? <span className="text-xs text-slate-500"> (deleted)</span> : null}
      <button type="button" className="ml-1 text-xs text-slate-600 underline" onClick={() => onFilterTarget(id)} aria-label={`Show only entries about ${id}`}>
        filter
      </button>
    </span>
  );
}
