import { describe, expect, it } from "vitest";
import { EXIT_CONFIGURATION_ERROR } from "../../lib/exit-codes";
import { decideRestart, DEFAULT_RESTART_POLICY, type RestartDecision } from "./restart-policy";

function restartDelay(decision: RestartDecision): number {
  if (decision.action !== "restart") throw new Error(`expected a restart, got ${decision.action}`);
  return decision.delayMs;
}

describe("decideRestart", () => {
  it("restarts a first crash after the first delay", () => {
    expect(restartDelay(decideRestart({ quickExits: 0 }, 500, 1))).toBe(1_000);
  });

  it("doubles the delay for quick crashes in a row", () => {
    let state = { quickExits: 0 };
    const delays: number[] = [];
    for (let crash = 0; crash < 5; crash++) {
      const decision = decideRestart(state, 2_000, null);
      delays.push(restartDelay(decision));
      if (decision.action === "restart") state = decision.state;
    }
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000]);
  });

  it("gives up after the maximum of quick crashes", () => {
    const decision = decideRestart({ quickExits: DEFAULT_RESTART_POLICY.maxQuickExits }, 2_000, 1);
    expect(decision).toEqual({ action: "give-up", reason: "quick-exits", quickExits: DEFAULT_RESTART_POLICY.maxQuickExits });
  });

  it("starts the count again after a stable run", () => {
    const decision = decideRestart({ quickExits: DEFAULT_RESTART_POLICY.maxQuickExits }, DEFAULT_RESTART_POLICY.stableAfterMs, 1);
    expect(decision).toEqual({ action: "restart", delayMs: 1_000, state: { quickExits: 1 } });
  });

  it("caps the delay", () => {
    const policy = { ...DEFAULT_RESTART_POLICY, maxQuickExits: 20 };
    expect(restartDelay(decideRestart({ quickExits: 10 }, 0, 1, policy))).toBe(policy.maxDelayMs);
  });

  it("never restarts a service that reported a configuration error", () => {
    expect(decideRestart({ quickExits: 0 }, DEFAULT_RESTART_POLICY.stableAfterMs, EXIT_CONFIGURATION_ERROR)).toEqual({ action: "give-up", reason: "configuration" });
  });
});
