import { describe, expect, it } from "vitest";
import type { SendResult } from "../dispatch/http-client";
import { isGoneForGood, judge } from "./verdict";

const now = new Date("2026-01-01T00:00:00Z");

function response(status: number, headers: Record<string, string> = {}): SendResult {
  return { kind: "response", response: { status, headers, body: "", bodyTruncated: false }, durationMs: 12 };
}

describe("judge", () => {
  it.each([200, 201, 202, 204, 299])("counts HTTP %i as success", (status) => {
    const verdict = judge(response(status), now);
    expect(verdict.succeeded).toBe(true);
    expect(verdict.errorClass).toBeNull();
    expect(verdict.statusCode).toBe(status);
  });

  it.each([301, 302, 303, 307, 308])("fails HTTP %i as a redirect naming the Location", (status) => {
    const verdict = judge(response(status, { location: "https://www.example.com/wvk" }), now);
    expect(verdict.succeeded).toBe(false);
    expect(verdict.final).toBe(false);
    expect(verdict.errorClass).toBe("redirect");
    expect(verdict.detail).toContain("https://www.example.com/wvk");
    expect(verdict.detail).toMatch(/never followed/);
  });

  it("fails a redirect without Location", () => {
    const verdict = judge(response(302), now);
    expect(verdict.errorClass).toBe("redirect");
    expect(verdict.detail).toContain("without a Location header");
  });

  it("retries a 410 on the normal schedule", () => {
    const verdict = judge(response(410), now);
    expect(verdict.succeeded).toBe(false);
    expect(verdict.final).toBe(false);
    expect(verdict.errorClass).toBe("gone");
    expect(verdict.retryAfterSeconds).toBeNull();
    expect(verdict.pauseWebhookSeconds).toBeNull();
    expect(verdict.detail).toMatch(/retried on the normal schedule/);
  });

  it.each([400, 401, 403, 404, 500, 502, 504])("retries HTTP %i on the normal schedule", (status) => {
    const verdict = judge(response(status), now);
    expect(verdict.succeeded).toBe(false);
    expect(verdict.final).toBe(false);
    expect(verdict.errorClass).toBe("http_status");
    expect(verdict.pauseWebhookSeconds).toBeNull();
  });

  it("retries a 413 with its own error class", () => {
    const verdict = judge(response(413), now);
    expect(verdict.final).toBe(false);
    expect(verdict.errorClass).toBe("payload_too_large");
    expect(verdict.detail).toMatch(/request size limit/);
  });

  it("reads Retry-After of a 429 and pauses the webhook", () => {
    const verdict = judge(response(429, { "retry-after": "120" }), now);
    expect(verdict.errorClass).toBe("throttled");
    expect(verdict.retryAfterSeconds).toBe(120);
    expect(verdict.pauseWebhookSeconds).toBe(120);
    expect(verdict.detail).toContain("Retry-After 120");
  });

  it("names an unusable Retry-After in the detail", () => {
    const verdict = judge(response(429, { "retry-after": "abc" }), now);
    expect(verdict.retryAfterSeconds).toBeNull();
    expect(verdict.pauseWebhookSeconds).toBe(60);
    expect(verdict.detail).toContain('unusable Retry-After "abc"');
  });

  it("reads Retry-After of a 503 as an HTTP-date", () => {
    const verdict = judge(response(503, { "retry-after": "Thu, 01 Jan 2026 00:10:00 GMT" }), now);
    expect(verdict.errorClass).toBe("http_status");
    expect(verdict.retryAfterSeconds).toBe(600);
    expect(verdict.pauseWebhookSeconds).toBe(600);
  });

  it("ignores Retry-After on other statuses", () => {
    expect(judge(response(500, { "retry-after": "120" }), now).retryAfterSeconds).toBeNull();
  });

  it.each(["timeout", "dns", "refused", "reset", "tls", "connection"] as const)("retries a %s error", (errorClass) => {
    const verdict = judge({ kind: "error", errorClass, detail: "x", durationMs: 5 }, now);
    expect(verdict.succeeded).toBe(false);
    expect(verdict.final).toBe(false);
    expect(verdict.statusCode).toBeNull();
    expect(verdict.errorClass).toBe(errorClass);
  });

  it("ends the delivery at a blocked destination", () => {
    const verdict = judge({ kind: "error", errorClass: "blocked_destination", detail: "The destination is not allowed", durationMs: 1 }, now);
    expect(verdict.final).toBe(true);
  });
});

describe("isGoneForGood", () => {
  it.each([
    { statuses: [410], expected: true },
    { statuses: [410, 410, 410, 410, 410, 410, 410, 410], expected: true },
    { statuses: [410, 503, 410], expected: false },
    { statuses: [410, null, 410], expected: false },
    { statuses: [500, 500], expected: false },
    { statuses: [], expected: false },
  ])("judges $statuses as $expected", ({ statuses, expected }) => {
    expect(isGoneForGood(statuses)).toBe(expected);
  });
});
