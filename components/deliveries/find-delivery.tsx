"use client";

import { useRouter } from "next/navigation";
import { type FormEvent, useId, useState } from "react";
import { Button } from "@/components/ui/button";
import { inputClasses } from "@/components/ui/field";
import { apiClient, problemMessage } from "@/lib/portal/api-client";
import { parseSearchTerm } from "@/lib/portal/inspector-filters";
import { deliveryPath } from "./paths";

/**
 * "Find a delivery" on the webhook list: opens a delivery from its id alone,
 * whichever webhook it belongs to. A receiver's logs and an incident ticket
 * often have nothing else (the Wasviking-Delivery header).
 */
export function FindDelivery() {
  const id = useId();
  const router = useRouter();
  const [text, setText] = useState("");
  const [message, setMessage] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const term = parseSearchTerm(text);
    if (!term || "error" in term || term.parameter !== "delivery_id") {
      setMessage(term && "error" in term ? term.error : "Enter a delivery id: dlv_ followed by 26 characters.");
      return;
    }
    setPending(true);
    setMessage(null);
    try {
      const found = (await apiClient.findDelivery(term.value)).data[0];
      if (found) router.push(deliveryPath(found.webhook_id, found.id));
      else setMessage(`No delivery ${term.value} in your organisation. It may belong to a deleted webhook.`);
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
          placeholder="dlv_… (the Wasviking-Delivery header)"
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
    </form>
  );
}
