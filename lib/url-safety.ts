import { embeddedIpv4Addresses, ipv4ToNumber, ipv6Groups, isIPv4, isIPv6 } from "./ip-address";

/**
 * Destination rules for webhook URLs, applied when a URL is registered and
 * again, on every resolved address, at every attempt (lib/dispatch/safe-lookup.ts).
 * Checks run on the URL as the WHATWG parser normalises it, which is what the
 * HTTP client connects to: decimal, octal, hex and short IPv4 forms, full-width
 * digits and IPv6 spellings are all reduced to one canonical address first.
 *
 * The URL's structure is parsed strictly, though. The WHATWG parser repairs
 * some spellings into a different URL: it drops tabs and line breaks, reads
 * "\" as "/", adds or skips slashes after the scheme (http:///x becomes
 * http://x/) and drops an empty user name before "@". Other software reads
 * such text differently or not at all, so what was meant and what would be
 * stored could differ. Those spellings are rejected with the reason
 * (structureProblem) instead of being stored repaired.
 */
export const MAX_URL_LENGTH = 2048;

export type UrlProblem =
  | "malformed"
  | "too_long"
  | "scheme_not_allowed"
  | "https_required"
  | "credentials_in_url"
  | "invalid_port"
  | "blocked_destination"
  // Registration only: the host name has no address (lib/subscriptions/destination-policy.ts).
  | "unresolvable";

export type UrlCheck = { ok: true; url: string; hostname: string } | { ok: false; problem: UrlProblem; message: string };

export interface DestinationPolicy {
  // Development and tests only: allows plain http and private, loopback and link-local addresses.
  allowPrivate: boolean;
}

// The digits after the last colon of the authority, when a port follows the host.
const AUTHORITY_PORT = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*:([0-9]+)(?:[/?#]|$)/i;
const PORT_RANGE_MESSAGE = "The port must be between 1 and 65535";

// Names that always point inside a network: RFC 6761 localhost, mDNS, and suffixes reserved for private use.
const INTERNAL_SUFFIXES = [".localhost", ".local", ".localdomain", ".internal", ".home.arpa", ".lan", ".intranet"];

const CREDENTIALS_MESSAGE =
  "The URL must not contain a user name or password: receivers authenticate deliveries by their signature (Wasviking-Signature)";

function describeControlCharacter(character: string): string {
  if (character === "\t") return "a tab";
  if (character === "\n") return "a line feed";
  if (character === "\r") return "a carriage return";
  return `the control character U+${character.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`;
}

/**
 * Explains why the text of an http(s) URL is a spelling that the WHATWG parser
 * would repair into another URL, or returns null. `text` is already trimmed.
 */
function structureProblem(text: string): { problem: UrlProblem; message: string } | null {
  // The parser reads "\" as "/" in the scheme, authority and path. In the query it is kept as it is.
  const beforeQuery = text.split(/[?#]/, 1)[0]!;
  const backslash = beforeQuery.indexOf("\\");
  if (backslash !== -1) {
    return {
      problem: "malformed",
      message: `The URL contains a backslash at character ${backslash + 1}, which URL parsers read as "/": use "/" between path segments, or write a literal backslash as %5C`,
    };
  }
  const [, scheme = "", slashes = ""] = /^([a-z][a-z0-9+.-]*):(\/*)/i.exec(text) ?? [];
  if (slashes.length > 2) {
    return { problem: "malformed", message: `The URL has an empty host: nothing comes between "${scheme}://" and the next "/"` };
  }
  if (slashes.length < 2) {
    return { problem: "malformed", message: `The URL needs "//" after "${scheme}:", for example https://siem.example.com/hooks/wasviking` };
  }
  // Everything up to the first "/", "?" or "#" after the "//" is the authority. An "@" in it ends user information,
  // which the parser drops silently when it is empty ("https://@host" or "https://:@host").
  const authority = /^[^/?#]*/.exec(text.slice(scheme.length + 3))![0];
  const at = authority.lastIndexOf("@");
  if (at === -1) return null;
  if (/^:?$/.test(authority.slice(0, at))) {
    return { problem: "credentials_in_url", message: 'The URL has an "@" with no user name before the host: remove the "@"' };
  }
  return { problem: "credentials_in_url", message: CREDENTIALS_MESSAGE };
}

/** Validates and normalises a webhook URL; the returned `url` is what gets stored and called. */
export function checkDestinationUrl(raw: string, policy: DestinationPolicy): UrlCheck {
  const text = raw.trim();
  if (text.length === 0) return { ok: false, problem: "malformed", message: "The URL is empty" };
  if (text.length > MAX_URL_LENGTH) {
    return { ok: false, problem: "too_long", message: `The URL is longer than ${MAX_URL_LENGTH} characters` };
  }
  // The parser deletes tabs and line breaks anywhere and trims other control characters at either end.
  const control = /[\u0000-\u001f\u007f]/.exec(text);
  if (control) {
    return {
      ok: false,
      problem: "malformed",
      message: `The URL contains ${describeControlCharacter(control[0])} at character ${control.index + 1}: remove it`,
    };
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // The parser rejects a port above 65535 without saying why, so that one case is named.
    const port = AUTHORITY_PORT.exec(text)?.[1];
    if (port !== undefined && Number(port) > 65535) return { ok: false, problem: "invalid_port", message: PORT_RANGE_MESSAGE };
    return { ok: false, problem: "malformed", message: "The URL is not a valid absolute URL, for example https://siem.example.com/hooks/wasviking" };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return { ok: false, problem: "scheme_not_allowed", message: `The scheme "${url.protocol.replace(/:$/, "")}" is not allowed: use https` };
  }
  const structure = structureProblem(text);
  if (structure) return { ok: false, ...structure };
  if (url.protocol === "http:" && !policy.allowPrivate) {
    return { ok: false, problem: "https_required", message: "The URL must use https: deliveries carry signed security data and are only sent over TLS" };
  }
  if (url.username !== "" || url.password !== "") {
    return { ok: false, problem: "credentials_in_url", message: CREDENTIALS_MESSAGE };
  }
  if (url.port === "0") return { ok: false, problem: "invalid_port", message: PORT_RANGE_MESSAGE };
  if (url.hostname === "") return { ok: false, problem: "malformed", message: "The URL has no host" };
  url.hash = "";
  const hostProblem = policy.allowPrivate ? metadataHostProblem(url.hostname) : hostnameProblem(url.hostname);
  if (hostProblem) return { ok: false, problem: "blocked_destination", message: hostProblem };
  return { ok: true, url: url.href, hostname: url.hostname };
}

/** Explains why an IP literal host is refused even for development destinations, or returns null. */
function metadataHostProblem(hostname: string): string | null {
  const bare = hostname.startsWith("[") && hostname.endsWith("]") ? hostname.slice(1, -1) : hostname;
  const range = isIPv4(bare) || isIPv6(bare) ? metadataRange(bare) : null;
  return range ? `The address ${bare} is not allowed, even for development: it is ${range}` : null;
}

// The IPv6 address of the EC2 instance metadata service; IPv4 metadata services sit in 169.254.0.0/16.
const IPV6_METADATA_SERVICE = [0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254];

/**
 * Describes an address that stays blocked when WVK_ALLOW_PRIVATE_DESTINATIONS
 * allows private ones: link-local ranges, which hold cloud metadata services
 * (169.254.169.254 serves instance credentials), in any spelling, and the EC2
 * IPv6 metadata address. An IPv6 address that carries a link-local IPv4
 * address (embeddedIpv4Addresses lists the forms) is blocked too. A
 * development machine in the cloud must not let key holders read its instance
 * credentials. Returns null for any other address, and for text that is not an
 * IP address.
 */
export function metadataRange(address: string): string | null {
  if (isIPv4(address)) return inIpv4Range(address, LINK_LOCAL_IPV4) ? LINK_LOCAL_IPV4.label : null;
  if (!isIPv6(address)) return null;
  // A zone (fe80::1%eth0) only picks the interface, so the address without it is judged.
  const bare = address.split("%", 1)[0]!;
  const groups = ipv6Groups(bare);
  if (!groups) return "not a valid IPv6 address";
  if ((groups[0]! & 0xffc0) === 0xfe80) return "a link-local address";
  if (groups.every((group, index) => group === IPV6_METADATA_SERVICE[index])) return "a cloud metadata service address";
  return embeddedIpv4Problem(bare, (ipv4) => (inIpv4Range(ipv4, LINK_LOCAL_IPV4) ? LINK_LOCAL_IPV4.label : null));
}

/** Explains why a parsed hostname (an IP literal or a DNS name) is not an allowed destination, or returns null. */
export function hostnameProblem(hostname: string): string | null {
  const bare = hostname.startsWith("[") && hostname.endsWith("]") ? hostname.slice(1, -1) : hostname;
  if (isIPv4(bare) || isIPv6(bare)) {
    const range = blockedRange(bare);
    return range ? `The address ${bare} is not allowed: it is ${range}` : null;
  }
  const name = bare.toLowerCase().replace(/\.$/, "");
  if (name === "localhost" || INTERNAL_SUFFIXES.some((suffix) => name.endsWith(suffix))) {
    return `The host ${hostname} is not allowed: it names a local or internal network`;
  }
  if (!name.includes(".")) {
    return `The host ${hostname} is not allowed: use a fully qualified public domain name`;
  }
  return null;
}

interface Ipv4Range {
  base: number;
  bits: number;
  label: string;
}

function v4(cidr: string, label: string): Ipv4Range {
  const [base, bits] = cidr.split("/") as [string, string];
  return { base: ipv4ToNumber(base), bits: Number(bits), label };
}

const LINK_LOCAL_IPV4 = v4("169.254.0.0/16", "a link-local address, which includes cloud metadata services");

// Every IPv4 range that is not publicly routable unicast (IANA special-purpose registry).
const BLOCKED_IPV4: Ipv4Range[] = [
  v4("0.0.0.0/8", "an unspecified or 'this network' address"),
  v4("10.0.0.0/8", "a private address (RFC 1918)"),
  v4("100.64.0.0/10", "a carrier-grade NAT address (RFC 6598)"),
  v4("127.0.0.0/8", "a loopback address"),
  LINK_LOCAL_IPV4,
  v4("172.16.0.0/12", "a private address (RFC 1918)"),
  v4("192.0.0.0/24", "an IETF protocol assignment"),
  v4("192.0.2.0/24", "a documentation address"),
  v4("192.88.99.0/24", "a 6to4 relay address"),
  v4("192.168.0.0/16", "a private address (RFC 1918)"),
  v4("198.18.0.0/15", "a benchmarking address"),
  v4("198.51.100.0/24", "a documentation address"),
  v4("203.0.113.0/24", "a documentation address"),
  v4("224.0.0.0/4", "a multicast address"),
  v4("240.0.0.0/4", "a reserved address"),
];

function inIpv4Range(address: string, range: Ipv4Range): boolean {
  const value = ipv4ToNumber(address);
  return value >= range.base && value < range.base + 2 ** (32 - range.bits);
}

function blockedIpv4Range(address: string): string | null {
  return BLOCKED_IPV4.find((range) => inIpv4Range(address, range))?.label ?? null;
}

/**
 * Judges every IPv4 address that an IPv6 address carries (lib/ip-address.ts,
 * embeddedIpv4Addresses) with `judge`, and describes the first one it blocks,
 * or returns null. Traffic to such an IPv6 address can reach the IPv4 address
 * through a translator or tunnel, so it must not pass where the IPv4 address would not.
 */
function embeddedIpv4Problem(address: string, judge: (ipv4: string) => string | null): string | null {
  for (const { form, ipv4 } of embeddedIpv4Addresses(address)) {
    const range = judge(ipv4);
    // Of the form names, exactly those that start with "I" (IPv4-mapped, ISATAP) take "an".
    if (range) return `${form.startsWith("I") ? "an" : "a"} ${form} form of ${range}`;
  }
  return null;
}

function blockedIpv6Range(address: string): string | null {
  const groups = ipv6Groups(address);
  if (!groups) return "not a valid IPv6 address";
  const embedded = embeddedIpv4Problem(address, blockedIpv4Range);
  if (embedded) return embedded;
  const [g0, g1, g2, g3, g4, g5] = groups as [number, number, number, number, number, number, number, number];
  const zeroTo4 = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0;
  if (zeroTo4 && g5 === 0) {
    if (groups[6] === 0 && groups[7] === 0) return "the unspecified address";
    if (groups[6] === 0 && groups[7] === 1) return "a loopback address";
    return "an IPv4-compatible IPv6 address, which is deprecated";
  }
  // IPv4-mapped and NAT64 forms of a public IPv4 address reach that address, so they are public too.
  if (zeroTo4 && g5 === 0xffff) return null;
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return null;
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 1) return "a local-use NAT64 address";
  if (g0 === 0x100 && g1 === 0 && g2 === 0 && g3 === 0) return "a discard-only address";
  if (g0 === 0x2001 && g1 < 0x200) return "an IETF protocol assignment (Teredo, ORCHID or benchmarking)";
  if (g0 === 0x2001 && g1 === 0xdb8) return "a documentation address";
  if (g0 === 0x2002) return "a 6to4 address, which can embed any IPv4 address";
  if ((g0 & 0xfe00) === 0xfc00) return "a unique-local address";
  if ((g0 & 0xffc0) === 0xfe80) return "a link-local address";
  if ((g0 & 0xffc0) === 0xfec0) return "a site-local address";
  if ((g0 & 0xff00) === 0xff00) return "a multicast address";
  if ((g0 & 0xe000) !== 0x2000) return "outside the global unicast range";
  return null;
}

/** Describes the non-public range an IP address falls in, or returns null for a public unicast address. */
export function blockedRange(address: string): string | null {
  if (isIPv4(address)) return blockedIpv4Range(address);
  if (isIPv6(address)) return blockedIpv6Range(address);
  return "not an IP address";
}
