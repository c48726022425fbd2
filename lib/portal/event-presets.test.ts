import { describe, expect, it } from "vitest";
import { SUBSCRIBABLE_EVENT_TYPES } from "../events/catalog";
import { EVENT_PRESETS, eventGroups, inCatalogOrder, matchingPreset } from "./event-presets";

describe("EVENT_PRESETS", () => {
  it("lists only subscribable event types", () => {
    for (const preset of EVENT_PRESETS) {
      for (const type of preset.events) expect(SUBSCRIBABLE_EVENT_TYPES).toContain(type);
    }
  });

  it("subscribes SIEM ingestion to findings, secrets and SBOM matches", () => {
    const siem = EVENT_PRESETS.find((preset) => preset.id === "siem");
    expect(siem?.events).toEqual(["finding.created", "finding.escalated", "finding.sla_breached", "secret.verified_live", "sbom.intel_match"]);
  });

  it("subscribes CMDB sync to asset events", () => {
    const cmdb = EVENT_PRESETS.find((preset) => preset.id === "cmdb");
    expect(cmdb?.events).toEqual(["asset.first_seen", "asset.disappeared", "asset.reappeared"]);
  });

  it("subscribes fan-out to every event", () => {
    const fanOut = EVENT_PRESETS.find((preset) => preset.id === "fan-out");
    expect(fanOut?.events).toEqual(SUBSCRIBABLE_EVENT_TYPES);
  });
});

describe("eventGroups", () => {
  it("covers every subscribable type once, without webhook.test", () => {
    const types = eventGroups().flatMap((group) => group.types.map((info) => info.type));
    expect(types).toEqual(SUBSCRIBABLE_EVENT_TYPES);
    expect(types).not.toContain("webhook.test");
  });

  it("groups types by area", () => {
    const assets = eventGroups().find((group) => group.area === "Assets");
    expect(assets?.types.map((info) => info.type)).toEqual(["asset.first_seen", "asset.disappeared", "asset.reappeared"]);
  });
});

describe("matchingPreset", () => {
  it("finds a preset regardless of order", () => {
    expect(matchingPreset(["asset.reappeared", "asset.first_seen", "asset.disappeared"])?.id).toBe("cmdb");
  });

  it("finds none for a partial selection", () => {
    expect(matchingPreset(["asset.first_seen"])).toBeUndefined();
  });
});

describe("inCatalogOrder", () => {
  it("sorts by catalog order and drops duplicates", () => {
    expect(inCatalogOrder(["asset.first_seen", "finding.created", "asset.first_seen"])).toEqual(["finding.created", "asset.first_seen"]);
  });
});
