/**
 * Recognises and takes apart IP address literals without node:net, so the
 * destination rules of lib/url-safety.ts run unchanged in the browser.
 * `isIPv4` and `isIPv6` are meant to return what Node.js's `net.isIPv4` and
 * `net.isIPv6` return, and lib/ip-address.test.ts compares them on thousands
 * of generated strings.
 */
const DECIMAL_OCTET = /^(0|[1-9][0-9]{0,2})$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;
const ZONE_ID = /^[0-9a-zA-Z.:-]+$/;

/** Tells whether `text` is a dotted-decimal IPv4 address: four octets of 0-255 without leading zeros. */
export function isIPv4(text: string): boolean {
  const parts = text.split(".");
  if (parts.length !== 4) return false;
  return parts.every((part) => DECIMAL_OCTET.test(part) && Number(part) <= 255);
}

/**
 * Tells whether `text` is an IPv6 address: eight hex groups, or fewer with one
 * `::` standing for at least one zero group, optionally ending in a dotted IPv4
 * address that counts as two groups, optionally followed by a `%zone` suffix.
 */
export function isIPv6(text: string): boolean {
  const zoneStart = text.indexOf("%");
  const address = zoneStart < 0 ? text : text.slice(0, zoneStart);
  if (zoneStart >= 0 && !ZONE_ID.test(text.slice(zoneStart + 1))) return false;

  const halves = address.split("::");
  if (halves.length > 2) return false;
  const compressed = halves.length === 2;
  const head = halves[0] === "" ? [] : halves[0]!.split(":");
  const tail = !compressed || halves[1] === "" ? [] : halves[1]!.split(":");
  const groups = [...head, ...tail];
  if (groups.length === 0) return compressed;

  let groupCount = groups.length;
  const last = groups[groups.length - 1]!;
  if (last.includes(".")) {
    if (!isIPv4(last)) return false;
    groups.pop();
    groupCount += 1;
  }
  if (!groups.every((group) => HEX_GROUP.test(group))) return false;
  return compressed ? groupCount <= 7 : groupCount === 8;
}

/** Converts a dotted-decimal IPv4 address to its 32-bit value. */
export function ipv4ToNumber(address: string): number {
  return address.split(".").reduce((value, octet) => value * 256 + Number(octet), 0);
}

/** Expands an IPv6 address (without brackets or zone) to its eight 16-bit groups, or returns null. */
export function ipv6Groups(address: string): number[] | null {
  if (!isIPv6(address) || address.includes("%")) return null;
  let text = address.toLowerCase();
  // A dotted IPv4 tail (::ffff:127.0.0.1) is rewritten as the two groups it stands for.
  const lastColon = text.lastIndexOf(":");
  const tail = text.slice(lastColon + 1);
  if (isIPv4(tail)) {
    const value = ipv4ToNumber(tail);
    text = `${text.slice(0, lastColon + 1)}${Math.floor(value / 65536).toString(16)}:${(value % 65536).toString(16)}`;
  }
  const parse = (part: string) => (part === "" ? [] : part.split(":").map((group) => parseInt(group, 16)));
  const halves = text.split("::");
  if (halves.length === 1) {
    const groups = parse(text);
    return groups.length === 8 ? groups : null;
  }
  const head = parse(halves[0]!);
  const rest = parse(halves[1]!);
  const missing = 8 - head.length - rest.length;
  return missing >= 1 ? [...head, ...Array<number>(missing).fill(0), ...rest] : null;
}

/** An IPv4 address carried inside an IPv6 address, and the name of the form that carries it. */
export interface EmbeddedIpv4 {
  form: string;
  ipv4: string;
}

function dotted(octets: number[]): string {
  return octets.join(".");
}

// The last 32 bits as an IPv4 address, where most forms put it.
function lastFourOctets(groups: number[]): string {
  const high = groups[6]!;
  const low = groups[7]!;
  return dotted([high >> 8, high & 255, low >> 8, low & 255]);
}

/**
 * Lists the IPv4 addresses an IPv6 address carries, in every form that routes
 * or translates to that IPv4 address:
 *
 * - IPv4-mapped `::ffff:a.b.c.d` and IPv4-compatible `::a.b.c.d` (RFC 4291;
 *   `::` and `::1` are the unspecified and loopback addresses, not this form);
 * - IPv4-translated `::ffff:0:a.b.c.d` (RFC 2765);
 * - NAT64 `64:ff9b::a.b.c.d` (RFC 6052), and the local-use prefix
 *   `64:ff9b:1::/48` (RFC 8215). A network may use any prefix of 48 bits or
 *   more inside the local-use one, so the address found at each position that
 *   RFC 6052 defines for /48, /56, /64 and /96 is listed;
 * - 6to4 `2002:aabb:ccdd::/48` (RFC 3056), which carries a.b.c.d after 2002;
 * - Teredo `2001:0::/32` (RFC 4380), whose client address is the last 32 bits
 *   with every bit inverted;
 * - ISATAP (RFC 5214), whose interface identifier `0:5efe:a.b.c.d` or
 *   `200:5efe:a.b.c.d` may follow any 64-bit prefix.
 *
 * An address can carry more than one, such as a 6to4 prefix followed by an
 * ISATAP interface identifier. Returns an empty list for an address in none of these
 * forms, or for text that is not an IPv6 address.
 */
export function embeddedIpv4Addresses(address: string): EmbeddedIpv4[] {
  const groups = ipv6Groups(address);
  if (!groups) return [];
  return [...prefixForms(groups), ...isatapForm(groups)];
}

/** Lists the IPv4 addresses that the forms defined by their prefix carry (all but ISATAP). */
function prefixForms(groups: number[]): EmbeddedIpv4[] {
  const [g0, g1, g2, g3, g4, g5, g6, g7] = groups as [number, number, number, number, number, number, number, number];
  const zeroTo3 = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0;

  if (zeroTo3 && g4 === 0 && g5 === 0xffff) return [{ form: "IPv4-mapped", ipv4: lastFourOctets(groups) }];
  if (zeroTo3 && g4 === 0 && g5 === 0) {
    const unspecifiedOrLoopback = g6 === 0 && (g7 === 0 || g7 === 1);
    return unspecifiedOrLoopback ? [] : [{ form: "IPv4-compatible", ipv4: lastFourOctets(groups) }];
  }
  if (zeroTo3 && g4 === 0xffff && g5 === 0) return [{ form: "IPv4-translated", ipv4: lastFourOctets(groups) }];
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) {
    return [{ form: "NAT64", ipv4: lastFourOctets(groups) }];
  }
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 1) {
    // RFC 6052 section 2.2: bits 64 to 71 are always zero, so the address skips that octet.
    const candidates = [
      dotted([g3 >> 8, g3 & 255, g4 & 255, g5 >> 8]),
      dotted([g3 & 255, g4 & 255, g5 >> 8, g5 & 255]),
      dotted([g4 & 255, g5 >> 8, g5 & 255, g6 >> 8]),
      lastFourOctets(groups),
    ];
    return [...new Set(candidates)].map((ipv4) => ({ form: "local-use NAT64", ipv4 }));
  }
  if (g0 === 0x2002) return [{ form: "6to4", ipv4: dotted([g1 >> 8, g1 & 255, g2 >> 8, g2 & 255]) }];
  if (g0 === 0x2001 && g1 === 0) {
    return [{ form: "Teredo", ipv4: dotted([(g6 ^ 0xffff) >> 8, (g6 ^ 0xffff) & 255, (g7 ^ 0xffff) >> 8, (g7 ^ 0xffff) & 255]) }];
  }
  return [];
}

/**
 * Lists the IPv4 address of an ISATAP interface identifier, if the low 64
 * bits are one. RFC 5214 section
 * 6.1 builds it from IANA's OUI 00-00-5E, the type 0xFE and the IPv4 address,
 * with the universal/local bit set (0x0200) when that address is globally
 * unique. Only these two exact identifiers count, the same two that Linux's
 * `ipv6_addr_is_isatap` accepts, so a random interface identifier matches by
 * chance once in 2^31.
 */
function isatapForm(groups: number[]): EmbeddedIpv4[] {
  const identifierHigh = groups[4]!;
  const identifierType = groups[5]!;
  if ((identifierHigh === 0 || identifierHigh === 0x200) && identifierType === 0x5efe) return [{ form: "ISATAP", ipv4: lastFourOctets(groups) }];
  return [];
}
