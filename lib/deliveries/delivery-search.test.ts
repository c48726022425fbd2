import { describe, expect, it } from "vitest";
import { planDeliverySearch } from "./delivery-search";

const ORGANIZATION = "org_01KBQ2A9M5X1C8T3V6Q4N7R0JK";
const WEBHOOK = "wh_01KBQ2A9M5X1C8T3V6Q4N7R0JK";
const DELIVERY = "dlv_01KBQ4B1F6H3Y8D2K9W4S7T0VA";
const EVENT = "evt_01KBQ4B1F6H3Y8D2K9W4S7T0VA";
const PAGE = { limit: 51 };

function strategyOf(filters: Parameters<typeof planDeliverySearch>[1], webhookId: string | undefined = WEBHOOK) {
  return planDeliverySearch({ organizationId: ORGANIZATION, webhookId }, filters, PAGE)?.strategy;
}

describe("planDeliverySearch", () => {
  it.each([
    ["no filter", {}, "recent"],
    ["a time range", { createdAfter: new Date("2026-12-01T00:00:00Z") }, "recent"],
    ["a status", { statuses: ["failed"] as const }, "status"],
    ["an event type", { eventTypes: ["finding.created"] }, "event_type"],
    ["a type and a status", { eventTypes: ["finding.created"], statuses: ["failed"] as const }, "event_type"],
    ["a subject with a status", { subject: "fnd_1", statuses: ["failed"] as const }, "subject"],
    ["a delivery id with a subject", { deliveryId: DELIVERY, subject: "fnd_1" }, "delivery_id"],
    ["an event id with a status", { eventId: EVENT, statuses: ["held"] as const }, "event_id"],
  ])("walks the right index for %s", (_name, filters, strategy) => {
    expect(strategyOf(filters)).toBe(strategy);
  });

  it("walks every catalog type for a status alone", () => {
    const plan = planDeliverySearch({ organizationId: ORGANIZATION, webhookId: WEBHOOK }, { statuses: ["failed"] }, PAGE)!;
    const types = plan.values.find((value) => Array.isArray(value) && value.includes("finding.created")) as string[];
    expect(types).toContain("webhook.test");
    expect(types).toContain("asset.first_seen");
  });

  it("merges the walks of every webhook across an organisation", () => {
    const plan = planDeliverySearch({ organizationId: ORGANIZATION }, { statuses: ["failed"] }, PAGE)!;
    expect(plan.text).toContain("FROM subscriptions s CROSS JOIN LATERAL");
    expect(plan.strategy).toBe("status");
  });

  it("reads the organisation's own index without filters", () => {
    const plan = planDeliverySearch({ organizationId: ORGANIZATION }, {}, PAGE)!;
    expect(plan.text).not.toContain("subscriptions");
    expect(plan.text).toContain("d.organization_id = $2::text");
  });

  it("passes every value as a parameter", () => {
    const plan = planDeliverySearch({ organizationId: ORGANIZATION, webhookId: WEBHOOK }, { subject: "fnd_1'; DROP TABLE deliveries; --" }, PAGE)!;
    expect(plan.text).not.toContain("DROP TABLE");
    expect(plan.values).toContain("fnd_1'; DROP TABLE deliveries; --");
  });

  it("skips the query for an empty time range", () => {
    const at = new Date("2026-12-01T00:00:00Z");
    expect(planDeliverySearch({ organizationId: ORGANIZATION }, { createdAfter: at, createdBefore: at }, PAGE)).toBeNull();
  });
});
