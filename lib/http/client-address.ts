import { ipv6Groups, isIPv4 } from "../ip-address";

/**
 * Where a request came from. The web server (web/server.ts) writes the TCP
 * peer's address into PEER_ADDRESS_HEADER, replacing whatever a client sent
 * under that name. When the peer is a reverse proxy named in
 * WVK_TRUSTED_PROXIES, the address that proxy appended to X-Forwarded-For is
 * used instead, hop by hop from the right. So a client cannot choose its own
 * address by sending the header itself. The result keys the throttling of
 * failed credentials and is recorded in the audit trail.
 */
export const PEER_ADDRESS_HEADER = "x-wasviking-peer-address";

export function clientAddress(headers: Headers, trusted: TrustedProxies = trustedProxies()): string | null {
  const peer = headers.get(PEER_ADDRESS_HEADER);
  // Without the web server (next dev, in-process calls) there is no peer to
  // start from. The forwarded address is then the only hint, so it is used as given.
  if (!peer) return headers.get("x-forwarded-for")?.split(",")[0]?.trim() || headers.get("x-real-ip") || null;
  const hops = (headers.get("x-forwarded-for") ?? "").split(",").map((hop) => hop.trim()).filter(Boolean);
  let address = normalize(peer);
  while (trusted.includes(address) && hops.length > 0) {
    const next = normalize(hops.pop()!);
    if (!isIPv4(next) && !ipv6Groups(next)) break;
    address = next;
  }
  return address;
}

/**
 * Returns the host and port the client addressed, as a Host header writes
 * them, for the portal's same-origin check. A reverse proxy passes the Host it
 * received on in X-Forwarded-Host, which is believed only when the TCP peer is
 * one of WVK_TRUSTED_PROXIES, as X-Forwarded-For is. Of several entries the
 * last counts, because the nearest proxy wrote it. Any other client's
 * X-Forwarded-Host is ignored, and so is the Forwarded header (RFC 7239).
 */
export function requestedHost(headers: Headers, trusted: TrustedProxies = trustedProxies()): string | null {
  const host = headers.get("host");
  const peer = headers.get(PEER_ADDRESS_HEADER);
  if (!peer || !trusted.includes(normalize(peer))) return host;
  const forwarded = (headers.get("x-forwarded-host") ?? "").split(",").map((entry) => entry.trim()).filter(Boolean);
  return forwarded.at(-1) ?? host;
}

export interface TrustedProxies {
  includes(address: string): boolean;
}

/** Parses WVK_TRUSTED_PROXIES: addresses or CIDR ranges, IPv4 or IPv6, separated by commas. */
export function parseTrustedProxies(text: string): TrustedProxies {
  const ranges = text
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const range = parseRange(entry);
      if (!range) throw new Error(`Invalid environment:\n  WVK_TRUSTED_PROXIES: "${entry}" is not an IP address or CIDR range such as 10.0.0.0/8`);
      return range;
    });
  return { includes: (address) => ranges.some((range) => inRange(address, range)) };
}

let cachedProxies: { text: string; proxies: TrustedProxies } | undefined;

/** Parses WVK_TRUSTED_PROXIES once per value and returns the proxies. */
export function trustedProxies(): TrustedProxies {
  const text = process.env.WVK_TRUSTED_PROXIES ?? "";
  if (cachedProxies?.text !== text) cachedProxies = { text, proxies: parseTrustedProxies(text) };
  return cachedProxies.proxies;
}

interface Range {
  bits: number[];
  prefixLength: number;
}

function parseRange(entry: string): Range | null {
  const [address, prefix] = entry.split("/");
  const bits = addressBits(address ?? "");
  if (!bits) return null;
  if (prefix === undefined) return { bits, prefixLength: bits.length };
  const prefixLength = /^\d{1,3}$/.test(prefix) ? Number(prefix) : NaN;
  if (!(prefixLength >= 0 && prefixLength <= bits.length)) return null;
  return { bits, prefixLength };
}

function inRange(address: string, range: Range): boolean {
  const bits = addressBits(address);
  if (!bits || bits.length !== range.bits.length) return false;
  for (let index = 0; index < range.prefixLength; index++) if (bits[index] !== range.bits[index]) return false;
  return true;
}

/** Converts an address to its 32 or 128 bits, or returns null when it is not an IP address. */
function addressBits(address: string): number[] | null {
  const groups = isIPv4(address) ? address.split(".").map(Number) : ipv6Groups(address);
  if (!groups) return null;
  const width = isIPv4(address) ? 8 : 16;
  return groups.flatMap((group) => Array.from({ length: width }, (_, index) => (group >> (width - 1 - index)) & 1));
}

/** Rewrites an IPv4 address that reached an IPv6 socket (::ffff:a.b.c.d) as plain IPv4. */
function normalize(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped && isIPv4(mapped[1]!) ? mapped[1]! : address;
}
