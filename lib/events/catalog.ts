/**
 * The event types a subscription can listen to. The catalog decides what a
 * subject is for each type, and so which deliveries must keep their order
 * (lib/events/ordering.ts). Payload schemas and examples live in
 * lib/events/schemas.ts.
 */
export type SubjectKind = "finding" | "asset" | "test";

export interface EventTypeInfo {
  type: string;
  area: "Findings" | "Secrets" | "Supply chain" | "Assets" | "Testing";
  subjectKind: SubjectKind;
  summary: string;
}

export const EVENT_TYPES = [
  {
    type: "finding.created",
    area: "Findings",
    subjectKind: "finding",
    summary: "A new finding was raised on your attack surface.",
  },
  {
    type: "finding.escalated",
    area: "Findings",
    subjectKind: "finding",
    summary: "A finding's severity was raised, for example after exploitation evidence appeared.",
  },
  {
    type: "finding.sla_breached",
    area: "Findings",
    subjectKind: "finding",
    summary: "A finding stayed open past the remediation deadline of its severity.",
  },
  {
    type: "secret.verified_live",
    area: "Secrets",
    subjectKind: "finding",
    summary: "A leaked credential was confirmed to still work. The payload never carries the credential itself.",
  },
  {
    type: "sbom.intel_match",
    area: "Supply chain",
    subjectKind: "finding",
    summary: "A component in one of your SBOMs matched new threat intelligence.",
  },
  {
    type: "asset.first_seen",
    area: "Assets",
    subjectKind: "asset",
    summary: "An asset appeared on your attack surface for the first time.",
  },
  {
    type: "asset.disappeared",
    area: "Assets",
    subjectKind: "asset",
    summary: "An asset stopped answering or resolving.",
  },
  {
    type: "asset.reappeared",
    area: "Assets",
    subjectKind: "asset",
    summary: "An asset that had disappeared is reachable again.",
  },
  {
    type: "webhook.test",
    area: "Testing",
    subjectKind: "test",
    summary: "Sent on request to check an endpoint; carries test data only and never triggers real work.",
  },
] as const satisfies readonly EventTypeInfo[];

export type EventType = (typeof EVENT_TYPES)[number]["type"];

export const TEST_EVENT_TYPE = "webhook.test" satisfies EventType;

const BY_TYPE = new Map<string, EventTypeInfo>(EVENT_TYPES.map((info) => [info.type, info]));

/** Returns the catalog entry of `type`, or undefined for an unknown type. */
export function eventTypeInfo(type: string): EventTypeInfo | undefined {
  return BY_TYPE.get(type);
}

/** Tells whether `type` is in the catalog. */
export function isEventType(type: string): type is EventType {
  return BY_TYPE.has(type);
}

/** Event types a subscription may list: every type but webhook.test, which is only sent on request. */
export const SUBSCRIBABLE_EVENT_TYPES = EVENT_TYPES.filter((info) => info.type !== TEST_EVENT_TYPE).map((info) => info.type);
