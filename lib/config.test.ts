import { describe, expect, it } from "vitest";
import { privateDestinationsAllowed } from "./config";

describe("privateDestinationsAllowed", () => {
  it.each([
    [undefined, false],
    ["", false],
    ["0", false],
    ["false", false],
    ["no", false],
    ["1", true],
    ["true", true],
    ["yes", true],
  ])("reads %j as %s", (value, expected) => {
    expect(privateDestinationsAllowed({ WVK_ALLOW_PRIVATE_DESTINATIONS: value })).toBe(expected);
  });

  it("rejects other values", () => {
    expect(() => privateDestinationsAllowed({ WVK_ALLOW_PRIVATE_DESTINATIONS: "on" })).toThrow(
      'WVK_ALLOW_PRIVATE_DESTINATIONS: expected 1, 0, true, false, yes or no, got "on"',
    );
  });
});
