import { isIP } from "node:net";
import { config } from "../config";
import { BlockedDestinationError, resolvePublicAddresses } from "../dispatch/safe-lookup";
import { checkDestinationUrl, type DestinationPolicy, type UrlCheck } from "../url-safety";

// A registration waits at most this long for DNS; the same name is resolved again at every attempt anyway.
const REGISTRATION_LOOKUP_TIMEOUT_MS = 5_000;

/** Returns the destination policy of this deployment (private targets only with WVK_ALLOW_PRIVATE_DESTINATIONS). */
export function destinationPolicy(): DestinationPolicy {
  return { allowPrivate: config().WVK_ALLOW_PRIVATE_DESTINATIONS };
}

function lookupTimeout(hostname: string): Promise<never> {
  return new Promise((_resolve, reject) => {
    const timer = setTimeout(() => {
      const error: NodeJS.ErrnoException = new Error(`Resolving ${hostname} timed out`);
      error.code = "ETIMEOUT";
      reject(error);
    }, REGISTRATION_LOOKUP_TIMEOUT_MS);
    timer.unref();
  });
}

/**
 * Checks a webhook URL when it is registered or changed: the URL rules of
 * lib/url-safety.ts, then, under the strict policy, every address its host name
 * resolves to. A name that does not resolve is rejected too, since no delivery
 * to it could succeed. Attempts check the addresses again when they connect.
 */
export async function checkDestination(raw: string, policy: DestinationPolicy = destinationPolicy()): Promise<UrlCheck> {
  const check = checkDestinationUrl(raw, policy);
  if (!check.ok || policy.allowPrivate) return check;
  const host = check.hostname.replace(/^\[|\]$/g, "");
  if (isIP(host)) return check;
  try {
    await Promise.race([resolvePublicAddresses(host, policy), lookupTimeout(host)]);
    return check;
  } catch (error) {
    if (error instanceof BlockedDestinationError) return { ok: false, problem: "blocked_destination", message: error.message };
    const code = (error as NodeJS.ErrnoException).code ?? "unknown error";
    if (code === "ENOTFOUND" || code === "ENODATA") {
      return { ok: false, problem: "unresolvable", message: `The host ${host} does not resolve to any address: check the name` };
    }
    return { ok: false, problem: "unresolvable", message: `The host ${host} could not be resolved right now (${code}): try again` };
  }
}
