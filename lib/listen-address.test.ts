import { describe, expect, it } from "vitest";
import {
  DEFAULT_LISTEN_HOST,
  describeListenAddress,
  exposureWarning,
  listenHostFromEnvironment,
  listenPortFromEnvironment,
  listenScope,
  parseListenHost,
  portalUrl,
} from "./listen-address";

describe("listenHostFromEnvironment", () => {
  it("defaults to IPv4 loopback", () => {
    expect(DEFAULT_LISTEN_HOST).toBe("127.0.0.1");
    expect(listenHostFromEnvironment({})).toBe("127.0.0.1");
  });

  it("treats a blank WVK_HOST as unset", () => {
    expect(listenHostFromEnvironment({ WVK_HOST: "" })).toBe("127.0.0.1");
    expect(listenHostFromEnvironment({ WVK_HOST: "  " })).toBe("127.0.0.1");
  });

  it("ignores HOSTNAME", () => {
    expect(listenHostFromEnvironment({ HOSTNAME: "build-container-7f3a" })).toBe("127.0.0.1");
  });

  it("reads WVK_HOST", () => {
    expect(listenHostFromEnvironment({ WVK_HOST: "0.0.0.0" })).toBe("0.0.0.0");
    expect(listenHostFromEnvironment({ WVK_HOST: " ::1 " })).toBe("::1");
  });

  it("names WVK_HOST in the error", () => {
    expect(() => listenHostFromEnvironment({ WVK_HOST: "http://0.0.0.0" })).toThrow(/^Invalid WVK_HOST "http:\/\/0\.0\.0\.0"/);
  });
});

describe("parseListenHost", () => {
  it.each([
    ["127.0.0.1", "127.0.0.1"],
    ["0.0.0.0", "0.0.0.0"],
    ["::", "::"],
    ["::1", "::1"],
    ["[::1]", "::1"],
    ["fe80::1%eth0", "fe80::1%eth0"],
    ["localhost", "localhost"],
    ["portal.internal.example.com", "portal.internal.example.com"],
    ["portal.example.com.", "portal.example.com."],
  ])("accepts %s", (raw, expected) => {
    expect(parseListenHost(raw, "WVK_HOST")).toBe(expected);
  });

  it.each([
    ["an empty value", ""],
    ["a URL", "http://127.0.0.1"],
    ["an address with a port", "127.0.0.1:3000"],
    ["a bracketed address with a port", "[::1]:3000"],
    ["a path", "localhost/portal"],
    ["spaces inside", "local host"],
    ["an IPv4 address out of range", "300.1.1.1"],
    ["a short IPv4 form", "127.1"],
    ["a single number", "0"],
    ["a hex number", "0x7f000001"],
    ["a label with a leading hyphen", "-portal.example.com"],
    ["an underscore", "portal_1.example.com"],
  ])("rejects %s", (_case, raw) => {
    expect(() => parseListenHost(raw, "--hostname")).toThrow(`Invalid --hostname "${raw}"`);
  });

  it("says what to write instead", () => {
    expect(() => parseListenHost("127.0.0.1:3000", "WVK_HOST")).toThrow(/without a scheme or port, such as 127\.0\.0\.1/);
  });
});

describe("listenScope", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["127.0.0.2", "loopback"],
    ["127.255.255.254", "loopback"],
    ["::1", "loopback"],
    ["0:0:0:0:0:0:0:1", "loopback"],
    ["::ffff:127.0.0.1", "loopback"],
    ["localhost", "loopback"],
    ["LOCALHOST.", "loopback"],
    ["0.0.0.0", "all-interfaces"],
    ["::", "all-interfaces"],
    ["0:0:0:0:0:0:0:0", "all-interfaces"],
    ["192.168.1.20", "one-interface"],
    ["10.0.0.5", "one-interface"],
    ["::ffff:192.168.1.20", "one-interface"],
    ["fe80::1%eth0", "one-interface"],
    ["2001:db8::5", "one-interface"],
    ["128.0.0.1", "one-interface"],
    ["portal.example.com", "one-interface"],
    ["localhost.example.com", "one-interface"],
  ] as const)("classifies %s as %s", (host, scope) => {
    expect(listenScope(host)).toBe(scope);
  });
});

describe("portalUrl", () => {
  it("uses localhost for the default and for every interface", () => {
    expect(portalUrl("127.0.0.1", 3000)).toBe("http://localhost:3000");
    expect(portalUrl("0.0.0.0", 3000)).toBe("http://localhost:3000");
    expect(portalUrl("::", 8080)).toBe("http://localhost:8080");
    expect(portalUrl("localhost", 3000)).toBe("http://localhost:3000");
  });

  it("keeps any other address", () => {
    expect(portalUrl("127.0.0.2", 3000)).toBe("http://127.0.0.2:3000");
    expect(portalUrl("192.168.1.20", 3000)).toBe("http://192.168.1.20:3000");
    expect(portalUrl("portal.example.com", 3000)).toBe("http://portal.example.com:3000");
  });

  it("brackets an IPv6 address", () => {
    expect(portalUrl("::1", 3000)).toBe("http://[::1]:3000");
    expect(portalUrl("2001:db8::5", 3000)).toBe("http://[2001:db8::5]:3000");
  });
});

describe("describeListenAddress", () => {
  it("says that loopback is this machine only", () => {
    expect(describeListenAddress("127.0.0.1", 3000)).toBe("127.0.0.1:3000, loopback only: other machines cannot connect");
    expect(describeListenAddress("::1", 3000)).toBe("[::1]:3000, loopback only: other machines cannot connect");
  });

  it("says that other machines can connect", () => {
    expect(describeListenAddress("0.0.0.0", 3000)).toBe("0.0.0.0:3000, every network interface: other machines can connect");
    expect(describeListenAddress("::", 3000)).toBe("[::]:3000, every network interface: other machines can connect");
    expect(describeListenAddress("192.168.1.20", 3000)).toBe("192.168.1.20:3000: other machines on that address's network can connect");
  });
});

describe("exposureWarning", () => {
  it("is null on loopback", () => {
    for (const host of ["127.0.0.1", "127.0.0.2", "::1", "localhost"]) expect(exposureWarning(host, true)).toBeNull();
  });

  it("is null without private destinations", () => {
    for (const host of ["0.0.0.0", "::", "192.168.1.20", "portal.example.com"]) expect(exposureWarning(host, false)).toBeNull();
  });

  it("warns beyond loopback with private destinations", () => {
    for (const host of ["0.0.0.0", "::", "192.168.1.20", "portal.example.com"]) {
      const warning = exposureWarning(host, true);
      expect(warning).not.toBeNull();
      expect(warning).toContain("other machines can connect");
      expect(warning).toContain("WVK_ALLOW_PRIVATE_DESTINATIONS");
      expect(warning).toContain("WVK_HOST");
    }
  });

  it("names the address", () => {
    expect(exposureWarning("0.0.0.0", true)).toContain("listen on 0.0.0.0,");
    expect(exposureWarning("::", true)).toContain("listen on [::],");
  });
});

describe("listenPortFromEnvironment", () => {
  it("defaults to 3000 when unset or blank", () => {
    expect(listenPortFromEnvironment({})).toBe(3000);
    expect(listenPortFromEnvironment({ PORT: " " })).toBe(3000);
  });

  it("reads a port in range", () => {
    expect(listenPortFromEnvironment({ PORT: "8080" })).toBe(8080);
    expect(listenPortFromEnvironment({ PORT: "65535" })).toBe(65535);
  });

  it.each(["abc", "0", "65536", "-1", "80.5", "0x50", "1e3"])("rejects %s", (value) => {
    expect(() => listenPortFromEnvironment({ PORT: value })).toThrow(`Invalid PORT "${value}"`);
  });
});
