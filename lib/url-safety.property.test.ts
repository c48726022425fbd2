import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isPublicAddress } from "../tests/support/public-address-oracle";
import { checkDestinationUrl } from "./url-safety";

/**
 * Properties of the destination rules on generated URLs, checked against an
 * independent statement of the public address ranges (Node's BlockList).
 * Seeded, so a failure reproduces.
 */
const SEED = 20261204;
const STRICT = { allowPrivate: false };

// Addresses inside non-public IPv4 ranges, as numbers.
const PRIVATE_IPV4_RANGES: Array<[number, number]> = [
  [0x00000000, 8],
  [0x0a000000, 8],
  [0x64400000, 10],
  [0x7f000000, 8],
  [0xa9fe0000, 16],
  [0xac100000, 12],
  [0xc0a80000, 16],
  [0xe0000000, 4],
  [0xf0000000, 4],
];
const privateIpv4 = fc
  .tuple(fc.constantFrom(...PRIVATE_IPV4_RANGES), fc.nat())
  .map(([[base, bits], offset]) => (base + (offset % 2 ** (32 - bits))) >>> 0);

/** Writes an IPv4 address (as a number) in one of the forms URL parsers accept. */
const ipv4Spelling = (value: number) =>
  fc.constantFrom<Array<(value: number) => string>>(
    (v) => [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join("."),
    (v) => String(v),
    (v) => `0x${v.toString(16)}`,
    (v) => `0${v.toString(8)}`,
    (v) => [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].map((octet) => `0x${octet.toString(16)}`).join("."),
    (v) => [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].map((octet) => `0${octet.toString(8)}`).join("."),
    (v) => `${v >>> 24}.${v & 0xffffff}`,
    (v) => `${v >>> 24}.${(v >>> 16) & 255}.${v & 0xffff}`,
    (v) => `[::ffff:${(v >>> 16).toString(16)}:${(v & 0xffff).toString(16)}]`,
    (v) => `[::ffff:${[v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join(".")}]`,
    (v) => `[64:ff9b::${(v >>> 16).toString(16)}:${(v & 0xffff).toString(16)}]`,
    (v) => [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join(".").replace(/\d/g, (digit) => String.fromCharCode(0xff10 + Number(digit))),
  ).map((spell) => spell(value));

// IPv6 addresses around the edges of special-purpose blocks, which uniform generation almost never reaches.
const IPV6_PREFIXES = [[], [0, 0, 0, 0, 0, 0xffff], [0x64, 0xff9b, 0, 0, 0, 0], [0x64, 0xff9b, 1], [0x100, 0, 0, 0], [0x2001, 0], [0x2001, 0x1ff], [0x2001, 0x200], [0x2001, 0xdb8], [0x2002], [0x1fff], [0x2000], [0x3fff], [0x4000], [0xfc00], [0xfdff], [0xfe80], [0xfebf], [0xfec0], [0xff02]];
const edgeIpv6 = fc
  .tuple(fc.constantFrom(...IPV6_PREFIXES), fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }))
  .map(([prefix, random]) => [...prefix, ...random.slice(prefix.length)].map((group) => group.toString(16)).join(":"));
// ISATAP addresses (RFC 5214) under a global prefix: the two identifiers that carry an IPv4 address, and two with
// another bit set that do not, followed by a private or random IPv4 address.
const isatapIpv6 = fc
  .tuple(
    fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 4, maxLength: 4 }),
    fc.constantFrom(0, 0x200, 0x100, 0x300),
    fc.oneof(privateIpv4, fc.integer({ min: 0, max: 0xffffffff })),
  )
  .map(([prefix, identifierHigh, ipv4]) => {
    const globalPrefix = [0x2000 | (prefix[0]! & 0x1fff), ...prefix.slice(1)];
    return [...globalPrefix, identifierHigh, 0x5efe, ipv4 >>> 16, ipv4 & 0xffff].map((group) => group.toString(16)).join(":");
  });
const dottedPrivateIpv4 = privateIpv4.map((v) => [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join("."));

const host = fc.oneof(
  edgeIpv6.map((address) => `[${address}]`),
  isatapIpv6.map((address) => `[${address}]`),
  fc.ipV4(),
  fc.ipV4Extended(),
  fc.ipV6().map((address) => `[${address}]`),
  fc.domain(),
  privateIpv4.chain(ipv4Spelling),
  fc.constantFrom("localhost", "LOCALHOST.", "metadata.google.internal", "printer.local", "router.lan", "a.localhost", "intranet", "[::1]", "[fe80::1%25eth0]", "0", "[::]", "xn--nxasmq6b.com"),
  fc.string({ unit: "binary", maxLength: 20 }),
);

const url = fc
  .record({
    scheme: fc.constantFrom("https", "http", "HTTPS", "ftp", "javascript", "file", "ws"),
    userinfo: fc.constantFrom("", "user@", "user:pass@", ":@", "%40@"),
    host,
    port: fc.oneof(fc.constant(""), fc.integer({ min: 0, max: 70_000 }).map((port) => `:${port}`)),
    path: fc.oneof(fc.constant("/hook"), fc.webPath(), fc.string({ unit: "binary", maxLength: 20 })),
  })
  .map(({ scheme, userinfo, host, port, path }) => `${scheme}://${userinfo}${host}${port}${path}`);

describe("checkDestinationUrl properties", () => {
  it("never throws on any string", () => {
    fc.assert(
      fc.property(fc.oneof(url, fc.string({ unit: "binary" }), fc.webUrl()), fc.boolean(), (text, allowPrivate) => {
        checkDestinationUrl(text, { allowPrivate });
      }),
      { numRuns: 2000, seed: SEED },
    );
  });

  it("accepts only https URLs to public addresses or qualified names", () => {
    fc.assert(
      fc.property(url, (text) => {
        const result = checkDestinationUrl(text, STRICT);
        if (!result.ok) return;
        const parsed = new URL(result.url);
        expect(parsed.protocol).toBe("https:");
        expect(parsed.username + parsed.password).toBe("");
        const bare = parsed.hostname.replace(/^\[|\]$/g, "");
        if (/^[\d.]+$/.test(bare) || bare.includes(":")) {
          expect(isPublicAddress(bare), `${text} -> ${bare}`).toBe(true);
        } else {
          expect(bare).toContain(".");
          expect(bare).not.toMatch(/(^|\.)(localhost|local|internal|lan)\.?$/i);
        }
      }),
      { numRuns: 2000, seed: SEED },
    );
  });

  it("rejects every spelling of a non-public IPv4 address", () => {
    fc.assert(
      fc.property(privateIpv4.chain(ipv4Spelling), (spelled) => {
        const result = checkDestinationUrl(`https://${spelled}/hook`, STRICT);
        expect(result.ok, spelled).toBe(false);
      }),
      { numRuns: 2000, seed: SEED },
    );
  });

  it("agrees with the independent ranges on every IP literal", () => {
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6(), edgeIpv6, isatapIpv6, dottedPrivateIpv4), (address) => {
        const literal = address.includes(":") ? `[${address}]` : address;
        const result = checkDestinationUrl(`https://${literal}/hook`, STRICT);
        expect(result.ok, address).toBe(isPublicAddress(address));
      }),
      { numRuns: 3000, seed: SEED },
    );
  });

  // The HTTP client checks the stored URL again at every attempt, so a stored URL must pass the same rules.
  it("accepts every URL it stored, unchanged", () => {
    fc.assert(
      fc.property(fc.oneof(url, fc.webUrl({ withQueryParameters: true, withFragments: true })), fc.boolean(), (text, allowPrivate) => {
        const first = checkDestinationUrl(text, { allowPrivate });
        if (!first.ok) return;
        expect(checkDestinationUrl(first.url, { allowPrivate }), `${text} -> ${first.url}`).toEqual(first);
      }),
      { numRuns: 3000, seed: SEED },
    );
  });

  it("rejects a tab, line feed or carriage return anywhere inside", () => {
    const inserted = fc
      .tuple(fc.webUrl({ withQueryParameters: true }), fc.constantFrom("\t", "\n", "\r"), fc.nat())
      .map(([text, character, position]) => {
        const index = 1 + (position % (text.length - 1));
        return text.slice(0, index) + character + text.slice(index);
      });
    fc.assert(
      fc.property(inserted, (text) => {
        expect(checkDestinationUrl(text, { allowPrivate: true }), JSON.stringify(text)).toMatchObject({ ok: false, problem: "malformed" });
      }),
      { numRuns: 2000, seed: SEED },
    );
  });
});
