import { describe, expect, it } from "vitest";
import { firstReceipts, measuredLatencies, type PublishedEventTimes } from "./latency";

describe("firstReceipts", () => {
  it("keeps the earliest receipt of a repeated delivery", () => {
    const first = firstReceipts(["d1", "d2", "d1"], [30, 20, 10]);
    expect(first.get("d1")).toBe(10);
    expect(first.get("d2")).toBe(20);
    expect(first.size).toBe(2);
  });
});

describe("measuredLatencies", () => {
  const events: PublishedEventTimes[] = [
    { eventId: "warm", calledAt: 0, returnedAt: 5, deliveries: 1, measured: false },
    { eventId: "e1", calledAt: 100, returnedAt: 104, deliveries: 2, measured: true },
  ];
  const eventByDelivery = new Map([
    ["w1", "warm"],
    ["a", "e1"],
    ["b", "e1"],
  ]);

  it("measures from the call and from the return", () => {
    const result = measuredLatencies(new Map([["a", 110], ["b", 120]]), eventByDelivery, events);
    expect(result.fromCall).toEqual([10, 20]);
    expect(result.fromReturn).toEqual([6, 16]);
    expect(result.measuredDeliveries).toBe(2);
  });

  it("leaves warm-up deliveries out", () => {
    const result = measuredLatencies(new Map([["w1", 50], ["a", 110]]), eventByDelivery, events);
    expect(result.fromCall).toEqual([10]);
  });

  it("counts measured deliveries that never arrived", () => {
    const result = measuredLatencies(new Map([["a", 110]]), eventByDelivery, events);
    expect(result.fromCall).toHaveLength(1);
    expect(result.measuredDeliveries).toBe(2);
  });

  it("ignores receipts of unknown deliveries", () => {
    const result = measuredLatencies(new Map([["stray", 110]]), eventByDelivery, events);
    expect(result.fromCall).toEqual([]);
  });
});
