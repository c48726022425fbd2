"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { Badge, DeliveryStatusBadge } from "@/components/ui/badge";
import { RelativeTime } from "@/components/ui/time";
import { explainAttempt } from "@/lib/deliveries/attempt-explanations";
import type { Delivery } from "@/lib/portal/api-client";
import { formatDuration } from "@/lib/portal/format";
import { deliveryPath } from "./paths";

/**
 * Renders the inspector's table: one row per delivery with its time, event, subject,
 * status, attempts, latest response and latency (the latest attempt's
 * duration). Each row links to the delivery's own page.
 */
export function DeliveriesTable({ webhookId, deliveries, openDeliveryId, search }: { webhookId: string; deliveries: Delivery[]; openDeliveryId: string | null; search: string }) {
  const router = useRouter();
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        <thead className="bg-slate-50 text-left text-xs font-semibold tracking-wide text-slate-600 uppercase">
          <tr>
            <th scope="col" className="px-4 py-2">Time</th>
            <th scope="col" className="px-4 py-2">Event</th>
            <th scope="col" className="px-4 py-2">Subject</th>
            <th scope="col" className="px-4 py-2">Status</th>
            <th scope="col" className="px-4 py-2 text-right">Attempts</th>
            <th scope="col" className="px-4 py-2">Response</th>
            <th scope="col" className="px-4 py-2 text-right">Latency</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {deliveries.map((delivery) => {
            const href = deliveryPath(webhookId, delivery.id, search);
            return (
              <tr
                key={delivery.id}
                data-delivery-id={delivery.id}
                aria-current={delivery.id === openDeliveryId ? "true" : undefined}
                // The link in the row serves the keyboard; a click anywhere else on the row opens it too.
                onClick={(event) => {
                  if (!(event.target instanceof Element) || !event.target.closest("a")) router.push(href, { scroll: false });
                }}
                className={`cursor-pointer align-top hover:bg-slate-50 ${delivery.id === openDeliveryId ? "bg-blue-50" : ""}`}
              >
                <td className="px-4 py-3 whitespace-nowrap text-slate-700">
                  <RelativeTime value={delivery.created_at} />
                </td>
                <td className="px-4 py-3">
                  <code className="font-mono text-slate-900">{delivery.event_type}</code>
                  {delivery.event_type === "webhook.test" ? (
                    <span className="ml-2">
                      <Badge tone="blue">test</Badge>
                    </span>
                  ) : null}
                  <Link href={href} scroll={false} className="block font-mono text-xs text-blue-800 hover:underline">
                    {delivery.id}
                  </Link>
                </td>
                <td className="px-4 py-3 font-mono text-xs break-all text-slate-700">{delivery.subject ?? "—"}</td>
                <td className="px-4 py-3 whitespace-nowrap">
                  <DeliveryStatusBadge status={delivery.status} />
                  {delivery.status === "retrying" && delivery.next_attempt_at ? (
                    <span className="block text-xs text-slate-500">
                      next <RelativeTime value={delivery.next_attempt_at} />
                    </span>
                  ) : null}
                </td>
                <td className="px-4 py-3 text-right tabular-nums">{delivery.attempts}</td>
                <td className="px-4 py-3 whitespace-nowrap">
                  <LatestResponse delivery={delivery} />
                </td>
                <td className="px-4 py-3 text-right whitespace-nowrap tabular-nums text-slate-700">
                  {delivery.last_attempt?.duration_ms != null ? formatDuration(delivery.last_attempt.duration_ms) : "—"}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** Names the outcome of a delivery's latest attempt in a few words, for example "HTTP 500" or "Timed out". */
export function latestAttemptLabel(last: NonNullable<Delivery["last_attempt"]>): { label: string; succeeded: boolean } {
  const succeeded = last.status_code !== null && last.status_code >= 200 && last.status_code < 300;
  return { label: explainAttempt({ succeeded, statusCode: last.status_code, errorClass: last.error_class }).label, succeeded };
}

function LatestResponse({ delivery }: { delivery: Delivery }) {
  if (!delivery.last_attempt) return <span className="text-slate-500">Not attempted</span>;
  const { label, succeeded } = latestAttemptLabel(delivery.last_attempt);
  return <span className={succeeded ? "text-emerald-800" : "text-red-800"}>{label}</span>;
}
