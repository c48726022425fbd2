import { describe, expect, it } from "vitest";
import { isPlainDecimalInteger, readQueryParameters } from "./query-parameters";

const read = (query: string) => readQueryParameters(new URLSearchParams(query));

describe("readQueryParameters", () => {
  it("returns one value per parameter", () => {
    expect(read("limit=5&cursor=wh_1")).toEqual({ ok: true, values: { limit: "5", cursor: "wh_1" } });
  });

  it("returns an empty object for an empty query", () => {
    expect(read("")).toEqual({ ok: true, values: {} });
  });

  it("keeps a parameter without a value", () => {
    expect(read("limit")).toEqual({ ok: true, values: { limit: "" } });
  });

  it("names a repeated parameter", () => {
    expect(read("limit=1&limit=2")).toEqual({ ok: false, repeated: "limit" });
  });

  it("names a parameter repeated with the same value", () => {
    expect(read("status=failed&status=failed")).toEqual({ ok: false, repeated: "status" });
  });

  it("names a parameter repeated in another spelling of its name", () => {
    expect(read("limit=1&%6Cimit=2")).toEqual({ ok: false, repeated: "limit" });
  });

  it("names the first repeated parameter", () => {
    expect(read("a=1&b=1&b=2&a=2")).toEqual({ ok: false, repeated: "b" });
  });

  it("names a repeated empty name", () => {
    expect(read("=1&=2")).toEqual({ ok: false, repeated: "" });
  });

  it("treats __proto__ as an ordinary name", () => {
    const result = read("__proto__=1");
    expect(result).toEqual({ ok: true, values: { ["__proto__"]: "1" } });
    expect(read("__proto__=1&__proto__=2")).toEqual({ ok: false, repeated: "__proto__" });
  });
});

describe("isPlainDecimalInteger", () => {
  it.each(["0", "1", "50", "100", "99999999999999999999"])("accepts %j", (text) => {
    expect(isPlainDecimalInteger(text)).toBe(true);
  });

  it.each(["", "0x10", "1e1", "1E1", "+5", "-1", " 5", "5 ", "05", "007", "00", "1.0", "1_000", "Infinity", "NaN", "٥", "５", "0b1", "0o7"])(
    "rejects %j",
    (text) => {
      expect(isPlainDecimalInteger(text)).toBe(false);
    },
  );
});
