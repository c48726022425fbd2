import { describe, expect, it } from "vitest";
import { AUDIT_ACTION_NAMES } from "../audit-log/actions";
import {
  AUDIT_ACTION_CHOICES,
  auditFiltersFromSearchParams,
  auditQueryOfFilters,
  hasAuditFilters,
  NO_AUDIT_FILTERS,
  searchParamsOfAuditFilters,
} from "./audit-filters";

const USER = "usr_01KBQ2A9M5X1C8T3V6Q4N7R0JK";
const WEBHOOK = "wh_01KBQ2A9M5X1C8T3V6Q4N7R0JK";

describe("audit log filters", () => {
  it("sends no parameter without filters", () => {
    expect(auditQueryOfFilters(NO_AUDIT_FILTERS)).toEqual({ query: {} });
    expect(hasAuditFilters(NO_AUDIT_FILTERS)).toBe(false);
  });

  it("maps every filter to its parameter", () => {
    const filters = { action: "webhook.enabled,webhook.disabled", actor: ` ${USER} `, targetId: WEBHOOK, from: "2026-12-01T00:00:00.000Z", to: "2026-12-02T00:00:00.000Z" };
    expect(hasAuditFilters(filters)).toBe(true);
    expect(auditQueryOfFilters(filters)).toEqual({
      query: { action: "webhook.enabled,webhook.disabled", actor: USER, target_id: WEBHOOK, from: "2026-12-01T00:00:00.000Z", to: "2026-12-02T00:00:00.000Z" },
    });
  });

  it("accepts system and API key actors", () => {
    expect(auditQueryOfFilters({ ...NO_AUDIT_FILTERS, actor: "system" })).toEqual({ query: { actor: "system" } });
    expect(auditQueryOfFilters({ ...NO_AUDIT_FILTERS, actor: "key_01KBQ2A9M5X1C8T3V6Q4N7R0JK" })).toEqual({ query: { actor: "key_01KBQ2A9M5X1C8T3V6Q4N7R0JK" } });
  });

  it("rejects a malformed actor", () => {
    expect(auditQueryOfFilters({ ...NO_AUDIT_FILTERS, actor: "alice@example.com" })).toEqual({ error: expect.stringMatching(/^Actor:/) });
  });

  it("rejects a malformed target", () => {
    expect(auditQueryOfFilters({ ...NO_AUDIT_FILTERS, targetId: "https://example.com" })).toEqual({ error: expect.stringMatching(/^Target:/) });
  });

  it("rejects a range that ends before it starts", () => {
    const result = auditQueryOfFilters({ ...NO_AUDIT_FILTERS, from: "2026-12-02T00:00:00.000Z", to: "2026-12-01T00:00:00.000Z" });
    expect(result).toEqual({ error: expect.stringMatching(/later than its start/) });
  });

  it("offers only known actions", () => {
    for (const choice of AUDIT_ACTION_CHOICES) {
      for (const action of choice.value.split(",")) expect(AUDIT_ACTION_NAMES).toContain(action);
    }
    expect(AUDIT_ACTION_CHOICES.map((choice) => choice.value)).toEqual(expect.arrayContaining(AUDIT_ACTION_NAMES));
  });

  it("round-trips through the page URL", () => {
    const filters = { action: "webhook.enabled,webhook.disabled", actor: USER, targetId: WEBHOOK, from: "2026-12-01T00:00:00.000Z", to: "2026-12-02T00:00:00.000Z" };
    const params = searchParamsOfAuditFilters(filters);
    expect(params.toString()).toBe(
      "action=webhook.enabled%2Cwebhook.disabled&actor=usr_01KBQ2A9M5X1C8T3V6Q4N7R0JK&target_id=wh_01KBQ2A9M5X1C8T3V6Q4N7R0JK&from=2026-12-01T00%3A00%3A00.000Z&to=2026-12-02T00%3A00%3A00.000Z",
    );
    expect(auditFiltersFromSearchParams(params)).toEqual(filters);
  });

  it("leaves empty filters out of the URL", () => {
    expect(searchParamsOfAuditFilters(NO_AUDIT_FILTERS).toString()).toBe("");
    expect(auditFiltersFromSearchParams(new URLSearchParams())).toEqual(NO_AUDIT_FILTERS);
  });

  it("drops a time in the URL that does not parse", () => {
    expect(auditFiltersFromSearchParams(new URLSearchParams("from=yesterday&to=2026-12-02T00:00:00.000Z"))).toEqual({
      ...NO_AUDIT_FILTERS,
      to: "2026-12-02T00:00:00.000Z",
    });
  });
});
