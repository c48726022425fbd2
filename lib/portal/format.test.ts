import { describe, expect, it } from "vitest";
import { formatCountdown, formatDateTime, formatDuration, formatPercent, formatRelativeTime } from "./format";

const now = new Date("2026-01-15T12:00:00Z");

describe("formatRelativeTime", () => {
  it.each([
    ["2026-01-15T11:59:30Z", "just now"],
    ["2026-01-15T11:55:00Z", "5 min ago"],
    ["2026-01-15T09:00:00Z", "3 h ago"],
    ["2026-01-14T12:00:00Z", "1 day ago"],
    ["2026-01-05T12:00:00Z", "10 days ago"],
    ["2026-01-15T14:00:00Z", "in 2 h"],
  ])("describes %s as %s", (value, text) => {
    expect(formatRelativeTime(value, now)).toBe(text);
  });
});

describe("formatDateTime", () => {
  it("uses the given locale and time zone", () => {
    expect(formatDateTime("2026-01-15T12:00:00Z", "en-GB", "UTC")).toBe("15 Jan 2026, 12:00:00");
  });
});

describe("formatCountdown", () => {
  it.each([
    [24 * 3600 * 1000, "24 h 0 min 0 s"],
    [(23 * 3600 + 59 * 60 + 12) * 1000, "23 h 59 min 12 s"],
    [(5 * 60 + 3) * 1000, "5 min 3 s"],
    [4200, "5 s"],
    [0, "expired"],
    [-1000, "expired"],
  ])("formats %d ms as %s", (milliseconds, text) => {
    expect(formatCountdown(milliseconds)).toBe(text);
  });
});

describe("formatPercent", () => {
  it.each([
    [null, "no data"],
    [1, "100%"],
    [0.6, "60%"],
    [0.9876, "98.7%"],
    [0.9999, "99.9%"],
    [0, "0%"],
  ])("formats %s as %s", (rate, text) => {
    expect(formatPercent(rate)).toBe(text);
  });
});

describe("formatDuration", () => {
  it.each([
    [12, "12 ms"],
    [999, "999 ms"],
    [1234, "1.2 s"],
  ])("formats %d ms as %s", (milliseconds, text) => {
    expect(formatDuration(milliseconds)).toBe(text);
  });
});
