import { eventTypeInfo } from "./catalog";

/**
 * Returns the ordering key of an event: deliveries of events with the same key
 * to the same subscription go out strictly in publication order. Events about a
 * finding (finding.*, secret.verified_live, sbom.intel_match) share the key
 * `finding:<id>`, asset events `asset:<id>`. Test events and events without a
 * subject are not ordered.
 */
export function orderingKey(eventType: string, subject: string | null | undefined): string | null {
  const info = eventTypeInfo(eventType);
  if (!info || !subject || info.subjectKind === "test") return null;
  return `${info.subjectKind}:${subject}`;
}
