import { randomFillSync } from "node:crypto";

/** Crockford base32: no I, L, O or U, so ids read aloud and copied by hand survive. */
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

export const ID_PREFIXES = {
  organization: "org",
  user: "usr",
  apiKey: "key",
  subscription: "wh",
  secret: "sec",
  event: "evt",
  delivery: "dlv",
  attempt: "att",
  audit: "aud",
  portalSession: "ses",
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

function encodeTime(milliseconds: number): string {
  let value = milliseconds;
  let text = "";
  for (let index = 0; index < 10; index++) {
    text = ALPHABET[value % 32] + text;
    value = Math.floor(value / 32);
  }
  return text;
}

// Random bytes are drawn from the CSPRNG 4 KiB at a time, because the worker creates an id per attempt and one call
// into the crypto library per 256 ids costs less than one per id.
const randomPool = Buffer.alloc(4096);
let randomPoolOffset = randomPool.length;

function takeRandomBytes(byteCount: number): Buffer {
  if (randomPoolOffset + byteCount > randomPool.length) {
    randomFillSync(randomPool);
    randomPoolOffset = 0;
  }
  const bytes = randomPool.subarray(randomPoolOffset, randomPoolOffset + byteCount);
  randomPoolOffset += byteCount;
  return bytes;
}

function encodeRandom(byteCount: number, length: number): string {
  const bytes = takeRandomBytes(byteCount);
  let text = "";
  for (let index = 0; index < length; index++) {
    text += ALPHABET[bytes[index % byteCount]! % 32];
  }
  return text;
}

/**
 * Creates an id such as `dlv_01JEX3M1Q8ZK4T6W2N9C5R7B0D`: the kind's prefix, then a
 * ULID-style body (48-bit millisecond time, 80 random bits). Ids of one kind sort by
 * creation time, which keyset pagination relies on.
 */
export function newId(kind: IdKind, now: Date = new Date()): string {
  return `${ID_PREFIXES[kind]}_${encodeTime(now.getTime())}${encodeRandom(16, 16)}`;
}

const ID_BODY = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** Tells whether `value` is a well-formed id of `kind`, so malformed path parameters become 404 without a query. */
export function isId(kind: IdKind, value: string): boolean {
  const prefix = `${ID_PREFIXES[kind]}_`;
  return value.startsWith(prefix) && ID_BODY.test(value.slice(prefix.length));
}

/** Returns the smallest id of `kind` created at or after `time`, for time-range filters on id-ordered tables. */
export function idLowerBound(kind: IdKind, time: Date): string {
  return `${ID_PREFIXES[kind]}_${encodeTime(time.getTime())}${"0".repeat(16)}`;
}
