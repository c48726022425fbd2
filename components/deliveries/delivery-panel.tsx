"use client";

import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { type ReactNode, useEffect, useState } from "react";
import { useCanManage } from "@/components/shell/portal-context";
import { Badge, DeliveryStatusBadge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { CopyButton } from "@/components/ui/copy-button";
import { Dialog } from "@/components/ui/dialog";
import { ErrorState, SkeletonRows } from "@/components/ui/states";
import { Countdown, RelativeTime } from "@/components/ui/time";
import { ApiProblem, type DeliveryDetail } from "@/lib/portal/api-client";
import { formatDateTime, formatDuration } from "@/lib/portal/format";
import { AttemptTimeline } from "./attempt-timeline";
import { latestAttemptLabel } from "./deliveries-table";
import { InertText } from "./inert-text";
import { useReplay } from "./mutations";
import { deliveriesPath, deliveryPath } from "./paths";
import { useDeliveryDetail } from "./queries";

/**
 * One delivery, in a panel over the list: its status and the reason for it,
 * the exact request body, every attempt with its response, and Replay for admins. It
 * has a page of its own (/integrations/webhooks/{id}/deliveries/{delivery id}),
 * so a link to it can go into an incident ticket.
 */
export function DeliveryPanel({ webhookId, deliveryId }: { webhookId: string; deliveryId: string }) {
  const router = useRouter();
  const searchParams = useSearchParams();
  const detail = useDeliveryDetail(webhookId, deliveryId);
  const close = () => router.push(deliveriesPath(webhookId, searchParams.toString()), { scroll: false });
  // The panel is a modal rendered into document.body, which exists only in the browser.
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  if (!mounted) return null;

  let content: ReactNode;
  if (detail.isPending) content = <SkeletonRows rows={4} label="Loading the delivery" />;
  else if (detail.isError && detail.error instanceof ApiProblem && detail.error.status === 404) {
    content = (
      <p className="text-sm text-slate-700" role="status">
        This delivery does not exist in this webhook. It may belong to another webhook or organisation, or its webhook was deleted.
      </p>
    );
  } else if (detail.isError) content = <ErrorState title="The delivery could not be loaded" error={detail.error} onRetry={() => void detail.refetch()} />;
  else content = <DeliveryContent delivery={detail.data} onNextAttemptDue={() => void detail.refetch()} />;

  return (
    <Dialog
      placement="side"
      title={`Delivery ${deliveryId}`}
      onDismiss={close}
      description={detail.data ? <DeliverySummaryLine delivery={detail.data} /> : undefined}
      footer={
        <>
          {detail.data ? <ReplayButton delivery={detail.data} /> : null}
          <Button onClick={close}>Close</Button>
        </>
      }
    >
      {content}
    </Dialog>
  );
}

function DeliverySummaryLine({ delivery }: { delivery: DeliveryDetail }) {
  return (
    <span className="flex flex-wrap items-center gap-2">
      <DeliveryStatusBadge status={delivery.status} />
      <code className="font-mono text-slate-800">{delivery.event_type}</code>
      {delivery.event_type === "webhook.test" ? <Badge tone="blue">test</Badge> : null}
      {delivery.subject ? <span className="font-mono text-slate-600">about {delivery.subject}</span> : null}
    </span>
  );
}

// Reasons the portal words itself; any other reason is shown as recorded.
const HELD_REASONS: Record<string, string> = {
  webhook_disabled: "the webhook is disabled. Its held deliveries go out in order once it is enabled again.",
  daily_cap:
    "the webhook used its daily cap. Held deliveries go out oldest first, in order per subject, when the cap resets at 00:00 UTC; see the Usage tab to raise the cap or release them now.",
};

function StatusExplanation({ delivery, onNextAttemptDue }: { delivery: DeliveryDetail; onNextAttemptDue: () => void }) {
  const last = delivery.attempt_history[delivery.attempt_history.length - 1];
  switch (delivery.status) {
    case "succeeded": {
      const after = delivery.completed_at ? new Date(delivery.completed_at).getTime() - new Date(delivery.created_at).getTime() : null;
      return (
        <p>
          Delivered{after !== null && after >= 0 ? ` ${formatDuration(after)} after the event` : ""}
          {delivery.attempts > 1 ? `, at attempt ${delivery.attempts}` : ""}.
        </p>
      );
    }
    case "failed":
      if (last?.error_class === "blocked_destination") {
        return <p>Not delivered: the destination is blocked, so it is not retried. Point the webhook at a public endpoint, then replay it.</p>;
      }
      if (delivery.event_type === "webhook.test") return <p>Not delivered: a test delivery is attempted once and never retried.</p>;
      if (delivery.held_reason === "daily_cap") {
        return <p>Not delivered: the daily cap held it for 24 hours, so WASViking gave it up without sending it. An admin can replay it.</p>;
      }
      return <p>Not delivered: WASViking gave up retrying. An admin can replay it once the endpoint works.</p>;
    case "retrying":
      return (
        <p>
          The endpoint has not accepted it yet.{" "}
          {delivery.next_attempt_at ? (
            <>
              Next automatic attempt in <Countdown deadline={delivery.next_attempt_at} onExpired={onNextAttemptDue} />.
            </>
          ) : null}{" "}
          Retries continue for up to 24 hours after the first attempt.
        </p>
      );
    case "pending":
      if (delivery.waiting_for) {
        return (
          <p>
            Waiting for an earlier delivery about the same subject to finish first:{" "}
            <Link className="font-mono text-blue-800 underline" href={deliveryPath(delivery.webhook_id, delivery.waiting_for)}>
              {delivery.waiting_for}
            </Link>
            .
          </p>
        );
      }
      return <p>Not attempted yet: it goes out within moments.</p>;
    case "held":
      return <p>Held: {HELD_REASONS[delivery.held_reason ?? ""] ?? `${delivery.held_reason ?? "no reason recorded"}.`}</p>;
  }
}

function DeliveryContent({ delivery, onNextAttemptDue }: { delivery: DeliveryDetail; onNextAttemptDue: () => void }) {
  const link = new URL(deliveryPath(delivery.webhook_id, delivery.id), window.location.origin).toString();
  const last = delivery.last_attempt;
  return (
    <div className="space-y-6">
      <section aria-label="Status" className="rounded-lg border border-slate-200 bg-slate-50 px-4 py-3 text-sm text-slate-800" data-delivery-status={delivery.status}>
        <StatusExplanation delivery={delivery} onNextAttemptDue={onNextAttemptDue} />
      </section>

      <dl className="grid grid-cols-1 gap-x-6 gap-y-3 text-sm sm:grid-cols-2">
        <Fact label="Created">
          <RelativeTime value={delivery.created_at} /> <span className="text-slate-500">({formatDateTime(delivery.created_at)})</span>
        </Fact>
        <Fact label="Attempts">{delivery.attempts}</Fact>
        <Fact label="Latest response">{last ? latestAttemptLabel(last).label : "Not attempted yet"}</Fact>
        <Fact label="Latency of the latest attempt">{last?.duration_ms != null ? formatDuration(last.duration_ms) : "—"}</Fact>
        <Fact label="Event">
          <span className="font-mono break-all">{delivery.event_id}</span>
        </Fact>
        <Fact label="Order">{delivery.ordering ? `${delivery.ordering.key}, number ${delivery.ordering.sequence}` : "Not ordered"}</Fact>
      </dl>

      <div className="flex flex-wrap gap-2">
        <CopyButton value={delivery.id} label="Copy delivery id" />
        <CopyButton value={link} label="Copy link" />
      </div>

      <section aria-labelledby="attempts-heading" className="space-y-2">
        <h3 id="attempts-heading" className="text-base font-semibold text-slate-900">
          Attempts
        </h3>
        <AttemptTimeline delivery={delivery} onNextAttemptDue={onNextAttemptDue} />
      </section>

      <section aria-labelledby="request-heading" className="space-y-2">
        <h3 id="request-heading" className="text-base font-semibold text-slate-900">
          Request
        </h3>
        <p className="text-sm text-slate-600">The exact body of every attempt; each attempt signs it again with its own time.</p>
        <InertText text={delivery.body} label="Body" copyLabel="Copy body" />
      </section>
    </div>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt className="text-xs font-semibold tracking-wide text-slate-500 uppercase">{label}</dt>
      <dd className="mt-0.5 text-slate-900">{children}</dd>
    </div>
  );
}

const REPLAY_CONSEQUENCES: Record<DeliveryDetail["status"], string> = {
  succeeded:
    "It was already delivered. The endpoint receives it again with the same Wasviking-Delivery id, so a receiver that drops duplicates ignores it.",
  failed: "WASViking sends it again now, signed with the current secrets and with the same Wasviking-Delivery id. If the endpoint accepts it, the delivery becomes succeeded.",
  retrying:
    "WASViking sends it now instead of waiting for the next retry, outside the order of its subject. If the endpoint accepts it, the delivery becomes succeeded; if not, the retries continue.",
  pending: "WASViking sends it now, before its turn and outside the order of its subject. If the endpoint accepts it, the delivery becomes succeeded.",
  held: "WASViking sends it now although it is held. If the endpoint accepts it, the delivery becomes succeeded.",
};

function ReplayButton({ delivery }: { delivery: DeliveryDetail }) {
  const canManage = useCanManage();
  const replay = useReplay(delivery.webhook_id);
  const [confirming, setConfirming] = useState(false);
  if (!canManage) return null;
  return (
    <>
      <Button tone="primary" onClick={() => setConfirming(true)} pending={replay.isPending} pendingLabel="Replaying…">
        Replay
      </Button>
      {confirming ? (
        <ConfirmDialog
          title="Replay this delivery?"
          tone="primary"
          confirmLabel="Replay now"
          pendingLabel="Replaying…"
          pending={replay.isPending}
          onCancel={() => setConfirming(false)}
          onConfirm={() => replay.mutate(delivery.id, { onSettled: () => setConfirming(false) })}
        >
          {REPLAY_CONSEQUENCES[delivery.status]}
        </ConfirmDialog>
      ) : null}
    </>
  );
}
