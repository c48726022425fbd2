/**
 * Request headers that must appear at most once. Node.js keeps only the first
 * Authorization and Content-Type of a request and joins repeated
 * Idempotency-Key headers with ", ", while proxies and other servers may keep
 * the last copy. A request that repeats one of them could then be
 * authenticated, read or deduplicated differently by the API and by whatever
 * sits in front of it, so it is rejected with a 400 that names the header, as
 * a repeated query parameter is (lib/http/query-parameters.ts).
 */
export const SINGLE_VALUE_HEADERS = ["Authorization", "Content-Type", "Idempotency-Key"] as const;

export type SingleValueHeader = (typeof SINGLE_VALUE_HEADERS)[number];

/** Builds the detail of the 400 for a repeated header. */
export function repeatedHeaderDetail(header: SingleValueHeader): string {
  return `The header "${header}" appears more than once: send it once`;
}

function headerNamed(name: string): SingleValueHeader | undefined {
  const lower = name.toLowerCase();
  return SINGLE_VALUE_HEADERS.find((header) => header.toLowerCase() === lower);
}

/**
 * Finds the first header of SINGLE_VALUE_HEADERS that a request sends more
 * than once, from Node.js's `rawHeaders`: names and values alternating, as
 * received. Returns null when each appears at most once.
 */
export function repeatedHeaderInRaw(rawHeaders: readonly string[]): SingleValueHeader | null {
  const seen = new Set<SingleValueHeader>();
  for (let index = 0; index < rawHeaders.length; index += 2) {
    const header = headerNamed(rawHeaders[index]!);
    if (header === undefined) continue;
    if (seen.has(header)) return header;
    seen.add(header);
  }
  return null;
}

// Tells whether a header value contains ", " outside double quotes, which is how the Fetch API joins repeated headers.
function hasJoinedValues(value: string): boolean {
  let quoted = false;
  for (let index = 0; index < value.length; index++) {
    const character = value[index];
    if (character === "\\" && quoted) index++;
    else if (character === '"') quoted = !quoted;
    else if (character === "," && !quoted && value[index + 1] === " ") return true;
  }
  return false;
}

/**
 * Finds a header of SINGLE_VALUE_HEADERS that a Fetch API `Headers` object
 * contains more than once. Such an object joins repeated headers into one value
 * separated by ", ", and no single valid value of these headers contains that
 * sequence: an API key and an Idempotency-Key have no spaces, and a media type
 * has commas only inside quoted parameters. Returns null otherwise.
 */
export function repeatedHeaderIn(headers: Headers): SingleValueHeader | null {
  for (const header of SINGLE_VALUE_HEADERS) {
    const value = headers.get(header);
    if (value !== null && hasJoinedValues(value)) return header;
  }
  return null;
}
