import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * API keys look like `wvk_9F3KQ2XM_<32 characters>`. The part up to the second
 * underscore is the public prefix, stored in clear to find the key and to show
 * in lists; the whole key is stored only as SHA-256. Keys carry 190 random
 * bits, so a fast hash is enough: there is no password to guess.
 */
const KEY_PATTERN = /^wvk_([0-9A-Za-z]{8})_([0-9A-Za-z]{32})$/;
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

function randomBase62(length: number): string {
  // 62 * 4 = 248 < 256: bytes of 248 and above are dropped so every character is equally likely.
  let text = "";
  while (text.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && text.length < length) text += BASE62[byte % 62];
    }
  }
  return text;
}

export interface NewApiKey {
  key: string;
  prefix: string;
  hash: string;
}

/** Creates a new API key with its prefix and hash. */
export function generateApiKey(): NewApiKey {
  const key = `wvk_${randomBase62(8)}_${randomBase62(32)}`;
  return { key, prefix: key.slice(0, 12), hash: hashApiKey(key) };
}

/** Returns the hex SHA-256 of a key. */
export function hashApiKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

/** Returns the prefix of a well-formed key, or undefined. */
export function apiKeyPrefix(key: string): string | undefined {
  return KEY_PATTERN.test(key) ? key.slice(0, 12) : undefined;
}

/** Compares a presented key with a stored hash in constant time. */
export function apiKeyMatches(key: string, storedHash: string): boolean {
  const actual = Buffer.from(hashApiKey(key), "hex");
  const expected = Buffer.from(storedHash, "hex");
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
