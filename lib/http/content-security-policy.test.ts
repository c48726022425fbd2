import { describe, expect, it } from "vitest";
import { contentSecurityPolicy, newNonce } from "./content-security-policy";

function directives(policy: string): Map<string, string[]> {
  return new Map(policy.split("; ").map((directive) => {
    const [name, ...sources] = directive.split(" ");
    return [name!, sources] as const;
  }));
}

describe("contentSecurityPolicy", () => {
  it("lets only same-origin and nonce-carrying scripts run", () => {
    const policy = directives(contentSecurityPolicy({ nonce: "abc123==", development: false }));
    expect(policy.get("script-src")).toEqual(["'self'", "'nonce-abc123=='", "'strict-dynamic'"]);
    expect(policy.get("script-src")).not.toContain("'unsafe-inline'");
    expect(policy.get("object-src")).toEqual(["'none'"]);
    expect(policy.get("base-uri")).toEqual(["'none'"]);
  });

  it("forbids framing by any site", () => {
    expect(directives(contentSecurityPolicy({ nonce: "n", development: false })).get("frame-ancestors")).toEqual(["'none'"]);
  });

  it("allows eval only for the development server", () => {
    expect(contentSecurityPolicy({ nonce: "n", development: false })).not.toContain("unsafe-eval");
    expect(directives(contentSecurityPolicy({ nonce: "n", development: true })).get("script-src")).toContain("'unsafe-eval'");
  });
});

describe("newNonce", () => {
  it("is 128 bits of base64, different every time", () => {
    const nonces = new Set(Array.from({ length: 100 }, () => newNonce()));
    expect(nonces.size).toBe(100);
    for (const nonce of nonces) expect(Buffer.from(nonce, "base64")).toHaveLength(16);
  });
});
