import type { Delivery, Page } from "./api-client";
import type { SearchTerm } from "./inspector-filters";

/**
 * Entry of "Find a delivery" on the webhook list, which finds deliveries
 * across every webhook of the organisation. It accepts the same entries as
 * the inspector's search box.
 */
export type FindTerm = Exclude<SearchTerm, { error: string }>;

export type FindResult =
  | { kind: "open"; delivery: Delivery }
  | { kind: "none"; message: string }
  | { kind: "several"; heading: string; deliveries: Delivery[] };

/** Describes the deliveries an entry names, for example "deliveries of event evt_…". */
function matchesOf(term: FindTerm): string {
  switch (term.parameter) {
    case "delivery_id":
      return `delivery ${term.value}`;
    case "event_id":
      return `deliveries of event ${term.value}`;
    case "subject":
      return `deliveries about ${term.value}`;
  }
}

/** Explains why nothing matched and what may be wrong. */
function noMatchMessage(term: FindTerm): string {
  switch (term.parameter) {
    case "delivery_id":
      return `No delivery ${term.value} in your organisation. It may belong to a deleted webhook.`;
    case "event_id":
      return `No deliveries of event ${term.value} in your organisation. No webhook may listen to its type, or its webhooks were deleted.`;
    case "subject":
      return `No deliveries about ${term.value} in your organisation. Finding and asset ids are case-sensitive.`;
  }
}

/**
 * Opens the only match, lists several, or explains that none matched. A
 * delivery id matches at most one delivery, an event id one per webhook, and
 * a finding or asset id any number. `page` is the API's first page, newest
 * first, so `next_cursor` is set when more matched than it holds.
 */
export function findResult(term: FindTerm, page: Page<Delivery>): FindResult {
  const [first] = page.data;
  if (!first) return { kind: "none", message: noMatchMessage(term) };
  if (page.data.length === 1 && page.next_cursor === null) return { kind: "open", delivery: first };

  const count = page.data.length;
  const heading =
    page.next_cursor === null
      ? `${count} ${matchesOf(term)}, newest first:`
      : `The ${count} newest ${matchesOf(term)}. Each opens on its webhook's Deliveries tab, which lists all of that webhook's matches:`;
  return { kind: "several", heading, deliveries: page.data };
}
