import { describe, expect, it } from "vitest";
import { BIDI_CONTROL_NAMES, BIDI_MARK_NAMES, bidiControlMessage, findBidiControl, splitBidiCharacters } from "./bidi-controls";

describe("findBidiControl", () => {
  it("finds a right-to-left override", () => {
    expect(findBidiControl("invoice\u202efdp.exe")).toEqual({ codePoint: "U+202E", name: "right-to-left override", position: 8 });
  });

  it.each(["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"])("finds %j", (character) => {
    expect(findBidiControl(`a${character}b`)?.position).toBe(2);
  });

  it("covers exactly the embeddings, overrides and isolates", () => {
    const codePoints = Object.keys(BIDI_CONTROL_NAMES).map((character) => character.codePointAt(0));
    expect(codePoints).toEqual([0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069]);
  });

  it("counts positions in code points", () => {
    expect(findBidiControl("\u{1F600}\u202e")?.position).toBe(2);
  });

  it("returns the first of several", () => {
    expect(findBidiControl("a\u2067b\u202ec")?.codePoint).toBe("U+2067");
  });

  it.each([
    ["plain text", "SIEM ingestion (EU)"],
    ["Hebrew", "\u05e7\u05dc\u05d9\u05d8\u05ea \u05d0\u05d9\u05e8\u05d5\u05e2\u05d9\u05dd"],
    ["Arabic with a letter mark", "\u0633\u062c\u0644\u061c 2026"],
    ["directional marks", "a\u200eb\u200fc"],
    ["zero-width joiner", "\u{1F468}\u200d\u{1F4BB}"],
    ["empty text", ""],
  ])("allows %s", (_label, text) => {
    expect(findBidiControl(text)).toBeNull();
  });
});

describe("bidiControlMessage", () => {
  it("names the character and where it is", () => {
    expect(bidiControlMessage({ codePoint: "U+202E", name: "right-to-left override", position: 8 })).toBe(
      "Invalid character U+202E (right-to-left override) at position 8: remove it, because it reorders the text displayed after it",
    );
  });
});

describe("splitBidiCharacters", () => {
  it("splits around a right-to-left override", () => {
    expect(splitBidiCharacters('"Harmless \u202egnirts"')).toEqual([
      { text: '"Harmless ' },
      { character: "\u202e", codePoint: "U+202E", name: "right-to-left override" },
      { text: 'gnirts"' },
    ]);
  });

  it.each([...Object.keys(BIDI_CONTROL_NAMES), ...Object.keys(BIDI_MARK_NAMES)])("finds %j", (character) => {
    const segments = splitBidiCharacters(`a${character}b`);
    expect(segments).toHaveLength(3);
    expect(segments[1]).toMatchObject({ character });
  });

  it("pads the code point of the Arabic letter mark", () => {
    expect(splitBidiCharacters("\u061c")).toEqual([{ character: "\u061c", codePoint: "U+061C", name: "Arabic letter mark" }]);
  });

  it("keeps adjacent characters apart", () => {
    expect(splitBidiCharacters("\u2067\u2069").map((segment) => ("character" in segment ? segment.codePoint : segment.text))).toEqual(["U+2067", "U+2069"]);
  });

  it.each([
    ["plain text", "SIEM ingestion (EU)"],
    ["Hebrew", "\u05e7\u05dc\u05d9\u05d8\u05ea"],
    ["zero-width joiner", "\u{1F468}\u200d\u{1F4BB}"],
  ])("leaves %s whole", (_label, text) => {
    expect(splitBidiCharacters(text)).toEqual([{ text }]);
  });

  it("returns nothing for empty text", () => {
    expect(splitBidiCharacters("")).toEqual([]);
  });

  it("joins back to the text", () => {
    const text = "{\"a\": \"x\u202ey\u200f\", \"b\": \"\u2066z\u2069\"}\u061c";
    const joined = splitBidiCharacters(text)
      .map((segment) => ("character" in segment ? segment.character : segment.text))
      .join("");
    expect(joined).toBe(text);
  });
});
