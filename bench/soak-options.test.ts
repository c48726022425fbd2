import { describe, expect, it } from "vitest";
import { parseSoakArguments } from "./soak-options";

describe("parseSoakArguments", () => {
  it("defaults to ten minutes", () => {
    expect(parseSoakArguments([])).toEqual({ minutes: 10, rate: 20, sampleSeconds: 5, drainMinutes: 4, help: false });
  });

  it("reads every option", () => {
    const options = parseSoakArguments(["--minutes", "1.5", "--rate", "50", "--sample-seconds", "2", "--drain-minutes", "3", "--help"]);
    expect(options).toEqual({ minutes: 1.5, rate: 50, sampleSeconds: 2, drainMinutes: 3, help: true });
  });

  it.each([
    [["--minutes", "0"], 'Invalid --minutes "0": expected a number from 0.5 to 1440'],
    [["--rate", "fast"], 'Invalid --rate "fast": expected a number from 1 to 1000'],
    [["--sample-seconds", ""], 'Invalid --sample-seconds "": expected a number from 1 to 600'],
  ])("rejects %j", (args, message) => {
    expect(() => parseSoakArguments(args)).toThrow(message);
  });

  it("rejects unknown options", () => {
    expect(() => parseSoakArguments(["--hours", "2"])).toThrow(/hours/);
  });
});
