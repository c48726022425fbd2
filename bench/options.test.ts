import { describe, expect, it } from "vitest";
import { parseBenchArguments, PHASES, USAGE } from "./options";

describe("parseBenchArguments", () => {
  it("uses the documented defaults", () => {
    const options = parseBenchArguments([]);
    expect(options.runs).toBe(3);
    expect(options.events).toBe(1000);
    expect(options.pacedSeconds).toBe(5);
    expect(options.webhooks).toBe(10);
    expect(options.rate).toBe(1000);
    expect(options.fanout).toBe(1000);
    expect(options.phases).toEqual([...PHASES]);
    expect(options.analyze).toBe("after-seeding");
    expect(options.bareGroupConcurrency).toBeNull();
    expect(options.compare).toEqual([]);
    expect(options.help).toBe(false);
  });

  it("reads numbers, switches and repeated flags", () => {
    const options = parseBenchArguments([
      "--runs", "5", "--events", "300", "--webhooks", "4", "--rate", "2000", "--bare-group-concurrency", "16",
      "--embedded", "--statements", "--analyze", "before-seeding", "--cpu-prof", "/tmp/profiles",
      "--compare", "../a", "--compare", "../b",
    ]);
    expect(options).toMatchObject({
      runs: 5,
      events: 300,
      webhooks: 4,
      rate: 2000,
      bareGroupConcurrency: 16,
      embedded: true,
      statements: true,
      analyze: "before-seeding",
      cpuProfileDirectory: "/tmp/profiles",
      compare: ["../a", "../b"],
    });
  });

  it("keeps phases in measuring order", () => {
    expect(parseBenchArguments(["--phases", "fanout, drain"]).phases).toEqual(["drain", "fanout"]);
  });

  it("rejects an unknown phase", () => {
    expect(() => parseBenchArguments(["--phases", "drain,latency"])).toThrow('Invalid --phases entry "latency"');
  });

  it("rejects a number that is not whole", () => {
    expect(() => parseBenchArguments(["--runs", "2.5"])).toThrow('Invalid --runs "2.5": expected a whole number');
  });

  it("rejects a number out of range", () => {
    expect(() => parseBenchArguments(["--runs", "0"])).toThrow("Invalid --runs 0: expected 1 to 50");
  });

  it("rejects an unknown analyze mode", () => {
    expect(() => parseBenchArguments(["--analyze", "sometimes"])).toThrow('Invalid --analyze "sometimes"');
  });

  it("rejects an unknown flag", () => {
    expect(() => parseBenchArguments(["--speed", "9"])).toThrow(/speed/);
  });

  it("recognises help", () => {
    expect(parseBenchArguments(["-h"]).help).toBe(true);
    expect(USAGE).toContain("deliveries_per_s=... p50_ms=... p99_ms=... bare_deliveries_per_s=... ratio=...");
  });
});
