/**
 * Unicode's explicit bidirectional formatting characters (UAX #9): the
 * embeddings, overrides and isolates. One of them in a name or description
 * reorders the characters after it wherever the text is shown: "invoice",
 * U+202E, "fdp.exe" displays as "invoiceexe.pdf". User-supplied display text
 * is rejected when it contains one (lib/api/schemas.ts). The portal also
 * renders such text isolated (<bdi>), for rows stored before the rule.
 *
 * The implicit marks U+200E, U+200F and U+061C stay allowed: right-to-left
 * text needs them, and each only sets the direction at its own position.
 */
export const BIDI_CONTROL_NAMES: Record<string, string> = {
  "\u202a": "left-to-right embedding",
  "\u202b": "right-to-left embedding",
  "\u202c": "pop directional formatting",
  "\u202d": "left-to-right override",
  "\u202e": "right-to-left override",
  "\u2066": "left-to-right isolate",
  "\u2067": "right-to-left isolate",
  "\u2068": "first strong isolate",
  "\u2069": "pop directional isolate",
};

export interface BidiControl {
  // The code point in U+ notation, for example "U+202E".
  codePoint: string;
  name: string;
  // 1-based position counted in code points, as a person counts characters.
  position: number;
}

/** Finds the first bidirectional formatting character in `text`, or returns null when there is none. */
export function findBidiControl(text: string): BidiControl | null {
  let position = 0;
  for (const character of text) {
    position++;
    const name = BIDI_CONTROL_NAMES[character];
    if (name) return { codePoint: `U+${character.codePointAt(0)!.toString(16).toUpperCase()}`, name, position };
  }
  return null;
}

/**
 * The implicit directional marks. Names may contain them, but a view that
 * shows text exactly as it was received, such as a delivery's body, shows them
 * too: between neutral characters such as quotes and commas, one mark changes
 * the order in which they are displayed.
 */
export const BIDI_MARK_NAMES: Record<string, string> = {
  "\u200e": "left-to-right mark",
  "\u200f": "right-to-left mark",
  "\u061c": "Arabic letter mark",
};

/** A run of text without bidirectional characters, or one such character with its code point and name. */
export type BidiSegment = { text: string } | { character: string; codePoint: string; name: string };

const BIDI_CHARACTER_NAMES: Record<string, string> = { ...BIDI_CONTROL_NAMES, ...BIDI_MARK_NAMES };
// Every character above is one UTF-16 code unit, so a character class matches each of them.
const BIDI_CHARACTER = new RegExp(`[${Object.keys(BIDI_CHARACTER_NAMES).join("")}]`, "g");

/**
 * Splits `text` into plain runs and single bidirectional characters, both the
 * formatting characters and the implicit marks. A view of raw text can then
 * show each such character as a visible token, so it reorders nothing. Joining
 * the segments' `text` and `character` values returns `text`.
 */
export function splitBidiCharacters(text: string): BidiSegment[] {
  const segments: BidiSegment[] = [];
  let start = 0;
  for (const match of text.matchAll(BIDI_CHARACTER)) {
    if (match.index > start) segments.push({ text: text.slice(start, match.index) });
    const character = match[0];
    segments.push({ character, codePoint: `U+${character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`, name: BIDI_CHARACTER_NAMES[character]! });
    start = match.index + character.length;
  }
  if (start < text.length) segments.push({ text: text.slice(start) });
  return segments;
}

/** Returns the validation message for text that contains a bidirectional formatting character. */
export function bidiControlMessage(control: BidiControl): string {
  return `Invalid character ${control.codePoint} (${control.name}) at position ${control.position}: remove it, because it reorders the text displayed after it`;
}
