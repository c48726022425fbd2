import fc from "fast-check";
import net from "node:net";
import { describe, expect, it } from "vitest";
import { embeddedIpv4Addresses, isIPv4, isIPv6 } from "./ip-address";

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

describe("embeddedIpv4Addresses", () => {
  it.each([
    ["::ffff:169.254.169.254", "IPv4-mapped"],
    ["::ffff:a9fe:a9fe", "IPv4-mapped"],
    ["::169.254.169.254", "IPv4-compatible"],
    ["::a9fe:a9fe", "IPv4-compatible"],
    ["::ffff:0:169.254.169.254", "IPv4-translated"],
    ["::ffff:0:a9fe:a9fe", "IPv4-translated"],
    ["64:ff9b::169.254.169.254", "NAT64"],
    ["64:ff9b::a9fe:a9fe", "NAT64"],
    ["2002:a9fe:a9fe::", "6to4"],
    ["2002:a9fe:a9fe:1::1", "6to4"],
    // Teredo with server 65.54.227.120 and client 169.254.169.254, whose bits are stored inverted (0x5601 = ~0xa9fe).
    ["2001:0:4136:e378:8000:63bf:5601:5601", "Teredo"],
    ["2001::5601:5601", "Teredo"],
  ])("finds 169.254.169.254 in %s", (address, form) => {
    expect(embeddedIpv4Addresses(address)).toEqual([{ form, ipv4: "169.254.169.254" }]);
  });

  // Local-use NAT64 prefixes of /48, /56, /64 and /96 place the IPv4 address differently (RFC 6052 section 2.2).
  it.each([
    ["64:ff9b:1:a9fe:a9:fe00::", "/48"],
    ["64:ff9b:1:a9:fe:a9fe::", "/56"],
    ["64:ff9b:1:0:a9:fea9:fe00:0", "/64"],
    ["64:ff9b:1::a9fe:a9fe", "/96"],
  ])("finds 169.254.169.254 in the local-use NAT64 address %s (%s)", (address) => {
    const found = embeddedIpv4Addresses(address);
    expect(found.map((entry) => entry.form)).toEqual(found.map(() => "local-use NAT64"));
    expect(found.map((entry) => entry.ipv4)).toContain("169.254.169.254");
  });

  it.each(["::", "::1", "2606:4700::1111", "fe80::1", "2001:db8::1", "fd00:ec2::254", "not an address", "169.254.169.254", "fe80::1%eth0"])(
    "finds nothing in %s",
    (address) => {
      expect(embeddedIpv4Addresses(address)).toEqual([]);
    },
  );

  // The ISATAP interface identifier 0:5efe or 200:5efe in bits 64 to 95, with the IPv4 address after it, under any prefix.
  it.each([
    "fe80::5efe:169.254.169.254",
    "fe80::200:5efe:a9fe:a9fe",
    "2001:470:1:2:0:5efe:a9fe:a9fe",
    "2001:470:1:2::5efe:a9fe:a9fe",
    "2001:470:1:2:200:5efe:169.254.169.254",
    "2001:470:1:2:0200:5EFE:A9FE:A9FE",
    "fd00:1:2:3:0:5efe:a9fe:a9fe",
    "::5efe:a9fe:a9fe",
  ])("finds 169.254.169.254 in the ISATAP address %s", (address) => {
    expect(embeddedIpv4Addresses(address)).toEqual([{ form: "ISATAP", ipv4: "169.254.169.254" }]);
  });

  it("finds the public IPv4 address of an ISATAP identifier", () => {
    expect(embeddedIpv4Addresses("2001:470:1:2:200:5efe:808:808")).toEqual([{ form: "ISATAP", ipv4: "8.8.8.8" }]);
  });

  it("lists both addresses of a 6to4 prefix with an ISATAP identifier", () => {
    expect(embeddedIpv4Addresses("2002:808:808:1:0:5efe:a9fe:a9fe")).toEqual([
      { form: "6to4", ipv4: "8.8.8.8" },
      { form: "ISATAP", ipv4: "169.254.169.254" },
    ]);
  });

  // Near misses: another bit set in the identifier's first group, another type than 5efe, or 5efe in the wrong group.
  it.each([
    "2001:470:1:2:100:5efe:a9fe:a9fe",
    "2001:470:1:2:300:5efe:a9fe:a9fe",
    "2001:470:1:2:1:5efe:a9fe:a9fe",
    "2001:470:1:2:8000:5efe:a9fe:a9fe",
    "2001:470:1:2:0:5eff:a9fe:a9fe",
    "2001:470:1:2:0:4efe:a9fe:a9fe",
    "2001:470:1:5efe:0:a9fe:a9fe:1",
    "2001:470:1:2:5efe::a9fe:a9fe",
  ])("finds nothing in the near-ISATAP address %s", (address) => {
    expect(embeddedIpv4Addresses(address)).toEqual([]);
  });

  it("lists 0.0.0.0 for an ISATAP identifier that ends in zeros", () => {
    expect(embeddedIpv4Addresses("2001:470:1:2:0:5efe::")).toEqual([{ form: "ISATAP", ipv4: "0.0.0.0" }]);
  });
});
