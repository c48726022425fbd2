import { describe, expect, it } from "vitest";
import { repeatedHeaderDetail, repeatedHeaderIn, repeatedHeaderInRaw } from "./repeated-headers";

describe("repeatedHeaderInRaw", () => {
  it.each([
    [["Authorization", "ApiKey a", "authorization", "ApiKey b"], "Authorization"],
    [["Content-Type", "application/json", "CONTENT-TYPE", "text/plain"], "Content-Type"],
    [["Content-Type", "application/json", "Content-Type", "application/json"], "Content-Type"],
    [["idempotency-key", "k1", "Host", "x", "Idempotency-Key", "k2"], "Idempotency-Key"],
    [["Authorization", "", "Authorization", "ApiKey b"], "Authorization"],
  ])("finds the repeat in %j", (rawHeaders, header) => {
    expect(repeatedHeaderInRaw(rawHeaders)).toBe(header);
  });

  it.each([
    [[]],
    [["Authorization", "ApiKey a", "Content-Type", "application/json", "Idempotency-Key", "k1"]],
    [["Accept", "a", "Accept", "b", "X-Request-Id", "1", "X-Request-Id", "2"]],
  ])("accepts %j", (rawHeaders) => {
    expect(repeatedHeaderInRaw(rawHeaders)).toBeNull();
  });
});

describe("repeatedHeaderIn", () => {
  function joined(name: string, ...values: string[]): Headers {
    const headers = new Headers();
    for (const value of values) headers.append(name, value);
    return headers;
  }

  it.each([
    ["authorization", "ApiKey a", "ApiKey b", "Authorization"],
    ["content-type", "application/json", "text/plain", "Content-Type"],
    ["idempotency-key", "k1", "k2", "Idempotency-Key"],
  ])("finds a repeated %s", (name, first, second, header) => {
    expect(repeatedHeaderIn(joined(name, first, second))).toBe(header);
  });

  it.each([
    ["authorization", "ApiKey wvk_9F3KQ2XM_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"],
    ["content-type", "application/json; charset=utf-8"],
    ["content-type", 'application/json; profile="a, b"'],
    ["content-type", 'application/json; profile="a\\", b"'],
    ["idempotency-key", "order,123"],
  ])("accepts the single %s %s", (name, value) => {
    expect(repeatedHeaderIn(joined(name, value))).toBeNull();
  });

  it("ignores other repeated headers", () => {
    expect(repeatedHeaderIn(joined("accept", "application/json", "text/plain"))).toBeNull();
  });
});

describe("repeatedHeaderDetail", () => {
  it("names the header", () => {
    expect(repeatedHeaderDetail("Authorization")).toBe('The header "Authorization" appears more than once: send it once');
  });
});
