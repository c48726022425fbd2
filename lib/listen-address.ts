import { ipv6Groups, isIPv4, isIPv6 } from "./ip-address";

/**
 * Rules for the listen address of the portal and REST API. `npm start`,
 * `npm run dev` (scripts/start.ts) and the production server (web/server.ts)
 * all apply them, so each of them listens on loopback unless WVK_HOST names
 * another address.
 */

/**
 * The environment variable that sets the listen address. It is not HOSTNAME,
 * because Docker and some shells set that to the machine's own name, so reading
 * it would expose the portal without anyone choosing to.
 */
export const LISTEN_HOST_VARIABLE = "WVK_HOST";

export const DEFAULT_LISTEN_HOST = "127.0.0.1";

/**
 * Reach of a listen address: this machine only (`loopback`), every network the
 * machine is on (`all-interfaces`), or the network of one address or host name
 * (`one-interface`).
 */
export type ListenScope = "loopback" | "all-interfaces" | "one-interface";

// A DNS host name: dot-separated labels of letters, digits and inner hyphens, with an optional final dot.
const HOST_NAME = /^(?=.{1,253}\.?$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;
// A last label that is a decimal or hex number. The system resolver reads such a name as an IPv4 address in a
// short form ("127.1", "0", "0x7f000001"), so it is rejected rather than classified as a name.
const NUMERIC_LAST_LABEL = /(?:^|\.)(?:\d+|0x[0-9a-f]*)\.?$/i;

/**
 * Validates a listen address and returns it in the form Node.js's
 * `server.listen()` expects: an IPv4 address, an IPv6 address without
 * brackets, or a host name. Throws an error that names `source` (the variable
 * or option the value came from) when the value is anything else, such as a
 * URL or an address with a port.
 */
export function parseListenHost(raw: string, source: string): string {
  const trimmed = raw.trim();
  const host = trimmed.startsWith("[") && trimmed.endsWith("]") ? trimmed.slice(1, -1) : trimmed;
  if (isIPv4(host) || isIPv6(host)) return host;
  if (HOST_NAME.test(host) && !NUMERIC_LAST_LABEL.test(host)) return host;
  throw new Error(
    `Invalid ${source} "${raw}": expected an IP address or host name without a scheme or port, such as 127.0.0.1 (this machine only) or 0.0.0.0 (every network)`,
  );
}

/** Reads WVK_HOST from `environment`, or returns the loopback default when it is unset or blank. */
export function listenHostFromEnvironment(environment: Record<string, string | undefined>): string {
  const raw = environment[LISTEN_HOST_VARIABLE];
  if (raw === undefined || raw.trim() === "") return DEFAULT_LISTEN_HOST;
  return parseListenHost(raw, LISTEN_HOST_VARIABLE);
}

export const DEFAULT_LISTEN_PORT = 3000;

/** Reads PORT from `environment`: a whole number from 1 to 65535, or the default when it is unset or blank. */
export function listenPortFromEnvironment(environment: Record<string, string | undefined>): number {
  const raw = environment.PORT?.trim();
  if (raw === undefined || raw === "") return DEFAULT_LISTEN_PORT;
  const port = /^[0-9]{1,5}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(port >= 1 && port <= 65535)) throw new Error(`Invalid PORT "${raw}": expected a whole number from 1 to 65535, such as 3000`);
  return port;
}

/**
 * Classifies a listen address returned by parseListenHost. Only IP literals and
 * the name `localhost` count as loopback, because another name may resolve to
 * any address.
 */
export function listenScope(host: string): ListenScope {
  const name = host.toLowerCase().replace(/\.$/, "");
  if (name === "localhost") return "loopback";
  if (isIPv4(host)) {
    if (host === "0.0.0.0") return "all-interfaces";
    return host.startsWith("127.") ? "loopback" : "one-interface";
  }
  const groups = isIPv6(host) ? ipv6Groups(host) : null;
  if (groups) {
    const leadingZeros = groups.slice(0, 5).every((group) => group === 0);
    if (leadingZeros && groups[5] === 0 && groups[6] === 0 && (groups[7] === 0 || groups[7] === 1)) {
      return groups[7] === 0 ? "all-interfaces" : "loopback";
    }
    // An IPv4-mapped address (::ffff:127.0.0.1) listens on that IPv4 address.
    if (leadingZeros && groups[5] === 0xffff) return groups[6]! >> 8 === 127 ? "loopback" : "one-interface";
  }
  return "one-interface";
}

/** Returns the address to put in `host:port`, with brackets around an IPv6 address. */
function hostForUrl(host: string): string {
  return isIPv6(host) ? `[${host}]` : host;
}

/**
 * Returns the URL a browser on this machine opens to reach the portal. For the
 * default address and for every interface it is http://localhost:PORT, as in
 * the README. Any other address appears as given.
 */
export function portalUrl(host: string, port: number): string {
  const local = host === DEFAULT_LISTEN_HOST || host.toLowerCase() === "localhost" || listenScope(host) === "all-interfaces";
  return `http://${local ? "localhost" : hostForUrl(host)}:${port}`;
}

/** Describes a listen address and who can connect to it, for start-up output. */
export function describeListenAddress(host: string, port: number): string {
  const address = `${hostForUrl(host)}:${port}`;
  switch (listenScope(host)) {
    case "loopback":
      return `${address}, loopback only: other machines cannot connect`;
    case "all-interfaces":
      return `${address}, every network interface: other machines can connect`;
    case "one-interface":
      return `${address}: other machines on that address's network can connect`;
  }
}

/**
 * Returns the start-up warning for a portal that other machines can reach while
 * WVK_ALLOW_PRIVATE_DESTINATIONS lets webhooks target private addresses, or
 * null when either is not the case. Anyone who can sign in or has an API key
 * could then make the worker send requests to services on this machine and its
 * network.
 */
export function exposureWarning(host: string, privateDestinationsAllowed: boolean): string | null {
  if (!privateDestinationsAllowed || listenScope(host) === "loopback") return null;
  return [
    `The portal and API listen on ${hostForUrl(host)}, where other machines can connect, and WVK_ALLOW_PRIVATE_DESTINATIONS allows webhooks to loopback, private addresses and plain http.`,
    "Anyone who can sign in or has an API key can make the worker send requests to services on this machine and its network.",
    `Listen on loopback only (the default when ${LISTEN_HOST_VARIABLE} is unset), or set WVK_ALLOW_PRIVATE_DESTINATIONS=0.`,
  ].join(" ");
}
