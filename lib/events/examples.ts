import type { EventType } from "./catalog";
import { envelopeBody } from "./envelope";
import { orderingKey } from "./ordering";

/**
 * One realistic payload per event type, shown on the reference pages and in
 * GET /v1/event-types. A contract test checks each against its schema, so the
 * examples cannot drift from what POST /v1/events accepts.
 */
interface ExampleEvent {
  eventId: string;
  occurredAt: string;
  sequence: number;
  data: Record<string, unknown>;
}

const EXAMPLES: Record<EventType, ExampleEvent> = {
  "finding.created": {
    eventId: "evt_01KBQ3W7T2M9C4X8N6R5P1Z0HD",
    occurredAt: "2026-12-01T09:14:03.120Z",
    sequence: 1,
    data: {
      finding_id: "fnd_7Q2KX9",
      title: "Jenkins admin console exposed without authentication",
      severity: "high",
      category: "exposed-admin-interface",
      asset: { id: "ast_3M8VTR", kind: "hostname", name: "ci.payments.acme-corp.com" },
      detected_at: "2026-12-01T09:13:58.000Z",
      portal_url: "https://app.wasviking.com/findings/fnd_7Q2KX9",
    },
  },
  "finding.escalated": {
    eventId: "evt_01KBQ4B1F6H3Y8D2K9W4S7T0VA",
    occurredAt: "2026-12-01T11:02:41.506Z",
    sequence: 2,
    data: {
      finding_id: "fnd_7Q2KX9",
      severity: "critical",
      previous_severity: "high",
      reason: "Exploitation observed in the wild: CVE-2024-23897 is listed in the CISA KEV catalog",
      title: "Jenkins admin console exposed without authentication",
      asset: { id: "ast_3M8VTR", kind: "hostname", name: "ci.payments.acme-corp.com" },
      escalated_at: "2026-12-01T11:02:40.000Z",
      portal_url: "https://app.wasviking.com/findings/fnd_7Q2KX9",
    },
  },
  "finding.sla_breached": {
    eventId: "evt_01KBZ8N4C2V7Q1M5X3J9R6D0EB",
    occurredAt: "2026-12-04T11:02:41.000Z",
    sequence: 3,
    data: {
      finding_id: "fnd_7Q2KX9",
      severity: "critical",
      due_at: "2026-12-04T11:02:40.000Z",
      sla_days: 3,
      opened_at: "2026-12-01T09:13:58.000Z",
      title: "Jenkins admin console exposed without authentication",
      asset: { id: "ast_3M8VTR", kind: "hostname", name: "ci.payments.acme-corp.com" },
      portal_url: "https://app.wasviking.com/findings/fnd_7Q2KX9",
    },
  },
  "secret.verified_live": {
    eventId: "evt_01KBQ5D8P3T6W1R4Y9K2M7C0XF",
    occurredAt: "2026-12-01T12:30:09.871Z",
    sequence: 1,
    data: {
      finding_id: "fnd_9HB41D",
      secret_type: "aws_access_key",
      severity: "critical",
      location: {
        kind: "repository",
        name: "github.com/acme-corp/payments-api",
        path: "deploy/staging.env",
        line: 12,
        commit: "4f9c2e1ab7d3",
      },
      secret_fingerprint: "b7e3a91f0c2d",
      verified_at: "2026-12-01T12:30:07.000Z",
      portal_url: "https://app.wasviking.com/findings/fnd_9HB41D",
    },
  },
  "sbom.intel_match": {
    eventId: "evt_01KBQ6F2R8K4N7V1T5Z3W9H0CM",
    occurredAt: "2026-12-01T13:45:22.034Z",
    sequence: 1,
    data: {
      finding_id: "fnd_2WP8MZ",
      severity: "critical",
      component: { name: "xz-utils", version: "5.6.0", purl: "pkg:deb/debian/xz-utils@5.6.0" },
      advisory: {
        id: "CVE-2024-3094",
        summary: "Malicious code in the upstream tarballs of xz 5.6.0 and 5.6.1 allows remote compromise through sshd",
        cvss_score: 10,
        known_exploited: true,
      },
      sbom: { id: "sbom_payments_api_2026_11", name: "payments-api container image" },
      portal_url: "https://app.wasviking.com/findings/fnd_2WP8MZ",
    },
  },
  "asset.first_seen": {
    eventId: "evt_01KBQ2A9M5X1C8T3V6Q4N7R0JK",
    occurredAt: "2026-12-01T08:02:17.400Z",
    sequence: 1,
    data: {
      asset_id: "ast_3M8VTR",
      kind: "hostname",
      name: "ci.payments.acme-corp.com",
      addresses: ["203.0.113.24", "2001:db8:4c1::24"],
      discovered_by: "certificate_transparency",
      first_seen_at: "2026-12-01T08:02:15.000Z",
      portal_url: "https://app.wasviking.com/assets/ast_3M8VTR",
    },
  },
  "asset.disappeared": {
    eventId: "evt_01KC1B7W3N9D5K2Q8T4X6M1R0P",
    occurredAt: "2026-12-05T06:00:12.000Z",
    sequence: 2,
    data: {
      asset_id: "ast_3M8VTR",
      last_seen_at: "2026-12-04T18:00:09.000Z",
      reason: "no_dns_record",
      kind: "hostname",
      name: "ci.payments.acme-corp.com",
      portal_url: "https://app.wasviking.com/assets/ast_3M8VTR",
    },
  },
  "asset.reappeared": {
    eventId: "evt_01KC4H2M8T5W1R7Y3C9N6K4D0Q",
    occurredAt: "2026-12-06T06:00:08.000Z",
    sequence: 3,
    data: {
      asset_id: "ast_3M8VTR",
      seen_at: "2026-12-06T06:00:05.000Z",
      absent_since: "2026-12-04T18:00:09.000Z",
      kind: "hostname",
      name: "ci.payments.acme-corp.com",
      addresses: ["198.51.100.7"],
      portal_url: "https://app.wasviking.com/assets/ast_3M8VTR",
    },
  },
  "webhook.test": {
    eventId: "evt_01KBQ7G5T1Y4M8C2X6R9V3W0NB",
    occurredAt: "2026-12-01T14:20:00.000Z",
    sequence: 0,
    data: {
      test: true,
      message: "Test delivery from WASViking Webhooks. It carries no real finding; do not act on it.",
      sent_at: "2026-12-01T14:20:00.000Z",
      example_finding: { id: "fnd_test_5c0e7a91b2d4", title: "Exposed admin console — näive «example» ✓", severity: "high" },
    },
  },
};

/** Returns the example `data` of an event type. */
export function exampleData(type: EventType): Record<string, unknown> {
  return structuredClone(EXAMPLES[type].data);
}

/** Returns the subject of the example event, as the publisher would pass it. */
export function exampleSubject(type: EventType): string | null {
  const data = EXAMPLES[type].data;
  if (type === "webhook.test") return (data.example_finding as { id: string }).id;
  return (data.finding_id ?? data.asset_id) as string;
}

/** Returns the exact JSON body a webhook receives for the example event of a type. */
export function exampleEnvelope(type: EventType): string {
  const example = EXAMPLES[type];
  const subject = exampleSubject(type);
  const key = orderingKey(type, subject);
  return envelopeBody({
    eventId: example.eventId,
    type,
    occurredAt: new Date(example.occurredAt),
    subject,
    ordering: key ? { key, sequence: example.sequence } : null,
    data: example.data,
  });
}
