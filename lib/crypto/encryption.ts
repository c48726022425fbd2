import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

/**
 * Encryption at rest for signing secrets: AES-256-GCM under a keyring.
 *
 * The keyring is a comma-separated list of `id:base64key` pairs. The first key
 * encrypts; every key decrypts, so an operator rotates by putting a new key in
 * front, re-encrypting (`npm run db:reencrypt-secrets`) and later dropping the old
 * one. Ciphertexts are `v1.<keyId>.<iv>.<tag>.<data>` in base64url, so each one
 * names the key it needs.
 */
export interface Keyring {
  currentKeyId: string;
  keys: Map<string, Buffer>;
}

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/** Parses a keyring string; throws a message that names the bad entry but never prints key material. */
export function parseKeyring(text: string): Keyring {
  const keys = new Map<string, Buffer>();
  let currentKeyId: string | undefined;
  const entries = text.split(",").map((entry) => entry.trim()).filter(Boolean);
  for (const [index, entry] of entries.entries()) {
    const separator = entry.indexOf(":");
    const id = separator > 0 ? entry.slice(0, separator) : "";
    if (!KEY_ID.test(id)) {
      throw new Error(`Invalid encryption key entry ${index + 1}: expected "id:base64key" with an id of letters, digits, "-" or "_"`);
    }
    const key = Buffer.from(entry.slice(separator + 1), "base64");
    if (key.length !== 32) {
      throw new Error(`Invalid encryption key "${id}": it decodes to ${key.length} bytes, expected 32 (generate one with: openssl rand -base64 32)`);
    }
    if (keys.has(id)) throw new Error(`Invalid keyring: key id "${id}" appears twice`);
    keys.set(id, key);
    currentKeyId ??= id;
  }
  if (!currentKeyId) throw new Error("Invalid keyring: no keys given");
  return { currentKeyId, keys };
}

/** Encrypts `plaintext` with the keyring's current key. */
export function encrypt(keyring: Keyring, plaintext: string): string {
  const key = keyring.keys.get(keyring.currentKeyId)!;
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const data = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  return ["v1", keyring.currentKeyId, iv.toString("base64url"), tag.toString("base64url"), data.toString("base64url")].join(".");
}

/** Decrypts a value made by `encrypt`; throws when the key is unknown or the data was altered. */
export function decrypt(keyring: Keyring, ciphertext: string): string {
  const parts = ciphertext.split(".");
  if (parts.length !== 5 || parts[0] !== "v1") throw new Error("Invalid ciphertext format");
  const [, keyId, iv, tag, data] = parts as [string, string, string, string, string];
  const key = keyring.keys.get(keyId);
  if (!key) throw new Error(`Cannot decrypt: encryption key "${keyId}" is not in WVK_ENCRYPTION_KEYS`);
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(data, "base64url")), decipher.final()]).toString("utf8");
}

/** Returns the id of the key that encrypted `ciphertext`, so re-encryption can skip values already on the current key. */
export function keyIdOf(ciphertext: string): string | undefined {
  return ciphertext.split(".")[1];
}
