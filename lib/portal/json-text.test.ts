import { describe, expect, it } from "vitest";
import { formattedJson } from "./json-text";

describe("formattedJson", () => {
  it("indents an object", () => {
    expect(formattedJson('{"a":1,"b":[true]}')).toBe('{\n  "a": 1,\n  "b": [\n    true\n  ]\n}');
  });

  it("keeps markup inside strings as text", () => {
    expect(formattedJson('{"html":"<script>x</script>"}')).toBe('{\n  "html": "<script>x</script>"\n}');
  });

  it.each(["<html></html>", "not json", "42", '"a string"', "{broken", ""])("leaves %j alone", (text) => {
    expect(formattedJson(text)).toBeNull();
  });
});
