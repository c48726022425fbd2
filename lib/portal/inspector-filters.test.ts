import { describe, expect, it } from "vitest";
import {
  apiQueryOfFilters,
  filtersFromSearchParams,
  fromLocalInputValue,
  hasFilters,
  NO_FILTERS,
  parseSearchTerm,
  searchParamsOfFilters,
  toLocalInputValue,
} from "./inspector-filters";

const NOW = new Date("2026-12-04T12:00:00.000Z");

describe("parseSearchTerm", () => {
  it("reads a delivery id", () => {
    expect(parseSearchTerm(" dlv_01KBQ4B1F6H3Y8D2K9W4S7T0VA ")).toEqual({ parameter: "delivery_id", value: "dlv_01KBQ4B1F6H3Y8D2K9W4S7T0VA" });
  });

  it("upper-cases a delivery id typed in lower case", () => {
    expect(parseSearchTerm("dlv_01kbq4b1f6h3y8d2k9w4s7t0va")).toEqual({ parameter: "delivery_id", value: "dlv_01KBQ4B1F6H3Y8D2K9W4S7T0VA" });
  });

  it("reads an event id", () => {
    expect(parseSearchTerm("evt_01KBQ4B1F6H3Y8D2K9W4S7T0VA")).toEqual({ parameter: "event_id", value: "evt_01KBQ4B1F6H3Y8D2K9W4S7T0VA" });
  });

  it("reads anything else as a subject", () => {
    expect(parseSearchTerm("fnd_456")).toEqual({ parameter: "subject", value: "fnd_456" });
    expect(parseSearchTerm("ast_shop.example.com")).toEqual({ parameter: "subject", value: "ast_shop.example.com" });
  });

  it("explains an incomplete delivery id", () => {
    expect(parseSearchTerm("dlv_01KBQ")).toEqual({ error: expect.stringContaining("26 characters") });
  });

  it("rejects spaces", () => {
    expect(parseSearchTerm("fnd 456")).toEqual({ error: expect.stringContaining("without spaces") });
  });

  it("ignores an empty entry", () => {
    expect(parseSearchTerm("   ")).toBeNull();
  });
});

describe("filters in the URL", () => {
  it("round-trips every filter", () => {
    const filters = { status: "failed,retrying", eventType: "finding.created", search: "fnd_1", since: "" as const, from: "2026-12-01T00:00:00.000Z", to: "2026-12-02T00:00:00.000Z" };
    expect(filtersFromSearchParams(searchParamsOfFilters(filters))).toEqual(filters);
  });

  it("leaves empty filters out of the URL", () => {
    expect(searchParamsOfFilters({ ...NO_FILTERS, status: "failed" }).toString()).toBe("status=failed");
  });

  it("drops an unknown preset and malformed times", () => {
    const filters = filtersFromSearchParams(new URLSearchParams("since=2y&from=yesterday&to=2026-12-01T00:00:00Z"));
    expect(filters).toEqual({ ...NO_FILTERS, to: "2026-12-01T00:00:00Z" });
  });

  it("tells whether any filter is set", () => {
    expect(hasFilters(NO_FILTERS)).toBe(false);
    expect(hasFilters({ ...NO_FILTERS, search: "fnd_1" })).toBe(true);
  });
});

describe("apiQueryOfFilters", () => {
  it("sends nothing without filters", () => {
    expect(apiQueryOfFilters(NO_FILTERS, NOW)).toEqual({ query: {} });
  });

  it("maps the search box to its parameter", () => {
    expect(apiQueryOfFilters({ ...NO_FILTERS, search: "fnd_9", status: "failed" }, NOW)).toEqual({ query: { subject: "fnd_9", status: "failed" } });
  });

  it("turns a preset into a window ending now", () => {
    expect(apiQueryOfFilters({ ...NO_FILTERS, since: "1h" }, NOW)).toEqual({ query: { created_after: "2026-12-04T11:00:00.000Z" } });
  });

  it("includes the start of a custom range", () => {
    const result = apiQueryOfFilters({ ...NO_FILTERS, from: "2026-12-01T00:00:00.000Z", to: "2026-12-02T00:00:00.000Z" }, NOW);
    expect(result).toEqual({ query: { created_after: "2026-11-30T23:59:59.999Z", created_before: "2026-12-02T00:00:00.000Z" } });
  });

  it("rejects a range that ends before it starts", () => {
    expect(apiQueryOfFilters({ ...NO_FILTERS, from: "2026-12-02T00:00:00.000Z", to: "2026-12-01T00:00:00.000Z" }, NOW)).toEqual({
      error: expect.stringContaining("later than its start"),
    });
  });

  it("reports an invalid search entry", () => {
    expect(apiQueryOfFilters({ ...NO_FILTERS, search: "dlv_x" }, NOW)).toEqual({ error: expect.stringContaining("delivery id") });
  });
});

describe("datetime-local values", () => {
  it("round-trips to the minute", () => {
    const iso = "2026-12-01T09:14:00.000Z";
    expect(fromLocalInputValue(toLocalInputValue(iso))).toBe(iso);
  });

  it("reads empty and invalid values as empty", () => {
    expect(fromLocalInputValue("")).toBe("");
    expect(fromLocalInputValue("tomorrow")).toBe("");
    expect(toLocalInputValue("")).toBe("");
  });
});
