import { describe, expect, it } from "vitest";
import { type LastDayCounts, successRateFigure } from "./success-rate";

const counts = (overrides: Partial<LastDayCounts>): LastDayCounts => ({
  succeeded: 0,
  failed: 0,
  retrying: 0,
  waiting: 0,
  success_rate: null,
  ...overrides,
});

describe("successRateFigure", () => {
  it("reads no deliveries for an empty window", () => {
    expect(successRateFigure(counts({}))).toEqual({ kind: "no-deliveries" });
  });

  it("reads none attempted when all wait", () => {
    expect(successRateFigure(counts({ waiting: 3 }))).toEqual({ kind: "none-attempted", waiting: 3 });
  });

  it("counts retrying deliveries as attempted", () => {
    const figure = successRateFigure(counts({ succeeded: 3, retrying: 1, waiting: 5, success_rate: 0.75 }));
    expect(figure).toEqual({ kind: "rate", rate: 0.75, succeeded: 3, attempted: 4, tone: "poor" });
  });

  it("tones the rate by its thresholds", () => {
    expect(successRateFigure(counts({ succeeded: 99, failed: 1, success_rate: 0.99 }))).toMatchObject({ tone: "good" });
    expect(successRateFigure(counts({ succeeded: 9, failed: 1, success_rate: 0.9 }))).toMatchObject({ tone: "fair" });
    expect(successRateFigure(counts({ succeeded: 89, failed: 11, success_rate: 0.89 }))).toMatchObject({ tone: "poor" });
  });
});
