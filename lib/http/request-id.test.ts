import { describe, expect, it } from "vitest";
import { requestIdOf } from "./request-id";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("requestIdOf", () => {
  it.each(["3f2b8c1e-9d4a-4f7e-8a61-2c5d9e0b7a14", "01KBQ2A9M5X1C8T3V6Q4N7R0JK", "trace:4bf92f3577b34da6.00f067aa0ba902b7"])("keeps the caller's id %s", (id) => {
    expect(requestIdOf(id)).toBe(id);
  });

  it.each([null, "", "<script>alert(1)</script>", "line\nbreak", "x".repeat(65), "id with spaces"])("replaces %j with a new UUID", (header) => {
    expect(requestIdOf(header)).toMatch(UUID);
  });

  // Shapes of real credentials that fit the accepted characters; the values are made up.
  it.each([
    "wvk_9F3KQ2XM_AbCdEfGhIjKlMnOpQrStUvWxYz012345",
    "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    "AKIAIOSFODNN7EXAMPLE",
    "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.abcdefgh",
    "glpat-AbCdEfGhIjKlMnOpQrStUv",
    "xoxb-1234567890-abcdefghij",
    "sk-AbCdEfGhIjKlMnOpQrStUvWx",
  ])("replaces the credential-like id %s with a new UUID", (header) => {
    expect(requestIdOf(header)).toMatch(UUID);
  });
});
