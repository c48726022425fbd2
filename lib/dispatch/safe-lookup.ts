import { lookup as dnsLookup } from "node:dns/promises";
import type { LookupAddress } from "node:dns";
import { isIP } from "node:net";
import { blockedRange, metadataRange } from "../url-safety";

/** Resolves a host name to all of its addresses; tests pass a fake one so no real DNS is queried. */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

let processResolver: Resolver = systemResolver;

/** Returns the resolver this process checks destinations with when none is passed explicitly. */
export function destinationResolver(): Resolver {
  return processResolver;
}

/** Replaces the process-wide resolver (tests only, so they never query real DNS); pass null for the system one. */
export function setDestinationResolver(resolver: Resolver | null): void {
  processResolver = resolver ?? systemResolver;
}

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
 * Resolves a host name and checks every address it returns. A name that mixes
 * public and non-public addresses is treated as hostile. The message names neither the
 * address nor its range, so the delivery log cannot be used to map internal
 * DNS names.
 */
export async function resolvePublicAddresses(hostname: string, options: { allowPrivate: boolean; resolver?: Resolver }): Promise<LookupAddress[]> {
  const answers = await (options.resolver ?? processResolver)(hostname);
  if (answers.length === 0) {
    const error: NodeJS.ErrnoException = new Error(`No addresses found for ${hostname}`);
    error.code = "ENOTFOUND";
    throw error;
  }
  for (const answer of answers) {
    if (!isIP(answer.address)) throw new BlockedDestinationError(`The destination is not allowed: ${hostname} resolves to a non-public address`);
    // Development mode allows private addresses, but never the link-local ranges of cloud metadata services.
    const range = options.allowPrivate ? metadataRange(answer.address) : blockedRange(answer.address);
    if (range) throw new BlockedDestinationError(`The destination is not allowed: ${hostname} resolves to a non-public address`);
  }
  return answers;
}

/**
 * Builds the `lookup` function the HTTP client connects through. It resolves
 * the name once per connection, refuses it if any answer is a non-public
 * address, and hands the socket exactly the addresses it checked, so DNS cannot
 * change between the check and the connection. TLS still uses the host name
 * for SNI and certificate checks.
 */
export function safeLookup(options: { allowPrivate: boolean; resolver?: Resolver }) {
  return (hostname: string, lookupOptions: { all?: boolean; family?: number | string }, callback: LookupCallback): void => {
    resolvePublicAddresses(hostname, options)
      .then((answers) => {
        if (lookupOptions.all) callback(null, answers);
        else callback(null, answers[0]!.address, answers[0]!.family);
      })
      .catch((error: NodeJS.ErrnoException) => callback(error, ""));
  };
}
