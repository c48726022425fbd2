import { idLowerBound } from "../ids";
import type { DeliveryStatus } from "./transitions";

/**
 * The filters of the deliveries inspector, shared by the API and the portal.
 * A delivery id begins with its creation time (lib/ids.ts), so a time range is
 * a range of ids. Every filtered list walks an index in id order, newest
 * first, and the last id of a page is the cursor of the next.
 */
export const DELIVERY_STATUSES: readonly DeliveryStatus[] = ["pending", "retrying", "succeeded", "failed", "held"];

export interface DeliveryFilters {
  // Any of these statuses; empty or absent means all.
  statuses?: readonly DeliveryStatus[];
  // Any of these event types; empty or absent means all.
  eventTypes?: readonly string[];
  // The finding or asset id the event is about.
  subject?: string;
  deliveryId?: string;
  eventId?: string;
  // Created strictly after this time.
  createdAfter?: Date;
  // Created strictly before this time.
  createdBefore?: Date;
}

export interface IdRange {
  // Inclusive lower bound of the ids, or null for none.
  lowest: string | null;
  // Exclusive upper bound of the ids, or null for none.
  below: string | null;
}

/**
 * Turns the time filters and a page cursor into bounds on delivery ids.
 * Creation times are stored to the millisecond, so "strictly after T" starts
 * at the first id of the millisecond after T.
 */
export function deliveryIdRange(filters: Pick<DeliveryFilters, "createdAfter" | "createdBefore">, cursor?: string | null): IdRange {
  const lowest = filters.createdAfter ? idLowerBound("delivery", new Date(filters.createdAfter.getTime() + 1)) : null;
  const beforeTime = filters.createdBefore ? idLowerBound("delivery", filters.createdBefore) : null;
  let below = beforeTime;
  if (cursor && (below === null || cursor < below)) below = cursor;
  return { lowest, below };
}

/** Tells whether the range cannot hold any id, so the query can be skipped. */
export function isEmptyRange(range: IdRange): boolean {
  return range.lowest !== null && range.below !== null && range.lowest >= range.below;
}

/** Returns the values once each, in the order given. */
export function distinct<T>(values: readonly T[] | undefined): T[] {
  return [...new Set(values ?? [])];
}
