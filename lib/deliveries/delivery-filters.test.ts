import { describe, expect, it } from "vitest";
import { idLowerBound } from "../ids";
import { deliveryIdRange, distinct, isEmptyRange } from "./delivery-filters";

const T = new Date("2026-12-01T09:00:00.000Z");

describe("deliveryIdRange", () => {
  it("has no bounds without filters or cursor", () => {
    expect(deliveryIdRange({})).toEqual({ lowest: null, below: null });
  });

  it("starts after the millisecond of created_after", () => {
    expect(deliveryIdRange({ createdAfter: T }).lowest).toBe(idLowerBound("delivery", new Date(T.getTime() + 1)));
  });

  it("ends before the millisecond of created_before", () => {
    expect(deliveryIdRange({ createdBefore: T }).below).toBe(idLowerBound("delivery", T));
  });

  it("takes the cursor when it is older than created_before", () => {
    const cursor = `${idLowerBound("delivery", new Date(T.getTime() - 1000)).slice(0, -1)}5`;
    expect(deliveryIdRange({ createdBefore: T }, cursor).below).toBe(cursor);
  });

  it("keeps created_before when the cursor is newer", () => {
    const cursor = idLowerBound("delivery", new Date(T.getTime() + 1000));
    expect(deliveryIdRange({ createdBefore: T }, cursor).below).toBe(idLowerBound("delivery", T));
  });
});

describe("isEmptyRange", () => {
  it("is empty when the start is not before the end", () => {
    expect(isEmptyRange(deliveryIdRange({ createdAfter: T, createdBefore: T }))).toBe(true);
    expect(isEmptyRange(deliveryIdRange({ createdAfter: T, createdBefore: new Date(T.getTime() + 1) }))).toBe(true);
  });

  it("is not empty for a range of two milliseconds", () => {
    expect(isEmptyRange(deliveryIdRange({ createdAfter: T, createdBefore: new Date(T.getTime() + 2) }))).toBe(false);
  });

  it("is not empty with an open end", () => {
    expect(isEmptyRange(deliveryIdRange({ createdAfter: T }))).toBe(false);
  });
});

describe("distinct", () => {
  it("drops repeats and keeps the order", () => {
    expect(distinct(["failed", "retrying", "failed"])).toEqual(["failed", "retrying"]);
    expect(distinct(undefined)).toEqual([]);
  });
});
