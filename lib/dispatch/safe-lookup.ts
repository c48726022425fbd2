import { lookup as dnsLookup } from "node:dns/promises";
import type { LookupAddress } from "node:dns";
import { isIP } from "node:net";
import { blockedRange } from "../url-safety";

/** Resolves a host name to all of its addresses; tests pass a fake one so no real DNS is queried. */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** Raised when a destination resolves to an address that deliveries must not reach. */
export class BlockedDestinationError extends Error {
  readonly code = "WVK_BLOCKED_DESTINATION";
  constructor(message: string) {
    super(message);
    this.name = "BlockedDestinationError";
  }
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * Builds the `lookup` function the HTTP client connects through. It resolves the
 * name once, refuses the connection if any answer is a non-public address (a
 * name that mixes public and private answers is treated as hostile), and hands
 * the socket exactly the addresses it checked, so DNS cannot change between the
 * check and the connection. TLS still uses the host name for SNI and
 * certificate checks.
 */
export function safeLookup(options: { allowPrivate: boolean; resolver?: Resolver }) {
  const resolve = options.resolver ?? systemResolver;
  return (hostname: string, lookupOptions: { all?: boolean; family?: number | string }, callback: LookupCallback): void => {
    resolve(hostname)
      .then((answers) => {
        if (answers.length === 0) {
          const error: NodeJS.ErrnoException = new Error(`No addresses found for ${hostname}`);
          error.code = "ENOTFOUND";
          throw error;
        }
        if (!options.allowPrivate) {
          for (const answer of answers) {
            const range = isIP(answer.address) ? blockedRange(answer.address) : "not an IP address";
            if (range) throw new BlockedDestinationError(`${hostname} resolves to a blocked address: it is ${range}`);
          }
        }
        if (lookupOptions.all) callback(null, answers);
        else callback(null, answers[0]!.address, answers[0]!.family);
      })
      .catch((error: NodeJS.ErrnoException) => callback(error, ""));
  };
}
