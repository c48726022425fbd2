import { eventTypeInfo } from "./catalog";

/**
 * Returns the ordering key of an event: deliveries of events with the same key
 * to the same subscription are attempted strictly in publication order. The
 * subject of each event type, set by the catalog's `subjectKind`:
 *
 * - `finding:<subject>` for finding.created, finding.escalated,
 *   finding.sla_breached, secret.verified_live and sbom.intel_match, whose
 *   subject is the finding id;
 * - `asset:<subject>` for asset.first_seen, asset.disappeared and
 *   asset.reappeared, whose subject is the asset id.
 *
 * webhook.test and events published without a subject have no key and are
 * never held back. A delivery waits while an earlier one of its key is pending
 * or retrying and goes once that one succeeded or was given up; the gap a
 * given-up delivery leaves shows in the per-key sequence number of the payload.
 */
export function orderingKey(eventType: string, subject: string | null | undefined): string | null {
  const info = eventTypeInfo(eventType);
  if (!info || !subject || info.subjectKind === "test") return null;
  return `${info.subjectKind}:${subject}`;
}
