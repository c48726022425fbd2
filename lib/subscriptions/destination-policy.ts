import { config } from "../config";
import type { DestinationPolicy } from "../url-safety";

/** Returns the destination policy of this deployment (private targets only with WVK_ALLOW_PRIVATE_DESTINATIONS). */
export function destinationPolicy(): DestinationPolicy {
  return { allowPrivate: config().WVK_ALLOW_PRIVATE_DESTINATIONS };
}
