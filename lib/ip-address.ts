/**
 * Recognises IP address literals without node:net, so the destination rules of
 * lib/url-safety.ts run unchanged in the browser. Both functions are meant to
 * return what Node.js's `net.isIPv4` and `net.isIPv6` return, and
 * lib/ip-address.test.ts compares them on thousands of generated strings.
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
