import { describe, expect, it } from "vitest";
import { assignSlots } from "./pacing";

const at = (seconds: number) => new Date(Date.UTC(2026, 11, 1, 10, 0, 0) + seconds * 1000);
const offsets = (slots: Date[], origin: Date) => slots.map((slot) => (slot.getTime() - origin.getTime()) / 1000);

describe("pacing", () => {
  it("lets a burst of an idle webhook go at once", () => {
    const { slots } = assignSlots(null, 3, at(0), { ratePerSecond: 1, burst: 3 });
    expect(offsets(slots, at(0))).toEqual([0, 0, 0]);
  });

  it("spaces attempts beyond the burst at the rate", () => {
    const { slots, nextSlotAt } = assignSlots(null, 6, at(0), { ratePerSecond: 1, burst: 3 });
    expect(offsets(slots, at(0))).toEqual([0, 0, 0, 1, 2, 3]);
    expect(nextSlotAt).toEqual(at(6));
  });

  it("queues later attempts behind earlier ones", () => {
    const first = assignSlots(null, 6, at(0), { ratePerSecond: 1, burst: 3 });
    const second = assignSlots(first.nextSlotAt, 2, at(1), { ratePerSecond: 1, burst: 3 });
    expect(offsets(second.slots, at(0))).toEqual([4, 5]);
  });

  it("refills the burst while idle", () => {
    const first = assignSlots(null, 6, at(0), { ratePerSecond: 1, burst: 3 });
    const later = assignSlots(first.nextSlotAt, 3, at(60), { ratePerSecond: 1, burst: 3 });
    expect(offsets(later.slots, at(60))).toEqual([0, 0, 0]);
  });

  it("refills part of the burst after a short pause", () => {
    const first = assignSlots(null, 3, at(0), { ratePerSecond: 1, burst: 3 });
    const later = assignSlots(first.nextSlotAt, 3, at(2), { ratePerSecond: 1, burst: 3 });
    expect(offsets(later.slots, at(2))).toEqual([0, 0, 1]);
  });

  it("paces strictly with a burst of one", () => {
    const { slots } = assignSlots(null, 3, at(0), { ratePerSecond: 4, burst: 1 });
    expect(offsets(slots, at(0))).toEqual([0, 0.25, 0.5]);
  });

  it("never runs faster than the rate", () => {
    const { slots } = assignSlots(null, 4, at(0), { ratePerSecond: 3, burst: 1 });
    for (let index = 1; index < slots.length; index++) {
      expect(slots[index]!.getTime() - slots[index - 1]!.getTime()).toBeGreaterThanOrEqual(333);
    }
    expect(slots[3]!.getTime() - slots[0]!.getTime()).toBeGreaterThanOrEqual(1000);
  });
});
