import { describe, expect, it } from "vitest";
import {
  DISABLE_AFTER_MS,
  deriveHealth,
  FAILING_MIN_CONSECUTIVE,
  foldHealthChanges,
  type HealthFacts,
  isDueForDisabling,
  WARNING_BEFORE_MS,
} from "./health";

const now = new Date("2026-12-10T12:00:00.000Z");
const ago = (ms: number) => new Date(now.getTime() - ms);
const minutes = (count: number) => count * 60_000;
const hours = (count: number) => count * 3_600_000;

const healthy: HealthFacts = { enabled: true, disabledCause: null, failingSince: null, consecutiveFailures: 0, lastFailureAt: null };

function failingFor(ms: number, failures = FAILING_MIN_CONSECUTIVE): HealthFacts {
  return { ...healthy, failingSince: ago(ms), consecutiveFailures: failures, lastFailureAt: ago(minutes(1)) };
}

describe("deriveHealth", () => {
  it("no failures is healthy", () => {
    expect(deriveHealth(healthy, now)).toEqual({ state: "healthy", failingSince: null, consecutiveFailures: 0, disableAt: null, disabledCause: null });
  });

  it("failure over an hour ago, then success, is healthy", () => {
    expect(deriveHealth({ ...healthy, lastFailureAt: ago(minutes(61)) }, now).state).toBe("healthy");
  });

  it("recent failure before a success is degraded", () => {
    expect(deriveHealth({ ...healthy, lastFailureAt: ago(minutes(59)) }, now).state).toBe("degraded");
  });

  it("short run of failures is degraded", () => {
    const health = deriveHealth(failingFor(minutes(59), 20), now);
    expect(health.state).toBe("degraded");
    expect(health.disableAt).toBeNull();
  });

  it("long run with few failures is degraded", () => {
    // A quiet webhook: no success for hours, but too few attempts to call it failing.
    const facts = { ...failingFor(hours(3), FAILING_MIN_CONSECUTIVE - 1), lastFailureAt: ago(hours(2)) };
    expect(deriveHealth(facts, now).state).toBe("degraded");
  });

  it("an hour without success is failing", () => {
    const health = deriveHealth(failingFor(hours(1)), now);
    expect(health.state).toBe("failing");
    expect(health.failingSince).toEqual(ago(hours(1)));
    expect(health.consecutiveFailures).toBe(FAILING_MIN_CONSECUTIVE);
    expect(health.disableAt).toEqual(new Date(ago(hours(1)).getTime() + DISABLE_AFTER_MS));
  });

  it("warns from a day before disabling", () => {
    const justBefore = deriveHealth(failingFor(DISABLE_AFTER_MS - WARNING_BEFORE_MS - 1), now);
    expect(justBefore.state).toBe("failing");
    const warned = deriveHealth(failingFor(DISABLE_AFTER_MS - WARNING_BEFORE_MS), now);
    expect(warned.state).toBe("warned");
    expect(warned.disableAt).toEqual(new Date(now.getTime() + WARNING_BEFORE_MS));
  });

  it("disabled by a rule shows its cause", () => {
    const health = deriveHealth({ ...failingFor(DISABLE_AFTER_MS), enabled: false, disabledCause: "failing" }, now);
    expect(health.state).toBe("disabled");
    expect(health.disabledCause).toBe("failing");
    expect(health.disableAt).toBeNull();
  });

  it("disabled by an admin has no cause", () => {
    const health = deriveHealth({ ...healthy, enabled: false }, now);
    expect(health).toMatchObject({ state: "disabled", disabledCause: null });
  });

  it("unknown stored cause is not shown", () => {
    expect(deriveHealth({ ...healthy, enabled: false, disabledCause: "other" }, now).disabledCause).toBeNull();
  });
});

describe("isDueForDisabling", () => {
  it("is due after the whole window", () => {
    expect(isDueForDisabling(failingFor(DISABLE_AFTER_MS), now)).toBe(true);
    expect(isDueForDisabling(failingFor(DISABLE_AFTER_MS - 1), now)).toBe(false);
  });

  it("needs enough failures in a row", () => {
    expect(isDueForDisabling(failingFor(DISABLE_AFTER_MS, FAILING_MIN_CONSECUTIVE - 1), now)).toBe(false);
  });

  it("skips a disabled webhook", () => {
    expect(isDueForDisabling({ ...failingFor(DISABLE_AFTER_MS), enabled: false }, now)).toBe(false);
  });
});

describe("foldHealthChanges", () => {
  const at = (seconds: number) => new Date(now.getTime() + seconds * 1000);
  const outcome = (subscriptionId: string, succeeded: boolean | null, seconds: number) => ({
    subscriptionId,
    succeeded,
    startedAt: at(seconds),
    endedAt: at(seconds + 1),
  });

  it("failures extend the stored run", () => {
    expect(foldHealthChanges([outcome("sub_a", false, 5), outcome("sub_a", false, 2)])).toEqual([
      { subscriptionId: "sub_a", reset: false, failures: 2, failingSince: at(2), lastFailureAt: at(6) },
    ]);
  });

  it("success last resets the run", () => {
    expect(foldHealthChanges([outcome("sub_a", false, 1), outcome("sub_a", true, 3)])).toEqual([
      { subscriptionId: "sub_a", reset: true, failures: 0, failingSince: null, lastFailureAt: at(2) },
    ]);
  });

  it("failures after a success start a new run", () => {
    expect(foldHealthChanges([outcome("sub_a", true, 1), outcome("sub_a", false, 3), outcome("sub_a", false, 4)])).toEqual([
      { subscriptionId: "sub_a", reset: true, failures: 2, failingSince: at(3), lastFailureAt: at(5) },
    ]);
  });

  it("throttling answers count neither way", () => {
    expect(foldHealthChanges([outcome("sub_a", null, 1)])).toEqual([]);
    expect(foldHealthChanges([outcome("sub_a", false, 1), outcome("sub_a", null, 3)])).toEqual([
      { subscriptionId: "sub_a", reset: false, failures: 1, failingSince: at(1), lastFailureAt: at(2) },
    ]);
  });

  it("one change per webhook, sorted by id", () => {
    const changes = foldHealthChanges([outcome("sub_b", true, 1), outcome("sub_a", false, 1), outcome("sub_b", true, 2)]);
    expect(changes.map((change) => change.subscriptionId)).toEqual(["sub_a", "sub_b"]);
    expect(changes[1]).toEqual({ subscriptionId: "sub_b", reset: true, failures: 0, failingSince: null, lastFailureAt: null });
  });
});
