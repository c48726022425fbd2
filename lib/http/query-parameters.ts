/**
 * Reads a URL's query string into one value per parameter, and rejects a
 * parameter sent more than once (`?limit=1&limit=2`). Servers, proxies and
 * frameworks disagree on which copy counts: the first, the last, or all of
 * them. A cache or log in front of the API could then record another value
 * than the one the operation used.
 */
export type QueryReadResult = { ok: true; values: Record<string, string> } | { ok: false; repeated: string };

export function readQueryParameters(searchParams: URLSearchParams): QueryReadResult {
  // A Map, because assigning "__proto__" on a plain object would not create a parameter of that name.
  const values = new Map<string, string>();
  for (const [name, value] of searchParams) {
    if (values.has(name)) return { ok: false, repeated: name };
    values.set(name, value);
  }
  return { ok: true, values: Object.fromEntries(values) };
}

// Digits only, without a leading zero unless the number is 0 itself.
const PLAIN_DECIMAL = /^(0|[1-9][0-9]*)$/;

/**
 * Tells whether a query value is a non-negative integer in plain decimal
 * digits. JavaScript's Number() also reads "0x10", "1e1", "+5", " 5" and
 * "007", so one value would have many spellings, and a cache, log or proxy in
 * front of the API could not tell that they mean the same page.
 */
export function isPlainDecimalInteger(text: string): boolean {
  return PLAIN_DECIMAL.test(text);
}
