import { BlockList, isIPv4, isIPv6 } from "node:net";

/**
 * A second, independent statement of which IP addresses are public unicast,
 * built on Node's own address parser and BlockList rather than on
 * lib/url-safety.ts, for property tests to check that module against.
 * Ranges: the IANA IPv4 and IPv6 special-purpose address registries, plus
 * everything outside 2000::/3, the only IPv6 block allocated for global unicast.
 */
const ipv4Blocked = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.88.99.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  ipv4Blocked.addSubnet(network, prefix, "ipv4");
}

const ipv6Blocked = new BlockList();
for (const [network, prefix] of [
  ["::", 96], // unspecified, loopback and the deprecated IPv4-compatible form
  ["64:ff9b:1::", 48],
  ["100::", 64],
  ["2001::", 23],
  ["2001:db8::", 32],
  ["2002::", 16],
] as const) {
  ipv6Blocked.addSubnet(network, prefix, "ipv6");
}
const globalUnicast = new BlockList();
globalUnicast.addSubnet("2000::", 3, "ipv6");
const translated = new BlockList();
translated.addSubnet("::ffff:0:0", 96, "ipv6");
translated.addSubnet("64:ff9b::", 96, "ipv6");

/** Returns the IPv4 address in the last 32 bits of an IPv6 address, using the WHATWG parser's canonical form. */
function lastIpv4(address: string): string {
  const canonical = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  const groups = canonical.split(":");
  const high = parseInt(groups.at(-2) || "0", 16);
  const low = parseInt(groups.at(-1) || "0", 16);
  return [high >> 8, high & 255, low >> 8, low & 255].join(".");
}

/**
 * Tells whether bits 64 to 95 are an ISATAP interface identifier (RFC 5214):
 * 0000:5efe, or 0200:5efe with the universal/local bit set. The groups come
 * from the WHATWG parser's canonical form, not from lib/ip-address.ts.
 */
function hasIsatapIdentifier(address: string): boolean {
  const canonical = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  const [head = "", tail = ""] = canonical.includes("::") ? canonical.split("::") : [canonical, ""];
  const headGroups = head === "" ? [] : head.split(":");
  const tailGroups = tail === "" ? [] : tail.split(":");
  const groups = [...headGroups, ...Array<string>(8 - headGroups.length - tailGroups.length).fill("0"), ...tailGroups].map((group) => parseInt(group, 16));
  return (groups[4] === 0 || groups[4] === 0x200) && groups[5] === 0x5efe;
}

/** Tells whether a textual IP address is public unicast; anything that is not an IP address is not. */
export function isPublicAddress(address: string): boolean {
  if (isIPv4(address)) return !ipv4Blocked.check(address, "ipv4");
  if (!isIPv6(address) || address.includes("%")) return false;
  // IPv4-mapped and NAT64 addresses reach the IPv4 address they carry.
  if (translated.check(address, "ipv6")) return !ipv4Blocked.check(lastIpv4(address), "ipv4");
  // An ISATAP router tunnels to the IPv4 address in the last 32 bits, whatever the prefix.
  if (hasIsatapIdentifier(address) && ipv4Blocked.check(lastIpv4(address), "ipv4")) return false;
  return globalUnicast.check(address, "ipv6") && !ipv6Blocked.check(address, "ipv6");
}
