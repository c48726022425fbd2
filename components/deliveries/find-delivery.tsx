"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { type FormEvent, useId, useState } from "react";
import { DeliveryStatusBadge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { inputClasses } from "@/components/ui/field";
import { RelativeTime } from "@/components/ui/time";
import { apiClient, type Delivery, problemMessage, type Webhook } from "@/lib/portal/api-client";
import { findResult, type FindTerm } from "@/lib/portal/find-delivery";
import { NO_FILTERS, parseSearchTerm, SEARCH_TERM_MESSAGE, searchParamsOfFilters } from "@/lib/portal/inspector-filters";
import { deliveryPath } from "./paths";

/**
 * "Find a delivery" on the webhook list: finds deliveries across every webhook
 * from a delivery id alone (the Wasviking-Delivery header, which is often all a
 * receiver's logs or an incident ticket have), an event id, or a finding or
 * asset id. A single match opens at once, and several are listed.
 */
export function FindDelivery({ webhooks }: { webhooks: readonly Webhook[] }) {
  const id = useId();
  const router = useRouter();
  const [text, setText] = useState("");
  const [message, setMessage] = useState<string | null>(null);
  const [matches, setMatches] = useState<{ term: FindTerm; heading: string; deliveries: Delivery[] } | null>(null);
  const [pending, setPending] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setMatches(null);
    const term = parseSearchTerm(text);
    if (!term || "error" in term) {
      setMessage(term ? term.error : SEARCH_TERM_MESSAGE);
      return;
    }
    setPending(true);
    setMessage(null);
    try {
      const result = findResult(term, await apiClient.findDeliveries(term.parameter, term.value));
      if (result.kind === "open") router.push(deliveryPath(result.delivery.webhook_id, result.delivery.id));
      else if (result.kind === "none") setMessage(result.message);
      else setMatches({ term, heading: result.heading, deliveries: result.deliveries });
    } catch (error) {
      setMessage(problemMessage(error));
    } finally {
      setPending(false);
    }
  };

  return (
    <form role="search" aria-label="Find a delivery" onSubmit={submit} className="mb-4">
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        Find a delivery
      </label>
      <div className="mt-1 flex max-w-xl gap-2">
        <input
          id={id}
          type="search"
          value={text}
          onChange={(event) => setText(event.target.value)}
          placeholder="dlv_…, evt_…, or a finding or asset id"
          className={`${inputClasses} font-mono`}
          aria-invalid={message ? true : undefined}
          aria-describedby={message ? `${id}-message` : undefined}
          autoComplete="off"
          spellCheck={false}
        />
        <Button type="submit" pending={pending} pendingLabel="Finding…">
          Find
        </Button>
      </div>
      {message ? (
        <p id={`${id}-message`} role="alert" className="mt-1 text-sm font-medium text-red-700">
          {message}
        </p>
      ) : null}
      {matches ? <FoundDeliveries term={matches.term} heading={matches.heading} deliveries={matches.deliveries} webhooks={webhooks} /> : null}
    </form>
  );
}

/**
 * Lists several matches. Each link opens the delivery on its webhook's
 * Deliveries tab, filtered by the same entry, so closing the delivery shows
 * the webhook's other matches.
 */
function FoundDeliveries({ term, heading, deliveries, webhooks }: { term: FindTerm; heading: string; deliveries: Delivery[]; webhooks: readonly Webhook[] }) {
  const search = searchParamsOfFilters({ ...NO_FILTERS, search: term.value }).toString();
  const urlOf = (webhookId: string) => webhooks.find((webhook) => webhook.id === webhookId)?.url ?? webhookId;
  return (
    <section aria-label="Matching deliveries" className="mt-2 max-w-4xl rounded-md border border-slate-200 bg-white p-3">
      <p className="text-sm text-slate-700">{heading}</p>
      <ul className="mt-2 divide-y divide-slate-100">
        {deliveries.map((delivery) => (
          <li key={delivery.id} data-delivery-id={delivery.id} className="flex flex-wrap items-center gap-x-3 gap-y-1 py-2 text-sm">
            <Link href={deliveryPath(delivery.webhook_id, delivery.id, search)} className="font-mono text-xs text-blue-800 hover:underline">
              {delivery.id}
            </Link>
            <code className="font-mono text-slate-900">{delivery.event_type}</code>
            <DeliveryStatusBadge status={delivery.status} />
            <span className="text-slate-600">
              <RelativeTime value={delivery.created_at} />
            </span>
            <span className="font-mono text-xs break-all text-slate-600">to {urlOf(delivery.webhook_id)}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
