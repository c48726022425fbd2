import { describe, expect, it } from "vitest";
import { BLOCKED_DESTINATION_REASON, explainAttempt } from "./attempt-explanations";

describe("explainAttempt", () => {
  it("labels a success by its status", () => {
    const explanation = explainAttempt({ succeeded: true, statusCode: 204, errorClass: null });
    expect(explanation.label).toBe("HTTP 204");
    expect(explanation.action).toBeNull();
  });

  it("explains a server error", () => {
    const explanation = explainAttempt({ succeeded: false, statusCode: 500, errorClass: "http_status" });
    expect(explanation.label).toBe("HTTP 500");
    expect(explanation.summary).toContain("failed while handling");
    expect(explanation.action).toContain("logs");
  });

  it("explains an unlisted status by its class", () => {
    expect(explainAttempt({ succeeded: false, statusCode: 418, errorClass: "http_status" }).summary).toContain("rejected the request (HTTP 418)");
    expect(explainAttempt({ succeeded: false, statusCode: 599, errorClass: "http_status" }).summary).toContain("server error (HTTP 599)");
    expect(explainAttempt({ succeeded: false, statusCode: 101, errorClass: "http_status" }).summary).toContain("only 2xx");
  });

  it("names a redirect's Location", () => {
    const explanation = explainAttempt({
      succeeded: false,
      statusCode: 301,
      errorClass: "redirect",
      responseHeaders: { location: "https://hooks.example.com/new" },
    });
    expect(explanation.label).toBe("Redirect (HTTP 301)");
    expect(explanation.summary).toContain('to "https://hooks.example.com/new"');
    expect(explanation.summary).toContain("never followed");
  });

  it("shortens a long Location and flattens control characters", () => {
    const location = `https://example.com/${"a".repeat(500)}\r\nSet-Cookie: x=1`;
    const explanation = explainAttempt({ succeeded: false, statusCode: 302, errorClass: "redirect", responseHeaders: { location } });
    expect(explanation.summary).not.toMatch(/[\r\n]/);
    expect(explanation.summary.length).toBeLessThan(400);
    expect(explanation.summary).toContain("…");
  });

  it("says when a redirect has no Location", () => {
    expect(explainAttempt({ succeeded: false, statusCode: 307, errorClass: "redirect" }).summary).toContain("without a Location header");
  });

  it("quotes Retry-After of a throttled attempt", () => {
    const engineWording = explainAttempt({ succeeded: false, statusCode: 429, errorClass: "throttled", responseHeaders: { "retry-after": "120" } });
    const statusWording = explainAttempt({ succeeded: false, statusCode: 429, errorClass: "http_status", responseHeaders: { "retry-after": "120" } });
    expect(engineWording.summary).toContain('Retry-After "120"');
    expect(statusWording.summary).toBe(engineWording.summary);
  });

  it.each([
    ["timeout", "Timed out"],
    ["dns", "DNS failure"],
    ["refused", "Connection refused"],
    ["reset", "Connection closed"],
    ["unreachable", "Unreachable"],
    ["tls", "TLS failure"],
    ["no_signing_secret", "Not signed"],
    ["connection", "Connection failed"],
    ["gone", "Gone (HTTP 410)"],
  ])("labels %s", (errorClass, label) => {
    const explanation = explainAttempt({ succeeded: false, statusCode: null, errorClass });
    expect(explanation.label).toBe(label);
    expect(explanation.summary.length).toBeGreaterThan(20);
    expect(explanation.action).not.toBeNull();
  });

  it("explains a 410 as retried", () => {
    const explanation = explainAttempt({ succeeded: false, statusCode: 410, errorClass: "gone" });
    expect(explanation.summary).toContain("WASViking retries on schedule");
    expect(explanation.summary).toContain("If every attempt of a delivery gets 410 until its 24-hour retry window ends, WASViking switches the webhook off.");
    expect(explanation.summary).not.toMatch(/stops retrying/);
  });

  it("explains a payload the receiver found too large", () => {
    expect(explainAttempt({ succeeded: false, statusCode: 413, errorClass: "payload_too_large" }).label).toBe("HTTP 413");
  });

  it("gives a blocked destination a generic reason", () => {
    const explanation = explainAttempt({ succeeded: false, statusCode: null, errorClass: "blocked_destination" });
    expect(explanation.label).toBe("Blocked");
    expect(explanation.summary).toBe(BLOCKED_DESTINATION_REASON);
    expect(explanation.summary).not.toMatch(/169\.254|link-local|loopback|\d+\.\d+\.\d+\.\d+/);
  });

  it("falls back for an unknown class", () => {
    expect(explainAttempt({ succeeded: false, statusCode: null, errorClass: "something_new" }).label).toBe("something_new");
  });
});
