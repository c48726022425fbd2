import { config } from "../config";
import { type Keyring, parseKeyring } from "./encryption";

let cached: { source: string; keyring: Keyring } | undefined;

/** Returns the keyring from WVK_ENCRYPTION_KEYS, parsed once per value. */
export function keyring(): Keyring {
  const source = config().WVK_ENCRYPTION_KEYS;
  if (cached?.source !== source) cached = { source, keyring: parseKeyring(source) };
  return cached.keyring;
}
