import { describe, expect, it } from "vitest";
import { classifyNetworkError, storableBody } from "./http-client";
import { BlockedDestinationError } from "./safe-lookup";

function failure(code: string, message = "failed") {
  return Object.assign(new Error(message), { code });
}

describe("classifyNetworkError", () => {
  it.each([
    ["ENOTFOUND", "dns"],
    ["EAI_AGAIN", "dns"],
    ["ECONNREFUSED", "refused"],
    ["ECONNRESET", "reset"],
    ["UND_ERR_SOCKET", "reset"],
    ["EPIPE", "reset"],
    ["EHOSTUNREACH", "unreachable"],
    ["UND_ERR_CONNECT_TIMEOUT", "timeout"],
    ["UND_ERR_HEADERS_TIMEOUT", "timeout"],
    ["EPROTO", "tls"],
    ["ERR_SSL_WRONG_VERSION_NUMBER", "tls"],
    ["EWHATEVER", "connection"],
  ])("classifies %s as %s", (code, errorClass) => {
    expect(classifyNetworkError(failure(code)).errorClass).toBe(errorClass);
  });

  it.each([
    ["DEPTH_ZERO_SELF_SIGNED_CERT", /self-signed/],
    ["CERT_HAS_EXPIRED", /expired/],
    ["ERR_TLS_CERT_ALTNAME_INVALID", /another host name/],
    ["UNABLE_TO_VERIFY_LEAF_SIGNATURE", /incomplete/],
    ["SELF_SIGNED_CERT_IN_CHAIN", /not trusted/],
  ])("explains certificate error %s", (code, reason) => {
    const classified = classifyNetworkError(failure(code));
    expect(classified.errorClass).toBe("tls");
    expect(classified.detail).toMatch(reason);
    expect(classified.detail).toContain(code);
  });

  it("finds the code in the error's cause", () => {
    const wrapped = Object.assign(new Error("fetch failed"), { cause: failure("ECONNREFUSED") });
    expect(classifyNetworkError(wrapped).errorClass).toBe("refused");
  });

  it("reports the deadline of an aborted attempt", () => {
    const aborted = new DOMException("The operation was aborted due to timeout", "TimeoutError");
    const classified = classifyNetworkError(aborted, 2500);
    expect(classified.errorClass).toBe("timeout");
    expect(classified.detail).toContain("2.5 s");
  });

  it("keeps the message of a blocked destination", () => {
    const classified = classifyNetworkError(new BlockedDestinationError("The destination is not allowed: x resolves to a non-public address"));
    expect(classified).toEqual({ errorClass: "blocked_destination", detail: "The destination is not allowed: x resolves to a non-public address" });
  });
});

describe("storableBody", () => {
  it("keeps a short body as it is", () => {
    expect(storableBody(Buffer.from("ok ✓"), 100)).toEqual({ text: "ok ✓", cut: false });
  });

  it("replaces NUL, which PostgreSQL text cannot store", () => {
    expect(storableBody(Buffer.from([0x61, 0x00, 0x62]), 100).text).toBe("a\uFFFDb");
  });

  it("never exceeds the limit in UTF-8 bytes", () => {
    const invalid = Buffer.alloc(1000, 0xff);
    const stored = storableBody(invalid, 1000);
    expect(Buffer.byteLength(stored.text, "utf8")).toBeLessThanOrEqual(1000);
    expect(stored.cut).toBe(true);
  });

  it("cuts at a character boundary", () => {
    const stored = storableBody(Buffer.from("€€€"), 7);
    expect(stored.text).toBe("€€");
    expect(stored.cut).toBe(true);
  });

  it("drops a character split by the capture limit", () => {
    const split = Buffer.from("ab€").subarray(0, 4);
    const stored = storableBody(split, 4);
    expect(stored.text).toBe("ab");
    expect(stored.cut).toBe(true);
  });
});
