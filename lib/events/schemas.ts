import { z } from "zod";
import { EVENT_TYPES, type EventType, eventTypeInfo } from "./catalog";
import { dataTime } from "./utc-time";

/**
 * The `data` object of each event type: what producers must send to
 * POST /v1/events and what receivers get inside the envelope. Producers are
 * held to these schemas exactly (unknown fields are rejected, so a typo cannot
 * reach a receiver). Receivers must ignore fields they do not know,
 * because new optional fields may be added to a type without a new version.
 */
export const SEVERITIES = ["critical", "high", "medium", "low", "info"] as const;
export type Severity = (typeof SEVERITIES)[number];

const severity = z.enum(SEVERITIES).describe("Severity, from critical (act now) to info (no action needed)");
const time = (description: string) => dataTime().describe(`${description} (ISO 8601, UTC, from 2000 to 2199)`);
const text = (max: number, description: string) => z.string().trim().min(1).max(max).describe(description);
const portalUrl = z.url({ protocol: /^https$/ }).max(2048).describe("Link to the object in the WASViking portal");

/**
 * Prefix of the made-up finding ids in test deliveries. Published events
 * cannot use it, as a finding id or as a subject, so a test delivery's id never
 * matches a real finding.
 */
export const TEST_FINDING_ID_PREFIX = "fnd_test_";
export const TEST_FINDING_ID_MESSAGE = `Finding ids starting with "${TEST_FINDING_ID_PREFIX}" are reserved for test deliveries: use the finding's real id`;

/** Tells whether an id has the prefix reserved for test deliveries. */
export function isTestFindingId(id: string): boolean {
  return id.startsWith(TEST_FINDING_ID_PREFIX);
}

export const findingId = z
  .string()
  .max(64)
  .regex(/^fnd_[A-Za-z0-9_]+$/, 'Expected a finding id such as "fnd_456"')
  .refine((id) => !isTestFindingId(id), TEST_FINDING_ID_MESSAGE)
  .describe(`Finding id; events about the same finding are delivered in order. Ids starting with "${TEST_FINDING_ID_PREFIX}" are reserved for test deliveries`);
export const assetId = z
  .string()
  .max(64)
  .regex(/^ast_[A-Za-z0-9_]+$/, 'Expected an asset id such as "ast_9f2c"')
  .describe("Asset id; events about the same asset are delivered in order");

export const ASSET_KINDS = ["domain", "hostname", "ip_address", "web_application", "api_endpoint", "cloud_resource", "repository"] as const;
const assetKind = z.enum(ASSET_KINDS).describe("What kind of asset it is");

const assetReference = z
  .strictObject({
    id: assetId,
    kind: assetKind,
    name: text(253, "Host name, address or resource name as shown in the portal"),
  })
  .describe("The asset the finding is on");

const findingCreated = z.strictObject({
  finding_id: findingId,
  title: text(500, "Short description of the finding"),
  severity,
  category: text(100, 'Kind of weakness, for example "exposed-admin-interface" or "tls-misconfiguration"').optional(),
  cve_ids: z
    .array(z.string().regex(/^CVE-\d{4}-\d{4,}$/, 'Expected a CVE id such as "CVE-2024-3400"'))
    .max(50)
    .optional()
    .describe("CVE ids the finding is about"),
  asset: assetReference.optional(),
  detected_at: time("When the platform detected the finding").optional(),
  portal_url: portalUrl.optional(),
});

const SEVERITY_RANK: Record<Severity, number> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };

const findingEscalated = z
  .strictObject({
    finding_id: findingId,
    severity: severity.describe("The new, higher severity"),
    previous_severity: severity.describe("The severity before the escalation").optional(),
    reason: text(1000, 'Why the severity was raised, for example "Exploitation observed in the wild (CISA KEV)"').optional(),
    title: text(500, "Short description of the finding").optional(),
    asset: assetReference.optional(),
    escalated_at: time("When the severity was raised").optional(),
    portal_url: portalUrl.optional(),
  })
  .refine((data) => data.previous_severity === undefined || SEVERITY_RANK[data.severity] > SEVERITY_RANK[data.previous_severity], {
    message: "An escalation raises the severity: severity must be higher than previous_severity",
    path: ["severity"],
  });

const findingSlaBreached = z.strictObject({
  finding_id: findingId,
  severity,
  due_at: time("The remediation deadline that passed"),
  sla_days: z.number().int().min(0).max(3650).describe("Days allowed to fix a finding of this severity").optional(),
  opened_at: time("When the finding was first raised").optional(),
  title: text(500, "Short description of the finding").optional(),
  asset: assetReference.optional(),
  portal_url: portalUrl.optional(),
});

const secretVerifiedLive = z.strictObject({
  finding_id: findingId,
  secret_type: text(100, 'Kind of credential, for example "aws_access_key", "github_token" or "slack_webhook"'),
  severity: severity.optional(),
  location: z
    .strictObject({
      kind: z.enum(["repository", "web_page", "mobile_app", "container_image", "paste_site"]).describe("Where the credential was found"),
      name: text(500, 'Repository, URL or image name, for example "github.com/acme/payments"'),
      path: text(1000, "File path inside it, if any").optional(),
      line: z.number().int().min(1).optional().describe("Line number in that file, if any"),
      commit: z.string().regex(/^[0-9a-f]{7,64}$/, "Expected a commit id of 7 to 64 lower-case hex digits").optional().describe("Commit that introduced it, if any"),
    })
    .describe("Where the credential was found; never the credential itself"),
  secret_fingerprint: z
    .string()
    .regex(/^[0-9a-f]{12,64}$/, "Expected lower-case hex digits of a SHA-256 digest")
    .optional()
    .describe("Leading hex digits of SHA-256 over the credential, to match it against your vault without seeing it"),
  verified_at: time("When the platform confirmed the credential still works").optional(),
  portal_url: portalUrl.optional(),
});

const sbomIntelMatch = z.strictObject({
  finding_id: findingId,
  severity,
  component: z
    .strictObject({
      name: text(300, "Package name"),
      version: text(100, "Package version as listed in the SBOM"),
      purl: z.string().regex(/^pkg:[a-z]/, 'Expected a package URL such as "pkg:npm/lodash@4.17.20"').max(1000).optional().describe("Package URL"),
    })
    .describe("The component that matched"),
  advisory: z
    .strictObject({
      id: text(100, 'Advisory id, for example "CVE-2024-3094" or "GHSA-xxxx-xxxx-xxxx"'),
      summary: text(1000, "What the advisory says").optional(),
      cvss_score: z.number().min(0).max(10).optional().describe("CVSS base score, 0.0 to 10.0"),
      known_exploited: z.boolean().optional().describe("True when exploitation has been observed in the wild"),
    })
    .describe("The threat intelligence that matched"),
  sbom: z
    .strictObject({ id: text(100, "SBOM id in the platform"), name: text(300, "SBOM or application name") })
    .optional()
    .describe("The SBOM the component is listed in"),
  portal_url: portalUrl.optional(),
});

const ipAddress = z.union([z.ipv4(), z.ipv6()]);

const assetFirstSeen = z.strictObject({
  asset_id: assetId,
  kind: assetKind,
  name: text(253, "Host name, address or resource name"),
  addresses: z.array(ipAddress).max(64).optional().describe("IP addresses the asset resolved to when it was found"),
  discovered_by: text(100, 'How it was found, for example "certificate_transparency" or "dns_enumeration"').optional(),
  first_seen_at: time("When the asset was first seen").optional(),
  portal_url: portalUrl.optional(),
});

const assetDisappeared = z.strictObject({
  asset_id: assetId,
  last_seen_at: time("When the asset last answered or resolved"),
  reason: z.enum(["no_dns_record", "unreachable", "certificate_expired", "removed_from_cloud_account"]).optional().describe("Why the asset is considered gone"),
  kind: assetKind.optional(),
  name: text(253, "Host name, address or resource name").optional(),
  portal_url: portalUrl.optional(),
});

const assetReappeared = z.strictObject({
  asset_id: assetId,
  seen_at: time("When the asset was seen again"),
  absent_since: time("When it had last been seen before disappearing").optional(),
  kind: assetKind.optional(),
  name: text(253, "Host name, address or resource name").optional(),
  addresses: z.array(ipAddress).max(64).optional().describe("IP addresses it resolves to now"),
  portal_url: portalUrl.optional(),
});

const webhookTest = z.strictObject({
  test: z.literal(true).describe("Always true: this is a test delivery, not a real event"),
  message: z.string().describe("Human-readable note saying so"),
  sent_at: time("When the test was requested"),
  example_finding: z
    .strictObject({
      id: z.string().regex(new RegExp(`^${TEST_FINDING_ID_PREFIX}[0-9a-f]+$`)).describe(`A made-up id starting with "${TEST_FINDING_ID_PREFIX}", which never names a real finding`),
      title: z.string().describe("Sample text with non-ASCII characters, to check your decoding"),
      severity,
    })
    .describe("Sample finding fields, so a parser can be exercised without acting on them"),
});

export interface EventDefinition {
  type: EventType;
  // When the platform publishes it, for the reference pages.
  firesWhen: string;
  data: z.ZodType;
  // The data field that names the subject (finding or asset id); null for webhook.test.
  subjectField: "finding_id" | "asset_id" | null;
}

const DEFINITIONS: Record<EventType, Omit<EventDefinition, "type">> = {
  "finding.created": {
    firesWhen: "A scan, an import or an analyst raises a new finding. Re-detections of an open finding do not fire it again.",
    data: findingCreated,
    subjectField: "finding_id",
  },
  "finding.escalated": {
    firesWhen:
      "The severity of an open finding goes up, for example when exploitation is observed or an asset turns out to be internet-facing. Severity going down fires nothing.",
    data: findingEscalated,
    subjectField: "finding_id",
  },
  "finding.sla_breached": {
    firesWhen: "An open finding passes the remediation deadline of its severity. It fires once per finding and deadline.",
    data: findingSlaBreached,
    subjectField: "finding_id",
  },
  "secret.verified_live": {
    firesWhen:
      "A leaked credential found on your attack surface is tested against its provider and still works. The payload says where it was found and what kind it is, never its value.",
    data: secretVerifiedLive,
    subjectField: "finding_id",
  },
  "sbom.intel_match": {
    firesWhen: "New threat intelligence (an advisory, exploitation evidence) matches a component version listed in one of your SBOMs.",
    data: sbomIntelMatch,
    subjectField: "finding_id",
  },
  "asset.first_seen": {
    firesWhen: "Discovery finds an asset that was never seen before in your organisation.",
    data: assetFirstSeen,
    subjectField: "asset_id",
  },
  "asset.disappeared": {
    firesWhen: "A known asset stops resolving or answering across consecutive discovery runs.",
    data: assetDisappeared,
    subjectField: "asset_id",
  },
  "asset.reappeared": {
    firesWhen: "An asset that had disappeared resolves or answers again.",
    data: assetReappeared,
    subjectField: "asset_id",
  },
  "webhook.test": {
    firesWhen:
      "Only on request: POST /v1/webhooks/{id}/test or the Send test button in the portal. It goes to that one webhook, whatever event types it listens to, and is never retried.",
    data: webhookTest,
    subjectField: null,
  },
};

export const EVENT_DEFINITIONS: readonly EventDefinition[] = EVENT_TYPES.map((info) => ({ type: info.type, ...DEFINITIONS[info.type] }));

/** Returns the definition of an event type, or undefined for an unknown type. */
export function eventDefinition(type: string): EventDefinition | undefined {
  return eventTypeInfo(type) ? { type: type as EventType, ...DEFINITIONS[type as EventType] } : undefined;
}

/** Builds the schema of the JSON body every delivery carries (lib/events/envelope.ts writes it), with the data of one type. */
export function envelopeSchema(type: EventType, data: z.ZodType = DEFINITIONS[type].data) {
  return z.object({
    id: z.string().regex(/^evt_[0-9A-HJKMNP-TV-Z]{26}$/).describe("Event id; the same in every delivery of this event to every webhook"),
    type: z.literal(type),
    timestamp: time("When the event happened"),
    subject: z.string().nullable().describe("Id of the finding or asset the event is about"),
    ordering: z
      .object({
        key: z.string().describe('"finding:<id>" or "asset:<id>"'),
        sequence: z.number().int().min(1).describe("Position of this event among the webhook's events of the same key, from 1"),
      })
      .nullable()
      .describe("Deliveries with the same key reach a webhook in sequence order; null for unordered events"),
    data,
  });
}
