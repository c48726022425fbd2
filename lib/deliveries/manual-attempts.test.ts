import { describe, expect, it, vi } from "vitest";
import { testEventData } from "./manual-attempts";

// A prefix other than the real one shows that test ids are built from the prefix that publishing rejects, not
// from a copy of it that could drift.
vi.mock("../events/schemas", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../events/schemas")>()),
  TEST_FINDING_ID_PREFIX: "fnd_reserved_",
}));

describe("testEventData", () => {
  it("uses the reserved finding id prefix", () => {
    const id = testEventData(new Date("2026-12-01T10:00:00.000Z")).example_finding.id;
    expect(id).toMatch(/^fnd_reserved_[0-9a-f]{12}$/);
  });
});
