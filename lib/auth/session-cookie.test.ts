import { afterEach, describe, expect, it } from "vitest";
import { parseCookieHeader, sessionCookieName, sessionTokenOf } from "./session-cookie";

describe("parseCookieHeader", () => {
  it("reads names and decoded values", () => {
    const cookies = parseCookieHeader("theme=dark; next-auth.session-token=abc%3Ddef;other=1");
    expect(cookies.get("theme")).toBe("dark");
    expect(cookies.get("next-auth.session-token")).toBe("abc=def");
    expect(cookies.get("other")).toBe("1");
  });

  it("keeps the first of two cookies with one name", () => {
    expect(parseCookieHeader("a=first; a=second").get("a")).toBe("first");
  });

  it("skips malformed parts", () => {
    const cookies = parseCookieHeader("=nameless; novalue; bad=%E0%A4%A; good=yes");
    expect([...cookies.keys()]).toEqual(["good"]);
  });

  it("returns nothing for a missing header", () => {
    expect(parseCookieHeader(null).size).toBe(0);
  });
});

describe("sessionTokenOf", () => {
  const original = process.env.NEXTAUTH_URL;
  afterEach(() => {
    process.env.NEXTAUTH_URL = original;
  });

  it("joins chunked cookies in order", () => {
    process.env.NEXTAUTH_URL = "http://localhost:3000";
    const cookies = new Map([
      ["next-auth.session-token.1", "second"],
      ["next-auth.session-token.0", "first-"],
    ]);
    expect(sessionTokenOf(cookies)).toBe("first-second");
  });

  it("uses the __Secure- cookie behind https", () => {
    process.env.NEXTAUTH_URL = "https://portal.example.com";
    expect(sessionCookieName()).toBe("__Secure-next-auth.session-token");
    expect(sessionTokenOf(new Map([["next-auth.session-token", "planted"]]))).toBeNull();
    expect(sessionTokenOf(new Map([["__Secure-next-auth.session-token", "real"]]))).toBe("real");
  });
});
