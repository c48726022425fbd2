/**
 * Rules for the request bodies the API can read: JSON in UTF-8, sent
 * uncompressed. The handler checks both headers before it reads a byte of the body.
 *
 * RFC 8259 requires UTF-8 for JSON exchanged between systems, so a `charset`
 * parameter may only name UTF-8: `utf-8`, or `utf8`, a common spelling that
 * the WHATWG Encoding Standard (and so Node.js's TextDecoder) also reads as
 * UTF-8. The body is decoded as strict UTF-8 either way, so a variant that
 * some databases label "UTF8", such as CESU-8, fails decoding with a 400.
 * Bytes sent with another charset would be decoded as UTF-8 anyway, and text
 * such as "Müller" in ISO-8859-1 would be stored as something else or
 * rejected as a decoding error that hides the cause.
 * Compressed bodies (`Content-Encoding: gzip` and the like) are not decoded, so
 * they are rejected up front with a message that names the coding.
 */

export type JsonContentTypeCheck =
  | { ok: true }
  | { ok: false; problem: "not_json" }
  | { ok: false; problem: "charset"; charset: string };

const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const QUOTED_STRING = '"(?:[^"\\\\]|\\\\.)*"';
const MEDIA_TYPE = new RegExp(`^[ \\t]*(${TOKEN})/(${TOKEN})[ \\t]*`);
// RFC 9110, section 5.6.6: parameters are separated by ";" with optional whitespace, and may be empty.
const PARAMETER = new RegExp(`^;[ \\t]*(?:(${TOKEN})=(${TOKEN}|${QUOTED_STRING}))?[ \\t]*`);

export interface MediaType {
  // Type and subtype, lowercased: "application/json".
  essence: string;
  // Parameter names lowercased and values unquoted but otherwise as sent. A repeated name keeps every value.
  parameters: Array<[string, string]>;
}

/** Parses a Content-Type header as RFC 9110 defines media types, or returns null when it is malformed. */
export function parseMediaType(header: string): MediaType | null {
  const head = MEDIA_TYPE.exec(header);
  if (!head) return null;
  const parameters: Array<[string, string]> = [];
  let rest = header.slice(head[0].length);
  while (rest !== "") {
    const match = PARAMETER.exec(rest);
    if (!match) return null;
    if (match[1] !== undefined) parameters.push([match[1].toLowerCase(), unquote(match[2]!)]);
    rest = rest.slice(match[0].length);
  }
  return { essence: `${head[1]}/${head[2]}`.toLowerCase(), parameters };
}

function unquote(value: string): string {
  return value.startsWith('"') ? value.slice(1, -1).replace(/\\(.)/g, "$1") : value;
}

// Lowercased charset labels read as UTF-8.
const UTF8_LABELS: ReadonlySet<string> = new Set(["utf-8", "utf8"]);

/**
 * Checks that a Content-Type names JSON in UTF-8: application/json or a +json
 * type such as application/merge-patch+json, with no charset or charset=utf-8
 * (or utf8) in any letter case. Other parameters are ignored.
 */
export function checkJsonContentType(header: string | null): JsonContentTypeCheck {
  const mediaType = header === null ? null : parseMediaType(header);
  if (!mediaType || !/^application\/([a-z0-9.+-]+\+)?json$/.test(mediaType.essence)) return { ok: false, problem: "not_json" };
  for (const [name, value] of mediaType.parameters) {
    if (name === "charset" && !UTF8_LABELS.has(value.toLowerCase())) return { ok: false, problem: "charset", charset: value };
  }
  return { ok: true };
}

/**
 * Returns the first content coding of a Content-Encoding header other than
 * identity (gzip, deflate, br…), or null when the body is sent as it is.
 */
export function unsupportedContentCoding(header: string | null): string | null {
  if (header === null) return null;
  const codings = header
    .split(",")
    .map((coding) => coding.trim())
    .filter((coding) => coding !== "");
  return codings.find((coding) => coding.toLowerCase() !== "identity") ?? null;
}
