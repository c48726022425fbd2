import fc from "fast-check";
import net from "node:net";
import { describe, expect, it } from "vitest";
import { isIPv4, isIPv6 } from "./ip-address";

describe("isIPv4", () => {
  it.each(["0.0.0.0", "127.0.0.1", "255.255.255.255", "10.20.30.40"])("accepts %s", (text) => {
    expect(isIPv4(text)).toBe(true);
  });

  it.each(["127.1", "127.000.000.001", "0177.0.0.1", "256.0.0.1", "1.2.3.4.", "1.2.3.4 ", "0x7f.0.0.1", "", "１２７.０.０.１"])(
    "rejects %s",
    (text) => {
      expect(isIPv4(text)).toBe(false);
    },
  );
});

describe("isIPv6", () => {
  it.each(["::", "::1", "fe80::1%eth0", "::ffff:127.0.0.1", "2606:4700::1111", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "64:ff9b::10.0.0.1"])(
    "accepts %s",
    (text) => {
      expect(isIPv6(text)).toBe(true);
    },
  );

  it.each([":::", "1::2::3", "1:2:3:4:5:6:7:8:9", "1:2:3:4::5:6:7:8", "12345::", "::ffff:127.1", "[::1]", "fe80::1%", "g::1", "1:2:3:4:5:6:7"])(
    "rejects %s",
    (text) => {
      expect(isIPv6(text)).toBe(false);
    },
  );
});

describe("agreement with node:net", () => {
  const characters = fc.constantFrom(..."0123456789abcdefABCDEF:.%x".split(""));
  const addressLike = fc.array(characters, { maxLength: 45 }).map((list) => list.join(""));
  const realIpv6 = fc.ipV6();
  const realIpv4 = fc.ipV4();

  it("matches net.isIPv4 on address-like strings", () => {
    fc.assert(fc.property(fc.oneof(addressLike, realIpv4, fc.ipV4Extended()), (text) => isIPv4(text) === net.isIPv4(text)), { numRuns: 5000 });
  });

  it("matches net.isIPv6 on address-like strings", () => {
    fc.assert(fc.property(fc.oneof(addressLike, realIpv6, realIpv4), (text) => isIPv6(text) === net.isIPv6(text)), { numRuns: 5000 });
  });
});
