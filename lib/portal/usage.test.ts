import { describe, expect, it } from "vitest";
import type { DailyCapToday } from "./api-client";
import { bucketLabel, bucketTitle, capBanner, capPercent, formatCount, parseDailyCapInput, usageChartRows } from "./usage";

const today = (overrides: Partial<DailyCapToday>): DailyCapToday => ({
  day: "2026-12-01",
  used: 10,
  daily_cap: 50_000,
  remaining: 49_990,
  state: "ok",
  warning_at: 40_000,
  resets_at: "2026-12-02T00:00:00.000Z",
  held: 0,
  held_until: null,
  ...overrides,
});

describe("usage formats", () => {
  it("groups digits", () => {
    expect(formatCount(50_000)).toBe("50,000");
    expect(formatCount(7)).toBe("7");
  });

  it("rounds the share down", () => {
    expect(capPercent(39_999, 50_000)).toBe(79);
    expect(capPercent(40_000, 50_000)).toBe(80);
    expect(capPercent(60_000, 50_000)).toBe(120);
  });

  it("labels buckets in UTC", () => {
    expect(bucketLabel("2026-12-01T00:00:00.000Z", "day")).toBe("Dec 1");
    expect(bucketLabel("2026-12-01T13:00:00.000Z", "hour")).toBe("13:00");
    expect(bucketTitle("2026-12-01T00:00:00.000Z", "day")).toBe("Tue, Dec 1, 2026 (UTC)");
    expect(bucketTitle("2026-12-01T23:00:00.000Z", "hour")).toBe("Dec 1, 23:00–00:00 UTC");
  });

  it("keeps every bucket as a row", () => {
    const rows = usageChartRows(
      [{ start: "2026-12-01T00:00:00.000Z", end: "2026-12-02T00:00:00.000Z", counted: 5, succeeded: 4, failed: 1, held: 2, daily_cap: 5 }],
      "day",
    );
    expect(rows).toEqual([{ label: "Dec 1", title: "Tue, Dec 1, 2026 (UTC)", succeeded: 4, failed: 1, held: 2, counted: 5, cap: 5 }]);
  });
});

describe("cap banner", () => {
  it("stays hidden below 80 percent", () => {
    expect(capBanner(today({}), "5 h")).toBeNull();
  });

  it("warns from 80 percent", () => {
    const banner = capBanner(today({ used: 41_000, state: "warning" }), "5 h");
    expect(banner).toMatchObject({ tone: "warning", title: "82% of the daily cap used" });
    expect(banner!.body).toContain("41,000 of 50,000");
    expect(banner!.body).toContain("in 5 h");
  });

  it("alerts once the cap is used", () => {
    const banner = capBanner(today({ used: 50_000, remaining: 0, state: "reached", held: 12 }), "2 h 5 min");
    expect(banner).toMatchObject({ tone: "danger", title: "Daily cap reached" });
    expect(banner!.body).toContain("12 deliveries are held");
    expect(banner!.body).toContain("changes to its URL, event types and description answer 429");
    expect(banner!.body).toContain("Test events, replays of sent deliveries and secret rotation still work");
  });

  it("alerts while deliveries wait from an earlier day", () => {
    const banner = capBanner(today({ used: 3, held: 1 }), "20 h");
    expect(banner).toMatchObject({ tone: "danger", title: "Deliveries held by the daily cap" });
    expect(banner!.body).not.toContain("429");
    expect(banner!.body).not.toContain("still work");
  });
});

describe("parseDailyCapInput", () => {
  const WHOLE_NUMBER = "Enter a whole number of deliveries per day, 1 or more";

  it.each([
    ["1", 1],
    ["50000", 50_000],
    ["50,000", 50_000],
    ["50 000", 50_000],
    ["50_000", 50_000],
    ["50\u202f000", 50_000],
    ["  1,000,000  ", 1_000_000],
    ["007", 7],
  ])("reads %j as %d", (text, value) => {
    expect(parseDailyCapInput(text)).toEqual({ ok: true, value });
  });

  it.each([
    ["hexadecimal", "0x10"],
    ["binary", "0b11"],
    ["octal", "0o17"],
    ["an exponent", "1e3"],
    ["an upper-case exponent", "1E3"],
    ["a decimal point", "1.5"],
    ["a trailing decimal point", "10."],
    ["a thousands point", "1.000"],
    ["a plus sign", "+5"],
    ["a minus sign", "-5"],
    ["zero", "0"],
    ["zeros", "0,000"],
    ["Infinity", "Infinity"],
    ["letters", "abc"],
    ["Arabic-Indic digits", "\u0661\u0660"],
    ["an empty field", ""],
    ["separators only", " , "],
  ])("rejects %s", (_label, text) => {
    expect(parseDailyCapInput(text)).toEqual({ ok: false, message: WHOLE_NUMBER });
  });

  it("leaves a large cap to the API", () => {
    expect(parseDailyCapInput("99999999999999999999")).toEqual({ ok: true, value: 1e20 });
  });

  it("rejects a number too large for JSON", () => {
    expect(parseDailyCapInput("9".repeat(400))).toEqual({ ok: false, message: "This number is too large for a daily cap" });
  });
});
