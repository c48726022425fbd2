import { describe, expect, it } from "vitest";
import { checkJsonContentType, parseMediaType, unsupportedContentCoding } from "./content-type";

describe("parseMediaType", () => {
  it("lowercases the type and parameter names", () => {
    expect(parseMediaType("Application/JSON; Charset=UTF-8")).toEqual({ essence: "application/json", parameters: [["charset", "UTF-8"]] });
  });

  it("unquotes a quoted parameter value", () => {
    expect(parseMediaType('application/json; charset="utf-8"')?.parameters).toEqual([["charset", "utf-8"]]);
    expect(parseMediaType('application/json; note="a \\"b\\" c"')?.parameters).toEqual([["note", 'a "b" c']]);
  });

  it("skips empty parameters", () => {
    expect(parseMediaType("application/json;")?.parameters).toEqual([]);
    expect(parseMediaType("application/json;; charset=utf-8 ;")?.parameters).toEqual([["charset", "utf-8"]]);
  });

  it.each(["", "json", "application/", "application/json charset=utf-8", "application/json; charset", "application/json; charset=\"utf-8", "application/json; =utf-8"])(
    "rejects the malformed %j",
    (header) => {
      expect(parseMediaType(header)).toBeNull();
    },
  );
});

describe("checkJsonContentType", () => {
  it.each([
    "application/json",
    "application/json; charset=utf-8",
    "application/json; charset=UTF-8",
    "application/json;charset=Utf-8",
    'application/json; charset="utf-8"',
    "application/json; charset=utf8",
    "application/json; charset=UTF8",
    'application/json; charset="Utf8"',
    "APPLICATION/JSON",
    "application/merge-patch+json",
    "application/json; version=1",
  ])("accepts %j", (header) => {
    expect(checkJsonContentType(header)).toEqual({ ok: true });
  });

  it.each([
    ["application/json; charset=iso-8859-1", "iso-8859-1"],
    ["application/json; charset=utf_8", "utf_8"],
    ["application/json; charset=utf8mb4", "utf8mb4"],
    ["application/json; charset=utf-16", "utf-16"],
    ['application/json; charset="latin1"', "latin1"],
    ["application/json; charset=utf-8; charset=windows-1252", "windows-1252"],
  ])("names the charset of %j", (header, charset) => {
    expect(checkJsonContentType(header)).toEqual({ ok: false, problem: "charset", charset });
  });

  it.each([null, "text/plain", "application/x-www-form-urlencoded", "application/jsonp", "text/json", "application/json charset=utf-8", "multipart/form-data; boundary=x"])(
    "rejects %j as not JSON",
    (header) => {
      expect(checkJsonContentType(header)).toEqual({ ok: false, problem: "not_json" });
    },
  );
});

describe("unsupportedContentCoding", () => {
  it.each([null, "", "identity", "IDENTITY", " identity , identity "])("accepts %j", (header) => {
    expect(unsupportedContentCoding(header)).toBeNull();
  });

  it.each([
    ["gzip", "gzip"],
    ["deflate", "deflate"],
    ["br", "br"],
    ["zstd", "zstd"],
    ["identity, gzip", "gzip"],
    ["GZip", "GZip"],
  ])("names the coding of %j", (header, coding) => {
    expect(unsupportedContentCoding(header)).toBe(coding);
  });
});
