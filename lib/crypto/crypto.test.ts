import { describe, expect, it } from "vitest";
import { apiKeyMatches, apiKeyPrefix, generateApiKey, hashApiKey } from "./api-keys";
import { decrypt, encrypt, keyIdOf, parseKeyring } from "./encryption";
import { hashPassword, verifyPassword } from "./passwords";
import { generateSigningSecret, secretFingerprint, secretKeyBytes } from "./signing-secrets";

const KEY_A = Buffer.alloc(32, 1).toString("base64");
const KEY_B = Buffer.alloc(32, 2).toString("base64");

describe("secret encryption", () => {
  it("round-trips a secret", () => {
    const keyring = parseKeyring(`a:${KEY_A}`);
    const ciphertext = encrypt(keyring, "whsec_example");
    expect(ciphertext).not.toContain("whsec_example");
    expect(decrypt(keyring, ciphertext)).toBe("whsec_example");
  });

  it("encrypts with the first key and decrypts with any listed key", () => {
    const old = parseKeyring(`a:${KEY_A}`);
    const rotated = parseKeyring(`b:${KEY_B},a:${KEY_A}`);
    const before = encrypt(old, "whsec_one");
    expect(decrypt(rotated, before)).toBe("whsec_one");
    expect(keyIdOf(encrypt(rotated, "whsec_two"))).toBe("b");
  });

  it("refuses altered ciphertext", () => {
    const keyring = parseKeyring(`a:${KEY_A}`);
    const parts = encrypt(keyring, "whsec_example").split(".");
    parts[4] = Buffer.from("tampered").toString("base64url");
    expect(() => decrypt(keyring, parts.join("."))).toThrow();
  });

  it("names a missing key without printing key material", () => {
    const ciphertext = encrypt(parseKeyring(`a:${KEY_A}`), "whsec_example");
    expect(() => decrypt(parseKeyring(`b:${KEY_B}`), ciphertext)).toThrow(/"a" is not in WVK_ENCRYPTION_KEYS/);
  });

  it.each([
    ["no id", KEY_A, /expected "id:base64key"/],
    ["short key", "a:c2hvcnQ=", /decodes to 5 bytes, expected 32/],
    ["duplicate id", `a:${KEY_A},a:${KEY_B}`, /appears twice/],
    ["empty", " , ", /no keys/],
  ])("rejects a keyring with %s", (_name, text, message) => {
    expect(() => parseKeyring(text)).toThrow(message);
  });
});

describe("API keys", () => {
  it("generates a key with a 12-character public prefix", () => {
    const { key, prefix, hash } = generateApiKey();
    expect(key).toMatch(/^wvk_[0-9A-Za-z]{8}_[0-9A-Za-z]{32}$/);
    expect(prefix).toBe(key.slice(0, 12));
    expect(apiKeyPrefix(key)).toBe(prefix);
    expect(hash).toBe(hashApiKey(key));
  });

  it("stores the SHA-256 hex digest of the key", () => {
    // Known answer from: printf %s wvk_example | sha256sum
    expect(hashApiKey("wvk_example")).toBe("5b291ececf861b363af04465c4f735e360bf12264f9676191f82fd68e4e6d54e");
  });

  it("matches only the exact key", () => {
    const { key, hash } = generateApiKey();
    expect(apiKeyMatches(key, hash)).toBe(true);
    expect(apiKeyMatches(key.slice(0, -1) + (key.endsWith("a") ? "b" : "a"), hash)).toBe(false);
  });

  it("returns no prefix for a malformed key", () => {
    expect(apiKeyPrefix("Bearer abc")).toBeUndefined();
    expect(apiKeyPrefix("wvk_short_key")).toBeUndefined();
  });
});

describe("signing secrets", () => {
  it("are whsec_ followed by the base64 of 32 random bytes", () => {
    const secret = generateSigningSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(secretKeyBytes(secret)).toHaveLength(32);
  });

  it("have a 12-hex-digit fingerprint of the whole secret string", () => {
    expect(secretFingerprint("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")).toMatch(/^[0-9a-f]{12}$/);
    expect(secretFingerprint("whsec_a")).not.toBe(secretFingerprint("whsec_b"));
  });
});

describe("passwords", () => {
  it("verify against their scrypt hash and nothing else", async () => {
    const hash = await hashPassword("correct horse battery staple");
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(await verifyPassword("correct horse battery staple", hash)).toBe(true);
    expect(await verifyPassword("correct horse battery stapler", hash)).toBe(false);
  });

  it("never match a malformed hash", async () => {
    expect(await verifyPassword("x", "plain-text")).toBe(false);
    expect(await verifyPassword("x", "scrypt$1099511627776$8$1$AA==$AA==")).toBe(false);
  });
});
