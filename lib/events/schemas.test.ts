import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { eventCatalog } from "../api/event-catalog";
import { testEventData } from "../deliveries/manual-attempts";
import { EVENT_TYPES, type EventType } from "./catalog";
import { exampleData, exampleEnvelope } from "./examples";
import { envelopeSchema, EVENT_DEFINITIONS, eventDefinition, findingId, TEST_FINDING_ID_PREFIX } from "./schemas";

const types = EVENT_TYPES.map((info) => info.type);

describe("event catalog", () => {
  it("defines a schema, a trigger and an example for every type", () => {
    expect(EVENT_DEFINITIONS.map((definition) => definition.type)).toEqual(types);
    for (const definition of EVENT_DEFINITIONS) {
      expect(definition.firesWhen.length, definition.type).toBeGreaterThan(20);
      expect(() => exampleEnvelope(definition.type), definition.type).not.toThrow();
    }
  });
});

describe.each(types)("example of %s", (type: EventType) => {
  const envelope = JSON.parse(exampleEnvelope(type));

  it("matches the envelope and data schema", () => {
    const result = envelopeSchema(type).safeParse(envelope);
    expect(result.error?.issues ?? []).toEqual([]);
  });

  it("matches the published JSON Schema", () => {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats(ajv);
    const entry = eventCatalog().find((candidate) => candidate.type === type)!;
    const validate = ajv.compile(entry.data_schema);
    expect(validate(envelope.data), JSON.stringify(validate.errors)).toBe(true);
  });

  it("names its subject and ordering key consistently", () => {
    const definition = eventDefinition(type)!;
    if (definition.subjectField === null) {
      expect(envelope.ordering).toBeNull();
      return;
    }
    expect(envelope.subject).toBe(envelope.data[definition.subjectField]);
    expect(envelope.ordering.key).toBe(`${definition.subjectField === "finding_id" ? "finding" : "asset"}:${envelope.subject}`);
  });
});

describe("data schemas", () => {
  const data = (type: EventType) => eventDefinition(type)!.data;

  it("reject unknown fields so typos never reach a receiver", () => {
    const result = data("finding.created").safeParse({ ...exampleData("finding.created"), severty: "high" });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]).toMatchObject({ code: "unrecognized_keys", keys: ["severty"] });
  });

  it("have no field for a leaked secret's value", () => {
    for (const field of ["secret", "value", "secret_value", "token", "credential"]) {
      const result = data("secret.verified_live").safeParse({ ...exampleData("secret.verified_live"), [field]: "AKIAIOSFODNN7EXAMPLE" });
      expect(result.success, field).toBe(false);
    }
  });

  it("require an escalation to raise the severity", () => {
    const lowered = { ...exampleData("finding.escalated"), severity: "medium", previous_severity: "high" };
    const result = data("finding.escalated").safeParse(lowered);
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.path).toEqual(["severity"]);
  });

  it("accept the smallest escalation a producer can send", () => {
    expect(data("finding.escalated").safeParse({ finding_id: "fnd_456", severity: "critical" }).success).toBe(true);
  });

  it("reject times with an offset other than UTC", () => {
    const result = data("asset.disappeared").safeParse({ asset_id: "ast_1", last_seen_at: "2026-12-04T18:00:09+02:00" });
    expect(result.success).toBe(false);
  });

  it("reject an unset due date", () => {
    const result = data("finding.sla_breached").safeParse({ ...exampleData("finding.sla_breached"), due_at: "0001-01-01T00:00:00Z" });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(["due_at"]);
  });

  it("describe what the test delivery really sends", () => {
    const result = data("webhook.test").safeParse(testEventData(new Date("2026-12-01T14:20:00Z")));
    expect(result.error?.issues ?? []).toEqual([]);
  });
});

describe("findingId", () => {
  it.each(["fnd_test_19fd39fb20d0", "fnd_test_1"])("rejects the test id %s", (id) => {
    const result = findingId.safeParse(id);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.message)).toEqual([
      'Finding ids starting with "fnd_test_" are reserved for test deliveries: use the finding\'s real id',
    ]);
  });

  it.each(["fnd_456", "fnd_testing_1", "fnd_test", "fnd_TEST_1"])("accepts %s", (id) => {
    expect(findingId.safeParse(id).success).toBe(true);
  });

  it("accepts no id a test delivery sends", () => {
    const id = testEventData(new Date()).example_finding.id;
    expect(id.startsWith(TEST_FINDING_ID_PREFIX)).toBe(true);
    expect(findingId.safeParse(id).success).toBe(false);
  });
});

describe("secret.verified_live commit", () => {
  const data = (commit: string) => ({ ...exampleData("secret.verified_live"), location: { ...(exampleData("secret.verified_live").location as object), commit } });

  it.each(["abc", "ABCDEF1", "g".repeat(7), "a".repeat(65)])("says how %s should look", (commit) => {
    const result = eventDefinition("secret.verified_live")!.data.safeParse(data(commit));
    expect(result.error?.issues.map((issue) => issue.message)).toEqual(["Expected a commit id of 7 to 64 lower-case hex digits"]);
  });

  it("accepts a short commit id", () => {
    expect(eventDefinition("secret.verified_live")!.data.safeParse(data("0a1b2c3")).success).toBe(true);
  });
});
