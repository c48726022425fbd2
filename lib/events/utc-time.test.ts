import { describe, expect, it } from "vitest";
import { dataTime, implausibleTimeMessage, invalidTimeMessage, utcEquivalent, utcTime } from "./utc-time";

describe("utcEquivalent", () => {
  it.each([
    ["2026-12-01T10:13:58+01:00", "2026-12-01T09:13:58Z"],
    ["2026-12-01T10:13:58+00:00", "2026-12-01T10:13:58Z"],
    ["2026-12-01T10:13:58-05:30", "2026-12-01T15:43:58Z"],
    ["2026-12-01T00:30:00+02:00", "2026-11-30T22:30:00Z"],
    ["2026-12-31T23:00:00-02:00", "2027-01-01T01:00:00Z"],
    ["2026-12-01T10:13:58.123456+01:00", "2026-12-01T09:13:58.123456Z"],
    ["2026-12-01T10:13:58.1+14:00", "2026-11-30T20:13:58.1Z"],
  ])("converts %s", (input, expected) => {
    expect(utcEquivalent(input)).toBe(expected);
  });

  it.each([
    "2026-12-01T09:13:58Z",
    "2026-12-01T10:13:58",
    "2026-12-01T10:13:58+0100",
    "2026-12-01T10:13+01:00",
    "2026-12-01T10:13:58+24:00",
    "2026-12-01T10:13:58+01:60",
    "2026-02-30T10:13:58+01:00",
    "0000-01-01T00:30:00+01:00",
    "yesterday",
  ])("returns null for %s", (input) => {
    expect(utcEquivalent(input)).toBeNull();
  });
});

describe("invalidTimeMessage", () => {
  it("gives the UTC form of a time with an offset", () => {
    expect(invalidTimeMessage("2026-12-01T10:13:58+01:00")).toBe(
      'Invalid time "2026-12-01T10:13:58+01:00": use ISO 8601 in UTC ending in Z, for this time 2026-12-01T09:13:58Z',
    );
  });

  it("gives an example for anything else", () => {
    expect(invalidTimeMessage("2026-12-01 10:13")).toBe("Invalid time: use ISO 8601 in UTC ending in Z, for example 2026-12-01T09:13:58Z");
    expect(invalidTimeMessage(1764580438)).toBe("Invalid time: use ISO 8601 in UTC ending in Z, for example 2026-12-01T09:13:58Z");
  });
});

describe("utcTime", () => {
  it("accepts UTC ending in Z", () => {
    expect(utcTime().safeParse("2026-12-01T09:13:58Z").success).toBe(true);
    expect(utcTime().safeParse("2026-12-01T09:13:58.123456Z").success).toBe(true);
  });

  it("rejects an offset with the UTC form", () => {
    const result = utcTime().safeParse("2026-12-01T10:13:58+01:00");
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain("for this time 2026-12-01T09:13:58Z");
  });

  it("rejects an offset of zero", () => {
    const result = utcTime().safeParse("2026-12-01T09:13:58+00:00");
    expect(result.error?.issues[0]?.message).toContain("for this time 2026-12-01T09:13:58Z");
  });

  it("rejects a time without a zone", () => {
    const result = utcTime().safeParse("2026-12-01T09:13:58");
    expect(result.error?.issues[0]?.message).toContain("for example 2026-12-01T09:13:58Z");
  });

  it("rejects a value that is not a string", () => {
    expect(utcTime().safeParse(1764580438).success).toBe(false);
  });
});

describe("dataTime", () => {
  const schema = dataTime();

  it.each(["2000-01-01T00:00:00Z", "2026-12-01T09:13:58.123456Z", "2199-12-31T23:59:59.999Z"])("accepts %s", (input) => {
    expect(schema.safeParse(input).success).toBe(true);
  });

  it.each(["0001-01-01T00:00:00Z", "1970-01-01T00:00:00Z", "1999-12-31T23:59:59.999Z", "2200-01-01T00:00:00Z", "9999-12-31T23:59:59Z"])(
    "rejects %s with the window",
    (input) => {
      const result = schema.safeParse(input);
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.message).toBe(implausibleTimeMessage(input));
    },
  );

  it("names the window and the fix", () => {
    expect(implausibleTimeMessage("0001-01-01T00:00:00Z")).toBe(
      'Invalid time "0001-01-01T00:00:00Z": times in event data must fall between 2000-01-01 and 2199-12-31. ' +
        "A year such as 0001, 1970 or 9999 is usually an unset value: leave an optional time out instead",
    );
  });

  it("keeps the UTC message for a time with an offset", () => {
    const result = schema.safeParse("2026-12-01T10:13:58+01:00");
    expect(result.error?.issues.map((issue) => issue.message)).toEqual([invalidTimeMessage("2026-12-01T10:13:58+01:00")]);
  });
});
