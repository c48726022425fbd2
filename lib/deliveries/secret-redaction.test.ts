import { describe, expect, it } from "vitest";
import { REDACTED, redactHeaders, redactText } from "./secret-redaction";

describe("redactText", () => {
  it("hides a JSON token field and keeps the rest", () => {
    const result = redactText('{"token":"<PLACEHOLDER_SECRET>","email":"user@example.com"}');
    expect(result.value).toBe(`{"token":"${REDACTED}","email":"user@example.com"}`);
    expect(result.count).toBe(1);
  });

  it("keeps JSON valid", () => {
    const body = JSON.stringify({ access_token: "abc\"def", refresh_token: "x", expires_in: 3600, client_secret: "s3cr3t" });
    const result = redactText(body);
    expect(JSON.parse(result.value)).toEqual({ access_token: REDACTED, refresh_token: REDACTED, expires_in: 3600, client_secret: REDACTED });
    expect(result.count).toBe(3);
  });

  it.each([
    ["bearer token", "Authorization: Bearer abcDEF123456ghiJKL", `Authorization: Bearer ${REDACTED}`],
    ["basic credentials", "auth header was Basic dXNlcjpwYXNzd29yZA==", `auth header was Basic ${REDACTED}`],
    ["JSON web token", "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJlLXZhbHVl", `jwt ${REDACTED}`],
    ["AWS access key id", "key AKIAABCDEFGHIJKLMNOP used", `key ${REDACTED} used`],
    ["GitHub token", "ghp_abcdefghijklmnopqrstuvwxyz0123456789", REDACTED],
    ["Slack token", "xoxb-1234567890-abcdefghij", REDACTED],
    ["Stripe key", "sk_live_abcdefghijklmnop", REDACTED],
    ["signing secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", REDACTED],
    ["WASViking API key", "wvk_9F3KQ2XM_abcdefghijklmnopqrstuvwxyz012345", REDACTED],
    ["password in a URL", "postgres://app:hunter2@db.internal:5432/app", `postgres://app:${REDACTED}@db.internal:5432/app`],
    ["form field", "user=ada&password=hunter22&remember=1", `user=ada&password=${REDACTED}&remember=1`],
    ["query parameter", "GET /cb?access_token=abcd1234&state=x", `GET /cb?access_token=${REDACTED}&state=x`],
    ["XML element", "<Error><SessionId>f00dbabe</SessionId></Error>", `<Error><SessionId>${REDACTED}</SessionId></Error>`],
  ])("hides a %s", (_name, input, expected) => {
    const result = redactText(input);
    expect(result.value).toBe(expected);
    expect(result.count).toBe(1);
  });

  it("hides a private key block", () => {
    const pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\nabc\n-----END RSA PRIVATE KEY-----";
    expect(redactText(`key: ${pem} end`).value).toBe(`key: ${REDACTED} end`);
  });

  it.each([
    "Token expired.",
    "Basic configuration is missing",
    "Invalid token provided",
    "<h1>500 Internal Server Error</h1>",
    '{"error":"database is down","retry":true}',
    '{"tokens_used": 120}',
  ])("leaves %j alone", (text) => {
    expect(redactText(text)).toEqual({ value: text, count: 0 });
  });

  it("counts a value once when two rules match it", () => {
    const result = redactText('{"authorization":"Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl"}');
    expect(result.value).not.toContain("eyJ");
    expect(result.count).toBeLessThanOrEqual(2);
    expect(result.count).toBeGreaterThanOrEqual(1);
  });
});

describe("redactHeaders", () => {
  it("hides credential headers whole", () => {
    const result = redactHeaders({ "set-cookie": "sid=abc; HttpOnly", "x-api-key": "k", "content-type": "text/html" });
    expect(result.value).toEqual({ "set-cookie": REDACTED, "x-api-key": REDACTED, "content-type": "text/html" });
    expect(result.count).toBe(2);
  });

  it("keeps authentication challenges", () => {
    const result = redactHeaders({ "www-authenticate": 'Bearer error="invalid_token"' });
    expect(result.value["www-authenticate"]).toBe('Bearer error="invalid_token"');
    expect(result.count).toBe(0);
  });

  it("hides credentials inside other headers", () => {
    const result = redactHeaders({ location: "https://example.com/login?token=abcd1234" });
    expect(result.value.location).toBe(`https://example.com/login?token=${REDACTED}`);
    expect(result.count).toBe(1);
  });
});
