import { describe, expect, it } from "vitest";
import { EVENT_TYPES } from "./catalog";
import { orderingKey } from "./ordering";

describe("orderingKey", () => {
  it.each(["finding.created", "finding.escalated", "finding.sla_breached", "secret.verified_live", "sbom.intel_match"])(
    "orders %s by finding",
    (type) => {
      expect(orderingKey(type, "fnd_456")).toBe("finding:fnd_456");
    },
  );

  it.each(["asset.first_seen", "asset.disappeared", "asset.reappeared"])("orders %s by asset", (type) => {
    expect(orderingKey(type, "ast_9")).toBe("asset:ast_9");
  });

  it("leaves test events unordered", () => {
    expect(orderingKey("webhook.test", "fnd_test_1")).toBeNull();
  });

  it("leaves events without a subject unordered", () => {
    expect(orderingKey("finding.created", null)).toBeNull();
  });

  it("keys every catalog type but webhook.test", () => {
    const unkeyed = EVENT_TYPES.filter((info) => orderingKey(info.type, "x") === null).map((info) => info.type);
    expect(unkeyed).toEqual(["webhook.test"]);
  });
});
