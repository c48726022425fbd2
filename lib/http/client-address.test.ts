import { describe, expect, it } from "vitest";
import { clientAddress, PEER_ADDRESS_HEADER, parseTrustedProxies, requestedHost } from "./client-address";

const NONE = parseTrustedProxies("");
const PROXIES = parseTrustedProxies("10.0.0.0/8, 2001:db8:aa::/48, 192.0.2.10");

function headers(values: Record<string, string>): Headers {
  return new Headers(values);
}

describe("clientAddress", () => {
  it("is the TCP peer when no proxy is trusted, whatever X-Forwarded-For claims", () => {
    const request = headers({ [PEER_ADDRESS_HEADER]: "198.51.100.20", "x-forwarded-for": "203.0.113.1" });
    expect(clientAddress(request, NONE)).toBe("198.51.100.20");
  });

  it("takes the trusted proxy's entry", () => {
    const request = headers({ [PEER_ADDRESS_HEADER]: "10.1.2.3", "x-forwarded-for": "203.0.113.1, 198.51.100.20" });
    expect(clientAddress(request, PROXIES)).toBe("198.51.100.20");
  });

  it("walks back through a chain of trusted proxies", () => {
    const request = headers({ [PEER_ADDRESS_HEADER]: "10.1.2.3", "x-forwarded-for": "198.51.100.20, 192.0.2.10, 10.9.9.9" });
    expect(clientAddress(request, PROXIES)).toBe("198.51.100.20");
  });

  it("stops at a non-address entry", () => {
    const request = headers({ [PEER_ADDRESS_HEADER]: "10.1.2.3", "x-forwarded-for": "unknown" });
    expect(clientAddress(request, PROXIES)).toBe("10.1.2.3");
  });

  it("writes IPv4-mapped IPv6 peers as IPv4 and matches IPv6 ranges", () => {
    expect(clientAddress(headers({ [PEER_ADDRESS_HEADER]: "::ffff:198.51.100.20" }), NONE)).toBe("198.51.100.20");
    const viaV6Proxy = headers({ [PEER_ADDRESS_HEADER]: "2001:db8:aa:1::5", "x-forwarded-for": "2001:db8:ff::1" });
    expect(clientAddress(viaV6Proxy, PROXIES)).toBe("2001:db8:ff::1");
  });

  it("falls back to the forwarded address when no web server recorded a peer", () => {
    expect(clientAddress(headers({ "x-forwarded-for": "203.0.113.1, 10.0.0.1" }), NONE)).toBe("203.0.113.1");
    expect(clientAddress(headers({ "x-real-ip": "203.0.113.2" }), NONE)).toBe("203.0.113.2");
    expect(clientAddress(headers({}), NONE)).toBeNull();
  });
});

describe("parseTrustedProxies", () => {
  it("rejects entries that are not addresses or ranges, naming them", () => {
    expect(() => parseTrustedProxies("10.0.0.0/33")).toThrow('"10.0.0.0/33" is not an IP address or CIDR range');
    expect(() => parseTrustedProxies("proxy.internal")).toThrow('"proxy.internal"');
  });

  it("matches whole addresses and prefixes", () => {
    expect(PROXIES.includes("10.255.0.1")).toBe(true);
    expect(PROXIES.includes("11.0.0.1")).toBe(false);
    expect(PROXIES.includes("192.0.2.10")).toBe(true);
    expect(PROXIES.includes("192.0.2.11")).toBe(false);
    expect(PROXIES.includes("2001:db8:aa:ffff::1")).toBe(true);
    expect(PROXIES.includes("2001:db8:ab::1")).toBe(false);
  });
});

describe("requestedHost", () => {
  const forged = { host: "portal.example.com", "x-forwarded-host": "evil.example.org" };

  it("ignores X-Forwarded-Host from a peer that is not a trusted proxy", () => {
    expect(requestedHost(headers({ [PEER_ADDRESS_HEADER]: "198.51.100.20", ...forged }), PROXIES)).toBe("portal.example.com");
    expect(requestedHost(headers({ [PEER_ADDRESS_HEADER]: "10.1.2.3", ...forged }), NONE)).toBe("portal.example.com");
  });

  it("ignores X-Forwarded-Host when no web server recorded a peer", () => {
    expect(requestedHost(headers(forged), PROXIES)).toBe("portal.example.com");
  });

  it("believes X-Forwarded-Host from a trusted proxy", () => {
    const request = headers({ [PEER_ADDRESS_HEADER]: "10.1.2.3", host: "10.0.0.7:3000", "x-forwarded-host": "portal.example.com" });
    expect(requestedHost(request, PROXIES)).toBe("portal.example.com");
  });

  it("believes a trusted proxy that reached an IPv6 socket", () => {
    const request = headers({ [PEER_ADDRESS_HEADER]: "::ffff:10.1.2.3", host: "10.0.0.7:3000", "x-forwarded-host": "portal.example.com" });
    expect(requestedHost(request, PROXIES)).toBe("portal.example.com");
  });

  it("takes the entry the nearest trusted proxy appended", () => {
    const request = headers({ [PEER_ADDRESS_HEADER]: "10.1.2.3", host: "10.0.0.7:3000", "x-forwarded-host": "evil.example.org, portal.example.com" });
    expect(requestedHost(request, PROXIES)).toBe("portal.example.com");
  });

  it("is the Host header when a trusted proxy sends no X-Forwarded-Host", () => {
    expect(requestedHost(headers({ [PEER_ADDRESS_HEADER]: "10.1.2.3", host: "portal.example.com" }), PROXIES)).toBe("portal.example.com");
  });

  it("ignores the Forwarded header", () => {
    const request = headers({ [PEER_ADDRESS_HEADER]: "198.51.100.20", host: "portal.example.com", forwarded: "host=evil.example.org" });
    expect(requestedHost(request, PROXIES)).toBe("portal.example.com");
  });
});
