import { describe, expect, it } from "vitest";
import { MAX_JSON_DEPTH, parseJsonStrict } from "./json-body";

describe("parseJsonStrict", () => {
  it("parses ordinary JSON", () => {
    expect(parseJsonStrict('{"type": "finding.created", "data": {"tags": ["a", "b"], "n": 1.5e3}}')).toEqual({
      ok: true,
      value: { type: "finding.created", data: { tags: ["a", "b"], n: 1500 } },
    });
  });

  it("rejects a duplicate key with its location", () => {
    expect(parseJsonStrict('{"url": "https://a.example", "url": "https://b.example"}')).toEqual({
      ok: false,
      problem: { kind: "duplicate_key", key: "url", pointer: "/url" },
    });
  });

  it("rejects a nested duplicate key", () => {
    const result = parseJsonStrict('{"data": {"items": [{"id": 1}, {"id": 2, "id": 3}]}}');
    expect(result).toEqual({ ok: false, problem: { kind: "duplicate_key", key: "id", pointer: "/data/items/1/id" } });
  });

  it("treats escaped and plain spellings of a key as duplicates", () => {
    const result = parseJsonStrict('{"type": "a", "\\u0074ype": "b"}');
    expect(result).toMatchObject({ ok: false, problem: { kind: "duplicate_key", key: "type" } });
  });

  it("allows the same key in sibling objects", () => {
    expect(parseJsonStrict('[{"id": 1}, {"id": 2}]')).toEqual({ ok: true, value: [{ id: 1 }, { id: 2 }] });
  });

  it("ignores key-like text inside string values", () => {
    expect(parseJsonStrict('{"a": "x\\": 1, \\"a", "b": ":"}')).toEqual({ ok: true, value: { a: 'x": 1, "a', b: ":" } });
  });

  it("accepts nesting up to the limit", () => {
    const text = "[".repeat(MAX_JSON_DEPTH) + "]".repeat(MAX_JSON_DEPTH);
    expect(parseJsonStrict(text).ok).toBe(true);
  });

  it("rejects nesting beyond the limit", () => {
    const text = "[".repeat(MAX_JSON_DEPTH + 1) + "]".repeat(MAX_JSON_DEPTH + 1);
    expect(parseJsonStrict(text)).toEqual({ ok: false, problem: { kind: "too_deep", maxDepth: MAX_JSON_DEPTH } });
  });

  it("rejects absurd nesting without a stack overflow", () => {
    const result = parseJsonStrict('{"a":'.repeat(200_000));
    expect(result).toMatchObject({ ok: false, problem: { kind: "too_deep" } });
  });

  it("rejects U+0000 and unpaired surrogates", () => {
    expect(parseJsonStrict('{"title": "a\\u0000b"}')).toEqual({ ok: false, problem: { kind: "unstorable_string", pointer: "/title" } });
    expect(parseJsonStrict('{"title": "\\ud800"}')).toMatchObject({ ok: false, problem: { kind: "unstorable_string" } });
    expect(parseJsonStrict('["ok", "\\udc00x"]')).toEqual({ ok: false, problem: { kind: "unstorable_string", pointer: "/1" } });
    expect(parseJsonStrict('{"\\u0000": 1}')).toMatchObject({ ok: false, problem: { kind: "unstorable_string" } });
  });

  it("accepts escaped surrogate pairs", () => {
    expect(parseJsonStrict('{"emoji": "\\ud83d\\udea8"}')).toEqual({ ok: true, value: { emoji: "🚨" } });
  });

  it("reports syntax errors without throwing", () => {
    for (const text of ["", "{", '{"a": }', "[1,]", '{"a" 1}', '"unterminated', "nul", "{'a': 1}", "\u0000"]) {
      const result = parseJsonStrict(text);
      expect(result.ok, text).toBe(false);
      if (!result.ok) expect(result.problem.kind, text).toBe("syntax");
    }
  });
});
