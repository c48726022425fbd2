import { describe, expect, it } from "vitest";
import type { Delivery } from "./api-client";
import { findResult, type FindTerm } from "./find-delivery";
import { parseSearchTerm } from "./inspector-filters";

const DELIVERY_ID = "dlv_01KBQ4B1F6H3Y8D2K9W4S7T0VA";
const EVENT_ID = "evt_01M92JXBGF4YB5ENF3YRD9W53G";

function delivery(id: string, webhookId = "wh_01KBQ2A9M5X1C8T3V6Q4N7R0JK"): Delivery {
  return {
    id,
    webhook_id: webhookId,
    event_id: EVENT_ID,
    event_type: "finding.escalated",
    subject: "fnd_456",
    status: "succeeded",
    held_reason: null,
    attempts: 1,
    ordering: null,
    next_attempt_at: null,
    created_at: "2026-12-01T08:00:00.000Z",
    completed_at: "2026-12-01T08:00:01.000Z",
    last_attempt: null,
  };
}

function term(text: string): FindTerm {
  const parsed = parseSearchTerm(text);
  if (!parsed || "error" in parsed) throw new Error(`${text} is not a search term`);
  return parsed;
}

describe("findResult", () => {
  it.each([
    ["a delivery id", DELIVERY_ID],
    ["an event id", EVENT_ID],
    ["a finding id", "fnd_456"],
    ["an asset id", "ast_3M8VTR"],
  ])("opens the only match of %s", (_label, text) => {
    const only = delivery(DELIVERY_ID);
    expect(findResult(term(text), { data: [only], next_cursor: null })).toEqual({ kind: "open", delivery: only });
  });

  it("lists several deliveries of an event", () => {
    const deliveries = [delivery("dlv_01KBQ4B1F6H3Y8D2K9W4S7T0VB", "wh_A"), delivery("dlv_01KBQ4B1F6H3Y8D2K9W4S7T0VA", "wh_B")];
    expect(findResult(term(EVENT_ID), { data: deliveries, next_cursor: null })).toEqual({
      kind: "several",
      heading: `2 deliveries of event ${EVENT_ID}, newest first:`,
      deliveries,
    });
  });

  it("says when more matched than are listed", () => {
    const deliveries = [delivery("dlv_01KBQ4B1F6H3Y8D2K9W4S7T0VB"), delivery("dlv_01KBQ4B1F6H3Y8D2K9W4S7T0VA")];
    expect(findResult(term("fnd_456"), { data: deliveries, next_cursor: "cursor" })).toEqual({
      kind: "several",
      heading: "The 2 newest deliveries about fnd_456. Each opens on its webhook's Deliveries tab, which lists all of that webhook's matches:",
      deliveries,
    });
  });

  it("lists one match when more exist", () => {
    expect(findResult(term("fnd_456"), { data: [delivery(DELIVERY_ID)], next_cursor: "cursor" }).kind).toBe("several");
  });

  it.each([
    [DELIVERY_ID, `No delivery ${DELIVERY_ID} in your organisation. It may belong to a deleted webhook.`],
    [EVENT_ID, `No deliveries of event ${EVENT_ID} in your organisation. No webhook may listen to its type, or its webhooks were deleted.`],
    ["fnd_456", "No deliveries about fnd_456 in your organisation. Finding and asset ids are case-sensitive."],
  ])("explains no match for %s", (text, message) => {
    expect(findResult(term(text), { data: [], next_cursor: null })).toEqual({ kind: "none", message });
  });
});
