import { describe, expect, it } from "vitest";
import type { SendResult } from "../dispatch/http-client";
import { afterAttempt, type DeliveryState } from "./transitions";
import { judge } from "./verdict";

const t0 = new Date("2026-01-01T00:00:00Z");
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
const noJitter = () => 0;

function verdict(status: number, headers: Record<string, string> = {}) {
  const result: SendResult = { kind: "response", response: { status, headers, body: "", bodyTruncated: false }, durationMs: 0 };
  return judge(result, t0);
}

const pending: DeliveryState = { status: "pending", firstAttemptAt: null, nextAttemptAt: t0, completedAt: null };

describe("afterAttempt", () => {
  it("succeeds an automatic attempt and finishes the delivery", () => {
    const next = afterAttempt(pending, { trigger: "automatic", verdict: verdict(200), startedAt: t0, endedAt: t0, automaticAttempt: 1 });
    expect(next.state.status).toBe("succeeded");
    expect(next.finished).toBe(true);
    expect(next.nextAutomaticAttempt).toBeNull();
  });

  it("schedules the first retry one minute later", () => {
    const next = afterAttempt(pending, { trigger: "automatic", verdict: verdict(500), startedAt: t0, endedAt: t0, automaticAttempt: 1, random: noJitter });
    expect(next.state).toMatchObject({ status: "retrying", firstAttemptAt: t0, nextAttemptAt: at(60) });
    expect(next.nextAutomaticAttempt).toBe(2);
    expect(next.finished).toBe(false);
  });

  it("gives up after the attempt at the 24 h mark", () => {
    const retrying: DeliveryState = { status: "retrying", firstAttemptAt: t0, nextAttemptAt: at(86_400), completedAt: null };
    const next = afterAttempt(retrying, { trigger: "automatic", verdict: verdict(500), startedAt: at(86_400), endedAt: at(86_400), automaticAttempt: 8 });
    expect(next.state.status).toBe("failed");
    expect(next.finished).toBe(true);
  });

  it("retries a 410 Gone on schedule", () => {
    const next = afterAttempt(pending, { trigger: "automatic", verdict: verdict(410), startedAt: t0, endedAt: t0, automaticAttempt: 1, random: noJitter });
    expect(next.state.status).toBe("retrying");
    expect(next.state.nextAttemptAt).toEqual(at(60));
    expect(next.finished).toBe(false);
    expect(next.nextAutomaticAttempt).toBe(2);
  });

  it("waits for Retry-After beyond the step", () => {
    const next = afterAttempt(pending, {
      trigger: "automatic",
      verdict: verdict(429, { "retry-after": "600" }),
      startedAt: t0,
      endedAt: t0,
      automaticAttempt: 1,
      random: noJitter,
    });
    expect(next.state.nextAttemptAt).toEqual(at(600));
  });

  it("ends an open delivery on a successful replay", () => {
    const retrying: DeliveryState = { status: "retrying", firstAttemptAt: t0, nextAttemptAt: at(300), completedAt: null };
    const next = afterAttempt(retrying, { trigger: "replay", verdict: verdict(200), startedAt: at(100), endedAt: at(100) });
    expect(next.state).toMatchObject({ status: "succeeded", nextAttemptAt: null, completedAt: at(100) });
    expect(next.finished).toBe(true);
  });

  it("turns a failed delivery into succeeded on a successful replay", () => {
    const failed: DeliveryState = { status: "failed", firstAttemptAt: t0, nextAttemptAt: null, completedAt: at(86_400) };
    const next = afterAttempt(failed, { trigger: "replay", verdict: verdict(204), startedAt: at(90_000), endedAt: at(90_000) });
    expect(next.state.status).toBe("succeeded");
    // A given-up delivery no longer holds its ordering key, so nothing is released by its replay.
    expect(next.finished).toBe(false);
  });

  it("leaves a delivery as it was after a failed replay", () => {
    const retrying: DeliveryState = { status: "retrying", firstAttemptAt: t0, nextAttemptAt: at(300), completedAt: null };
    const next = afterAttempt(retrying, { trigger: "replay", verdict: verdict(500), startedAt: at(100), endedAt: at(100) });
    expect(next.state).toEqual(retrying);
    expect(next.nextAutomaticAttempt).toBeNull();
  });

  it("settles a test delivery with its only attempt", () => {
    const failed = afterAttempt(pending, { trigger: "test", verdict: verdict(500), startedAt: t0, endedAt: t0 });
    expect(failed.state.status).toBe("failed");
    expect(failed.nextAutomaticAttempt).toBeNull();
    const succeeded = afterAttempt(pending, { trigger: "test", verdict: verdict(200), startedAt: t0, endedAt: t0 });
    expect(succeeded.state.status).toBe("succeeded");
    expect(succeeded.finished).toBe(false);
  });
});
