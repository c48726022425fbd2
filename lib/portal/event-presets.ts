import { EVENT_TYPES, type EventTypeInfo, SUBSCRIBABLE_EVENT_TYPES } from "../events/catalog";

/**
 * The event-type choices of the webhook form: the catalog grouped by area,
 * and presets for the integration patterns the product documentation
 * describes (SIEM ingestion, CMDB sync, notification fan-out).
 */
export interface EventPreset {
  id: string;
  label: string;
  description: string;
  events: readonly string[];
}

export const EVENT_PRESETS: readonly EventPreset[] = [
  {
    id: "siem",
    label: "SIEM ingestion",
    description: "New, escalated and overdue findings, live leaked secrets and SBOM intelligence matches.",
    events: ["finding.created", "finding.escalated", "finding.sla_breached", "secret.verified_live", "sbom.intel_match"],
  },
  {
    id: "cmdb",
    label: "CMDB / asset inventory sync",
    description: "Assets appearing, disappearing and coming back on your attack surface.",
    events: ["asset.first_seen", "asset.disappeared", "asset.reappeared"],
  },
  {
    id: "fan-out",
    label: "Notification fan-out",
    description: "Every event, for a routing engine that decides who hears about what.",
    events: SUBSCRIBABLE_EVENT_TYPES,
  },
];

export interface EventGroup {
  area: EventTypeInfo["area"];
  types: EventTypeInfo[];
}

/** Groups the subscribable event types by area, in catalog order. */
export function eventGroups(): EventGroup[] {
  const subscribable = new Set<string>(SUBSCRIBABLE_EVENT_TYPES);
  const groups: EventGroup[] = [];
  for (const info of EVENT_TYPES) {
    if (!subscribable.has(info.type)) continue;
    let group = groups.find((candidate) => candidate.area === info.area);
    if (!group) {
      group = { area: info.area, types: [] };
      groups.push(group);
    }
    group.types.push(info);
  }
  return groups;
}

/** Returns the preset whose events are exactly `selected`, or undefined. */
export function matchingPreset(selected: readonly string[]): EventPreset | undefined {
  const chosen = new Set(selected);
  return EVENT_PRESETS.find((preset) => preset.events.length === chosen.size && preset.events.every((type) => chosen.has(type)));
}

/** Returns `selected` in catalog order without duplicates, so a form sends a stable list. */
export function inCatalogOrder(selected: Iterable<string>): string[] {
  const chosen = new Set(selected);
  return SUBSCRIBABLE_EVENT_TYPES.filter((type) => chosen.has(type));
}
